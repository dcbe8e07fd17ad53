//! Small drawing pieces shared by the views: text bars, sparklines and time strips made of
//! characters (so they read the same with or without colour), a caption line and a step
//! model's challenge line.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use unicode_width::UnicodeWidthStr;

use crate::theme::{RunState, Theme};
use crate::ui::text::fields_that_fit;

/// The eighths used for partial bar cells.
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
/// Sparkline levels, lowest first.
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A pane's frame: all borders, the focused style when it has the keys, `title` on top.
pub fn pane_block<'a>(title: Span<'a>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .title(title)
}

/// A horizontal bar `width` cells wide filled to `fraction` (0..=1), in eighths of a cell.
pub fn bar(fraction: f64, width: usize) -> String {
    let fraction = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let eighths = (fraction * width as f64 * 8.0).round() as usize;
    let full = eighths / 8;
    let mut s: String = "█".repeat(full.min(width));
    if full < width {
        s.push(EIGHTHS[eighths % 8]);
        s.push_str(&" ".repeat(width - full - 1));
    }
    s
}

/// The last `width` of `values` as a sparkline scaled to `max` (values above clip).
pub fn sparkline(values: &[f64], max: f64, width: usize) -> String {
    let start = values.len().saturating_sub(width);
    let mut s: String = values[start..]
        .iter()
        .map(|v| {
            if max <= 0.0 || !v.is_finite() {
                SPARKS[0]
            } else {
                let level = ((v / max).clamp(0.0, 1.0) * 7.0).round() as usize;
                SPARKS[level]
            }
        })
        .collect();
    let drawn = values.len() - start;
    if drawn < width {
        s = " ".repeat(width - drawn) + &s;
    }
    s
}

/// A time strip: one cell per sample, each a state drawn with its glyph and style,
/// oldest on the left. Shorter histories are padded on the left.
pub fn state_strip<'a>(states: &[RunState], width: usize, theme: &Theme) -> Line<'a> {
    let start = states.len().saturating_sub(width);
    let mut spans: Vec<Span<'a>> = Vec::new();
    let pad = width.saturating_sub(states.len() - start);
    if pad > 0 {
        spans.push(Span::raw(" ".repeat(pad)));
    }
    // Merge runs of one state into one span: fewer spans, same picture.
    let mut run: Option<(RunState, usize)> = None;
    for &state in &states[start..] {
        match run {
            Some((s, n)) if s == state => run = Some((s, n + 1)),
            Some((s, n)) => {
                spans.push(Span::styled(
                    s.glyph().to_string().repeat(n),
                    theme.state(s),
                ));
                run = Some((state, 1));
            }
            None => run = Some((state, 1)),
        }
    }
    if let Some((s, n)) = run {
        spans.push(Span::styled(
            s.glyph().to_string().repeat(n),
            theme.state(s),
        ));
    }
    Line::from(spans)
}

/// A legend line: each state's glyph and label.
pub fn legend<'a>(states: &[RunState], theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, s) in states.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(s.glyph().to_string(), theme.state(*s)));
        spans.push(Span::styled(format!(" {}", s.label()), theme.muted));
    }
    Line::from(spans)
}

/// What separates two figures on a stats line.
const FIGURE_SEPARATOR: &str = "  │  ";

/// `label value` pairs on one line of at most `width` columns, labels muted and values
/// accented. A figure is never cut: pairs that do not fit are left out whole, from the
/// first that does not fit on (the caller orders them most important first).
pub fn figures<'a>(pairs: &[(&str, String)], width: usize, theme: &Theme) -> Line<'a> {
    let texts: Vec<(String, &String)> = pairs
        .iter()
        .map(|(label, value)| (format!("{label} "), value))
        .collect();
    let widths: Vec<usize> = texts.iter().map(|(l, v)| l.width() + v.width()).collect();
    let shown = fields_that_fit(&widths, FIGURE_SEPARATOR.width(), width);
    let mut spans = Vec::new();
    for (i, (label, value)) in texts.into_iter().take(shown).enumerate() {
        if i > 0 {
            spans.push(Span::styled(FIGURE_SEPARATOR, theme.muted));
        }
        spans.push(Span::styled(label, theme.muted));
        spans.push(Span::styled(value.clone(), theme.accent));
    }
    Line::from(spans)
}

/// A caption line: what the picture shows, in words.
pub fn caption<'a>(text: impl Into<String>, theme: &Theme) -> Line<'a> {
    Line::from(Span::styled(
        format!("» {}", text.into()),
        theme.strong.patch(Style::new()),
    ))
}

/// A step model's challenge: `goal: ...` while it is open, `✓ ...` once it is won.
pub fn challenge<'a>(goal: &str, won: bool, theme: &Theme) -> Line<'a> {
    let mark = if won {
        Span::styled("✓ ", theme.good)
    } else {
        Span::styled("goal: ", theme.muted)
    };
    Line::from(vec![mark, Span::styled(goal.to_string(), theme.text)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_says_goal_until_it_is_won() {
        let theme = Theme::new(crate::theme::ThemeName::Dark, true);
        let open = challenge("make it 1", false, &theme);
        assert_eq!(open.to_string(), "goal: make it 1");
        assert_eq!(open.spans[0].style, theme.muted);
        let won = challenge("make it 1", true, &theme);
        assert_eq!(won.to_string(), "✓ make it 1");
        assert_eq!(won.spans[0].style, theme.good);
    }

    #[test]
    fn bars_fill_in_eighths_and_keep_their_width() {
        assert_eq!(bar(0.0, 4), "    ");
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 4), "██  ");
        assert_eq!(bar(1.0 / 8.0, 4), "▌   ");
        assert_eq!(bar(1.0 / 16.0, 4), "▎   ");
        assert_eq!(bar(f64::NAN, 3), "   ");
        for f in [0.0, 0.13, 0.5, 0.99, 1.0, 7.0] {
            assert_eq!(bar(f, 10).chars().count(), 10);
        }
    }

    #[test]
    fn sparkline_scales_and_pads() {
        assert_eq!(sparkline(&[0.0, 50.0, 100.0], 100.0, 5), "  ▁▅█");
        assert_eq!(sparkline(&[1.0; 10], 1.0, 3), "███");
    }

    /// Every figure is either whole on the line or absent, at every width.
    #[test]
    fn figures_are_whole_or_absent_at_every_width() {
        let theme = Theme::new(crate::theme::ThemeName::Dark, false);
        let pairs = [
            ("round trips", crate::ui::text::thousands(5_000)),
            ("gather ran on", "2".to_string()),
            ("polls", crate::ui::text::thousands(611)),
            ("open", "12 (peak 40)".to_string()),
        ];
        let whole: Vec<String> = pairs.iter().map(|(l, v)| format!("{l} {v}")).collect();
        for width in 0..120 {
            let line = figures(&pairs, width, &theme).to_string();
            assert!(line.width() <= width, "{width}: {line:?}");
            let parts: Vec<&str> = if line.is_empty() {
                Vec::new()
            } else {
                line.split(FIGURE_SEPARATOR).collect()
            };
            for (i, part) in parts.iter().enumerate() {
                assert_eq!(*part, whole[i], "width {width}: a figure was cut: {line:?}");
            }
            // Nothing that would have fitted is dropped.
            let used = line.width();
            if parts.len() < whole.len() {
                let next = whole[parts.len()].width() + if parts.is_empty() { 0 } else { 5 };
                assert!(
                    used + next > width,
                    "width {width}: dropped a figure that fits"
                );
            }
        }
    }

    #[test]
    fn state_strip_is_as_wide_as_asked() {
        let theme = Theme::new(crate::theme::ThemeName::Dark, false);
        let line = state_strip(
            &[RunState::Running, RunState::Running, RunState::Io],
            6,
            &theme,
        );
        assert_eq!(line.to_string(), "   ██≈");
    }
}
