//! The renderer's unit tests: wrapping, hanging indents, table columns, ANSI output.

use super::table::fit_columns;
use super::*;
use ratatui::style::Color;

fn s(text: &str) -> Run {
    (Style::new(), text.to_string())
}

fn texts(lines: &[Vec<Run>]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.iter().map(|(_, t)| t.as_str()).collect())
        .collect()
}

#[test]
fn wrap_cases() {
    let cases: &[(&str, usize, &[&str])] = &[
        ("the quick brown fox", 9, &["the quick", "brown fox"]),
        ("the quick brown fox", 100, &["the quick brown fox"]),
        ("abcdefghij", 4, &["abcd", "efgh", "ij"]),
        ("a  b", 10, &["a  b"]),
        ("line\nbreak", 20, &["line", "break"]),
        ("", 10, &[""]),
        ("並行処理 です", 6, &["並行処", "理", "です"]),
        ("並行 処理", 5, &["並行", "処理"]),
    ];
    for (text, width, expected) in cases {
        let got = texts(&wrap(&[s(text)], *width));
        assert_eq!(&got, expected, "{text:?} at {width}");
        for line in &got {
            assert!(display_width(line) <= *width, "{line:?} wider than {width}");
        }
    }
}

#[test]
fn wrapping_keeps_styles_across_lines() {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let runs = vec![
        s("plain then "),
        (bold, "bold words that wrap".to_string()),
        s(" end"),
    ];
    let lines = wrap(&runs, 12);
    assert_eq!(
        texts(&lines),
        vec!["plain then", "bold words", "that wrap", "end"]
    );
    assert_eq!(lines[1], vec![(bold, "bold words".to_string())]);
    assert_eq!(lines[2], vec![(bold, "that wrap".to_string())]);
    assert_eq!(lines[3], vec![(Style::new(), "end".to_string())]);
}

#[test]
fn hanging_indent() {
    let lines = hanging_wrap(&[s("a) one two three four")], 10, 3);
    assert_eq!(texts(&lines), vec!["a) one two", "   three", "   four"]);
}

#[test]
fn columns_fit() {
    assert_eq!(fit_columns(&[3, 4], 10), vec![3, 4]);
    assert_eq!(fit_columns(&[3, 40, 40], 30), vec![3, 13, 14]);
    assert!(fit_columns(&[10, 10, 10], 6).iter().sum::<usize>() <= 6);
}

#[test]
fn ansi_and_plain_output() {
    let line = Line::from(vec![
        Span::styled(
            "red",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        Span::raw(" plain \u{1b}[2J  "),
    ]);
    assert_eq!(
        to_plain_text(std::slice::from_ref(&line)),
        "red plain ␛[2J\n"
    );
    let ansi = to_ansi(&[line]);
    assert!(ansi.starts_with("\x1b[1;31mred\x1b[0m"), "{ansi:?}");
    assert_eq!(ansi.matches('\x1b').count(), 2, "{ansi:?}");
}

#[test]
fn the_deepest_nesting_a_pack_may_have_renders_at_any_width() {
    use crate::lessons::limits::MAX_NESTING_DEPTH;
    let body = format!(
        "{} deep text that wraps\n\n{}x\n",
        ">".repeat(MAX_NESTING_DEPTH),
        "- ".repeat(MAX_NESTING_DEPTH)
    );
    let text = format!("---\nid: a\ntitle: T\norder: 1\n---\n\n{body}");
    let lesson = crate::lessons::Lesson::parse("a.md", &text).expect("at the limit is valid");
    let theme = Theme::new(crate::theme::ThemeName::Dark, true);
    for width in [1u16, 10, 40, 80, 300] {
        let rendered = render(
            &lesson,
            &RenderOptions {
                width,
                theme: &theme,
                highlighter: None,
                answers: &|_| None,
                focused: None,
            },
        );
        assert!(!rendered.lines.is_empty(), "width {width}");
    }
}
