//! Content checks on every embedded lesson (issues 7, 15): each ```` ```python ```` block
//! compiles and each ```` ```python run ```` block runs and exits 0 (killed after
//! [`RUN_TIMEOUT`]) under EVERY interpreter [`interpreters`] finds (3.11 and newer: PATH's
//! `python3` and `python3.X`, pyenv's versions folder, and `PYCONC_TEST_PYTHONS`, a
//! `:`-separated list of extra interpreters such as `/work/py314/bin/python3.14`); blocks
//! marked `requires=X.Y` are checked only on Python X.Y or newer; every demo block names a
//! registered demo with valid parameters; every lesson has a demo and at least
//! [`MIN_QUIZZES`] quizzes. Without any Python the Python checks say they are skipped and
//! pass, except under `CI=true`, where a missing `python3` fails. Every failure names
//! `file:line` and the interpreter.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pyconc::lessons::markdown::CodeBlock;
use pyconc::lessons::python_blocks::{at_file_lines, is_python};
use pyconc::lessons::{Catalog, Lesson, Problem, check_demos};
use pyconc::pythons;

/// A `python run` block that takes longer than this has hung: it is killed and fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a running block is polled for its exit.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Every lesson asks at least this many questions.
const MIN_QUIZZES: usize = 3;
/// The oldest Python the lessons are written for; older interpreters found are skipped.
const OLDEST_PYTHON: (u32, u32) = (3, 11);

/// Compiles every block given as JSON on stdin; prints one `file:line: error` per failure.
const COMPILE_ALL_PY: &str = r#"
import json, sys
for block in json.load(sys.stdin):
    try:
        compile(block["code"], block["file"], "exec")
    except SyntaxError as e:
        print(f"{block['file']}:{e.lineno}: {e.msg}")
    except Exception as e:
        print(f"{block['file']}:{block['line']}: {type(e).__name__}: {e}")
"#;

fn catalog() -> Catalog {
    match Catalog::embedded() {
        Ok(catalog) => catalog,
        Err(problems) => panic!(
            "embedded lessons do not pass `pyconc check`:\n{}",
            Problem::lines(&problems)
        ),
    }
}

/// One interpreter to test with: its path and (major, minor).
#[derive(Debug, Clone)]
struct Python {
    exe: PathBuf,
    version: (u32, u32),
}

impl Python {
    fn name(&self) -> String {
        format!(
            "{} ({}.{})",
            self.exe.display(),
            self.version.0,
            self.version.1
        )
    }
}

/// Every distinct Python 3.11+ to test with: what `pyconc::pythons` finds (PATH's `python3`
/// and `python3.X`, pyenv's versions folder, uv's, `PYCONC_PYTHON`) plus
/// `PYCONC_TEST_PYTHONS`, probed together and deduplicated by the real executable, oldest
/// first.
fn interpreters() -> Vec<Python> {
    let mut candidates = pythons::sources::candidates(pythons::choice::named(None).as_deref());
    if let Some(extra) = std::env::var_os("PYCONC_TEST_PYTHONS") {
        candidates.extend(
            std::env::split_paths(&extra).map(|path| pythons::Candidate {
                path,
                source: pythons::Source::Given,
            }),
        );
    }
    let mut found: Vec<Python> = pythons::probe_all(candidates)
        .interpreters
        .into_iter()
        .map(|i| Python {
            exe: i.path,
            version: (i.version.0, i.version.1),
        })
        .filter(|p| p.version >= OLDEST_PYTHON)
        .collect();
    found.sort_by_key(|p| p.version);
    found
}

/// The interpreters to test with; empty means skip, except under `CI=true`, where no
/// `python3` is a failure.
fn pythons_or_skip(what: &str) -> Vec<Python> {
    let pythons = interpreters();
    if common::python::under_ci() {
        assert!(
            pythons::probe(Path::new("python3")).is_ok()
                || pythons.iter().any(|p| p.exe.ends_with("python3")),
            "CI=true but no python3 on PATH: the {what} checks cannot be skipped in CI"
        );
    }
    if pythons.is_empty() {
        println!("no Python 3.11+ found: {what} checks skipped");
    }
    for p in &pythons {
        println!("{what} with {}", p.name());
    }
    pythons
}

/// Python blocks to check, each with its lesson.
type Blocks<'a> = Vec<(&'a Lesson, &'a CodeBlock)>;

/// The Python blocks to check on this Python; prints a line for each one it needs a newer
/// Python for.
fn python_blocks(lessons: &[Lesson], version: (u32, u32)) -> Blocks<'_> {
    let mut checked = Vec::new();
    for lesson in lessons {
        for code in lesson.code_blocks().into_iter().filter(|c| is_python(c)) {
            match code.requires {
                Some(needed) if needed > version => println!(
                    "{}:{}: skipped: needs Python {}.{}, this one is {}.{}",
                    lesson.path, code.line, needed.0, needed.1, version.0, version.1
                ),
                _ => checked.push((lesson, code)),
            }
        }
    }
    checked
}

/// Runs `check` with the blocks each Python found can check; every failure it gives, each
/// naming its block and Python.
fn on_every_python(what: &str, check: fn(&Python, Blocks) -> Vec<String>) -> Vec<String> {
    let catalog = catalog();
    let mut failures = Vec::new();
    for python in pythons_or_skip(what) {
        failures.extend(check(
            &python,
            python_blocks(&catalog.lessons, python.version),
        ));
    }
    failures
}

/// Compiles `blocks` on `python` in one go; a line for each that does not compile.
fn compile_blocks(python: &Python, blocks: Blocks) -> Vec<String> {
    let payload: Vec<serde_json::Value> = blocks
        .iter()
        .map(|(lesson, code)| {
            serde_json::json!({
                "file": lesson.path,
                "line": code.line,
                "code": at_file_lines(code),
            })
        })
        .collect();
    let mut child = Command::new(&python.exe)
        .args(["-c", COMPILE_ALL_PY])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&payload).expect("json").as_bytes())
        .expect("send blocks");
    let out = child.wait_with_output().expect("python finishes");
    assert!(
        out.status.success(),
        "the compile checker failed on {}: {}",
        python.name(),
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "{} python blocks compiled on {}",
        blocks.len(),
        python.name()
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| format!("{line} (on {})", python.name()))
        .collect()
}

#[test]
fn every_python_block_compiles() {
    let failures = on_every_python("Python compile", compile_blocks);
    assert!(
        failures.is_empty(),
        "python blocks that do not compile:\n{}",
        failures.join("\n")
    );
}

/// Runs one block as a script in a fresh temporary folder; `Err` says why it failed.
fn run_block(python: &Python, lesson: &Lesson, code: &CodeBlock) -> Result<Duration, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("no temp dir: {e}"))?;
    let script = dir.path().join("block.py");
    std::fs::write(&script, at_file_lines(code)).map_err(|e| format!("write: {e}"))?;
    let started = Instant::now();
    let mut child = Command::new(&python.exe)
        .arg(&script)
        .current_dir(dir.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{} did not start: {e}", python.name()))?;
    // Drain output on threads so a chatty block cannot fill a pipe and stall.
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut buf = String::new();
        if let Some(s) = stdout.as_mut() {
            let _ = std::io::Read::read_to_string(s, &mut buf);
        }
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = std::io::Read::read_to_string(s, &mut buf);
        }
        buf
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > RUN_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(POLL_INTERVAL),
            Err(e) => return Err(format!("waiting for {}: {e}", python.name())),
        }
    };
    let elapsed = started.elapsed();
    let _ = out_reader.join();
    let stderr = err_reader.join().unwrap_or_default();
    let tail: String = stderr
        .lines()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n    ");
    let where_ = format!("{}:{} on {}", lesson.path, code.line, python.name());
    match status {
        None => Err(format!(
            "{where_}: python run block still running after {} s: killed",
            RUN_TIMEOUT.as_secs()
        )),
        Some(status) if !status.success() => Err(format!(
            "{where_}: python run block failed ({status}):\n    {tail}"
        )),
        Some(_) => Ok(elapsed),
    }
}

/// Runs each `run` block of `blocks` on `python`; why each that failed did.
fn run_blocks(python: &Python, blocks: Blocks) -> Vec<String> {
    let mut failures = Vec::new();
    let mut ran = 0;
    for (lesson, code) in blocks.into_iter().filter(|(_, c)| c.run) {
        ran += 1;
        match run_block(python, lesson, code) {
            Ok(elapsed) => println!(
                "{}:{}: ran in {:.2} s on {}",
                lesson.path,
                code.line,
                elapsed.as_secs_f64(),
                python.name()
            ),
            Err(failure) => failures.push(failure),
        }
    }
    println!("{ran} python run blocks ran on {}", python.name());
    failures
}

#[test]
fn every_python_run_block_runs_and_exits_0() {
    let failures = on_every_python("Python run", run_blocks);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_lesson_has_valid_demos_and_enough_quizzes() {
    let catalog = catalog();
    let mut failures: Vec<String> = Vec::new();
    for lesson in &catalog.lessons {
        failures.extend(
            check_demos(&lesson.path, &lesson.demos)
                .iter()
                .map(|p| p.to_string()),
        );
        if lesson.demos.is_empty() {
            failures.push(format!(
                "{}:1: lesson `{}` has no ```demo block",
                lesson.path, lesson.meta.id
            ));
        }
        if lesson.quizzes.len() < MIN_QUIZZES {
            failures.push(format!(
                "{}:1: lesson `{}` has {} quiz blocks, needs at least {MIN_QUIZZES}",
                lesson.path,
                lesson.meta.id,
                lesson.quizzes.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn timing_constants_are_sane() {
    assert!(
        RUN_TIMEOUT >= Duration::from_secs(30),
        "generous for slow CI"
    );
    assert!(POLL_INTERVAL < Duration::from_millis(100));
}
