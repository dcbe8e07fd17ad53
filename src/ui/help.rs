//! The `?` overlay: every key, for the lessons screen and for demos (on the exercise
//! screen, its keys).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::app::App;
use crate::app::keys::{DEMO_KEYS, KeyHelp, LESSON_KEYS};

/// Draws the overlay centred over `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let key_width = LESSON_KEYS
        .iter()
        .chain(DEMO_KEYS)
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(10)
        + 2;
    let section = |title: &'static str, keys: &[KeyHelp]| -> Vec<Line<'static>> {
        let mut lines = vec![Line::styled(title, theme.headings[1])];
        for (key, what) in keys {
            lines.push(Line::from(vec![
                Span::styled(format!("  {key:<key_width$}"), theme.key),
                Span::styled(*what, theme.text),
            ]));
        }
        lines
    };
    let mut lines = if app.exercise.is_some() {
        section("Doing an exercise", &crate::app::exercise_keys::help_rows())
    } else {
        let mut lines = section("Reading lessons", LESSON_KEYS);
        lines.push(Line::default());
        lines.extend(section("In a live demo", DEMO_KEYS));
        lines
    };
    lines.push(Line::default());
    lines.push(Line::styled("Esc or ? closes this help", theme.muted));

    let width = (area.width.saturating_sub(4)).min(72);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border_focused)
                .title(Span::styled(" Keys ", theme.title)),
        )
        .render(rect, buf);
}
