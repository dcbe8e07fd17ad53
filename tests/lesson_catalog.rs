//! Catalog validation through `check` on good and bad lesson packs under tests/fixtures:
//! every problem is reported as `file:line: message`, for every file.

use std::path::Path;

use pyconc::lessons::{Catalog, check};

fn problems_of(dir: &str) -> Vec<String> {
    check(Some(Path::new(dir)))
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn good_pack_has_no_problems() {
    assert_eq!(
        problems_of("tests/fixtures/lessons-good"),
        Vec::<String>::new()
    );
    let catalog = Catalog::from_dir(Path::new("tests/fixtures/lessons-good")).expect("valid");
    let ids: Vec<&str> = catalog.lessons.iter().map(|l| l.meta.id.as_str()).collect();
    assert_eq!(ids, vec!["sample", "next"]);
    assert_eq!(
        catalog.lessons[0].path,
        "tests/fixtures/lessons-good/01-sample.md"
    );
}

#[test]
fn embedded_lessons_check_clean() {
    let problems: Vec<String> = check(None).iter().map(|p| p.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(!Catalog::embedded().expect("valid").is_empty());
}

#[test]
fn bad_packs_report_file_and_line() {
    let base = "tests/fixtures/lessons-bad";
    let cases: &[(&str, &str)] = &[
        (
            "bad-yaml",
            "a.md:3: front matter: mapping values are not allowed in this context",
        ),
        (
            "duplicate-id",
            "b.md:2: duplicate lesson id `same` (also in ",
        ),
        ("duplicate-order", "b.md:4: order 1 is also used by "),
        (
            "unknown-prerequisite",
            "a.md:5: unknown prerequisite `zeroth`: no lesson has that id",
        ),
        (
            "unknown-demo",
            "a.md:9: unknown demo `warp-drive`; known demos: cores",
        ),
        (
            "bad-demo-parameter",
            "a.md:9: demo `cores`: bad value `99` for `busy`: expected a whole number from 0 to 32",
        ),
        (
            "unknown-demo-parameter",
            "a.md:9: demo `cores`: unknown parameter `threads` for demo `cores`; valid parameters: busy",
        ),
        (
            "malformed-quiz",
            "a.md:9: quiz needs at least two options (`- [ ] wrong`, `- [x] right`), found 1",
        ),
        ("quiz-without-why", "a.md:9: quiz has no explanation"),
        ("no-front-matter", "a.md:1: no front matter"),
        ("missing-field", "a.md:1: front matter has no `title`"),
        (
            "unknown-field",
            "a.md:5: front matter: unknown field `level`",
        ),
        ("bad-requires", "a.md:7: bad `requires=three`"),
        ("empty-pack", "empty-pack: no lessons here"),
    ];
    for (dir, expected) in cases {
        let problems = problems_of(&format!("{base}/{dir}"));
        let expected = format!("{base}/{dir}/{expected}");
        let expected = expected.replace(
            &format!("{base}/{dir}/empty-pack"),
            &format!("{base}/{dir}"),
        );
        assert!(
            problems.iter().any(|p| p.starts_with(&expected)),
            "{dir}: expected a problem starting with\n  {expected}\ngot\n  {}",
            problems.join("\n  ")
        );
    }
}

#[test]
fn every_problem_in_every_file_is_reported() {
    let problems = problems_of("tests/fixtures/lessons-bad/many-problems");
    let base = "tests/fixtures/lessons-bad/many-problems";
    // a.md: bad demo parameter (and its prerequisite is not checked while c.md is broken,
    // since c.md's id may be the one it names); b.md: quiz; c.md: YAML.
    let expected = [
        format!("{base}/a.md:8: demo `cores`: bad value `-1` for `busy`"),
        format!("{base}/b.md:7: quiz marks no option right"),
        format!(
            "{base}/c.md:4: front matter: order: invalid type: string \"x\", expected u32 (column 8)"
        ),
    ];
    for e in &expected {
        assert!(
            problems.iter().any(|p| p.starts_with(e.as_str())),
            "missing {e}\ngot\n{}",
            problems.join("\n")
        );
    }
    assert_eq!(problems.len(), expected.len(), "{}", problems.join("\n"));
}

#[test]
fn the_lesson_source_keeps_demo_arguments() {
    let catalog = Catalog::from_dir(Path::new("tests/fixtures/lessons-good")).expect("valid");
    let demo = &catalog.get("sample").expect("sample").demos[0];
    assert_eq!(demo.engine, "cores");
    assert_eq!(demo.args, vec![("busy".to_string(), "2".to_string())]);
    assert_eq!(demo.line, 66);
}

#[test]
fn every_built_in_exercise_has_one_card_in_its_own_lesson() {
    let catalog = Catalog::embedded().expect("valid");
    let exercises = pyconc::exercises::ExerciseSet::embedded().expect("valid exercises");
    assert!(!exercises.exercises.is_empty());
    for ex in &exercises.exercises {
        let cards: Vec<&str> = catalog
            .lessons
            .iter()
            .flat_map(|l| l.exercises.iter().map(move |c| (l, c)))
            .filter(|(_, c)| c.id == ex.id)
            .map(|(l, _)| l.meta.id.as_str())
            .collect();
        assert_eq!(
            cards,
            vec![ex.lesson.as_str()],
            "exercise `{}` must have exactly one card, in lesson `{}`",
            ex.id,
            ex.lesson
        );
    }
}
