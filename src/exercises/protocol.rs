//! The grader protocol: `check.py` prints one JSON object per check on stdout
//! (`{"name", "passed", "message", "figures"}`); every other line is the program's output.
//! The verdict is a pass iff at least one check line was printed and all passed, and the run
//! neither timed out nor was cancelled; the exit status is not the verdict.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::lessons::sanitize;

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Short name.
    pub name: String,
    /// True if it passed.
    pub passed: bool,
    /// On failure, what went wrong and why (sanitised).
    #[serde(default)]
    pub message: String,
    /// Numbers and strings the check measured.
    #[serde(default)]
    pub figures: Map<String, Value>,
}

/// The longest check name kept (characters).
const MAX_NAME_CHARS: usize = 120;
/// The longest check message kept (characters).
const MAX_MESSAGE_CHARS: usize = 4000;

/// Reads one stdout line as a check line; `None` when it is program output.
pub fn parse_check_line(line: &str) -> Option<Check> {
    let trimmed = line.trim();
    if !trimmed.starts_with('{') || !trimmed.ends_with('}') {
        return None;
    }
    let value: Value = serde_json::from_str(trimmed).ok()?;
    let object = value.as_object()?;
    let name = object.get("name")?.as_str()?;
    let passed = object.get("passed")?.as_bool()?;
    let message = match object.get("message") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return None,
    };
    let figures = match object.get("figures") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return None,
    };
    Some(Check {
        name: shorten(&sanitize::sanitize_line(name), MAX_NAME_CHARS),
        passed,
        message: shorten(&sanitize::sanitize(message), MAX_MESSAGE_CHARS),
        figures,
    })
}

/// True for a line [`parse_check_line`] accepts (the runner pins such lines).
pub fn is_check_line(line: &str) -> bool {
    parse_check_line(line).is_some()
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// The verdict of one grading run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every check passed.
    Passed,
    /// A check failed.
    Failed,
    /// The grader printed no check line (it crashed, or the learner's file broke it).
    NoChecks,
    /// The wall-clock limit passed.
    TimedOut,
}

impl Verdict {
    /// Decides from the checks printed and whether the run timed out.
    pub fn of(checks: &[Check], timed_out: bool) -> Verdict {
        if timed_out {
            Verdict::TimedOut
        } else if checks.is_empty() {
            Verdict::NoChecks
        } else if checks.iter().all(|c| c.passed) {
            Verdict::Passed
        } else {
            Verdict::Failed
        }
    }

    /// True for [`Verdict::Passed`].
    pub fn passed(self) -> bool {
        self == Verdict::Passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_lines_case_table() {
        type Want<'a> = Option<(&'a str, bool, &'a str)>;
        let cases: &[(&str, Want)] = &[
            (
                r#"{"name": "no lost updates", "passed": false, "message": "lost 12", "figures": {"lost": 12}}"#,
                Some(("no lost updates", false, "lost 12")),
            ),
            (r#"{"name": "ok", "passed": true}"#, Some(("ok", true, ""))),
            (
                r#"  {"name": "ok", "passed": true, "message": null, "figures": null}  "#,
                Some(("ok", true, "")),
            ),
            (
                "{\"name\": \"esc\\u001b[2J\", \"passed\": true, \"message\": \"a\\u0007b\"}",
                // Control characters are made visible, never passed to the terminal.
                Some(("esc␛[2J", true, "a␇b")),
            ),
            // Program output, not checks.
            ("hello", None),
            ("{not json}", None),
            (r#"{"name": "x"}"#, None),
            (r#"{"passed": true}"#, None),
            (r#"{"name": "x", "passed": "yes"}"#, None),
            (r#"{"name": 3, "passed": true}"#, None),
            (r#"{"name": "x", "passed": true, "figures": [1]}"#, None),
            (r#"{"name": "x", "passed": true, "message": 5}"#, None),
            (r#"[{"name": "x", "passed": true}]"#, None),
            ("", None),
        ];
        for (line, want) in cases {
            let got = parse_check_line(line);
            match (got, want) {
                (None, None) => {}
                (Some(c), Some((name, passed, message))) => {
                    assert_eq!(
                        (c.name.as_str(), c.passed, c.message.as_str()),
                        (*name, *passed, *message),
                        "{line}"
                    );
                }
                (got, want) => panic!("{line}: got {got:?}, want {want:?}"),
            }
        }
        let figures = parse_check_line(
            r#"{"name": "a", "passed": true, "figures": {"runs": 20, "who": "t1"}}"#,
        )
        .unwrap()
        .figures;
        assert_eq!(figures["runs"], 20);
        assert_eq!(figures["who"], "t1");
    }

    #[test]
    fn long_messages_are_shortened() {
        let line = format!(
            r#"{{"name": "a", "passed": false, "message": "{}"}}"#,
            "x".repeat(10_000)
        );
        let check = parse_check_line(&line).unwrap();
        assert_eq!(check.message.chars().count(), MAX_MESSAGE_CHARS);
    }

    #[test]
    fn verdicts() {
        let pass = parse_check_line(r#"{"name": "a", "passed": true}"#).unwrap();
        let fail = parse_check_line(r#"{"name": "b", "passed": false}"#).unwrap();
        assert_eq!(
            Verdict::of(std::slice::from_ref(&pass), false),
            Verdict::Passed
        );
        assert_eq!(Verdict::of(&[pass.clone(), fail], false), Verdict::Failed);
        assert_eq!(Verdict::of(&[], false), Verdict::NoChecks);
        assert_eq!(Verdict::of(&[pass], true), Verdict::TimedOut);
    }
}
