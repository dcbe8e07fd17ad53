//! `pyconc check`'s Python step: every ```` ```python ```` block of a pack must compile.
//!
//! All blocks of a pack go to ONE `python3` process as a JSON file; a small script
//! compiles each (nothing is executed) and answers one JSON line per block that does not
//! compile. Each block is padded with blank lines so Python's line numbers are the markdown
//! file's. A block marked `requires=X.Y` is compiled only by Python X.Y or newer. With no
//! Python at all, the step is skipped with a note: that is not a problem in the pack.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::{Lesson, Problem, markdown::CodeBlock, sanitize};
use crate::child::capture::{self, ChildSpec, Stream};
use crate::child::{Cancel, Exit};

/// The compile script runs at most this long; then it is killed and reported.
pub const COMPILE_TIMEOUT: Duration = Duration::from_secs(20);
/// At most this much of the script's output is read (a pack's messages are short).
const OUTPUT_CAP_BYTES: usize = 1 << 20;

/// Reads `{"blocks": [{file, line, code, requires}]}` from the file named by its argument;
/// prints one JSON line `{file, line, message}` per block that does not compile. Standard
/// library only.
const COMPILE_SCRIPT_PY: &str = r#"
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    blocks = json.load(f)["blocks"]
for b in blocks:
    need = b.get("requires")
    if need and tuple(sys.version_info[:2]) < tuple(need):
        continue
    try:
        compile(b["code"], b["file"], "exec", dont_inherit=True)
    except SyntaxError as e:
        line = e.lineno or b["line"]
        print(json.dumps({"file": b["file"], "line": line, "message": e.msg}))
    except Exception as e:
        print(json.dumps({"file": b["file"], "line": b["line"],
                          "message": f"{type(e).__name__}: {e}"}))
"#;

/// What the Python step found: problems (file:line) and, when it could not run, why.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PythonCheck {
    /// One problem per block that does not compile.
    pub problems: Vec<Problem>,
    /// A note for the user when the step was skipped (no Python) or partly done.
    pub note: Option<String>,
}

/// True for the info strings that mean Python code.
pub fn is_python(code: &CodeBlock) -> bool {
    matches!(code.lang.as_str(), "python" | "py" | "python3")
}

/// The block padded with blank lines so Python's line numbers are the markdown file's.
pub fn at_file_lines(code: &CodeBlock) -> String {
    let mut text = "\n".repeat(code.first_code_line.saturating_sub(1));
    text.push_str(&code.text);
    text.push('\n');
    text
}

/// Compiles every Python block of `lessons` with `python` (`None`: none was found, the step
/// is skipped with a note).
pub fn check_python_blocks(lessons: &[Lesson], python: Option<&Path>) -> PythonCheck {
    let blocks: Vec<serde_json::Value> = lessons
        .iter()
        .flat_map(|lesson| {
            lesson
                .code_blocks()
                .into_iter()
                .filter(|c| is_python(c))
                .map(|code| {
                    serde_json::json!({
                        "file": lesson.path,
                        "line": code.line,
                        "code": at_file_lines(code),
                        "requires": code.requires.map(|(a, b)| vec![a, b]),
                    })
                })
        })
        .collect();
    if blocks.is_empty() {
        return PythonCheck::default();
    }
    let Some(python) = python else {
        return PythonCheck {
            problems: Vec::new(),
            note: Some("note: no python3 found: Python blocks were not compiled".to_string()),
        };
    };
    let payload = serde_json::json!({ "blocks": blocks }).to_string();
    match run_compile_script(python, &payload) {
        Ok(stdout) => PythonCheck {
            problems: parse_answers(&stdout),
            note: None,
        },
        Err(why) => PythonCheck {
            problems: Vec::new(),
            note: Some(format!("note: Python blocks were not compiled: {why}")),
        },
    }
}

/// `pyconc check [DIR]`'s Python step for the pack in `dir` (the built-in lessons when
/// `None`) with `python` (see [`crate::pythons::choose`]); empty when the pack itself does not
/// load (its problems are reported first).
pub fn check_pack(dir: Option<&Path>, python: Option<&Path>) -> PythonCheck {
    let catalog = match dir {
        Some(dir) => super::Catalog::from_dir(dir),
        None => super::Catalog::embedded(),
    };
    match catalog {
        Ok(catalog) => check_python_blocks(&catalog.lessons, python),
        Err(_) => PythonCheck::default(),
    }
}

/// Reads the script's JSON lines into problems; text from the pack is sanitised.
fn parse_answers(stdout: &str) -> Vec<Problem> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|v| {
            let file = sanitize::sanitize_line(v["file"].as_str().unwrap_or("?"));
            let line = v["line"].as_u64().unwrap_or(0) as usize;
            let message = sanitize::sanitize_line(v["message"].as_str().unwrap_or("?"));
            Problem::new(
                &file,
                line,
                format!("python block does not compile: {message}"),
            )
        })
        .collect()
}

/// Runs the compile script on `payload` (written to a temporary file the script reads: the
/// child runner closes stdin) through [`crate::child`], so the script runs in its own process
/// group under [`COMPILE_TIMEOUT`] with its output capped; its stdout, or why it failed.
fn run_compile_script(python: &Path, payload: &str) -> Result<String, String> {
    let shown = sanitize::sanitize_path(python);
    let cannot_write = |e: std::io::Error| format!("could not write the blocks for {shown}: {e}");
    let mut file = tempfile::NamedTempFile::new().map_err(cannot_write)?;
    file.write_all(payload.as_bytes())
        .and_then(|()| file.flush())
        .map_err(cannot_write)?;
    let mut spec = ChildSpec::new(python, COMPILE_TIMEOUT).args([
        OsStr::new("-I"),
        OsStr::new("-c"),
        OsStr::new(COMPILE_SCRIPT_PY),
        file.path().as_os_str(),
    ]);
    spec.env
        .push(("PYTHONDONTWRITEBYTECODE".into(), "1".into()));
    spec.output_cap = OUTPUT_CAP_BYTES;
    let run =
        capture::run(&spec, &Cancel::new()).map_err(|e| format!("{shown} did not start: {e}"))?;
    let text = |stream: Stream| -> Vec<&str> {
        run.lines
            .iter()
            .filter(|(s, _)| *s == stream)
            .map(|(_, line)| line.as_str())
            .collect()
    };
    match run.ending {
        Exit::Code(0) => Ok(text(Stream::Stdout).join("\n")),
        Exit::TimedOut => Err(format!(
            "{shown} took over {} s: killed",
            COMPILE_TIMEOUT.as_secs()
        )),
        ending => Err(format!(
            "the compile script {}: {}",
            ending.describe(),
            sanitize::sanitize_line(text(Stream::Stderr).last().unwrap_or(&"no message"))
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(body: &str) -> Lesson {
        let text = format!("---\nid: t\ntitle: T\norder: 1\n---\n{body}");
        Lesson::parse("t.md", &text).expect("parses")
    }

    #[test]
    fn answers_become_file_line_problems_and_are_sanitised() {
        let out = "{\"file\": \"a.md\", \"line\": 7, \"message\": \"invalid \\u001b[31msyntax\"}\n";
        let problems = parse_answers(out);
        assert_eq!(problems.len(), 1);
        let shown = problems[0].to_string();
        assert!(shown.starts_with("a.md:7: python block does not compile: invalid"));
        assert!(!shown.contains('\u{1b}'), "{shown:?}");
    }

    #[test]
    fn padding_keeps_file_line_numbers() {
        let l = lesson("\ntext\n\n```python\nx = 1\n```\n");
        let code = l.code_blocks()[0];
        let padded = at_file_lines(code);
        assert_eq!(
            padded.lines().position(|s| s == "x = 1"),
            Some(code.first_code_line - 1)
        );
    }

    #[test]
    fn a_broken_block_is_reported_where_python_exists() {
        let Ok(python) = crate::pythons::choose(None, None) else {
            return; // nothing to test without Python; the note path is covered below
        };
        let l = lesson(
            "\n```python\nok = 1\n```\n\n```python\ndef (:\n```\n\n```python requires=9.99\ndef (:\n```\n",
        );
        let found = check_python_blocks(&[l], Some(&python.path));
        assert_eq!(found.note, None);
        assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
        assert_eq!(
            found.problems[0].line, 12,
            "the line of `def (:` in the file"
        );
    }

    #[test]
    fn without_python_the_blocks_are_skipped_with_a_note() {
        let l = lesson("\n```python\nok = 1\n```\n");
        let found = check_python_blocks(&[l], None);
        assert!(found.problems.is_empty());
        assert!(found.note.unwrap().contains("no python3 found"));
    }

    #[cfg(unix)]
    #[test]
    fn a_python_that_fails_is_a_note_with_its_last_error_line() {
        let dir = tempfile::tempdir().unwrap();
        let fake = crate::pythons::fake::script(
            dir.path(),
            "python3",
            "echo first >&2\nprintf 'boom \\033[31mred\\n' >&2\nexit 3\n",
        );
        let l = lesson("\n```python\nok = 1\n```\n");
        let found = check_python_blocks(&[l], Some(&fake));
        assert!(found.problems.is_empty());
        let note = found.note.unwrap();
        assert!(note.contains("exited with code 3: boom"), "{note}");
        assert!(!note.contains('\u{1b}'), "sanitised: {note:?}");
    }

    #[test]
    fn no_python_blocks_is_no_work() {
        let l = lesson("\ntext only\n");
        assert_eq!(check_python_blocks(&[l], None), PythonCheck::default());
    }
}
