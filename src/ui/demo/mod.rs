//! Demo views: one module per engine, each drawing that engine's snapshot into a rect.
//! The demo host (header, parameter panel, controls) lives in `host.rs` and calls
//! [`render_view`] for the engine's own picture.

pub mod cores;
pub mod gil;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::sims::Snapshot;
use crate::theme::Theme;

/// Draws the engine-specific part of a running demo.
pub fn render_view(snapshot: &Snapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    match snapshot {
        Snapshot::Cores(s) => cores::render(s, theme, area, buf),
        Snapshot::Gil(s) => gil::render(s, theme, area, buf),
    }
}
