//! Whether a theme can be read: the WCAG 2 contrast ratio of every style a theme defines,
//! its foreground against its background. Named ANSI colours are taken at xterm's default
//! palette; a style without a background sits on the terminal's default one, assumed per
//! theme (dark and high-contrast: black; light: white), and a style without a foreground
//! over its own background is in the terminal's default text colour (light grey on a dark
//! theme, black on the light one). Text needs 4.5:1, borders and graphics 3:1.

use ratatui::style::{Color, Style};

use crate::theme::{RunState, Theme, ThemeName};

/// The least contrast for text (WCAG AA, normal text).
pub const TEXT_MIN: f64 = 4.5;
/// The least contrast for borders and other graphics (WCAG non-text contrast).
pub const GRAPHIC_MIN: f64 = 3.0;

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// xterm's default colours 0-15.
const XTERM: [Rgb; 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

/// What a style draws: text must be read, a border or a graphic only seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Words and figures: at least [`TEXT_MIN`].
    Text,
    /// Frames, rules and markers: at least [`GRAPHIC_MIN`].
    Graphic,
}

impl Role {
    /// The least ratio this role needs.
    pub fn min(self) -> f64 {
        match self {
            Role::Text => TEXT_MIN,
            Role::Graphic => GRAPHIC_MIN,
        }
    }
}

/// `color` as sRGB (`None` for the terminal's default, `Reset`).
pub fn rgb(color: Color) -> Option<Rgb> {
    let named = |i: usize| Some(XTERM[i]);
    match color {
        Color::Reset => None,
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Rgb(r, g, b) => Some((r, g, b)),
        Color::Indexed(i) => Some(indexed(i)),
    }
}

/// xterm's 256-colour palette entry `i`.
fn indexed(i: u8) -> Rgb {
    match i {
        0..=15 => XTERM[usize::from(i)],
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let n = i - 16;
            (level(n / 36), level(n / 6 % 6), level(n % 6))
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

/// WCAG 2 relative luminance of `c` (0 black, 1 white).
pub fn luminance(c: Rgb) -> f64 {
    let channel = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.040_45 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
}

/// WCAG 2 contrast ratio of two colours, 1 to 21, whichever is lighter.
pub fn ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The terminal's default background and text colour assumed for `name`.
pub fn terminal_defaults(name: ThemeName) -> (Rgb, Rgb) {
    match name {
        ThemeName::Light => ((255, 255, 255), (0, 0, 0)),
        ThemeName::Dark | ThemeName::HighContrast => ((0, 0, 0), (229, 229, 229)),
    }
}

/// Every coloured style `theme` defines, named, with what it draws.
pub fn styles(theme: &Theme) -> Vec<(String, Style, Role)> {
    use Role::{Graphic, Text};
    let mut out: Vec<(String, Style, Role)> = [
        ("text", theme.text, Text),
        ("muted", theme.muted, Text),
        ("accent", theme.accent, Text),
        ("title", theme.title, Text),
        ("border", theme.border, Graphic),
        ("border_focused", theme.border_focused, Graphic),
        ("selected", theme.selected, Text),
        ("status", theme.status, Text),
        ("key", theme.key, Text),
        ("emphasis", theme.emphasis, Text),
        ("strong", theme.strong, Text),
        ("inline_code", theme.inline_code, Text),
        ("link", theme.link, Text),
        ("link_target", theme.link_target, Text),
        ("quote", theme.quote, Text),
        ("marker", theme.marker, Graphic),
        ("table_header", theme.table_header, Text),
        ("code", theme.code, Text),
        ("clip_marker", theme.clip_marker, Graphic),
        ("card", theme.card, Graphic),
        ("card_focused", theme.card_focused, Graphic),
        ("good", theme.good, Text),
        ("bad", theme.bad, Text),
        ("warn", theme.warn, Text),
        ("search_match", theme.search_match, Text),
    ]
    .into_iter()
    .map(|(n, s, r)| (n.to_string(), s, r))
    .collect();
    for (i, h) in theme.headings.iter().enumerate() {
        out.push((format!("headings[{i}]"), *h, Text));
    }
    // Series colour worker labels as well as lanes: text.
    for (i, s) in theme.series.iter().enumerate() {
        out.push((format!("series[{i}]"), *s, Text));
    }
    // States colour their words ("✓ done", "ready") as well as strips: text.
    for state in RunState::ALL {
        out.push((format!("state {}", state.label()), theme.state(state), Text));
    }
    out
}

/// The contrast of `style` on a theme called `name`: `None` when it sets no colour.
pub fn style_ratio(style: Style, name: ThemeName) -> Option<f64> {
    if style.fg.is_none() && style.bg.is_none() {
        return None;
    }
    let (default_bg, default_fg) = terminal_defaults(name);
    let fg = style.fg.and_then(rgb).unwrap_or(default_fg);
    let bg = style.bg.and_then(rgb).unwrap_or(default_bg);
    Some(ratio(fg, bg))
}

/// Every style of `theme` below its role's least contrast, said as
/// `name: ratio < min`.
pub fn failures(theme: &Theme) -> Vec<String> {
    styles(theme)
        .into_iter()
        .filter_map(|(name, style, role)| {
            let r = style_ratio(style, theme.name)?;
            (r < role.min()).then(|| format!("{name}: {r:.2} < {}", role.min()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_match_wcag() {
        assert!((ratio((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
        assert!((ratio((10, 20, 30), (10, 20, 30)) - 1.0).abs() < 1e-9);
        // The reference grey #767676 is the lightest that passes 4.5 on white.
        assert!(ratio((0x76, 0x76, 0x76), (255, 255, 255)) >= 4.5);
        assert!(ratio((0x77, 0x77, 0x77), (255, 255, 255)) < 4.5);
        assert_eq!(indexed(16), (0, 0, 0));
        assert_eq!(indexed(231), (255, 255, 255));
        assert_eq!(indexed(232), (8, 8, 8));
    }

    #[test]
    fn the_issue_s_colours_fail_the_check() {
        // Issue 11: light grey and yellow on white, blue on black.
        let light = terminal_defaults(ThemeName::Light).0;
        let dark = terminal_defaults(ThemeName::HighContrast).0;
        assert!(ratio(rgb(Color::Gray).unwrap(), light) < GRAPHIC_MIN);
        assert!(ratio(rgb(Color::Yellow).unwrap(), light) < TEXT_MIN);
        assert!(ratio(rgb(Color::Blue).unwrap(), dark) < TEXT_MIN);
    }

    /// Every style of every theme (in colour) passes: text 4.5:1, graphics 3:1.
    #[test]
    fn every_theme_passes_the_contrast_check() {
        let failed: Vec<String> = [ThemeName::Dark, ThemeName::Light, ThemeName::HighContrast]
            .into_iter()
            .flat_map(|name| {
                failures(&Theme::new(name, true))
                    .into_iter()
                    .map(move |f| format!("{name:?} {f}"))
            })
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
    }
}
