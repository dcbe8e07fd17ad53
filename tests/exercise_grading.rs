//! Grading with a real python3: the fixture's and every built-in starter fails and every
//! solution passes; the environment is as the protocol says; the time limit and a 50 MB
//! print flood are survived; a save re-runs the checks through the watcher and the grader.
//! Under `CI=true` a missing python3 fails these tests; elsewhere they are skipped, saying so.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use pyconc::app::exercise::ExerciseScreen;
use pyconc::child::Cancel;
use pyconc::exercises::grader::{Grader, GraderEvent, Job};
use pyconc::exercises::protocol::Verdict;
use pyconc::exercises::{Exercise, ExerciseSet, grade, pack_check};
use pyconc::lessons::Problem;
use pyconc::progress::{ExerciseState, Progress};
use pyconc::pythons::{self, Interpreter};

fn python3() -> Option<Interpreter> {
    let path = common::python::python3_or_skip("exercise grading")?;
    Some(pythons::probe(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn fixture_pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exercise-pack")
}

fn fixture_exercise() -> Exercise {
    ExerciseSet::from_pack(&fixture_pack())
        .unwrap()
        .get("sum-squares")
        .unwrap()
        .clone()
}

fn with_check(check: &str, limit_s: u32) -> Exercise {
    Exercise {
        check: check.to_string(),
        time_limit_s: limit_s,
        ..fixture_exercise()
    }
}

fn learner_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("learner.py");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_starter_fails_and_every_solution_passes() {
    let Some(python) = python3() else { return };
    for set in [
        ExerciseSet::embedded().expect("the built-in exercises load"),
        ExerciseSet::from_pack(&fixture_pack()).unwrap(),
    ] {
        let summary = pack_check::run_all(&set, &python);
        assert!(
            summary.problems.is_empty(),
            "{}",
            Problem::lines(&summary.problems)
        );
        let runnable = set
            .exercises
            .iter()
            .filter(|e| python.version >= e.min_python)
            .count();
        assert_eq!(summary.graded, 2 * runnable);
    }
}

#[test]
fn every_other_interpreter_found_agrees_when_asked() {
    // All interpreters take minutes on a shared machine: only with PYCONC_TEST_ALL_PYTHONS.
    if std::env::var_os("PYCONC_TEST_ALL_PYTHONS").is_none() {
        eprintln!("skipped: set PYCONC_TEST_ALL_PYTHONS=1 to grade with every interpreter found");
        return;
    }
    let set = ExerciseSet::embedded().unwrap();
    let mut problems = Vec::new();
    for python in pythons::discover(None).usable() {
        problems.extend(pack_check::run_all(&set, python).problems);
    }
    assert!(problems.is_empty(), "{}", Problem::lines(&problems));
}

#[test]
fn the_grader_sees_the_protocols_environment() {
    let Some(python) = python3() else { return };
    let check = r#"
import os, sys
import pyconc_check
pyconc_check.report("exercise id", os.environ.get("PYCONC_EXERCISE") == "sum-squares", os.environ.get("PYCONC_EXERCISE", ""))
pyconc_check.report("time limit", os.environ.get("PYCONC_TIME_LIMIT") == "7", os.environ.get("PYCONC_TIME_LIMIT", ""))
pyconc_check.report("no bytecode", os.environ.get("PYTHONDONTWRITEBYTECODE") == "1")
pyconc_check.report("fresh cwd", os.listdir(".") == [], str(os.listdir(".")))
pyconc_check.report("stdin closed", sys.stdin is None or sys.stdin.read() == "")
pyconc_check.report("utf8 mode", sys.flags.utf8_mode == 1)
pyconc_check.report("learner path", os.path.isabs(sys.argv[1]) and os.path.exists(sys.argv[1]), sys.argv[1])
print("héllo \x1b[31mred")
"#;
    let dir = tempfile::tempdir().unwrap();
    let file = learner_file(dir.path(), "x = 1\n");
    let report = grade::grade(&with_check(check, 7), &file, &python, &Cancel::new()).unwrap();
    for c in &report.checks {
        assert!(c.passed, "{}: {}", c.name, c.message);
    }
    assert_eq!(report.verdict, Verdict::Passed);
    // Program output is sanitised: the escape sequence never reaches the screen.
    assert_eq!(report.output.len(), 1);
    assert!(report.output[0].starts_with("héllo"), "{:?}", report.output);
    assert!(!report.output[0].contains('\x1b'));
}

#[test]
fn a_hung_grader_times_out_with_a_note() {
    let Some(python) = python3() else { return };
    let check = "import time\nprint('waiting forever', flush=True)\ntime.sleep(60)\n";
    let dir = tempfile::tempdir().unwrap();
    let file = learner_file(dir.path(), "x = 1\n");
    let report = grade::grade(&with_check(check, 1), &file, &python, &Cancel::new()).unwrap();
    assert_eq!(report.verdict, Verdict::TimedOut);
    assert!(report.note.as_deref().unwrap().contains("1 s limit"));
    assert_eq!(report.output, ["waiting forever"]);
    assert!(report.seconds < 30.0);
}

#[test]
fn a_crashing_grader_is_no_checks_with_its_traceback() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = learner_file(dir.path(), "x = 1\n");
    let check = "raise RuntimeError('the grader broke')\n";
    let report = grade::grade(&with_check(check, 10), &file, &python, &Cancel::new()).unwrap();
    assert_eq!(report.verdict, Verdict::NoChecks);
    assert!(
        report
            .output
            .iter()
            .any(|l| l.contains("RuntimeError: the grader broke")),
        "{:?}",
        report.output
    );
    assert_eq!(report.exit_code, Some(1));
    assert!(report.note.unwrap().contains("before reporting any check"));
}

#[test]
fn a_learner_file_that_does_not_import_fails_with_the_traceback() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = learner_file(dir.path(), "def sum_squares(:\n");
    let report = grade::grade(&fixture_exercise(), &file, &python, &Cancel::new()).unwrap();
    assert_ne!(report.verdict, Verdict::Passed);
    assert!(
        report.output.iter().any(|l| l.contains("SyntaxError")),
        "{:?}",
        report.output
    );
}

/// A background grader, and the receiver of its events.
fn grader_and_events() -> (Grader, mpsc::Receiver<GraderEvent>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let grader = Grader::spawn(move |e| {
        let _ = tx.lock().unwrap().send(e);
    })
    .unwrap();
    (grader, rx)
}

#[test]
fn a_new_job_cancels_the_run_in_progress() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = learner_file(dir.path(), "x = 1\n");
    let (mut grader, rx) = grader_and_events();
    let job = |check: &str| Job {
        exercise: Arc::new(with_check(check, 60)),
        file: file.clone(),
        python: python.clone(),
        free_threaded: None,
    };
    let slow = grader.submit(job("import time\ntime.sleep(60)\n"));
    // Wait until the slow one runs, then replace it.
    loop {
        match rx.recv_timeout(Duration::from_secs(60)).expect("an event") {
            GraderEvent::Started(seq) if seq == slow => break,
            _ => {}
        }
    }
    let started = std::time::Instant::now();
    let quick = grader.submit(job("from pyconc_check import report\nreport('ok', True)\n"));
    loop {
        match rx.recv_timeout(Duration::from_secs(60)).expect("an event") {
            GraderEvent::Finished(seq, result) => {
                assert_eq!(seq, quick, "the cancelled run never reports");
                let runs = result.unwrap();
                assert_eq!(runs.len(), 1, "no free-threaded interpreter, one run");
                assert!(runs[0].verdict.passed());
                break;
            }
            GraderEvent::Started(_) => {}
        }
    }
    // The 60 s sleeper was killed, not waited for.
    assert!(started.elapsed() < Duration::from_secs(30));
    drop(grader);
}

#[test]
fn check_lines_survive_a_50_mb_flood() {
    let Some(python) = python3() else { return };
    let check = "import sys\nfrom pyconc_check import report\n\
                 line = 'x' * 1023 + '\\n'\n\
                 for _ in range(51200):\n    sys.stdout.write(line)\n\
                 report('after the flood', True)\n";
    let dir = tempfile::tempdir().unwrap();
    let file = learner_file(dir.path(), "x = 1\n");
    let report = grade::grade(&with_check(check, 60), &file, &python, &Cancel::new()).unwrap();
    assert_eq!(report.verdict, Verdict::Passed);
    assert!(
        report.dropped_bytes > 50_000_000,
        "{}",
        report.dropped_bytes
    );
    let kept: usize = report.output.iter().map(|l| l.len() + 1).sum();
    assert!(kept <= pyconc::child::OUTPUT_CAP_BYTES);
}

#[test]
fn a_save_re_runs_the_checks() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let exercise = fixture_exercise();
    let file = dir.path().join("sum_squares.py");
    std::fs::write(&file, &exercise.start).unwrap();
    let mut screen = ExerciseScreen::new(Arc::new(exercise.clone()), Ok(file.clone()));
    let (tx, rx) = mpsc::channel::<()>();
    let tx = Mutex::new(tx);
    let found = pythons::Found {
        interpreters: vec![python],
        failures: vec![],
    };
    screen.start(
        Some(found),
        None,
        Arc::new(move || {
            let _ = tx.lock().unwrap().send(());
        }),
    );
    let mut progress = Progress::default();
    // Waits (bounded, generously) until a grading finishes and returns its verdict.
    let mut next_verdict = |screen: &mut ExerciseScreen| -> Verdict {
        screen.last = None;
        for _ in 0..600 {
            if rx.recv_timeout(Duration::from_secs(60)).is_err() {
                break;
            }
            screen.drain(&mut progress);
            if let Some(result) = &screen.last {
                return result.as_ref().expect("graded").verdict;
            }
        }
        panic!("no verdict arrived");
    };
    // Opening grades the starter: it fails.
    assert_eq!(next_verdict(&mut screen), Verdict::Failed);
    // The learner saves the solution: the watcher fires and a new verdict arrives.
    std::fs::write(&file, &exercise.solution).unwrap();
    assert_eq!(next_verdict(&mut screen), Verdict::Passed);
    assert_eq!(
        progress.exercise_state("sum-squares"),
        ExerciseState::Passed
    );
    assert_eq!(progress.exercises["sum-squares"].failed_tries, 1);
    screen.stop();
}

/// Grades `check` through the background grader with `python3` and the fake free-threaded
/// interpreter; returns the runs it reports.
#[cfg(unix)]
fn grade_on_both(check: &str) -> Option<Vec<grade::Report>> {
    let python = python3()?;
    let dir = tempfile::tempdir().unwrap();
    let free = pythons::probe(&common::fake_python::free_threaded(dir.path())).unwrap();
    assert!(free.free_threaded);
    let file = learner_file(dir.path(), "x = 1\n");
    let (mut grader, rx) = grader_and_events();
    let seq = grader.submit(Job {
        exercise: Arc::new(with_check(check, 60)),
        file,
        python,
        free_threaded: Some(free),
    });
    loop {
        match rx.recv_timeout(Duration::from_secs(120)).expect("an event") {
            GraderEvent::Finished(s, result) if s == seq => {
                return Some(result.unwrap());
            }
            _ => {}
        }
    }
}

#[cfg(unix)]
#[test]
fn a_pass_is_graded_again_on_a_free_threaded_interpreter() {
    let check = "from pyconc_check import report\nreport('ok', True)\n";
    let Some(runs) = grade_on_both(check) else {
        return;
    };
    let names: Vec<&str> = runs.iter().map(|r| r.python_name.as_str()).collect();
    assert_eq!(runs.len(), 2, "{names:?}");
    assert!(runs.iter().all(|r| r.verdict.passed()), "{names:?}");
    assert!(names[1].contains("free-threaded"), "{names:?}");
}

#[cfg(unix)]
#[test]
fn a_failure_only_without_the_gil_is_the_deciding_run() {
    let check = "import os\nfrom pyconc_check import report\n\
                 report('holds without the GIL', os.environ.get('PYCONC_FAKE_FREE_THREADED') != '1')\n";
    let Some(runs) = grade_on_both(check) else {
        return;
    };
    assert_eq!(runs.len(), 2);
    assert!(runs[0].verdict.passed());
    assert_eq!(runs[1].verdict, Verdict::Failed);
}

#[cfg(unix)]
#[test]
fn a_failure_on_the_chosen_interpreter_stops_there() {
    let check = "from pyconc_check import report\nreport('never', False)\n";
    let Some(runs) = grade_on_both(check) else {
        return;
    };
    assert_eq!(
        runs.len(),
        1,
        "the free-threaded run is skipped after a failure"
    );
}
