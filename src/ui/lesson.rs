//! The lesson pane: the open lesson's laid-out lines from the scroll position, search
//! matches highlighted, a scrollbar, and the lesson's title and position in the border.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget, Widget,
};

use crate::app::{App, Pane};
use crate::ui::layout::LessonScreen;
use crate::ui::widgets;

/// Draws the lesson pane.
pub fn render(app: &App, screen: &LessonScreen, buf: &mut Buffer) {
    let theme = &app.theme;
    let lesson = &app.catalog.lessons[app.current];
    let focused = app.pane == Pane::Lesson;
    let total = app.catalog.lessons.len();
    let block = widgets::pane_block(
        Span::styled(
            format!(" {}. {} ", lesson.meta.order, lesson.meta.title),
            theme.title,
        ),
        focused,
        theme,
    )
    .title_top(
        Line::styled(format!(" {}/{} ", app.current + 1, total), theme.muted).right_aligned(),
    );
    block.render(screen.lesson, buf);
    let height = usize::from(screen.text.height);
    let needle = app.search.highlight().map(str::to_lowercase);
    let lines: Vec<Line> = app
        .rendered
        .lines
        .iter()
        .skip(app.scroll)
        .take(height)
        .map(|line| match &needle {
            Some(needle) => highlight_matches(line, needle, theme.search_match),
            None => line.clone(),
        })
        .collect();
    Paragraph::new(lines).render(screen.text, buf);

    let lines_total = app.rendered.lines.len();
    if lines_total > height {
        let bar_area = Rect {
            x: screen.lesson.x + screen.lesson.width.saturating_sub(2),
            width: 1,
            ..screen.text
        };
        let mut state = ScrollbarState::new(app.max_scroll()).position(app.scroll);
        Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .track_symbol(Some("│"))
            .thumb_symbol("┃")
            .style(theme.muted)
            .render(bar_area, buf, &mut state);
    }
}

/// `line` with every case-insensitive occurrence of `needle` (lowercase) restyled.
pub fn highlight_matches(line: &Line<'static>, needle: &str, style: Style) -> Line<'static> {
    let needle: Vec<char> = needle.chars().collect();
    if needle.is_empty() {
        return line.clone();
    }
    // One entry per char: the char and its span's style.
    let cells: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
        .collect();
    let lower: Vec<char> = cells
        .iter()
        .map(|(c, _)| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let mut hit = vec![false; cells.len()];
    let mut i = 0;
    while i + needle.len() <= lower.len() {
        if lower[i..i + needle.len()] == needle[..] {
            hit[i..i + needle.len()].iter_mut().for_each(|h| *h = true);
            i += needle.len();
        } else {
            i += 1;
        }
    }
    if !hit.contains(&true) {
        return line.clone();
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut current = String::new();
    let mut current_style = None;
    for ((c, s), h) in cells.into_iter().zip(hit) {
        let s = if h { s.patch(style) } else { s };
        if current_style != Some(s) && !current.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut current),
                current_style.unwrap_or_default(),
            ));
        }
        current_style = Some(s);
        current.push(c);
    }
    if !current.is_empty() {
        spans.push(Span::styled(current, current_style.unwrap_or_default()));
    }
    let mut out = Line::from(spans).style(line.style);
    out.alignment = line.alignment;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};

    #[test]
    fn matches_are_restyled_across_spans_and_case() {
        let line = Line::from(vec![
            Span::styled("The G", Style::new().fg(Color::Red)),
            Span::raw("IL and the gil"),
        ]);
        let mark = Style::new().add_modifier(Modifier::REVERSED);
        let out = highlight_matches(&line, "gil", mark);
        assert_eq!(out.to_string(), "The GIL and the gil");
        let marked: String = out
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(marked, "GILgil");
    }
}
