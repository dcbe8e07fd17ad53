//! The `gil` view.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::sims::gil::GilSnapshot;
use crate::theme::Theme;

/// Draws the `gil` demo into `area`.
pub fn render(_snap: &GilSnapshot, _theme: &Theme, _area: Rect, _buf: &mut Buffer) {}
