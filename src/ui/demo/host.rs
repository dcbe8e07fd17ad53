//! The demo host: the frame around every engine's picture: a header with the demo's name,
//! run state and time cursor (rewound or replaying), the parameter panel (select with ↑↓,
//! change with +/-; a replay's recorded values and machine), and a key bar.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use unicode_width::UnicodeWidthStr;

use crate::app::keys::{Action, Screen};
use crate::app::{App, DemoHost};
use crate::sims::params::format_float;
use crate::ui::layout;
use crate::ui::status::{hints_that_fit, key_spans, render_bar, table_hints};
use crate::ui::text::truncate;

/// The share of the view the twin's panel takes below the simulation.
const TWIN_PANEL_SHARE: f64 = 0.5;

/// Splits the view: the simulation on top, the real twin's panel below (none when the
/// view is too short to hold both).
fn split_for_twin(view: Rect) -> (Rect, Option<Rect>) {
    let twin_h =
        ((f64::from(view.height) * TWIN_PANEL_SHARE) as u16).max(crate::ui::xray::twin::MIN_SIZE.1);
    if view.height < twin_h + 4 {
        return (Rect { height: 0, ..view }, Some(view));
    }
    let sim = Rect {
        height: view.height - twin_h,
        ..view
    };
    let twin = Rect {
        y: view.y + sim.height,
        height: twin_h,
        ..view
    };
    (sim, Some(twin))
}

/// Draws the demo screen.
pub fn render(app: &App, host: &DemoHost, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let screen = layout::demo_screen(area, host.engine.params().len());

    let replay = host.replay.is_some();
    let state = if host.twin.is_some() {
        Span::styled(" ⏹ stopped: the real twin runs ", theme.warn)
    } else if host.finished && replay {
        Span::styled(" ✓ end · r plays it again ", theme.good)
    } else if let Some(word) = host.failed_end.filter(|_| host.finished) {
        Span::styled(format!(" ✗ {word} · r runs it again "), theme.bad)
    } else if host.finished {
        Span::styled(" ✓ finished · r runs it again ", theme.good)
    } else if replay && !host.paused {
        Span::styled(" ▶ playing ", theme.good)
    } else if host.paused {
        Span::styled(" ⏸ paused ", theme.warn)
    } else if host.frozen {
        Span::styled(" ❄ picture frozen ", theme.warn)
    } else {
        Span::styled(" ▶ running ", theme.good)
    };
    let speed = match host.slow_motion_param() {
        // The demo's slow motion is a parameter: the header shows it, `<` `>` change it.
        Some(name) if host.params.float(name) > 1.0 => {
            format!(" slow motion ×{} ", speed_label(host.params.float(name)))
        }
        Some(_) => String::new(),
        None if (host.speed - 1.0).abs() > f64::EPSILON => {
            format!(" speed ×{} ", speed_label(host.speed))
        }
        None => String::new(),
    };
    // The run state always shows; on a narrow screen the demo's name goes first, then
    // the title is shortened.
    let badge = if replay { " replay " } else { " live demo " };
    let name = format!("({}) ", host.engine.name());
    let cursor = match host.time_label() {
        Some(label) if replay => format!(" {label} "),
        Some(label) => format!(" rewound {label} "),
        None => String::new(),
    };
    let fixed = badge.width() + state.content.width() + speed.width() + cursor.width();
    let room = usize::from(screen.header.width).saturating_sub(fixed);
    let full_title = format!(" {} ", host.engine.title());
    let (title, name) = if full_title.width() + name.width() <= room {
        (full_title, name)
    } else {
        let title = truncate(&full_title, room.saturating_sub(1));
        (format!("{title} "), String::new())
    };
    let header = Line::from(vec![
        Span::styled(badge, theme.key),
        Span::styled(title, theme.title),
        Span::styled(name, theme.muted),
        state,
        Span::styled(cursor, theme.accent),
        Span::styled(speed, theme.accent),
    ]);
    Paragraph::new(header).render(screen.header, buf);

    let (sim_area, twin_area) = match &host.twin {
        Some(_) => split_for_twin(screen.view),
        None => (screen.view, None),
    };
    if let Some(snapshot) = &host.snapshot {
        crate::ui::demo::render_view(snapshot, theme, sim_area, buf);
    }
    if let (Some(twin), Some(area)) = (&host.twin, twin_area) {
        let (title, status, failed, view, real_title) =
            twin.panel_parts(crate::ui::xray::strip_cells(area.width));
        let panel = crate::ui::xray::twin::TwinPanel {
            title,
            status,
            failed,
            view: view.as_ref(),
            real_title,
            rows: twin.rows(),
            differences: twin.differences(),
        };
        crate::ui::xray::twin::render(&panel, theme, area, buf);
    }
    render_panel(app, host, screen.panel, buf);

    // Most important first, from the key table: what fits of these is shown.
    let choice = host.choice_hint();
    let screens = if host.can_scrub() {
        vec![Screen::Rewind, Screen::Demo]
    } else {
        vec![Screen::Demo]
    };
    let hints = table_hints(&screens, |binding, (keys, what)| {
        match binding.keys.first().map(|(_, action)| *action) {
            Some(Action::DemoBack) if app.demo_only => Some((keys, "quit".into())),
            Some(Action::DemoChoose(_)) => choice.clone().map(|what| (keys, what)),
            // Only what this demo offers (the engine declares it).
            Some(action) if !host.offers(action) => None,
            Some(Action::DemoSpeed(_)) if host.slow_motion_param().is_some() => {
                Some((keys, "slow motion".into()))
            }
            Some(Action::DemoPause) if replay && host.paused => Some((keys, "play".into())),
            Some(Action::DemoPause) if host.paused => Some((keys, "resume".into())),
            _ => Some((keys, what)),
        }
    });
    let hints: Vec<(&str, &str)> = hints
        .iter()
        .map(|(k, w)| (k.as_str(), w.as_str()))
        .collect();
    let right = match &host.notice {
        Some(n) => Span::styled(format!(" {n} "), theme.warn),
        None => Span::raw(""),
    };
    let room = usize::from(screen.status.width).saturating_sub(right.content.width());
    render_bar(
        key_spans(&hints_that_fit(&hints, room), theme),
        right,
        screen.status,
        buf,
        theme,
    );
}

/// `0.25`, `2`, `1/64` style speed labels.
fn speed_label(speed: f64) -> String {
    if speed < 1.0 {
        format!("1/{}", format_float(1.0 / speed))
    } else {
        format_float(speed)
    }
}

/// The first parameter row shown when `rows` of `count` fit and row `selected` must show
/// (issue 11, item 7: the panel scrolls with the selection).
pub fn panel_first_row(count: usize, rows: usize, selected: usize) -> usize {
    if count <= rows || rows == 0 {
        return 0;
    }
    // Keep one row of context below the selection when there is room for it.
    let want_below = usize::from(rows > 2);
    (selected + 1 + want_below)
        .saturating_sub(rows)
        .min(count - rows)
}

fn render_panel(app: &App, host: &DemoHost, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let specs = host.engine.params();
    let rows = usize::from(area.height.saturating_sub(2));
    let first = panel_first_row(specs.len(), rows, host.selected);
    let shown = specs.len().min(rows);
    let mut title = " parameters ".to_string();
    if shown < specs.len() {
        title = format!(
            " parameters {}-{}/{} ",
            first + 1,
            first + shown,
            specs.len()
        );
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = specs
        .iter()
        .enumerate()
        .skip(first)
        .take(shown.max(1))
        .map(|(i, spec)| {
            let value = host.params.get(spec.name).to_string();
            let selected = i == host.selected;
            let name_width = width.saturating_sub(value.chars().count() + 3).max(1);
            // A parameter this run does not use (another scenario's, say) is dimmed.
            let (name_style, value_style) = if spec.is_used(&host.params) {
                (theme.text, theme.accent)
            } else {
                (theme.muted, theme.muted)
            };
            let line = Line::from(vec![
                Span::styled(if selected { "▸ " } else { "  " }, theme.accent),
                Span::styled(
                    format!("{:<name_width$}", truncate(spec.name, name_width)),
                    name_style,
                ),
                Span::styled(format!(" {value}"), value_style),
            ]);
            if selected {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    if let Some(replay) = &host.replay {
        let h = &replay.header;
        lines.push(Line::default());
        lines.push(Line::styled(
            format!("recorded on {} ({}), {} cores", h.os, h.arch, h.cores),
            theme.muted,
        ));
        lines.push(Line::styled(
            format!("{} · pyconc {}", h.started, h.pyconc),
            theme.muted,
        ));
    } else if let Some(spec) = specs.get(host.selected) {
        lines.push(Line::default());
        // First, so a short panel still shows it.
        if let Some(why) = spec.unused_reason(&host.params) {
            lines.push(Line::styled(why, theme.warn));
        }
        lines.push(Line::styled(spec.help.to_string(), theme.muted));
        lines.push(Line::styled(spec.kind.describe(), theme.muted));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_labels_read_naturally() {
        assert_eq!(speed_label(0.25), "1/4");
        assert_eq!(speed_label(2.0), "2");
        assert_eq!(speed_label(1.0 / 64.0), "1/64");
    }

    #[test]
    fn the_panel_window_always_holds_the_selection() {
        for count in 1..20 {
            for rows in 1..25 {
                for selected in 0..count {
                    let first = panel_first_row(count, rows, selected);
                    assert!(first <= selected, "{count} {rows} {selected}");
                    assert!(selected < first + rows, "{count} {rows} {selected}");
                    assert!(first + rows.min(count) <= count);
                }
            }
        }
        assert_eq!(panel_first_row(8, 20, 7), 0);
        assert_eq!(panel_first_row(8, 4, 0), 0);
        assert_eq!(panel_first_row(8, 4, 3), 1);
        assert_eq!(panel_first_row(8, 4, 7), 4);
    }
}
