//! The markdown reader's tests: blocks, inline marks, info strings, quizzes, lists, tables.

use super::*;

fn text_of(spans: &[Inline]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}

#[test]
fn front_matter_and_lines() {
    let parsed = parse("---\nid: a\ntitle: A\n---\n\n# Head\n\nSome *text*.\n");
    let fm = parsed.front_matter.expect("front matter");
    assert_eq!(fm.first_line, 2);
    assert_eq!(fm.yaml, "id: a\ntitle: A\n");
    assert!(matches!(
        parsed.blocks[0],
        Block::Heading {
            level: 1,
            line: 6,
            ..
        }
    ));
    assert!(matches!(parsed.blocks[1], Block::Paragraph { line: 8, .. }));
}

#[test]
fn inline_marks_and_links() {
    let spans = inline_spans("a *b* **c** `d` [e](https://x.org) <https://y.org>");
    let marked: Vec<(&str, Marks)> = spans.iter().map(|s| (s.text.as_str(), s.marks)).collect();
    assert!(marked.contains(&(
        "b",
        Marks {
            emphasis: true,
            ..Marks::default()
        }
    )));
    assert!(marked.iter().any(|(t, m)| *t == "c" && m.strong));
    assert!(marked.iter().any(|(t, m)| *t == "d" && m.code));
    assert!(marked.iter().any(|(t, m)| *t == "e" && m.link));
    assert!(
        marked
            .iter()
            .any(|(t, m)| *t == " (https://x.org)" && m.link_target)
    );
    // An autolink shows its target once.
    assert_eq!(text_of(&spans).matches("y.org").count(), 1);
}

#[test]
fn info_strings() {
    let md = "```python run requires=3.13\nprint(1)\n```\n\n```demo cores busy=2\nWatch.\n```\n\n```text\nplain\n```\n";
    let parsed = parse(md);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    match &parsed.blocks[0] {
        Block::Code(code) => {
            assert_eq!(code.lang, "python");
            assert!(code.run);
            assert_eq!(code.requires, Some((3, 13)));
            assert_eq!(code.text, "print(1)");
            assert_eq!((code.line, code.first_code_line), (1, 2));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(parsed.blocks[1], Block::Demo { index: 0, line: 5 });
    assert_eq!(parsed.demos[0].engine, "cores");
    assert_eq!(parsed.demos[0].args, vec![("busy".into(), "2".into())]);
    assert_eq!(parsed.demos[0].caption, "Watch.");
    assert!(matches!(&parsed.blocks[2], Block::Code(c) if c.lang == "text" && !c.run));
}

#[test]
fn quiz_parses_with_continuations() {
    let md = "```quiz\nq: Which\n  is right?\n- [ ] one\n- [x] two\n  continued\nwhy: Because\nof this.\n\nAnd more.\n```\n";
    let parsed = parse(md);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let quiz = &parsed.quizzes[0];
    assert_eq!(quiz.question, "Which is right?");
    assert_eq!(quiz.options[1].text, "two continued");
    assert!(quiz.options[1].correct && !quiz.options[0].correct);
    assert_eq!(quiz.why, "Because of this.\n\nAnd more.");
    assert_eq!(quiz.line, 1);
}

#[test]
fn malformed_quizzes_are_reported_at_their_lines() {
    let cases: &[(&str, &str)] = &[
        ("- [ ] a\n- [x] b\nwhy: w", "no question"),
        ("q: x\n- [x] b\nwhy: w", "at least two options"),
        ("q: x\n- [ ] a\n- [ ] b\nwhy: w", "marks no option right"),
        ("q: x\n- [ ] a\n- [x] b", "no explanation"),
        ("stray\nq: x\n- [ ] a\n- [x] b\nwhy: w", "before its `q:`"),
    ];
    for (body, expected) in cases {
        let md = format!("text\n\n```quiz\n{body}\n```\n");
        let parsed = parse(&md);
        assert!(parsed.quizzes.is_empty());
        let (line, message) = &parsed.problems[0];
        assert!(message.contains(expected), "{message} vs {expected}");
        assert!(*line == 3 || *line == 4, "line {line}");
    }
}

#[test]
fn lists_nest_and_number() {
    let md = "1. one\n2. two\n   - inner *a*\n   - inner b\n3. three\n";
    let parsed = parse(md);
    let Block::List { start, items, .. } = &parsed.blocks[0] else {
        panic!("{:?}", parsed.blocks)
    };
    assert_eq!(*start, Some(1));
    assert_eq!(items.len(), 3);
    assert!(
        matches!(&items[1].blocks[1], Block::List { start: None, items, .. } if items.len() == 2)
    );
}

#[test]
fn tables_keep_cells() {
    let md = "| a | b |\n|:--|--:|\n| 1 | `x` |\n| 2 | y |\n";
    let parsed = parse(md);
    let Block::Table {
        alignments,
        header,
        rows,
        ..
    } = &parsed.blocks[0]
    else {
        panic!("{:?}", parsed.blocks)
    };
    assert_eq!(alignments, &vec![Align::Left, Align::Right]);
    assert_eq!(header.len(), 2);
    assert_eq!(rows.len(), 2);
    assert!(rows[0][1][0].marks.code);
}

#[test]
fn late_metadata_block_is_a_problem() {
    let parsed = parse("---\nid: a\n---\n\ntext\n\n---\nnot: yaml\n---\n");
    assert_eq!(parsed.problems.len(), 1);
    assert_eq!(parsed.problems[0].0, 7);
}

#[test]
fn nesting_deeper_than_the_limit_is_a_problem_not_a_deep_tree() {
    use crate::lessons::limits::MAX_NESTING_DEPTH;
    fn depth(blocks: &[Block]) -> usize {
        blocks
            .iter()
            .map(|b| match b {
                Block::Quote { blocks, .. } => 1 + depth(blocks),
                Block::List { items, .. } => {
                    1 + items.iter().map(|i| depth(&i.blocks)).max().unwrap_or(0)
                }
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
    let at_limit = format!("text\n\n{} x\n", ">".repeat(MAX_NESTING_DEPTH));
    let parsed = parse(&at_limit);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(depth(&parsed.blocks), MAX_NESTING_DEPTH);
    for deep in [
        format!("text\n\n{} x\n", ">".repeat(10_000)),
        format!("text\n\n{} x\n", "- ".repeat(5_000)),
        format!("text\n\n{} x\n", "> - ".repeat(2_000)),
    ] {
        let parsed = parse(&deep);
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
        let (line, message) = &parsed.problems[0];
        assert_eq!(*line, 3);
        assert!(message.contains("nest more than"), "{message}");
        assert!(depth(&parsed.blocks) <= MAX_NESTING_DEPTH);
    }
}

#[test]
fn tables_over_the_limits_are_problems() {
    use crate::lessons::limits::{MAX_TABLE_CELLS, MAX_TABLE_COLUMNS};
    let wide = format!(
        "x\n\n|{}\n|{}\n",
        "a|".repeat(MAX_TABLE_COLUMNS + 1),
        "-|".repeat(MAX_TABLE_COLUMNS + 1)
    );
    let parsed = parse(&wide);
    assert!(
        parsed.problems[0].1.contains("columns"),
        "{:?}",
        parsed.problems
    );
    assert_eq!(parsed.problems[0].0, 3);
    let rows = MAX_TABLE_CELLS / 2 + 1;
    let long = format!("x\n\n|a|b|\n|-|-|\n{}\nafter\n", "|1|2|\n".repeat(rows));
    let parsed = parse(&long);
    assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
    assert!(
        parsed.problems[0].1.contains("cells"),
        "{:?}",
        parsed.problems
    );
    assert!(
        !parsed
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Table { .. }))
    );
    // Reading goes on after the table.
    assert!(matches!(
        parsed.blocks.last(),
        Some(Block::Paragraph { .. })
    ));
}
