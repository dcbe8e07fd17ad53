//! Sanitising of untrusted lesson text. A lesson pack may come from anyone, so every byte of
//! it (front matter, body, code, quizzes, demo captions, even file names) passes through
//! [`sanitize`] before anything else reads it: control characters and escape sequences become
//! visible placeholders and can never reach the terminal as commands.

/// How many columns a tab stop is wide when tabs are expanded.
pub const TAB_WIDTH_COLUMNS: usize = 4;

/// The placeholder shown for ESC (the start of every terminal escape sequence).
pub const ESC_PLACEHOLDER: char = '␛';

/// The placeholder for C1 controls, bidirectional overrides and other invisible commands.
pub const OTHER_PLACEHOLDER: char = '\u{FFFD}';

/// Returns `text` safe to show in a terminal:
/// - `\r\n` becomes `\n` (lessons written on Windows read the same); a lone `\r` shows as `␍`;
/// - tabs expand to spaces up to the next multiple of [`TAB_WIDTH_COLUMNS`];
/// - ESC shows as `␛`, the other C0 controls and DEL as their Unicode control pictures
///   (`␇` for BEL, `␀` for NUL...), so `ESC[2J` or an OSC 52 clipboard write is shown, not run;
/// - C1 controls (U+0080..U+009F, which some terminals obey like ESC sequences), bidirectional
///   overrides and isolates (which reorder what is shown), and a byte-order mark are replaced
///   with U+FFFD (the BOM is dropped when it opens the text).
///
/// Newlines are kept, so line numbers stay those of the file.
pub fn sanitize(text: &str) -> String {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut out = String::with_capacity(text.len());
    let mut column = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                out.push('\n');
                column = 0;
                continue;
            }
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\t' => {
                let spaces = TAB_WIDTH_COLUMNS - column % TAB_WIDTH_COLUMNS;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
                continue;
            }
            _ => {}
        }
        let shown = placeholder(c).unwrap_or(c);
        out.push(shown);
        column += 1;
    }
    out
}

/// A path as it may be shown on a terminal: [`sanitize_line`] of its display form.
pub fn sanitize_path(path: &std::path::Path) -> String {
    sanitize_line(&path.display().to_string())
}

/// Sanitises one line of text meant for a single row (a file name, a title): like
/// [`sanitize`], and newlines show as `␤`.
pub fn sanitize_line(text: &str) -> String {
    sanitize(text).replace('\n', "␤")
}

/// The visible stand-in for a character that must not reach the terminal, if `c` is one.
fn placeholder(c: char) -> Option<char> {
    match c {
        '\u{1b}' => Some(ESC_PLACEHOLDER),
        // C0 controls map onto the Control Pictures block: U+0007 -> U+2407 '␇'.
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('␡'),
        '\u{80}'..='\u{9f}' => Some(OTHER_PLACEHOLDER),
        // Bidi embeddings, overrides and isolates ("trojan source"), and stray BOMs.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}' => Some(OTHER_PLACEHOLDER),
        // Line and paragraph separators move the cursor on some terminals.
        '\u{2028}' | '\u{2029}' => Some(' '),
        _ => None,
    }
}

/// True if `text` holds nothing [`sanitize`] would change (used by tests and debug checks).
pub fn is_clean(text: &str) -> bool {
    text.chars()
        .all(|c| c == '\n' || (c != '\t' && placeholder(c).is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        let cases: &[(&str, &str)] = &[
            ("clear\u{1b}[2Jscreen", "clear␛[2Jscreen"),
            // OSC 52: write to the clipboard, terminated by BEL or by ST (ESC \).
            ("\u{1b}]52;c;aGk=\u{7}", "␛]52;c;aGk=␇"),
            ("\u{1b}]52;c;aGk=\u{1b}\\", "␛]52;c;aGk=␛\\"),
            // C1 CSI and OSC, which some terminals obey without ESC.
            (
                "a\u{9b}2Jb\u{9d}0;t\u{9c}",
                "a\u{FFFD}2Jb\u{FFFD}0;t\u{FFFD}",
            ),
            ("bell\u{7}", "bell␇"),
            ("nul\u{0}del\u{7f}", "nul␀del␡"),
            ("over\rwrite", "over␍write"),
            ("back\u{8}space", "back␈space"),
            ("bidi \u{202e}evil\u{2066}", "bidi \u{FFFD}evil\u{FFFD}"),
        ];
        for (input, expected) in cases {
            let got = sanitize(input);
            assert_eq!(&got, expected, "input {input:?}");
            assert!(is_clean(&got), "{got:?} still unclean");
        }
    }

    #[test]
    fn newlines_kept_crlf_folded_bom_dropped() {
        assert_eq!(sanitize("\u{FEFF}a\r\nb\nc\r\n"), "a\nb\nc\n");
    }

    #[test]
    fn tabs_expand_to_the_next_stop() {
        assert_eq!(sanitize("\tx"), "    x");
        assert_eq!(sanitize("ab\tx\n\ty"), "ab  x\n    y");
        assert_eq!(sanitize("abcd\tx"), "abcd    x");
    }

    #[test]
    fn ordinary_text_is_untouched() {
        let text = "Ünïcödé — “quotes” 並行 ✓ ␛ already a picture\n  indented";
        assert_eq!(sanitize(text), text);
        assert!(is_clean(text));
    }

    #[test]
    fn single_line_shows_newlines() {
        assert_eq!(sanitize_line("a\nb\u{1b}"), "a␤b␛");
    }
}
