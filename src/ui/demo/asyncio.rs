//! The `asyncio` view.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::sims::asyncio::AsyncioSnapshot;
use crate::theme::Theme;

/// Draws the `asyncio` demo into `area`.
pub fn render(_snap: &AsyncioSnapshot, _theme: &Theme, _area: Rect, _buf: &mut Buffer) {}
