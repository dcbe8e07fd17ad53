//! Text dumps that keep styles, for snapshot tests where colour carries meaning
//! (highlighting, themes, quiz marks): [`dump`] of a drawn buffer (each row's text, then
//! each run of cells that share a non-default style as `[from..to] style "text"`), and
//! [`dump_lines`] of rendered lesson lines (each span with its style). Test code only: the
//! integration tests include it with `mod common;`.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Style};
use ratatui::text::Line;

/// The dump of every row of `buf`.
pub fn dump(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut text = String::new();
        let mut runs: Vec<(u16, u16, Style, String)> = Vec::new();
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            text.push_str(cell.symbol());
            let style = cell.style();
            match runs.last_mut() {
                Some((_, end, s, t)) if *s == style && *end == x => {
                    *end = x + 1;
                    t.push_str(cell.symbol());
                }
                _ => runs.push((x, x + 1, style, cell.symbol().to_string())),
            }
        }
        let _ = writeln!(out, "{:>3} {}", y, text.trim_end());
        for (from, to, style, t) in runs {
            if let Some(desc) = describe(style)
                && !t.trim().is_empty()
            {
                let _ = writeln!(out, "      [{from}..{to}] {desc} {:?}", t.trim_end());
            }
        }
    }
    out
}

/// `fg=Cyan bg=Black bold,italic`, or `None` for the default style.
pub fn describe(style: Style) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(fg) = style.fg.filter(|c| *c != Color::Reset) {
        parts.push(format!("fg={fg}"));
    }
    if let Some(bg) = style.bg.filter(|c| *c != Color::Reset) {
        parts.push(format!("bg={bg}"));
    }
    let mods = style.add_modifier - style.sub_modifier;
    if !mods.is_empty() {
        let names: Vec<String> = mods
            .iter()
            .map(|m| format!("{m:?}").to_lowercase())
            .collect();
        parts.push(names.join(","));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A span style as `fg=#rrggbb bg=... +BOLD`, empty for the default style.
fn style_tag(style: Style) -> String {
    let color = |c: Color| match c {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        other => format!("{other:?}"),
    };
    let mut parts = Vec::new();
    if let Some(fg) = style.fg {
        parts.push(format!("fg={}", color(fg)));
    }
    if let Some(bg) = style.bg {
        parts.push(format!("bg={}", color(bg)));
    }
    if !style.add_modifier.is_empty() {
        parts.push(format!("+{:?}", style.add_modifier));
    }
    parts.join(" ")
}

/// One line per rendered line: each span as its text and style.
pub fn dump_lines(lines: &[Line]) -> String {
    let mut out = String::new();
    for line in lines {
        let spans: Vec<String> = line
            .spans
            .iter()
            .map(|s| {
                let tag = style_tag(s.style);
                if tag.is_empty() {
                    format!("{:?}", s.content)
                } else {
                    format!("{:?}{{{tag}}}", s.content)
                }
            })
            .collect();
        out.push_str(&spans.join(" "));
        out.push('\n');
    }
    out
}
