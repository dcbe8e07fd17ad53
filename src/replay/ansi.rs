//! Drawn frames as terminal output: the escape codes that turn a screen showing one
//! ratatui [`Buffer`] into one showing the next (only the changed cells), or draw a whole
//! frame on a cleared screen. Casts are made of these.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::Style;
use unicode_width::UnicodeWidthStr;

/// Clears the screen, homes the cursor and hides it: how a cast starts.
pub const CLEAR_SCREEN: &str = "\x1b[0m\x1b[2J\x1b[H\x1b[?25l";

/// The output that turns a terminal showing `prev` into `next`; a whole redraw on a
/// cleared screen when there is no `prev` or its size differs. Empty when nothing changed.
pub fn frame(prev: Option<&Buffer>, next: &Buffer) -> String {
    let mut out = String::new();
    let blank;
    let base = match prev {
        Some(p) if p.area == next.area => p,
        _ => {
            out.push_str(CLEAR_SCREEN);
            blank = Buffer::empty(next.area);
            &blank
        }
    };
    let changes = base.diff(next);
    if changes.is_empty() {
        return out;
    }
    let mut cursor: Option<(u16, u16)> = None;
    let mut style: Option<Style> = None;
    for (x, y, cell) in changes {
        if cursor != Some((x, y)) {
            let _ = write!(out, "\x1b[{};{}H", y + 1, x + 1);
        }
        let cell_style = cell.style();
        if style != Some(cell_style) {
            let codes = crate::lessons::render::ansi::sgr_codes(cell_style);
            if codes.is_empty() {
                out.push_str("\x1b[0m");
            } else {
                let _ = write!(out, "\x1b[0;{codes}m");
            }
            style = Some(cell_style);
        }
        // Cells hold what the views drew from sanitised text (recordings are sanitised
        // when read), so symbols are written as they are.
        let symbol = cell.symbol();
        out.push_str(symbol);
        cursor = Some((x + symbol.width().max(1) as u16, y));
    }
    out.push_str("\x1b[0m");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Color;

    #[test]
    fn a_first_frame_clears_and_draws_everything_styled() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 2));
        buf.set_string(0, 0, "ab", Style::new().fg(Color::Red).bold());
        let out = frame(None, &buf);
        assert!(out.starts_with(CLEAR_SCREEN));
        assert!(out.contains("\x1b[1;1H\x1b[0;1;31;49mab"), "{out:?}");
    }

    #[test]
    fn later_frames_write_only_changed_cells() {
        let area = Rect::new(0, 0, 10, 3);
        let mut a = Buffer::empty(area);
        a.set_string(0, 0, "hello", Style::new());
        let mut b = a.clone();
        b.set_string(2, 2, "x", Style::new().fg(Color::Green));
        assert_eq!(frame(Some(&a), &b), "\x1b[3;3H\x1b[0;32;49mx\x1b[0m");
        assert_eq!(frame(Some(&a), &a), "");
    }
}
