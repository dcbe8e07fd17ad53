//! Demo views: one module per engine, each drawing that engine's snapshot into a rect.
//! The demo host (header, parameter panel, controls) lives in `host.rs` and calls
//! [`render_view`] for the engine's own picture.

pub mod asyncio;
pub mod cores;
pub mod deadlock;
pub mod gil;
pub mod host;
pub mod lanes;
pub mod pool;
pub mod pool_view;
pub mod processes;
pub mod queue;
pub mod race;
pub mod threadpool;

#[cfg(test)]
pub(crate) mod test_support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::sims::Snapshot;
use crate::theme::Theme;

/// Draws the engine-specific part of a running demo.
pub fn render_view(snapshot: &Snapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    match snapshot {
        Snapshot::Cores(s) => cores::render(s, theme, area, buf),
        Snapshot::Race(s) => race::render(s, theme, area, buf),
        Snapshot::Deadlock(s) => deadlock::render(s, theme, area, buf),
        Snapshot::Queue(s) => queue::render(s, theme, area, buf),
        Snapshot::ThreadPool(s) => threadpool::render(s, theme, area, buf),
        Snapshot::Asyncio(s) => asyncio::render(s, theme, area, buf),
        Snapshot::Pool(s) => pool::render(s, theme, area, buf),
        Snapshot::Processes(s) => processes::render(s, theme, area, buf),
        Snapshot::Gil(s) => gil::render(s, theme, area, buf),
    }
}
