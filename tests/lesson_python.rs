//! Content checks on every embedded lesson (issue 7): each ```` ```python ```` block compiles
//! with `python3`, each ```` ```python run ```` block runs and exits 0 (killed after
//! [`RUN_TIMEOUT`]), blocks marked `requires=X.Y` are checked only on Python X.Y or newer;
//! every demo block names a registered demo with valid parameters; every lesson has a demo
//! and at least [`MIN_QUIZZES`] quizzes. Without `python3` the Python checks say they are
//! skipped and pass. Every failure names `file:line`.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pyconc::lessons::markdown::CodeBlock;
use pyconc::lessons::{Catalog, Lesson, check_demos};

/// A `python run` block that takes longer than this has hung: it is killed and fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a running block is polled for its exit.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Every lesson asks at least this many questions.
const MIN_QUIZZES: usize = 3;

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
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn is_python(code: &CodeBlock) -> bool {
    matches!(code.lang.as_str(), "python" | "py" | "python3")
}

/// The block padded with blank lines so Python's line numbers are the markdown file's.
fn at_file_lines(code: &CodeBlock) -> String {
    let mut text = "\n".repeat(code.first_code_line.saturating_sub(1));
    text.push_str(&code.text);
    text.push('\n');
    text
}

/// `python3`'s (major, minor), or `None` when there is no usable `python3`.
fn python_version() -> Option<(u32, u32)> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; print(sys.version_info[0], sys.version_info[1])",
        ])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace().map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// The Python blocks to check on this Python, and a line for each one skipped.
fn python_blocks(
    lessons: &[Lesson],
    version: (u32, u32),
) -> (Vec<(&Lesson, &CodeBlock)>, Vec<String>) {
    let mut checked = Vec::new();
    let mut skipped = Vec::new();
    for lesson in lessons {
        for code in lesson.code_blocks().into_iter().filter(|c| is_python(c)) {
            match code.requires {
                Some(needed) if needed > version => skipped.push(format!(
                    "{}:{}: skipped: needs Python {}.{}, python3 is {}.{}",
                    lesson.path, code.line, needed.0, needed.1, version.0, version.1
                )),
                _ => checked.push((lesson, code)),
            }
        }
    }
    (checked, skipped)
}

#[test]
fn every_python_block_compiles() {
    let Some(version) = python_version() else {
        println!("python3 not found: Python compile checks skipped");
        return;
    };
    let catalog = catalog();
    let (blocks, skipped) = python_blocks(&catalog.lessons, version);
    for line in &skipped {
        println!("{line}");
    }
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
    let mut child = Command::new("python3")
        .args(["-c", COMPILE_ALL_PY])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&payload).expect("json").as_bytes())
        .expect("send blocks");
    let out = child.wait_with_output().expect("python3 finishes");
    let failures = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the compile checker failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        failures.trim().is_empty(),
        "python blocks that do not compile:\n{failures}"
    );
    println!(
        "{} python blocks compile on Python {}.{}",
        blocks.len(),
        version.0,
        version.1
    );
}

/// Runs one block as a script in a fresh temporary folder; `Err` says why it failed.
fn run_block(lesson: &Lesson, code: &CodeBlock) -> Result<Duration, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("no temp dir: {e}"))?;
    let script = dir.path().join("block.py");
    std::fs::write(&script, at_file_lines(code)).map_err(|e| format!("write: {e}"))?;
    let started = Instant::now();
    let mut child = Command::new("python3")
        .arg(&script)
        .current_dir(dir.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3 did not start: {e}"))?;
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
            Err(e) => return Err(format!("waiting for python3: {e}")),
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
    let where_ = format!("{}:{}", lesson.path, code.line);
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

#[test]
fn every_python_run_block_runs_and_exits_0() {
    let Some(version) = python_version() else {
        println!("python3 not found: Python run checks skipped");
        return;
    };
    let catalog = catalog();
    let (blocks, skipped) = python_blocks(&catalog.lessons, version);
    for line in skipped {
        println!("{line}");
    }
    let mut failures = Vec::new();
    let mut ran = 0;
    for (lesson, code) in blocks.into_iter().filter(|(_, c)| c.run) {
        ran += 1;
        match run_block(lesson, code) {
            Ok(elapsed) => println!(
                "{}:{}: ran in {:.2} s",
                lesson.path,
                code.line,
                elapsed.as_secs_f64()
            ),
            Err(failure) => failures.push(failure),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{ran} python run blocks exit 0");
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
