//! Test-only helpers shared by the demo view tests: draw one view into a `TestBackend`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::theme::{Theme, ThemeName};

/// A view's render function, as every module under `ui::demo` declares it.
pub type RenderFn<S> = fn(&S, &Theme, Rect, &mut Buffer);

/// Draws `snap` with `render` (dark theme without colour, as under NO_COLOR) into a `width` x `height`
/// `TestBackend` and returns the terminal, for tests that look at the backend itself.
pub fn terminal<S>(
    render: RenderFn<S>,
    snap: &S,
    width: u16,
    height: u16,
) -> Terminal<TestBackend> {
    let theme = Theme::new(ThemeName::Dark, false);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| render(snap, &theme, f.area(), f.buffer_mut()))
        .unwrap();
    terminal
}

/// Draws `snap` like [`terminal`] and returns the backend as text (what insta snapshots).
pub fn draw<S>(render: RenderFn<S>, snap: &S, width: u16, height: u16) -> String {
    terminal(render, snap, width, height).backend().to_string()
}

/// Snapshots a view at the two sizes most views are checked at, 80x20 (a terminal) and 54x18
/// (the smallest pane), as `{name}_80x20` and `{name}_54x18`. `draw` is the test module's
/// own `draw(&snap, width, height)`; `snap` the snapshot to draw. A macro, so that insta
/// files the snapshots under the calling test module.
macro_rules! assert_view_at_both_sizes {
    ($name:literal, $draw:ident, $snap:expr) => {
        let snap = $snap;
        insta::assert_snapshot!(
            concat!($name, "_80x20"),
            $draw(&snap, 80, 20),
            "draw(&snap, 80, 20)"
        );
        insta::assert_snapshot!(
            concat!($name, "_54x18"),
            $draw(&snap, 54, 18),
            "draw(&snap, 54, 18)"
        );
    };
}
pub(crate) use assert_view_at_both_sizes;
