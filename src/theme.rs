//! Themes: one table of named styles for every screen (dark, light, high-contrast for
//! projectors). With `NO_COLOR` every style keeps its distinction through bold, underline,
//! italic and reverse alone, and demo states keep their own glyphs.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

/// The theme names accepted by `--theme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    HighContrast,
}

impl FromStr for ThemeName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "dark" => Ok(Self::Dark),
            "light" => Ok(Self::Light),
            "high-contrast" => Ok(Self::HighContrast),
            other => Err(format!(
                "unknown theme `{other}`: expected dark, light or high-contrast"
            )),
        }
    }
}

pub use crate::sims::kit::RunState;

/// Every style pyconc draws with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Which theme this is.
    pub name: ThemeName,
    /// False under `NO_COLOR`: styles use modifiers only.
    pub color: bool,
    /// Body text.
    pub text: Style,
    /// Less important text (hints, units, help).
    pub muted: Style,
    /// Highlighted words: values, the selected item's text.
    pub accent: Style,
    /// Pane titles.
    pub title: Style,
    /// Pane borders.
    pub border: Style,
    /// The border of the pane that has focus.
    pub border_focused: Style,
    /// The selected row of a list.
    pub selected: Style,
    /// The status bar.
    pub status: Style,
    /// A key name in the status bar and help.
    pub key: Style,
    /// Headings, by level 1-3 (deeper levels use the last).
    pub headings: [Style; 3],
    /// *emphasis*.
    pub emphasis: Style,
    /// **strong**.
    pub strong: Style,
    /// `inline code`.
    pub inline_code: Style,
    /// A link's text.
    pub link: Style,
    /// A link's target, shown after it.
    pub link_target: Style,
    /// Block quote text and bar.
    pub quote: Style,
    /// List bullets and numbers, table rules, horizontal rules.
    pub marker: Style,
    /// Table header cells.
    pub table_header: Style,
    /// Code block background and unhighlighted code.
    pub code: Style,
    /// The marker where a long code line is clipped.
    pub clip_marker: Style,
    /// A demo card or quiz frame.
    pub card: Style,
    /// A demo card or quiz that has focus.
    pub card_focused: Style,
    /// Good news: a right answer, a speedup.
    pub good: Style,
    /// Bad news: a wrong answer, a lost update, a deadlock.
    pub bad: Style,
    /// A warning: lag, backpressure.
    pub warn: Style,
    /// A search match.
    pub search_match: Style,
    /// Distinct series styles for lanes and threads (cycled).
    pub series: [Style; 6],
    /// The syntect theme used to highlight code.
    pub syntax_theme: &'static str,
}

impl Theme {
    /// The theme `name`, in colour unless `color` is false (NO_COLOR).
    pub fn new(name: ThemeName, color: bool) -> Theme {
        if !color {
            return Theme::monochrome(name);
        }
        match name {
            ThemeName::Dark => Theme::dark(),
            ThemeName::Light => Theme::light(),
            ThemeName::HighContrast => Theme::high_contrast(),
        }
    }

    /// The theme from `--theme` and the environment (`NO_COLOR` set and non-empty).
    pub fn from_env(name: ThemeName) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme::new(name, !no_color)
    }

    /// The style of a demo state.
    pub fn state(&self, state: RunState) -> Style {
        if !self.color {
            return match state {
                RunState::Running => Style::new().add_modifier(Modifier::BOLD),
                RunState::Ready | RunState::Waiting | RunState::Idle => Style::new(),
                RunState::Io => Style::new().add_modifier(Modifier::ITALIC),
                RunState::Done => Style::new(),
                RunState::Failed => {
                    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
                }
                RunState::Cancelled => Style::new().add_modifier(Modifier::UNDERLINED),
            };
        }
        // Every colour here passes the contrast check (`crate::contrast`) on its theme's
        // background: on white the ANSI green, yellow, cyan and greys are too pale, on
        // black the ANSI blue, red and magenta too dark.
        let fg = if self.name == ThemeName::Light {
            match state {
                RunState::Running => Color::Rgb(0, 120, 0),
                RunState::Ready => Color::Rgb(160, 90, 0),
                RunState::Waiting => Color::Rgb(90, 90, 90),
                RunState::Io => Color::Rgb(0, 110, 130),
                RunState::Done => Color::Blue,
                RunState::Failed => Color::Red,
                RunState::Cancelled => Color::Magenta,
                RunState::Idle => Color::Rgb(110, 110, 110),
            }
        } else {
            match state {
                RunState::Running => Color::Green,
                RunState::Ready => Color::Yellow,
                RunState::Waiting => Color::Gray,
                RunState::Io => Color::Cyan,
                RunState::Done => Color::Rgb(100, 150, 255),
                RunState::Failed => Color::Rgb(255, 90, 90),
                RunState::Cancelled => Color::Rgb(220, 100, 220),
                RunState::Idle => Color::DarkGray,
            }
        };
        let style = Style::new().fg(fg);
        if self.name == ThemeName::HighContrast {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// The series style for lane `i`.
    pub fn series(&self, i: usize) -> Style {
        self.series[i % self.series.len()]
    }

    fn dark() -> Theme {
        let fg = |c| Style::new().fg(c);
        Theme {
            name: ThemeName::Dark,
            color: true,
            text: Style::new(),
            muted: fg(Color::DarkGray),
            accent: fg(Color::Yellow),
            title: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border: fg(Color::DarkGray),
            border_focused: fg(Color::Cyan),
            selected: Style::new()
                .bg(Color::Rgb(40, 50, 70))
                .add_modifier(Modifier::BOLD),
            status: Style::new().bg(Color::Rgb(30, 30, 40)).fg(Color::Gray),
            key: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            headings: [
                fg(Color::Cyan).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                fg(Color::Cyan).add_modifier(Modifier::BOLD),
                fg(Color::Rgb(120, 160, 255)).add_modifier(Modifier::BOLD),
            ],
            emphasis: Style::new().add_modifier(Modifier::ITALIC),
            strong: Style::new().add_modifier(Modifier::BOLD),
            inline_code: fg(Color::LightYellow).bg(Color::Rgb(40, 40, 40)),
            link: fg(Color::Rgb(120, 160, 255)).add_modifier(Modifier::UNDERLINED),
            link_target: fg(Color::DarkGray),
            quote: fg(Color::Gray).add_modifier(Modifier::ITALIC),
            marker: fg(Color::Cyan),
            table_header: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            code: Style::new().bg(Color::Rgb(30, 32, 40)),
            clip_marker: fg(Color::Red).add_modifier(Modifier::BOLD),
            card: fg(Color::Magenta),
            card_focused: fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            good: fg(Color::Green).add_modifier(Modifier::BOLD),
            bad: fg(Color::Rgb(255, 90, 90)).add_modifier(Modifier::BOLD),
            warn: fg(Color::Yellow),
            search_match: Style::new().bg(Color::Yellow).fg(Color::Black),
            series: [
                fg(Color::Green),
                fg(Color::Cyan),
                fg(Color::Yellow),
                fg(Color::Rgb(220, 100, 220)),
                fg(Color::Rgb(120, 160, 255)),
                fg(Color::LightRed),
            ],
            syntax_theme: "base16-ocean.dark",
        }
    }

    fn light() -> Theme {
        let fg = |c| Style::new().fg(c);
        Theme {
            name: ThemeName::Light,
            color: true,
            text: Style::new(),
            muted: fg(Color::Rgb(100, 100, 100)),
            accent: fg(Color::Rgb(150, 80, 0)),
            title: fg(Color::Blue).add_modifier(Modifier::BOLD),
            border: fg(Color::Rgb(140, 140, 140)),
            border_focused: fg(Color::Blue),
            selected: Style::new()
                .bg(Color::Rgb(210, 225, 250))
                .add_modifier(Modifier::BOLD),
            status: Style::new()
                .bg(Color::Rgb(225, 225, 230))
                .fg(Color::Rgb(40, 40, 40)),
            key: fg(Color::Rgb(150, 80, 0)).add_modifier(Modifier::BOLD),
            headings: [
                fg(Color::Blue).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                fg(Color::Blue).add_modifier(Modifier::BOLD),
                fg(Color::Rgb(0, 90, 140)).add_modifier(Modifier::BOLD),
            ],
            emphasis: Style::new().add_modifier(Modifier::ITALIC),
            strong: Style::new().add_modifier(Modifier::BOLD),
            inline_code: fg(Color::Rgb(160, 30, 60)).bg(Color::Rgb(238, 238, 238)),
            link: fg(Color::Blue).add_modifier(Modifier::UNDERLINED),
            link_target: fg(Color::Rgb(100, 100, 100)),
            quote: fg(Color::Rgb(90, 90, 90)).add_modifier(Modifier::ITALIC),
            marker: fg(Color::Blue),
            table_header: fg(Color::Blue).add_modifier(Modifier::BOLD),
            code: Style::new().bg(Color::Rgb(245, 245, 245)),
            clip_marker: fg(Color::Red).add_modifier(Modifier::BOLD),
            card: fg(Color::Magenta),
            card_focused: fg(Color::Magenta).add_modifier(Modifier::BOLD),
            good: fg(Color::Rgb(0, 120, 0)).add_modifier(Modifier::BOLD),
            bad: fg(Color::Red).add_modifier(Modifier::BOLD),
            warn: fg(Color::Rgb(150, 80, 0)),
            search_match: Style::new().bg(Color::Yellow).fg(Color::Black),
            series: [
                fg(Color::Rgb(0, 120, 0)),
                fg(Color::Blue),
                fg(Color::Rgb(150, 80, 0)),
                fg(Color::Magenta),
                fg(Color::Rgb(0, 110, 110)),
                fg(Color::Red),
            ],
            syntax_theme: "InspiredGitHub",
        }
    }

    fn high_contrast() -> Theme {
        let fg = |c| Style::new().fg(c).add_modifier(Modifier::BOLD);
        Theme {
            name: ThemeName::HighContrast,
            color: true,
            text: Style::new().fg(Color::White),
            muted: Style::new().fg(Color::Gray),
            accent: fg(Color::LightYellow),
            title: fg(Color::White).add_modifier(Modifier::UNDERLINED),
            border: Style::new().fg(Color::Gray),
            border_focused: fg(Color::LightYellow),
            selected: Style::new()
                .bg(Color::White)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
            status: Style::new().bg(Color::White).fg(Color::Black),
            key: Style::new()
                .bg(Color::Black)
                .fg(Color::LightYellow)
                .add_modifier(Modifier::BOLD),
            headings: [
                fg(Color::LightYellow).add_modifier(Modifier::UNDERLINED),
                fg(Color::LightYellow),
                fg(Color::White),
            ],
            emphasis: Style::new().fg(Color::White).add_modifier(Modifier::ITALIC),
            strong: fg(Color::White),
            inline_code: fg(Color::LightCyan),
            link: fg(Color::LightCyan).add_modifier(Modifier::UNDERLINED),
            link_target: Style::new().fg(Color::Gray),
            quote: Style::new().fg(Color::White).add_modifier(Modifier::ITALIC),
            marker: fg(Color::LightYellow),
            table_header: fg(Color::LightYellow),
            code: Style::new().bg(Color::Black).fg(Color::White),
            clip_marker: fg(Color::LightRed),
            card: fg(Color::LightMagenta),
            card_focused: Style::new()
                .bg(Color::LightMagenta)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
            good: fg(Color::LightGreen),
            bad: fg(Color::LightRed),
            warn: fg(Color::LightYellow),
            search_match: Style::new()
                .bg(Color::LightYellow)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
            series: [
                fg(Color::LightGreen),
                fg(Color::LightCyan),
                fg(Color::LightYellow),
                fg(Color::LightMagenta),
                fg(Color::White),
                fg(Color::LightRed),
            ],
            syntax_theme: "base16-eighties.dark",
        }
    }

    fn monochrome(name: ThemeName) -> Theme {
        let m = |m| Style::new().add_modifier(m);
        let plain = Style::new();
        Theme {
            name,
            color: false,
            text: plain,
            muted: m(Modifier::DIM),
            accent: m(Modifier::BOLD),
            title: m(Modifier::BOLD),
            border: plain,
            border_focused: m(Modifier::BOLD),
            selected: m(Modifier::REVERSED),
            status: m(Modifier::REVERSED),
            key: m(Modifier::BOLD),
            headings: [
                m(Modifier::BOLD | Modifier::UNDERLINED),
                m(Modifier::BOLD),
                m(Modifier::BOLD | Modifier::ITALIC),
            ],
            emphasis: m(Modifier::ITALIC),
            strong: m(Modifier::BOLD),
            inline_code: m(Modifier::BOLD),
            link: m(Modifier::UNDERLINED),
            link_target: m(Modifier::DIM),
            quote: m(Modifier::ITALIC),
            marker: m(Modifier::BOLD),
            table_header: m(Modifier::BOLD | Modifier::UNDERLINED),
            code: plain,
            clip_marker: m(Modifier::REVERSED),
            card: plain,
            card_focused: m(Modifier::BOLD | Modifier::REVERSED),
            good: m(Modifier::BOLD),
            bad: m(Modifier::BOLD | Modifier::UNDERLINED),
            warn: m(Modifier::UNDERLINED),
            search_match: m(Modifier::REVERSED),
            series: [plain; 6],
            syntax_theme: "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_theme_uses_no_colours_at_all() {
        for name in [ThemeName::Dark, ThemeName::Light, ThemeName::HighContrast] {
            let t = Theme::new(name, false);
            let styles = [
                t.text,
                t.muted,
                t.accent,
                t.title,
                t.selected,
                t.status,
                t.key,
                t.emphasis,
                t.strong,
                t.inline_code,
                t.link,
                t.code,
                t.card_focused,
                t.good,
                t.bad,
                t.search_match,
            ];
            for s in styles.iter().chain(t.headings.iter()) {
                assert_eq!(s.fg, None);
                assert_eq!(s.bg, None);
            }
        }
    }

    #[test]
    fn theme_names_parse() {
        assert_eq!(
            "high-contrast".parse::<ThemeName>(),
            Ok(ThemeName::HighContrast)
        );
        assert!("neon".parse::<ThemeName>().is_err());
    }
}
