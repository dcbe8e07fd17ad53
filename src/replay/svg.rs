//! An SVG still of one drawn frame, for slides and course pages: every cell at its column
//! and row (runs of equal style as one `<text>` stretched to exactly their cells), the
//! theme's colours on its background, a monospace font stack, text escaped for XML.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};
use unicode_width::UnicodeWidthStr;

use crate::theme::{Theme, ThemeName};

/// Font size in px: large enough to read when projected.
pub const FONT_PX: f64 = 16.0;
/// One cell's width in px (monospace fonts are about 0.6 em wide).
pub const CELL_WIDTH_PX: f64 = 9.6;
/// One row's height in px.
pub const ROW_HEIGHT_PX: f64 = 20.0;
/// The fonts asked for, first found wins.
pub const FONT_STACK: &str = "ui-monospace, 'Cascadia Mono', 'JetBrains Mono', \
     'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";

/// The default text and background colours, and the 16 named colours, of a theme.
struct Palette {
    fg: &'static str,
    bg: &'static str,
    named: [&'static str; 16],
}

fn palette(theme: &Theme) -> Palette {
    match theme.name {
        ThemeName::Light => Palette {
            fg: "#1f2328",
            bg: "#ffffff",
            named: [
                "#000000", "#b31d28", "#22863a", "#8a6d00", "#0451a5", "#8b1fa9", "#0e7490",
                "#57606a", "#6e7781", "#cb2431", "#28a745", "#b08800", "#2188ff", "#a626a4",
                "#1b9aaa", "#24292f",
            ],
        },
        ThemeName::HighContrast => Palette {
            fg: "#ffffff",
            bg: "#000000",
            named: [
                "#000000", "#ff5555", "#55ff55", "#ffff55", "#5c9dff", "#ff55ff", "#55ffff",
                "#e5e5e5", "#a0a0a0", "#ff8080", "#80ff80", "#ffff99", "#99c2ff", "#ff99ff",
                "#99ffff", "#ffffff",
            ],
        },
        ThemeName::Dark => Palette {
            fg: "#d4d4d4",
            bg: "#1e1e1e",
            named: [
                "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd",
                "#c5c5c5", "#767676", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6",
                "#29b8db", "#e5e5e5",
            ],
        },
    }
}

impl Palette {
    fn color(&self, color: Option<Color>, default: &'static str) -> String {
        let named = |i: usize| self.named[i].to_string();
        match color {
            None | Some(Color::Reset) => default.to_string(),
            Some(Color::Black) => named(0),
            Some(Color::Red) => named(1),
            Some(Color::Green) => named(2),
            Some(Color::Yellow) => named(3),
            Some(Color::Blue) => named(4),
            Some(Color::Magenta) => named(5),
            Some(Color::Cyan) => named(6),
            Some(Color::Gray) => named(7),
            Some(Color::DarkGray) => named(8),
            Some(Color::LightRed) => named(9),
            Some(Color::LightGreen) => named(10),
            Some(Color::LightYellow) => named(11),
            Some(Color::LightBlue) => named(12),
            Some(Color::LightMagenta) => named(13),
            Some(Color::LightCyan) => named(14),
            Some(Color::White) => named(15),
            Some(Color::Rgb(r, g, b)) => format!("#{r:02x}{g:02x}{b:02x}"),
            Some(Color::Indexed(i)) => indexed(i, self),
        }
    }
}

/// xterm's 256-colour table.
fn indexed(i: u8, p: &Palette) -> String {
    match i {
        0..=15 => p.named[usize::from(i)].to_string(),
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            let (r, g, b) = (level(i / 36), level(i / 6 % 6), level(i % 6));
            format!("#{r:02x}{g:02x}{b:02x}")
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            format!("#{v:02x}{v:02x}{v:02x}")
        }
    }
}

/// The SVG document of `buf` in `theme`'s colours.
pub fn render(buf: &Buffer, theme: &Theme) -> String {
    let pal = palette(theme);
    let area = buf.area;
    let width = f64::from(area.width) * CELL_WIDTH_PX;
    let height = f64::from(area.height) * ROW_HEIGHT_PX;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"{}\" font-size=\"{FONT_PX}\">",
        escape(FONT_STACK)
    );
    let _ = writeln!(
        out,
        "<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>",
        pal.bg
    );
    let mut texts = String::new();
    for y in area.top()..area.bottom() {
        for run in runs(buf, y) {
            let x_px = f64::from(run.x - area.x) * CELL_WIDTH_PX;
            let y_px = f64::from(y - area.y) * ROW_HEIGHT_PX;
            let w_px = f64::from(run.cells) * CELL_WIDTH_PX;
            let reversed = run.style.add_modifier.contains(Modifier::REVERSED);
            let (mut fg, mut bg) = (
                pal.color(run.style.fg, pal.fg),
                run.style.bg.filter(|c| *c != Color::Reset),
            );
            let mut bg_hex = bg.map(|c| pal.color(Some(c), pal.bg));
            if reversed {
                let old_fg = fg;
                fg = bg_hex.take().unwrap_or_else(|| pal.bg.to_string());
                bg_hex = Some(old_fg);
                bg = Some(Color::Reset);
            }
            if let (Some(_), Some(fill)) = (bg, &bg_hex) {
                let _ = writeln!(
                    out,
                    "<rect x=\"{x_px:.1}\" y=\"{y_px:.1}\" width=\"{w_px:.1}\" \
                     height=\"{ROW_HEIGHT_PX}\" fill=\"{fill}\"/>"
                );
            }
            if run.text.trim().is_empty() {
                continue;
            }
            let mut attrs = format!("fill=\"{fg}\"");
            let m = run.style.add_modifier;
            if m.contains(Modifier::BOLD) {
                attrs.push_str(" font-weight=\"bold\"");
            }
            if m.contains(Modifier::ITALIC) {
                attrs.push_str(" font-style=\"italic\"");
            }
            if m.contains(Modifier::DIM) {
                attrs.push_str(" fill-opacity=\"0.6\"");
            }
            let mut lines = Vec::new();
            if m.contains(Modifier::UNDERLINED) {
                lines.push("underline");
            }
            if m.contains(Modifier::CROSSED_OUT) {
                lines.push("line-through");
            }
            if !lines.is_empty() {
                let _ = write!(attrs, " text-decoration=\"{}\"", lines.join(" "));
            }
            // The baseline sits about four fifths down the row.
            let _ = writeln!(
                texts,
                "<text x=\"{x_px:.1}\" y=\"{:.1}\" textLength=\"{w_px:.1}\" \
                 lengthAdjust=\"spacingAndGlyphs\" {attrs}>{}</text>",
                y_px + ROW_HEIGHT_PX * 0.78,
                escape(&run.text)
            );
        }
    }
    let _ = writeln!(out, "<g xml:space=\"preserve\">");
    out.push_str(&texts);
    out.push_str("</g>\n</svg>\n");
    out
}

struct Run {
    x: u16,
    cells: u16,
    style: Style,
    text: String,
}

/// Row `y` as runs of cells that share a style.
fn runs(buf: &Buffer, y: u16) -> Vec<Run> {
    let area = buf.area;
    let mut runs: Vec<Run> = Vec::new();
    let mut x = area.left();
    while x < area.right() {
        let cell = &buf[(x, y)];
        let symbol = cell.symbol();
        let width = symbol.width().max(1) as u16;
        let style = cell.style();
        let text: String = symbol
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        match runs.last_mut() {
            Some(run) if run.style == style && run.x + run.cells == x => {
                run.cells += width;
                run.text.push_str(&text);
            }
            _ => runs.push(Run {
                x,
                cells: width,
                style,
                text,
            }),
        }
        x += width;
    }
    runs
}

/// `text` with XML's special characters escaped (and nothing XML forbids left in).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn a_frame_becomes_valid_svg_with_escaped_text_at_its_cells() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 2));
        buf.set_string(0, 0, "a<b & \"c\"", Style::new().fg(Color::Red));
        buf.set_string(3, 1, "███", Style::new().bg(Color::Rgb(1, 2, 3)));
        let theme = Theme::new(ThemeName::Light, true);
        let svg = render(&buf, &theme);
        let doc = roxmltree::Document::parse(&svg).expect("valid XML");
        let texts: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .collect();
        assert_eq!(texts[0].text(), Some("a<b & \"c\""));
        assert_eq!(texts[0].attribute("fill"), Some("#b31d28"));
        assert_eq!(texts[1].attribute("x"), Some("28.8"));
        assert!(
            doc.descendants()
                .any(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#010203"))
        );
        assert_eq!(doc.root_element().attribute("width"), Some("192"));
    }

    #[test]
    fn indexed_colours_follow_the_xterm_table() {
        let p = palette(&Theme::new(ThemeName::Dark, true));
        assert_eq!(indexed(196, &p), "#ff0000");
        assert_eq!(indexed(232, &p), "#080808");
        assert_eq!(indexed(1, &p), p.named[1]);
    }
}
