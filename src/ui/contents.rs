//! The table of contents: every lesson with marks for visited (•), finished (✓) and the
//! quiz score, the open lesson highlighted, the selection marked when the pane has focus.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use crate::app::{App, Pane};
use crate::ui::text::truncate;
use crate::ui::widgets;

/// The first lesson row shown, so that the selection stays in view.
pub fn first_visible(app: &App, area: Rect) -> usize {
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let selected = if app.pane == Pane::Contents {
        app.contents_selected
    } else {
        app.current
    };
    (selected + 1).saturating_sub(height)
}

/// Draws the contents pane.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let focused = app.pane == Pane::Contents;
    let block = widgets::pane_block(Span::styled(" Contents ", theme.title), focused, theme);
    let inner = block.inner(area);
    block.render(area, buf);
    let width = usize::from(inner.width);
    let first = first_visible(app, area);
    let lines: Vec<Line> = app
        .catalog
        .lessons
        .iter()
        .enumerate()
        .skip(first)
        .take(usize::from(inner.height))
        .map(|(i, lesson)| {
            let id = &lesson.meta.id;
            let entry = app.progress.lesson(id);
            let (mark, mark_style) = match entry {
                Some(e) if e.finished => ("✓", theme.good),
                Some(e) if e.visited => ("•", theme.accent),
                _ => (" ", theme.muted),
            };
            let quizzes = lesson.quizzes.len();
            let answered: Vec<(usize, usize)> = (0..quizzes)
                .filter_map(|q| app.progress.answer(id, q).map(|a| (q, a)))
                .collect();
            let score = if answered.is_empty() {
                String::new()
            } else {
                let right = answered
                    .iter()
                    .filter(|(q, a)| {
                        lesson.quizzes[*q]
                            .options
                            .get(*a)
                            .is_some_and(|o| o.correct)
                    })
                    .count();
                format!(" {right}/{quizzes}")
            };
            let cursor = if focused && i == app.contents_selected {
                "▸"
            } else {
                " "
            };
            let number = format!("{:>2} ", lesson.meta.order);
            let used = 1 + 2 + number.width() + score.width();
            let title = truncate(&lesson.meta.title, width.saturating_sub(used));
            let pad = width.saturating_sub(used + title.width());
            let mut row_style = theme.text;
            if i == app.current {
                row_style = row_style.add_modifier(Modifier::BOLD);
            }
            if focused && i == app.contents_selected || !focused && i == app.current {
                row_style = row_style.patch(theme.selected);
            }
            Line::from(vec![
                Span::styled(cursor, theme.accent),
                Span::styled(mark, mark_style),
                Span::raw(" "),
                Span::styled(number, theme.muted),
                Span::raw(title),
                Span::raw(" ".repeat(pad)),
                Span::styled(score, theme.muted),
            ])
            .style(row_style)
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}
