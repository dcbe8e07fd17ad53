//! Styled runs to lines: widths (unicode-aware), word wrapping with styles kept across
//! breaks and a hanging indent, cutting to a width with a mark.

use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

use super::Run;

pub(super) fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

pub(super) fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

pub(super) fn run_width(runs: &[Run]) -> usize {
    runs.iter().map(|(_, t)| display_width(t)).sum()
}

/// Appends `text` in `style` to `line`, merging with the last run when the style matches.
pub(super) fn append(line: &mut Vec<Run>, style: Style, text: &str) {
    if text.is_empty() {
        return;
    }
    match line.last_mut() {
        Some((s, t)) if *s == style => t.push_str(text),
        _ => line.push((style, text.to_string())),
    }
}

/// A piece of inline text for wrapping.
enum Token {
    /// Non-space text that may not be split (one word may span several styles).
    Word(Vec<Run>, usize),
    /// Spaces between words.
    Space(Style, usize),
    /// A hard line break.
    Break,
}

fn tokenize(runs: &[Run]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word: Vec<Run> = Vec::new();
    let mut word_width = 0;
    let flush = |tokens: &mut Vec<Token>, word: &mut Vec<Run>, width: &mut usize| {
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(word), *width));
            *width = 0;
        }
    };
    for (style, text) in runs {
        if text == "\n" {
            flush(&mut tokens, &mut word, &mut word_width);
            tokens.push(Token::Break);
            continue;
        }
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if c == ' ' || c == '\n' {
                if start < i {
                    append(&mut word, *style, &text[start..i]);
                }
                flush(&mut tokens, &mut word, &mut word_width);
                if c == '\n' {
                    tokens.push(Token::Break);
                } else {
                    match tokens.last_mut() {
                        Some(Token::Space(_, n)) => *n += 1,
                        _ => tokens.push(Token::Space(*style, 1)),
                    }
                }
                start = i + c.len_utf8();
            } else {
                word_width += char_width(c);
            }
        }
        if start < text.len() {
            append(&mut word, *style, &text[start..]);
        }
    }
    flush(&mut tokens, &mut word, &mut word_width);
    tokens
}

/// Word-wraps styled runs to `width` columns; styles are kept across line breaks, spaces at
/// line ends are dropped, and words longer than a line are split.
pub fn wrap(runs: &[Run], width: usize) -> Vec<Vec<Run>> {
    hanging_wrap(runs, width, 0)
}

/// Like [`wrap`], with every line after the first indented by `hang` columns.
pub(super) fn hanging_wrap(runs: &[Run], width: usize, hang: usize) -> Vec<Vec<Run>> {
    let width = width.max(1);
    let hang = if hang * 2 > width { 0 } else { hang };
    let mut lines: Vec<Vec<Run>> = Vec::new();
    let mut line: Vec<Run> = Vec::new();
    let mut line_width = 0;
    let mut space: Option<(Style, usize)> = None;
    let new_line = |lines: &mut Vec<Vec<Run>>, line: &mut Vec<Run>, line_width: &mut usize| {
        lines.push(std::mem::take(line));
        *line_width = 0;
        if hang > 0 {
            line.push((Style::new(), " ".repeat(hang)));
            *line_width = hang;
        }
    };
    let line_start = |lines: &Vec<Vec<Run>>| if lines.is_empty() { 0 } else { hang };
    for token in tokenize(runs) {
        match token {
            Token::Break => {
                new_line(&mut lines, &mut line, &mut line_width);
                space = None;
            }
            Token::Space(style, n) => {
                if line_width > line_start(&lines) {
                    space = Some((style, n));
                }
            }
            Token::Word(pieces, w) => {
                let gap = space.take().filter(|_| line_width > line_start(&lines));
                let gap_width = gap.map_or(0, |(_, n)| n);
                if line_width + gap_width + w <= width {
                    if let Some((style, n)) = gap {
                        append(&mut line, style, &" ".repeat(n));
                    }
                    for (s, t) in pieces {
                        append(&mut line, s, &t);
                    }
                    line_width += gap_width + w;
                    continue;
                }
                if line_width > line_start(&lines) {
                    new_line(&mut lines, &mut line, &mut line_width);
                }
                if line_width + w <= width {
                    for (s, t) in pieces {
                        append(&mut line, s, &t);
                    }
                    line_width += w;
                    continue;
                }
                // A word wider than the line: split it wherever the line is full.
                for (s, t) in pieces {
                    for c in t.chars() {
                        let cw = char_width(c);
                        if line_width + cw > width && line_width > line_start(&lines) {
                            new_line(&mut lines, &mut line, &mut line_width);
                        }
                        let mut buf = [0u8; 4];
                        append(&mut line, s, c.encode_utf8(&mut buf));
                        line_width += cw;
                    }
                }
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    // A trailing hang-only line (from a final break) carries nothing.
    if hang > 0 && lines.len() > 1 && lines.last().is_some_and(|l| run_width(l) == hang) {
        lines.pop();
    }
    lines
}

/// The leading runs of `runs` that fit in `width` columns.
pub(super) fn take_width(runs: &[Run], width: usize) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut used = 0;
    for (style, text) in runs {
        let mut piece = String::new();
        for c in text.chars() {
            let cw = char_width(c);
            if used + cw > width {
                append(&mut out, *style, &piece);
                return out;
            }
            used += cw;
            piece.push(c);
        }
        append(&mut out, *style, &piece);
    }
    out
}

/// Text that fits in `width` columns, ending in '…' if it was cut.
pub(super) fn truncate_runs(runs: &[Run], width: usize) -> Vec<Run> {
    let flat: Vec<Run> = runs
        .iter()
        .map(|(s, t)| (*s, t.replace('\n', " ")))
        .collect();
    if run_width(&flat) <= width {
        return flat;
    }
    let mut out = take_width(&flat, width.saturating_sub(1));
    let style = out.last().map_or(Style::new(), |(s, _)| *s);
    append(&mut out, style, "…");
    out
}

/// Cuts a line that would overflow `width` (only very narrow tables do), marking the cut.
pub(super) fn clip_line(runs: Vec<Run>, width: usize) -> Vec<Run> {
    if run_width(&runs) <= width {
        runs
    } else {
        truncate_runs(&runs, width)
    }
}
