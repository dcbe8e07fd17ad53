//! A text dump of a drawn buffer that keeps styles, for snapshot tests where colour carries
//! meaning (highlighting, themes, quiz marks): each row's text, then each run of cells that
//! share a non-default style as `[from..to] style "text"`.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::Style;

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
    if let Some(fg) = style.fg.filter(|c| *c != ratatui::style::Color::Reset) {
        parts.push(format!("fg={fg}"));
    }
    if let Some(bg) = style.bg.filter(|c| *c != ratatui::style::Color::Reset) {
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
