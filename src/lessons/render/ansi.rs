//! `pyconc show` output: a rendered lesson as plain text, or with ANSI SGR codes for a
//! terminal (only colour and attribute codes; the text is sanitised again on the way out).

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;

use crate::lessons::sanitize;

/// A rendered lesson as plain text (no styles, no escape codes), for `pyconc show` when
/// stdout is not a terminal. Trailing spaces are trimmed.
pub fn to_plain_text(lines: &[Line]) -> String {
    let mut out = String::new();
    for line in lines {
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        out.push_str(sanitize::sanitize_line(&text).trim_end());
        out.push('\n');
    }
    out
}

/// A rendered lesson with ANSI SGR styles, for `pyconc show` on a terminal. Only colour and
/// attribute codes are written; the text itself is sanitised again on the way out.
pub fn to_ansi(lines: &[Line]) -> String {
    let mut out = String::new();
    for line in lines {
        for span in &line.spans {
            let style = line.style.patch(span.style);
            let text = sanitize::sanitize_line(&span.content);
            let codes = sgr_codes(style);
            if codes.is_empty() {
                out.push_str(&text);
            } else {
                out.push_str(&format!("\x1b[{codes}m{text}\x1b[0m"));
            }
        }
        out.push('\n');
    }
    out
}

pub(crate) fn sgr_codes(style: Style) -> String {
    let mut codes: Vec<String> = Vec::new();
    let m = style.add_modifier;
    for (modifier, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::REVERSED, "7"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if m.contains(modifier) {
            codes.push(code.to_string());
        }
    }
    if let Some(fg) = style.fg {
        codes.push(color_code(fg, false));
    }
    if let Some(bg) = style.bg {
        codes.push(color_code(bg, true));
    }
    codes.retain(|c| !c.is_empty());
    codes.join(";")
}

fn color_code(color: Color, background: bool) -> String {
    let base = |n: u8| (if background { n + 10 } else { n }).to_string();
    let (rgb, indexed) = if background {
        ("48;2", "48;5")
    } else {
        ("38;2", "38;5")
    };
    match color {
        Color::Reset => base(39),
        Color::Black => base(30),
        Color::Red => base(31),
        Color::Green => base(32),
        Color::Yellow => base(33),
        Color::Blue => base(34),
        Color::Magenta => base(35),
        Color::Cyan => base(36),
        Color::Gray => base(37),
        Color::DarkGray => base(90),
        Color::LightRed => base(91),
        Color::LightGreen => base(92),
        Color::LightYellow => base(93),
        Color::LightBlue => base(94),
        Color::LightMagenta => base(95),
        Color::LightCyan => base(96),
        Color::White => base(97),
        Color::Rgb(r, g, b) => format!("{rgb};{r};{g};{b}"),
        Color::Indexed(i) => format!("{indexed};{i}"),
    }
}
