//! Screen geometry, computed in one place so that the app (which scrolls and wraps text to
//! the lesson pane's width) and the drawing code always agree.

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest terminal pyconc draws in; below it, a "terminal too small" screen.
pub const MIN_WIDTH: u16 = 60;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 16;
/// Below this width the contents pane is hidden unless it has focus.
pub const CONTENTS_MIN_SCREEN_WIDTH: u16 = 76;
/// The widest lesson text line: past this, lines get too long to read comfortably, so on
/// a big screen the text is centred with wider margins instead.
pub const MAX_TEXT_WIDTH: u16 = 100;
/// The parameter panel's width in the demo host.
pub const PARAM_PANEL_WIDTH: u16 = 26;

/// Where each part of the lessons screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonScreen {
    /// The table of contents, when shown.
    pub contents: Option<Rect>,
    /// The lesson pane, with its border.
    pub lesson: Rect,
    /// Where lesson text goes inside the border (leaving a scrollbar column).
    pub text: Rect,
    /// The status bar.
    pub status: Rect,
}

/// Where each part of the demo screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoScreen {
    /// The title line.
    pub header: Rect,
    /// The engine's picture.
    pub view: Rect,
    /// The parameter panel.
    pub panel: Rect,
    /// The key bar.
    pub status: Rect,
}

/// True when `area` is too small to draw in.
pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The lessons screen for `area`. `contents_focused` keeps the contents visible on narrow
/// terminals while the learner is choosing a lesson.
pub fn lesson_screen(area: Rect, contents_focused: bool) -> LessonScreen {
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let show_contents = area.width >= CONTENTS_MIN_SCREEN_WIDTH || contents_focused;
    let (contents, lesson) = if show_contents {
        let width = (area.width * 3 / 10).clamp(22, 38);
        let [c, l] =
            Layout::horizontal([Constraint::Length(width), Constraint::Min(1)]).areas(body);
        (Some(c), l)
    } else {
        (None, body)
    };
    // Border on every side, one column of padding on the left, one for the scrollbar;
    // text wider than MAX_TEXT_WIDTH is centred.
    let room = lesson.width.saturating_sub(4);
    let width = room.min(MAX_TEXT_WIDTH);
    let text = Rect {
        x: lesson.x + 2 + (room - width) / 2,
        y: lesson.y + 1,
        width,
        height: lesson.height.saturating_sub(2),
    };
    LessonScreen {
        contents,
        lesson,
        text,
        status,
    }
}

/// The demo screen for `area`: the panel on the right when there is room, else at the
/// bottom.
pub fn demo_screen(area: Rect, params: usize) -> DemoScreen {
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (view, panel) = if body.width >= 70 {
        let [v, p] =
            Layout::horizontal([Constraint::Min(1), Constraint::Length(PARAM_PANEL_WIDTH)])
                .areas(body);
        (v, p)
    } else {
        let rows = (params as u16 + 2).min(body.height / 3);
        let [v, p] = Layout::vertical([Constraint::Min(1), Constraint::Length(rows)]).areas(body);
        (v, p)
    };
    DemoScreen {
        header,
        view,
        panel,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_80x24_the_lesson_text_is_wide_enough_to_read() {
        let s = lesson_screen(Rect::new(0, 0, 80, 24), false);
        let contents = s.contents.expect("contents shown at 80 columns");
        assert_eq!(contents.width, 24);
        assert_eq!(s.text.width, 52);
        assert_eq!(s.text.height, 21);
        assert_eq!(s.status.y, 23);
    }

    #[test]
    fn big_screens_centre_a_readable_measure() {
        let s = lesson_screen(Rect::new(0, 0, 200, 60), false);
        assert_eq!(s.text.width, MAX_TEXT_WIDTH);
        let left = s.text.x - s.lesson.x;
        let right = s.lesson.right() - s.text.right();
        assert!(left.abs_diff(right) <= 1, "left {left}, right {right}");
    }

    #[test]
    fn narrow_screens_hide_contents_unless_focused() {
        assert!(
            lesson_screen(Rect::new(0, 0, 64, 20), false)
                .contents
                .is_none()
        );
        assert!(
            lesson_screen(Rect::new(0, 0, 64, 20), true)
                .contents
                .is_some()
        );
    }

    #[test]
    fn demo_view_at_80x24_matches_what_views_are_designed_for() {
        let d = demo_screen(Rect::new(0, 0, 80, 24), 4);
        assert_eq!((d.view.width, d.view.height), (54, 22));
        assert_eq!(d.panel.width, PARAM_PANEL_WIDTH);
    }

    #[test]
    fn minimum_size_is_enforced() {
        assert!(too_small(Rect::new(0, 0, 59, 24)));
        assert!(too_small(Rect::new(0, 0, 80, 15)));
        assert!(!too_small(Rect::new(0, 0, 60, 16)));
    }
}
