//! Snapshot and case tests of the lesson renderer: a sample lesson drawn through ratatui's
//! TestBackend at 80x24 and 120x40, styled dumps where colour carries meaning (highlighted
//! code, quiz marks), quizzes before and after answering, code clipping, tables, wrapping,
//! NO_COLOR, hostile text, and exercise cards in each learner state.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use pyconc::lessons::{
    Catalog, ExerciseCardInfo, Highlighter, Item, Lesson, RenderOptions, RenderedLesson,
    no_exercise_info, render, to_ansi, to_plain_text,
};
use pyconc::progress::ExerciseState;
use pyconc::theme::{Theme, ThemeName};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

fn highlighter() -> &'static Highlighter {
    static H: OnceLock<Highlighter> = OnceLock::new();
    H.get_or_init(Highlighter::load)
}

fn good_pack() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| {
        Catalog::from_dir(Path::new("tests/fixtures/lessons-good")).expect("good pack is valid")
    })
}

fn sample() -> &'static Lesson {
    good_pack().get("sample").expect("sample lesson")
}

fn lesson_from(body: &str) -> Lesson {
    let text = format!("---\nid: t\ntitle: T\norder: 1\n---\n\n{body}\n");
    Lesson::parse("t.md", &text).expect("valid test lesson")
}

fn render_with(
    lesson: &Lesson,
    width: u16,
    theme: &Theme,
    answers: &dyn Fn(usize) -> Option<usize>,
    focused: Option<usize>,
) -> RenderedLesson {
    let opts = RenderOptions {
        width,
        theme,
        highlighter: Some(highlighter()),
        answers,
        focused,
        exercise: &no_exercise_info,
    };
    render(lesson, &opts)
}

fn dark() -> Theme {
    Theme::new(ThemeName::Dark, true)
}

fn no_answers(_: usize) -> Option<usize> {
    None
}

fn draw(lines: &[Line<'static>], width: u16, height: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| frame.render_widget(Paragraph::new(lines.to_vec()), frame.area()))
        .expect("draw");
    terminal.backend().clone()
}

fn line_text(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

fn width_of(line: &Line) -> usize {
    line.width()
}

#[test]
fn sample_lesson_80x24() {
    let rendered = render_with(sample(), 80, &dark(), &no_answers, None);
    insta::assert_snapshot!(draw(&rendered.lines, 80, 24));
}

#[test]
fn sample_lesson_120x40() {
    let rendered = render_with(sample(), 120, &dark(), &no_answers, None);
    insta::assert_snapshot!(draw(&rendered.lines, 120, 40));
}

#[test]
fn sample_lesson_whole_plain_text_at_80() {
    let rendered = render_with(sample(), 80, &dark(), &no_answers, None);
    for line in &rendered.lines {
        assert!(width_of(line) <= 80, "too wide: {:?}", line_text(line));
    }
    insta::assert_snapshot!(to_plain_text(&rendered.lines));
}

#[test]
fn highlighted_code_styled() {
    let lesson = lesson_from(
        "```python\nimport threading\n\ndef work(n: int) -> int:\n    return n * 2  # double\n```",
    );
    let rendered = render_with(&lesson, 40, &dark(), &no_answers, None);
    // Every code line has the theme's code background, whatever syntect says.
    let code_bg = dark().code.bg;
    for line in &rendered.lines {
        for span in &line.spans {
            assert_eq!(span.style.bg, code_bg, "{:?}", span.content);
        }
    }
    insta::assert_snapshot!(common::styled_dump::dump_lines(&rendered.lines));
}

#[test]
fn code_without_highlighter_is_plain_but_framed() {
    let lesson = lesson_from("```python\nx = 1\n```");
    let theme = dark();
    let opts = RenderOptions {
        width: 20,
        theme: &theme,
        highlighter: None,
        answers: &no_answers,
        focused: None,
        exercise: &no_exercise_info,
    };
    let rendered = render(&lesson, &opts);
    assert_eq!(rendered.lines.len(), 1);
    assert_eq!(width_of(&rendered.lines[0]), 20);
    assert!(
        rendered.lines[0]
            .spans
            .iter()
            .all(|s| s.style.bg == theme.code.bg && s.style.fg.is_none())
    );
}

#[test]
fn quiz_before_and_after_answering() {
    let lesson = sample();
    let quiz_item = |r: &RenderedLesson| {
        r.items
            .iter()
            .position(|i| i.item == Item::Quiz(0))
            .expect("quiz 0 is an item")
    };
    let theme = dark();
    let unfocused = render_with(lesson, 60, &theme, &no_answers, None);
    let focus = quiz_item(&unfocused);
    let cut = |r: &RenderedLesson| {
        let span = r.items[focus];
        r.lines[span.first_line..=span.last_line].to_vec()
    };
    let before = render_with(lesson, 60, &theme, &no_answers, Some(focus));
    let wrong = |i: usize| (i == 0).then_some(0);
    let after_wrong = render_with(lesson, 60, &theme, &wrong, Some(focus));
    let right = |i: usize| (i == 0).then_some(1);
    let after_right = render_with(lesson, 60, &theme, &right, Some(focus));

    let before_text = to_plain_text(&cut(&before));
    assert!(before_text.contains("press a-c to answer"), "{before_text}");
    assert!(!before_text.contains("Why"));
    let unfocused_text = to_plain_text(&cut(&unfocused));
    assert!(!unfocused_text.contains("press a-c"));

    let wrong_text = to_plain_text(&cut(&after_wrong));
    assert!(
        wrong_text.contains("✗ About four times faster"),
        "{wrong_text}"
    );
    assert!(wrong_text.contains("✓ About the same"), "{wrong_text}");
    assert!(wrong_text.contains("Why: Only the thread"), "{wrong_text}");
    insta::assert_snapshot!(
        "quiz_states",
        format!(
            "--- before (focused)\n{before_text}--- after a wrong answer\n{wrong_text}--- after the right answer\n{}",
            to_plain_text(&cut(&after_right))
        )
    );
    // The marks carry colour: a styled snapshot of the answered quiz.
    insta::assert_snapshot!(
        "quiz_wrong_answer_styled",
        common::styled_dump::dump_lines(&cut(&after_wrong))
    );
}

#[test]
fn items_cover_cards_in_document_order_and_focus_changes_style() {
    let theme = dark();
    let rendered = render_with(sample(), 80, &theme, &no_answers, None);
    let kinds: Vec<Item> = rendered.items.iter().map(|i| i.item).collect();
    assert_eq!(
        kinds,
        vec![Item::Demo(0), Item::Quiz(0), Item::Quiz(1), Item::Quiz(2)]
    );
    for span in &rendered.items {
        assert!(line_text(&rendered.lines[span.first_line]).starts_with('╭'));
        assert!(line_text(&rendered.lines[span.last_line]).starts_with('╰'));
    }
    let demo = rendered.items[0];
    let card = line_text(&rendered.lines[demo.first_line + 1]);
    assert!(card.contains("▶ live demo: cores  busy=2"), "{card}");
    let focused = render_with(sample(), 80, &theme, &no_answers, Some(0));
    let border = &focused.lines[demo.first_line].spans[0];
    assert_eq!(border.style, theme.card_focused);
    assert_eq!(rendered.lines[demo.first_line].spans[0].style, theme.card);
}

#[test]
fn long_code_lines_are_clipped_with_a_marker_never_wrapped() {
    let theme = dark();
    let lesson = lesson_from(
        "```python\nshort = 1\nlong_name = 'a string that is far too long for a narrow pane'\n```",
    );
    for width in [20u16, 33, 60] {
        let rendered = render_with(&lesson, width, &theme, &no_answers, None);
        assert_eq!(rendered.lines.len(), 2, "code must not wrap at {width}");
        for line in &rendered.lines {
            assert_eq!(width_of(line), width as usize);
        }
        let long = &rendered.lines[1];
        // The long line (62 columns) is clipped at every width tried.
        let last = long.spans.last().expect("spans");
        assert_eq!(last.content, "›");
        assert_eq!(last.style, theme.code.patch(theme.clip_marker));
    }
}

#[test]
fn tables_fit_wrap_and_truncate() {
    let lesson = lesson_from(
        "| model | good for | cost |\n|:--|:--|--:|\n| threads | waiting on I/O with blocking libraries | low |\n| processes | CPU-bound pure Python work | memory, IPC |\n",
    );
    let theme = dark();
    let mut shots = String::new();
    for width in [80u16, 36, 12] {
        let rendered = render_with(&lesson, width, &theme, &no_answers, None);
        for line in &rendered.lines {
            assert!(width_of(line) <= width as usize, "{:?}", line_text(line));
        }
        shots.push_str(&format!(
            "--- width {width}\n{}",
            to_plain_text(&rendered.lines)
        ));
    }
    insta::assert_snapshot!(shots);
}

#[test]
fn wrapping_keeps_styles() {
    let lesson = lesson_from(
        "Plain words then **a strong phrase that wraps over lines** and *some emphasis too*.",
    );
    let theme = dark();
    let rendered = render_with(&lesson, 16, &theme, &no_answers, None);
    let mut strong_words = Vec::new();
    let mut emphasis_words = Vec::new();
    for line in &rendered.lines {
        assert!(width_of(line) <= 16);
        for span in &line.spans {
            if span.style.add_modifier.contains(Modifier::BOLD) {
                strong_words.extend(span.content.split_whitespace().map(String::from));
            }
            if span.style.add_modifier.contains(Modifier::ITALIC) {
                emphasis_words.extend(span.content.split_whitespace().map(String::from));
            }
        }
    }
    assert_eq!(
        strong_words.join(" "),
        "a strong phrase that wraps over lines"
    );
    assert_eq!(emphasis_words.join(" "), "some emphasis too");
    assert!(rendered.lines.len() >= 5);
}

#[test]
fn lists_quotes_and_headings() {
    let theme = dark();
    let rendered = render_with(sample(), 40, &theme, &no_answers, None);
    let text = to_plain_text(&rendered.lines);
    assert!(text.contains("1. Start the threads."), "{text}");
    assert!(text.contains("   ◦ with join()"), "{text}");
    assert!(text.contains("│ The GIL is released"), "{text}");
    let levels: Vec<(u8, &str)> = rendered
        .headings
        .iter()
        .map(|(_, l, t)| (*l, t.as_str()))
        .collect();
    assert_eq!(levels, vec![(1, "Threads and the GIL"), (2, "A list")]);
    let (line, _, _) = rendered.headings[0];
    assert_eq!(line_text(&rendered.lines[line]), "Threads and the GIL");
    assert!(line_text(&rendered.lines[line + 1]).starts_with("━━━"));
    // Link targets follow the text, muted.
    assert!(
        text.contains("the docs\n(https://docs.python.org"),
        "{text}"
    );
}

#[test]
fn no_color_theme_draws_no_colour() {
    let theme = Theme::new(ThemeName::Dark, false);
    let answered = |_: usize| Some(0);
    let rendered = render_with(sample(), 80, &theme, &answered, Some(1));
    for line in &rendered.lines {
        for span in &line.spans {
            assert!(
                span.style.fg.is_none() && span.style.bg.is_none(),
                "{:?} has colour {:?}",
                span.content,
                span.style
            );
        }
    }
    let text = to_plain_text(&rendered.lines);
    // Code is set apart by a gutter instead of a background; marks are glyphs.
    assert!(text.contains("│ import threading"), "{text}");
    assert!(text.contains('✓') && text.contains('✗'));
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let catalog = Catalog::from_dir(Path::new("tests/fixtures/lessons-hostile"))
        .expect("hostile pack still parses");
    let lesson = &catalog.lessons[0];
    assert!(
        !lesson.meta.title.chars().any(char::is_control),
        "{:?}",
        lesson.meta.title
    );
    let answered = |_: usize| Some(0);
    let rendered = render_with(lesson, 80, &dark(), &answered, Some(0));
    let text = to_plain_text(&rendered.lines);
    for c in text.chars() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)),
            "control {:?} in {text}",
            c
        );
    }
    assert!(text.contains("␛[2J"), "{text}");
    assert!(text.contains("␛]52;c;aGk=␇"), "{text}");
    // Entity references decode to the same placeholders.
    assert!(text.contains("Entity ␛[2J and \u{FFFD}1m"), "{text}");
    assert!(text.contains("caption ␛[5m blink"), "{text}");
    assert!(text.contains("␛]0;title␇ because"), "{text}");
    // Styled output writes only our own SGR sequences: ESC '[' digits/';' 'm'.
    let ansi = to_ansi(&rendered.lines);
    let mut rest = ansi.as_str();
    while let Some(at) = rest.find('\u{1b}') {
        let after = &rest[at + 1..];
        let end = after.find('m').expect("SGR ends with m");
        let params = &after[..end];
        assert!(
            params.starts_with('[') && params[1..].chars().all(|c| c.is_ascii_digit() || c == ';'),
            "unexpected escape {params:?}"
        );
        rest = &after[end..];
    }
}

#[test]
fn any_width_renders_without_panic() {
    let theme = dark();
    let answered = |_: usize| Some(1);
    for width in 0..=30u16 {
        let rendered = render_with(sample(), width, &theme, &answered, Some(1));
        assert!(!rendered.lines.is_empty());
        let none = render_with(sample(), width, &theme, &no_answers, None);
        assert_eq!(none.items.len(), 4);
    }
}

#[test]
fn toml_and_rust_highlighted_in_the_light_theme() {
    let lesson = lesson_from(
        "```toml\n[package]\nname = \"pyconc\"  # the crate\nversion = 1\n```\n\n```rust\nfn main() { let x = 42; }\n```",
    );
    let theme = Theme::new(ThemeName::Light, true);
    let rendered = render_with(&lesson, 32, &theme, &no_answers, None);
    insta::assert_snapshot!(common::styled_dump::dump_lines(&rendered.lines));
}

#[test]
fn nested_structures_plain() {
    let lesson = lesson_from(
        "### Level three\n\n#### Level four\n\n9. nine\n10. ten, with code:\n\n    ```python\n    print('in a list')\n    ```\n\n11. eleven\n\n> quoted\n>\n> - a list in a quote\n>   that wraps onto a second line here\n> - second\n\nHard  \nbreak, ~~struck~~, ![a diagram](gil.png).\n",
    );
    let rendered = render_with(&lesson, 40, &dark(), &no_answers, None);
    insta::assert_snapshot!(to_plain_text(&rendered.lines));
}

/// An exercise card with `info` (the lookup answers for `lost-update` only), focused or not.
fn exercise_card_text(info: Option<ExerciseCardInfo>, focused: bool, width: u16) -> String {
    let lesson = lesson_from("```exercise lost-update\n```");
    let lookup = move |id: &str| info.clone().filter(|_| id == "lost-update");
    let theme = dark();
    let opts = RenderOptions {
        width,
        theme: &theme,
        highlighter: None,
        answers: &no_answers,
        focused: focused.then_some(0),
        exercise: &lookup,
    };
    let rendered = render(&lesson, &opts);
    assert_eq!(rendered.items.len(), 1);
    assert_eq!(rendered.items[0].item, Item::Exercise(0));
    to_plain_text(&rendered.lines)
}

fn lost_update_card(progress: Option<(ExerciseState, u32)>) -> Option<ExerciseCardInfo> {
    Some(ExerciseCardInfo {
        title: "Fix a lost update with a lock".into(),
        practises: "a `threading.Lock` around a read-modify-write shared by several threads".into(),
        progress,
    })
}

/// What the shell knows of the lesson's exercise in a case of [`exercise_card_states`].
enum Known {
    /// The pack has no such exercise.
    NotInPack,
    /// In the pack, no progress at hand (`pyconc show`).
    NoProgress,
    /// In the pack, in this state after this many failed gradings.
    Progress(ExerciseState, u32),
}

#[test]
fn exercise_card_states() {
    use ExerciseState::{Attempted, NotStarted, Passed};
    use Known::{NoProgress, NotInPack, Progress};
    let cases = [
        ("not in the pack", NotInPack, false),
        ("not in the pack, focused", NotInPack, true),
        ("no progress at hand (pyconc show)", NoProgress, false),
        ("not started", Progress(NotStarted, 0), false),
        ("not started, focused", Progress(NotStarted, 0), true),
        ("attempted once", Progress(Attempted, 1), false),
        ("attempted 3 times, focused", Progress(Attempted, 3), true),
        ("passed", Progress(Passed, 2), false),
        ("passed, focused", Progress(Passed, 2), true),
    ];
    let mut out = String::new();
    for (name, known, focused) in cases {
        let info = match known {
            NotInPack => None,
            NoProgress => lost_update_card(None),
            Progress(state, tries) => lost_update_card(Some((state, tries))),
        };
        out.push_str(&format!(
            "-- {name}\n{}\n",
            exercise_card_text(info, focused, 60)
        ));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn exercise_card_keeps_its_height_when_focused_and_wraps_at_any_width() {
    // Wide enough for the status line to fit either way, focus never changes the height;
    // narrower, the card still draws (wrapped, framed from 12 columns).
    for width in [1u16, 11, 12, 30, 50, 80, 200] {
        for progress in [None, Some((ExerciseState::Attempted, 7))] {
            let rest = exercise_card_text(lost_update_card(progress), false, width);
            let focus = exercise_card_text(lost_update_card(progress), true, width);
            if width >= 50 {
                assert_eq!(
                    rest.lines().count(),
                    focus.lines().count(),
                    "width {width}:\n{rest}\n{focus}"
                );
                assert!(rest.contains("Fix a lost update"), "{rest}");
            }
            assert!(
                width < 11 || focus.contains("Enter"),
                "width {width}: {focus}"
            );
        }
    }
    let focused = exercise_card_text(lost_update_card(None), true, 80);
    assert!(focused.contains("press Enter to open"), "{focused}");
    let passed = exercise_card_text(
        lost_update_card(Some((ExerciseState::Passed, 0))),
        false,
        80,
    );
    assert!(passed.contains("passed ✓"), "{passed}");
    assert!(!passed.contains("press Enter"), "{passed}");
}
