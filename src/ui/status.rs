//! The status bar: the keys that matter now on the left, a message or the reading position
//! on the right; the search prompt while searching.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use crate::app::App;
use crate::app::keys::{Action, Binding, Screen, hints_for};
use crate::lessons::render::Item;
use crate::theme::Theme;
use crate::ui::text::truncate;

/// Draws the lessons screen's status bar.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let hints = lesson_hints(app);
    let borrowed: Vec<(&str, &str)> = hints
        .iter()
        .map(|(k, w)| (k.as_str(), w.as_str()))
        .collect();
    if app.search.editing {
        // The query always shows while searching: the message (`found in …`) gets what room
        // the prompt leaves, and the prompt's key hints go first when room is short.
        let prompt = vec![
            Span::styled(" / ", theme.key),
            Span::styled(format!("{}▏", app.search.query), theme.status),
        ];
        let keys = borrowed
            .iter()
            .map(|(k, w)| format!("{k} {w}"))
            .collect::<Vec<_>>()
            .join(" · ");
        let used: usize = prompt.iter().map(|s| s.content.width()).sum();
        let room = usize::from(area.width).saturating_sub(used);
        let mut right = right_part(app);
        if right.content.width() + 1 > room {
            right.content = truncate(&right.content, room.saturating_sub(1)).into();
        }
        let mut left = prompt;
        let keys = format!("  {keys}");
        if used + keys.width() + right.content.width() <= usize::from(area.width) {
            left.push(Span::styled(keys, theme.status));
        }
        render_bar(left, right, area, buf, theme);
        return;
    }
    let room = usize::from(area.width).saturating_sub(right_width(app));
    let left = key_spans(&hints_that_fit(&borrowed, room), theme);
    render_bar(left, right_part(app), area, buf, theme);
}

/// The right end of the bar: the message, or how far through the lesson the reader is.
fn right_part(app: &App) -> Span<'static> {
    let theme = &app.theme;
    match &app.notice {
        Some(n) => Span::styled(
            format!(" {} ", n.text),
            if n.is_error { theme.bad } else { theme.accent },
        ),
        None => {
            let max = app.max_scroll();
            let pct = (app.scroll * 100).checked_div(max).unwrap_or(100);
            Span::styled(format!(" {pct:>3}% "), theme.status)
        }
    }
}

fn right_width(app: &App) -> usize {
    right_part(app).content.width()
}

/// The key hints for the lessons screen right now, most useful first: the key table's
/// hints for the active screens, `Enter` only on a demo card, `a-…` up to the quiz's last
/// option.
fn lesson_hints(app: &App) -> Vec<(String, String)> {
    let focused = app
        .focused_item
        .and_then(|i| app.rendered.items.get(i))
        .map(|s| s.item);
    table_hints(&app.key_screens(), |binding, (keys, what)| {
        match binding.keys.first().map(|(_, action)| *action) {
            Some(Action::Activate) => match focused {
                Some(Item::Demo(_)) => Some((keys, what)),
                Some(Item::Exercise(_)) => Some((keys, "open exercise".to_string())),
                _ => None,
            },
            Some(Action::Answer(_)) => {
                let Some(Item::Quiz(q)) = focused else {
                    return None;
                };
                let lesson = &app.catalog.lessons[app.current];
                let options = lesson.quizzes.get(q).map_or(0, |quiz| quiz.options.len());
                let last = (b'a' + options.saturating_sub(1).min(25) as u8) as char;
                Some((format!("a-{last}"), what))
            }
            _ => Some((keys, what)),
        }
    })
}

/// The key table's hints for `screens` as `(keys, what)`, most important first; `adjust`
/// may reword a hint for the moment (`resume` for `pause`) or hide it (`None`).
pub fn table_hints(
    screens: &[Screen],
    adjust: impl Fn(&Binding, (String, String)) -> Option<(String, String)>,
) -> Vec<(String, String)> {
    hints_for(screens)
        .into_iter()
        .filter_map(|(binding, hint)| {
            adjust(binding, (hint.keys.to_string(), hint.what.to_string()))
        })
        .collect()
}

/// The hints, most important first, that fit in `width` columns as drawn by
/// [`key_spans`]: a hint too long for the room left is skipped, so the most useful keys
/// always show, whatever the terminal's width.
pub fn hints_that_fit<'a>(hints: &[(&'a str, &'a str)], width: usize) -> Vec<(&'a str, &'a str)> {
    let mut used = 1; // the leading space
    let mut kept = Vec::new();
    for &(key, what) in hints {
        let w = key.width() + 1 + what.width() + 2;
        if used + w <= width {
            used += w;
            kept.push((key, what));
        }
    }
    kept
}

/// `key what` pairs as spans.
pub fn key_spans<'a>(hints: &[(&'a str, &'a str)], theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = vec![Span::styled(" ", theme.status)];
    for (key, what) in hints {
        spans.push(Span::styled(*key, theme.status.patch(theme.key)));
        spans.push(Span::styled(format!(" {what}  "), theme.status));
    }
    spans
}

/// A one-line bar: `left` from the left edge, `right` against the right edge; `left` is
/// cut where they would overlap.
pub fn render_bar(left: Vec<Span>, right: Span, area: Rect, buf: &mut Buffer, theme: &Theme) {
    buf.set_style(area, theme.status);
    let right_width = right.content.width() as u16;
    let left_area = Rect {
        width: area.width.saturating_sub(right_width),
        ..area
    };
    Paragraph::new(Line::from(left)).render(left_area, buf);
    let right_area = Rect {
        x: area.x + area.width.saturating_sub(right_width),
        width: right_width.min(area.width),
        ..area
    };
    Paragraph::new(Line::from(right)).render(right_area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_important_hints_are_kept_when_room_is_short() {
        let hints = [
            ("Esc", "back"),
            ("1-9", "run thread N next"),
            ("space", "pause"),
            ("?", "keys"),
        ];
        assert_eq!(hints_that_fit(&hints, 200).len(), 4);
        // 1 leading space + "Esc back  " (10) + "1-9 run thread N next  " (23) = 34.
        let narrow = hints_that_fit(&hints, 34);
        assert_eq!(narrow, vec![("Esc", "back"), ("1-9", "run thread N next")]);
        // A long hint that does not fit is skipped; a shorter one after it still shows.
        let skipped = hints_that_fit(&hints, 25);
        assert_eq!(skipped, vec![("Esc", "back"), ("space", "pause")]);
    }
}
