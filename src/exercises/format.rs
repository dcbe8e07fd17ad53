//! The exercise folder format (`exercises/ID/`: `exercise.toml`, `start.py`, `check.py`,
//! `solution.py`) read and validated into an [`Exercise`], every problem as `file:line`.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::Exercise;
use crate::lessons::{Problem, sanitize};
use crate::pythons::Version;

/// The files of an exercise folder, by name.
pub const FILES: [&str; 4] = ["exercise.toml", "start.py", "check.py", "solution.py"];
/// The largest file of an exercise read (bytes).
pub const MAX_FILE_BYTES: usize = 256 * 1024;
/// The range of `time_limit_s`.
pub const TIME_LIMIT_RANGE_S: std::ops::RangeInclusive<u32> = 1..=120;
/// The most hints an exercise may have.
pub const MAX_HINTS: usize = 10;
/// The oldest Python an exercise runs on when `min_python` is not given.
pub const DEFAULT_MIN_PYTHON: Version = Version(3, 8, 0);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Toml {
    id: Spanned<String>,
    title: Spanned<String>,
    lesson: Spanned<String>,
    practises: Spanned<String>,
    hints: Spanned<Vec<String>>,
    time_limit_s: Spanned<i64>,
    #[serde(default)]
    min_python: Option<Spanned<String>>,
}

/// True if `id` is lowercase words of letters and digits joined by `-`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Reads one exercise. `dir` is the folder as shown in problems (`lessons/exercises/ID`);
/// `folder_name` its last part; `file` returns a file's text (`None`: missing).
pub fn read(
    dir: &str,
    folder_name: &str,
    file: &dyn Fn(&str) -> Option<Result<String, String>>,
) -> Result<Exercise, Vec<Problem>> {
    let dir = sanitize::sanitize_line(dir);
    let mut problems = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for name in FILES {
        let shown = format!("{dir}/{name}");
        match file(name) {
            None => problems.push(Problem::new(
                &shown,
                0,
                "missing: an exercise folder holds exercise.toml, start.py, check.py and solution.py",
            )),
            Some(Err(e)) => problems.push(Problem::new(&shown, 0, e)),
            Some(Ok(text)) if text.len() > MAX_FILE_BYTES => {
                problems.push(Problem::new(
                    &shown,
                    0,
                    format!("too large: {} bytes, at most {MAX_FILE_BYTES}", text.len()),
                ));
                texts.push(String::new());
            }
            Some(Ok(text)) => texts.push(text),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let toml_path = format!("{dir}/exercise.toml");
    let toml_text = &texts[0].clone();
    let parsed: Toml = match toml::from_str(toml_text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let line = e.span().map_or(0, |s| line_at(toml_text, s.start));
            let message = sanitize::sanitize_line(e.message());
            return Err(vec![Problem::new(&toml_path, line, message)]);
        }
    };
    let at = |span: Range<usize>| line_at(toml_text, span.start);
    let mut bad = |span: Range<usize>, message: String| {
        problems.push(Problem::new(&toml_path, at(span), message));
    };
    let id = sanitize::sanitize_line(parsed.id.get_ref());
    if !is_valid_id(&id) {
        bad(
            parsed.id.span(),
            format!("bad id `{id}`: lowercase letters and digits, words joined by `-`"),
        );
    } else if id != folder_name {
        bad(
            parsed.id.span(),
            format!(
                "id `{id}` differs from its folder `{}`: they must be the same",
                sanitize::sanitize_line(folder_name)
            ),
        );
    }
    for (field, value) in [
        ("title", &parsed.title),
        ("lesson", &parsed.lesson),
        ("practises", &parsed.practises),
    ] {
        if value.get_ref().trim().is_empty() {
            bad(value.span(), format!("`{field}` is empty"));
        } else if value.get_ref().contains('\n') {
            bad(value.span(), format!("`{field}` must be one line"));
        }
    }
    let hints = parsed.hints.get_ref();
    if hints.is_empty() || hints.len() > MAX_HINTS {
        bad(
            parsed.hints.span(),
            format!("`hints` needs 1 to {MAX_HINTS} hints, in the order they are shown"),
        );
    } else if hints.iter().any(|h| h.trim().is_empty()) {
        bad(parsed.hints.span(), "a hint is empty".into());
    }
    let limit = *parsed.time_limit_s.get_ref();
    let limit_ok = u32::try_from(limit).is_ok_and(|l| TIME_LIMIT_RANGE_S.contains(&l));
    if !limit_ok {
        bad(
            parsed.time_limit_s.span(),
            format!(
                "`time_limit_s` = {limit} is out of range: {} to {} seconds",
                TIME_LIMIT_RANGE_S.start(),
                TIME_LIMIT_RANGE_S.end()
            ),
        );
    }
    let min_python = match &parsed.min_python {
        None => DEFAULT_MIN_PYTHON,
        Some(v) => match Version::parse(v.get_ref()).filter(|v| v.0 == 3) {
            Some(version) => version,
            None => {
                bad(
                    v.span(),
                    format!(
                        "bad `min_python` `{}`: a Python 3 version such as \"3.11\"",
                        sanitize::sanitize_line(v.get_ref())
                    ),
                );
                DEFAULT_MIN_PYTHON
            }
        },
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let [_, start, check, solution] = <[String; 4]>::try_from(texts).expect("four files");
    Ok(Exercise {
        id,
        title: sanitize::sanitize_line(parsed.title.get_ref()),
        lesson: sanitize::sanitize_line(parsed.lesson.get_ref()),
        lesson_line: at(parsed.lesson.span()),
        practises: sanitize::sanitize_line(parsed.practises.get_ref()),
        hints: hints.iter().map(|h| sanitize::sanitize(h)).collect(),
        time_limit_s: limit as u32,
        min_python,
        start,
        check,
        solution,
        dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"id = "lost-update"
title = "Fix a lost update with a lock"
lesson = "races-and-locks"
practises = "a threading.Lock around a read-modify-write"
hints = ["one", "two"]
time_limit_s = 20
min_python = "3.11"
"#;

    fn read_with(toml: &str, folder: &str) -> Result<Exercise, Vec<String>> {
        let toml = toml.to_string();
        read("pack/exercises/x", folder, &|name| {
            Some(Ok(if name == "exercise.toml" {
                toml.clone()
            } else {
                format!("# {name}\n")
            }))
        })
        .map_err(|ps| ps.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn a_good_exercise_reads() {
        let ex = read_with(GOOD, "lost-update").unwrap();
        assert_eq!(ex.id, "lost-update");
        assert_eq!(ex.hints, ["one", "two"]);
        assert_eq!(ex.time_limit_s, 20);
        assert_eq!(ex.min_python, Version(3, 11, 0));
        assert_eq!(ex.lesson_line, 3);
        assert_eq!(ex.start, "# start.py\n");
    }

    #[test]
    fn problems_name_file_and_line() {
        let file = "pack/exercises/x/exercise.toml";
        let cases: &[(&str, &str, &str)] = &[
            (
                "time_limit_s = 20",
                "time_limit_s = 0",
                ":6: `time_limit_s` = 0 is out of range: 1 to 120",
            ),
            (
                "time_limit_s = 20",
                "time_limit_s = 20\nspeed = 3",
                ":7: unknown field `speed`",
            ),
            (
                "hints = [\"one\", \"two\"]",
                "hints = []",
                ":5: `hints` needs 1 to 10",
            ),
            (
                "id = \"lost-update\"",
                "id = \"Lost_Update\"",
                ":1: bad id `Lost_Update`",
            ),
            (
                "id = \"lost-update\"",
                "id = \"other\"",
                ":1: id `other` differs from its folder",
            ),
            (
                "min_python = \"3.11\"",
                "min_python = \"three\"",
                ":7: bad `min_python`",
            ),
            (
                "title = \"Fix a lost update with a lock\"",
                "",
                "missing field `title`",
            ),
            (
                "lesson = \"races-and-locks\"",
                "lesson = \"\"",
                ":3: `lesson` is empty",
            ),
        ];
        for (from, to, want) in cases {
            let toml = GOOD.replace(from, to);
            let got = read_with(&toml, "lost-update").unwrap_err();
            assert!(
                got.iter().any(|p| p.starts_with(file) && p.contains(want)),
                "{want} not in {got:?}"
            );
        }
    }

    #[test]
    fn missing_files_are_each_reported() {
        let got = read("d/ex", "ex", &|name| {
            (name == "exercise.toml").then(|| Ok(GOOD.to_string()))
        })
        .unwrap_err();
        assert_eq!(got.len(), 3);
        assert!(got[0].to_string().starts_with("d/ex/start.py: missing"));
    }

    #[test]
    fn ids_are_lowercase_words() {
        for good in ["a", "lost-update", "pool-3"] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "../x"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
