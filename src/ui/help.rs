//! The `?` overlay: every key binding of the key table (`app::keys`), grouped by screen,
//! the screen the learner is on first (a demo's keys inside a demo). It scrolls when it
//! does not fit (↑↓ PgUp PgDn Home End) and never draws outside the frame.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use crate::app::App;
use crate::app::keys::{Action, BINDINGS, Screen};
use crate::ui::text::truncate;

/// The widest key column; longer key lists get a line of their own.
const KEY_COLUMN: usize = 18;
/// The overlay's widest inner width.
const MAX_WIDTH: u16 = 70;
/// What Esc does where pyconc shows only a demo or a replay (the key bar says "quit").
const QUIT_DEMO_ONLY: &str = "quit";

/// The overlay's lines: a heading per section, then `keys  what it does` rows.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut sections: Vec<&'static str> = Vec::new();
    // The screen in use first (its most specific screen is last in the list), then the
    // rest in the table's order.
    let beneath = app.screens_beneath_help();
    let on_top = beneath
        .iter()
        .rev()
        .filter(|s| **s != Screen::Anywhere)
        .map(|s| s.section());
    // `pyconc demo` and `pyconc replay` have no lessons: only the sections of the
    // screens in use, and this help's own keys.
    let reachable =
        |screen: &Screen| !app.demo_only || beneath.contains(screen) || *screen == Screen::Help;
    let others = BINDINGS
        .iter()
        .map(|b| b.screen)
        .filter(reachable)
        .map(Screen::section);
    for section in on_top.chain(others) {
        if !sections.contains(&section) {
            sections.push(section);
        }
    }
    let mut out = Vec::new();
    for section in sections {
        if !out.is_empty() {
            out.push(Line::default());
        }
        out.push(Line::styled(section, theme.headings[1]));
        // In a demo, only the keys this demo offers (the key bar says the same).
        let offered = |binding: &&crate::app::keys::Binding| match (&app.demo, binding.keys.first())
        {
            (Some(host), Some((_, action))) => host.offers(*action),
            _ => true,
        };
        for binding in BINDINGS
            .iter()
            .filter(|b| b.screen.section() == section)
            .filter(offered)
        {
            let label = binding.keys_label();
            let help = match binding.keys.first() {
                Some((_, Action::DemoBack)) if app.demo_only => QUIT_DEMO_ONLY,
                _ => binding.help,
            };
            if label.width() > KEY_COLUMN {
                out.push(Line::styled(format!("  {label}"), theme.key));
                out.push(Line::from(vec![
                    Span::raw(" ".repeat(KEY_COLUMN + 4)),
                    Span::styled(help, theme.text),
                ]));
            } else {
                out.push(Line::from(vec![
                    Span::styled(format!("  {label:<KEY_COLUMN$}  "), theme.key),
                    Span::styled(help, theme.text),
                ]));
            }
        }
    }
    out
}

/// Where the overlay goes in `area`, for `line_count` lines.
fn frame_rect(area: Rect, line_count: usize) -> Rect {
    let width = area.width.saturating_sub(4).min(MAX_WIDTH + 2);
    let height = (line_count as u16)
        .saturating_add(2)
        .min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// The size the overlay was laid out for (the last resize).
fn app_area(app: &App) -> Rect {
    Rect::new(0, 0, app.size.0, app.size.1)
}

/// The lines the overlay shows at once.
pub fn page_height(app: &App) -> usize {
    usize::from(
        frame_rect(app_area(app), lines(app).len())
            .height
            .saturating_sub(2),
    )
}

/// The last useful `help_scroll`: the end of the help at the bottom.
pub fn max_scroll(app: &App) -> usize {
    lines(app).len().saturating_sub(page_height(app))
}

/// Draws the overlay centred over `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let lines = lines(app);
    let rect = frame_rect(area, lines.len());
    if rect.width < 3 || rect.height < 3 {
        return;
    }
    let inner_width = usize::from(rect.width - 2);
    let visible = usize::from(rect.height - 2);
    let scroll = app.help_scroll.min(lines.len().saturating_sub(visible));
    let more_below = scroll + visible < lines.len();
    let footer = match (scroll > 0, more_below) {
        (false, false) => " Esc closes ",
        (false, true) => " ↓ more · Esc closes ",
        (true, true) => " ↑↓ more · Esc closes ",
        (true, false) => " ↑ more · Esc closes ",
    };
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(visible)
        .map(|line| fit_line(line, inner_width))
        .collect();
    Clear.render(rect, buf);
    let title = truncate(" Keys ", inner_width);
    let footer = truncate(footer, inner_width);
    Paragraph::new(shown)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border_focused)
                .title(Span::styled(title, theme.title))
                .title_bottom(Span::styled(footer, theme.muted)),
        )
        .render(rect, buf);
}

/// `line` cut to `width` columns with an ellipsis (no help line wraps mid-word).
fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let style = line.style;
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        if left == 0 {
            break;
        }
        let w = span.content.width();
        if w <= left {
            left -= w;
            spans.push(span);
        } else {
            spans.push(Span::styled(truncate(&span.content, left), span.style));
            left = 0;
        }
    }
    Line::from(spans).style(style)
}
