//! The twin panel beside a demo: the real twin's threads as x-ray strips (while it runs and
//! after), then one table "figure | simulation | CPython X.Y here", then the plain lines
//! that say why the two differ where the reason is known. Reads a [`TwinPanel`]; draws
//! "too small" where it cannot fit a table.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::lessons::sanitize::sanitize_line;
use crate::theme::Theme;
use crate::ui::text::count;
use crate::xray::compare::Row;
use crate::xray::recording::XrayView;

use super::{legend, strip_cells, thread_lines};

/// The smallest area the panel draws in.
pub const MIN_SIZE: (u16, u16) = (30, 4);
/// The figure column's widest.
const MAX_LABEL_WIDTH: usize = 48;

/// What the panel shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinPanel<'a> {
    /// "gil.py on CPython 3.11": what runs.
    pub title: String,
    /// "running…", "finished", or the error (raw: sanitised here).
    pub status: String,
    /// True when the status is an error.
    pub failed: bool,
    /// The twin's strips, once it started.
    pub view: Option<&'a XrayView>,
    /// The real column's title, "CPython 3.11 here".
    pub real_title: String,
    /// The table (empty until the twin's figures are in).
    pub rows: &'a [Row],
    /// Known differences, one plain line each.
    pub differences: &'a [String],
}

/// Draws the panel into `area`.
pub fn render(panel: &TwinPanel<'_>, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        Paragraph::new(Line::styled("too small for the twin's table", theme.warn))
            .wrap(Wrap { trim: true })
            .render(area, buf);
        return;
    }
    let width = area.width as usize;
    let height = area.height as usize;
    let mut lines = vec![truncate_line(
        Line::from(vec![
            Span::styled("real twin ", theme.title),
            Span::styled(sanitize_line(&panel.title), theme.strong),
            Span::styled("  ", theme.muted),
            Span::styled(
                sanitize_line(&panel.status),
                if panel.failed { theme.bad } else { theme.muted },
            ),
        ]),
        width,
    )];
    let table = table_lines(panel, width, theme);
    let diffs: Vec<Line> = panel
        .differences
        .iter()
        .flat_map(|d| wrap(&format!("≠ {}", sanitize_line(d)), width))
        .map(|l| Line::styled(l, theme.warn))
        .collect();
    // Strips take what the table and the differences leave.
    if let Some(view) = panel.view {
        let room = height.saturating_sub(1 + table.len() + diffs.len() + 1);
        let cells = strip_cells(area.width);
        let shares = width >= 64;
        if room >= 2 {
            let n = view.threads.len();
            // Strips for as many as fit; when some do not, a line says how many.
            let fit = if n > room - 1 { room - 2 } else { n };
            for t in view.threads.iter().take(fit) {
                lines.extend(thread_lines(t, view, cells, shares, 1, theme));
            }
            if fit < n {
                let more = format!(
                    "… {} (a taller window shows them)",
                    count(n - fit, "more thread")
                );
                lines.push(truncate_line(Line::styled(more, theme.muted), width));
            }
            lines.push(truncate_line(legend(view, theme), width));
        }
    }
    lines.extend(table);
    lines.extend(diffs);
    Paragraph::new(lines).render(area, buf);
}

/// Cuts a line to `width` cells (by characters: the panel's text is single-width).
fn truncate_line(line: Line<'_>, width: usize) -> Line<'_> {
    let mut left = width;
    let mut spans = Vec::new();
    for s in line.spans {
        if left == 0 {
            break;
        }
        let n = s.content.chars().count();
        if n <= left {
            left -= n;
            spans.push(s);
        } else {
            let text: String = s.content.chars().take(left.saturating_sub(1)).collect();
            spans.push(ratatui::text::Span::styled(format!("{text}…"), s.style));
            left = 0;
        }
    }
    Line::from(spans)
}

/// Splits `text` at spaces into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let need =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && need > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn table_lines<'a>(panel: &TwinPanel<'_>, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    if panel.rows.is_empty() {
        return Vec::new();
    }
    let value_width = 10usize;
    let real_title = sanitize_line(&panel.real_title);
    let real_width = real_title.chars().count().max(value_width);
    let label_width = panel
        .rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(6, MAX_LABEL_WIDTH)
        .min(width.saturating_sub(value_width + real_width + 7).max(6));
    let cut = |s: &str, w: usize| -> String {
        let s: String = s.chars().take(w).collect();
        format!("{s:<w$}")
    };
    let mut out = vec![Line::styled(
        format!(
            "{} │ {} │ {}",
            cut("figure", label_width),
            cut("simulation", value_width),
            cut(&real_title, real_width)
        ),
        theme.table_header,
    )];
    for r in panel.rows {
        let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        out.push(Line::from(vec![
            Span::styled(cut(&r.label, label_width), theme.text),
            Span::styled(" │ ", theme.muted),
            Span::styled(cut(&value(&r.sim), value_width), theme.accent),
            Span::styled(" │ ", theme.muted),
            Span::styled(value(&r.real), theme.accent),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::ThemeName;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn draw(panel: &TwinPanel<'_>, w: u16, h: u16) -> String {
        let theme = Theme::new(ThemeName::Dark, false);
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| render(panel, &theme, f.area(), f.buffer_mut()))
            .unwrap();
        t.backend().to_string()
    }

    #[test]
    fn the_table_and_the_difference_line_are_drawn() {
        let rows = vec![Row {
            label: "IPC/task chunksize 1".into(),
            sim: Some("1.0 µs".into()),
            real: Some("70.0 µs".into()),
        }];
        let diffs = vec!["CPython pickles every task".to_string()];
        let panel = TwinPanel {
            title: "chunksize.py on CPython 3.11".into(),
            status: "finished".into(),
            failed: false,
            view: None,
            real_title: "CPython 3.11 here".into(),
            rows: &rows,
            differences: &diffs,
        };
        let text = draw(&panel, 80, 8);
        assert!(
            text.contains("figure")
                && text.contains("simulation")
                && text.contains("CPython 3.11 here")
        );
        assert!(text.contains("70.0 µs") && text.contains("≠ CPython pickles"));
        for (w, h) in [(1, 1), (10, 2), (29, 30)] {
            assert!(draw(&panel, w, h).contains("too") || w < 4);
        }
    }

    #[test]
    fn threads_that_do_not_fit_are_counted_not_dropped() {
        let rec =
            crate::xray::run::replay(include_str!("../../../tests/fixtures/xray/convoy.jsonl"));
        let view = rec.view(None, 5.0, strip_cells(60));
        let n = view.threads.len();
        assert!(n >= 3, "the fixture has {n} threads");
        let panel = TwinPanel {
            title: "gil.py on CPython 3.11".into(),
            status: "finished".into(),
            failed: false,
            view: Some(&view),
            real_title: "CPython 3.11 here".into(),
            rows: &[],
            differences: &[],
        };
        // Title, legend and the "more" line leave room for one strip at 5 rows.
        let short = draw(&panel, 60, 5);
        assert!(
            short.contains(&format!("… {} more threads (a taller", n - 1)),
            "{short}"
        );
        let tall = draw(&panel, 60, 20);
        assert!(!tall.contains("more thread"), "{tall}");
    }
}
