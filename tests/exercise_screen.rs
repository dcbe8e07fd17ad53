//! The exercise screen: drawn into ratatui's TestBackend at 80x24, 200x60 and a tiny size
//! (insta snapshots of a fixed, failed grading), the no-Python message, and the keys a
//! learner uses: Enter on an exercise card opens it, `h` shows hints, `s` is gated, `r`
//! asks before resetting and keeps a backup, `q` goes back.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::shell::{press, screen};
use crossterm::event::{Event, KeyCode};
use pyconc::app::exercise::{ExerciseScreen, Pythons};
use pyconc::app::{App, Msg};
use pyconc::exercises::ExerciseSet;
use pyconc::exercises::grade::Report;
use pyconc::exercises::protocol::{Verdict, parse_check_line};
use pyconc::lessons::Catalog;
use pyconc::progress::{ExerciseState, ProgressStore};
use pyconc::pythons::{Found, Interpreter, Source, Version};
use pyconc::theme::{Theme, ThemeName};

fn pack_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exercise-pack")
}

fn app_in(home: &Path, w: u16, h: u16) -> App {
    let catalog = Catalog::from_dir(&pack_dir()).unwrap();
    let mut app = App::new(
        catalog,
        Theme::new(ThemeName::Dark, false),
        Some(ProgressStore::in_dir(home)),
        None,
    );
    app.exercises = ExerciseSet::from_pack(&pack_dir()).unwrap();
    app.exercise_setup.dir = Some(home.join("work"));
    // No discovery, no grading: these tests drive the screen by hand.
    app.exercise_setup.found = Some(Found::default());
    app.update(Msg::Terminal(Event::Resize(w, h)));
    app
}

fn python() -> Interpreter {
    Interpreter {
        path: "/usr/bin/python3.13".into(),
        real_path: "/usr/bin/python3.13".into(),
        executable: None,
        version: Version(3, 13, 1),
        implementation: "CPython".into(),
        free_threaded: false,
        gil_enabled: Some(true),
        start_method: Some("forkserver".into()),
        cpu_count: Some(8),
        source: Source::Path,
    }
}

/// An app at `w`x`h` (its progress in `home`) on the exercise screen after a failed
/// grading, at a fixed path, with one hint shown.
fn failed_app(home: &Path, w: u16, h: u16) -> App {
    let mut app = app_in(home, w, h);
    let exercise = Arc::new(app.exercises.get("sum-squares").unwrap().clone());
    let mut screen = ExerciseScreen::new(
        exercise,
        Ok("/home/learner/exercises/sum_squares.py".into()),
    );
    screen.pythons = Pythons::Found(Found {
        interpreters: vec![python()],
        failures: vec![],
    });
    screen.grading_with = Some(0);
    let checks = vec![
        parse_check_line(r#"{"name": "is a function", "passed": true}"#).unwrap(),
        parse_check_line(r#"{"name": "sums squares", "passed": false, "message": "sum_squares([1, 2, 3]) gave 6, not 14: each number must be squared before adding"}"#).unwrap(),
    ];
    screen.last = Some(Ok(Report {
        exercise: "sum-squares".into(),
        file: "/home/learner/exercises/sum_squares.py".into(),
        python: "/usr/bin/python3.13".into(),
        python_name: "CPython 3.13.1".into(),
        verdict: Verdict::Failed,
        checks,
        output: (1..=30).map(|i| format!("output line {i}")).collect(),
        dropped_bytes: 1234,
        exit_code: Some(0),
        seconds: 0.2,
        note: None,
    }));
    app.exercise = Some(screen);
    let entry = app.progress.exercise_mut("sum-squares");
    entry.state = ExerciseState::Attempted;
    entry.failed_tries = 1;
    entry.hints_seen = 1;
    app
}

#[test]
fn exercise_screen_at_80x24_and_200x60() {
    for (snapshot, w, h) in [
        ("exercise_screen_at_80x24", 80, 24),
        ("exercise_screen_at_200x60", 200, 60),
    ] {
        let home = tempfile::tempdir().unwrap();
        insta::assert_snapshot!(snapshot, screen(&failed_app(home.path(), w, h)));
    }
}

#[test]
fn exercise_screen_at_the_smallest_size_and_below() {
    let home = tempfile::tempdir().unwrap();
    let mut app = failed_app(home.path(), 60, 16);
    insta::assert_snapshot!("exercise_screen_at_60x16", screen(&app));
    app.update(Msg::Terminal(Event::Resize(30, 8)));
    assert!(screen(&app).contains("terminal too small"));
}

#[test]
fn output_scrolls_and_says_what_was_dropped() {
    let home = tempfile::tempdir().unwrap();
    let mut app = failed_app(home.path(), 80, 24);
    assert!(screen(&app).contains("output line 1 "));
    for _ in 0..40 {
        press(&mut app, KeyCode::Char('j'));
    }
    let shown = screen(&app);
    assert!(
        shown.contains("1234 more bytes of output were dropped"),
        "{shown}"
    );
    assert!(!shown.contains("output line 1 "), "{shown}");
}

#[test]
fn without_python_the_screen_says_so_and_nothing_breaks() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24);
    app.open_exercise("sum-squares");
    app.update(Msg::ExerciseWake);
    let shown = screen(&app);
    assert!(shown.contains("no Python found"), "{shown}");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.exercise.is_none());
    assert!(!app.quit);
}

#[test]
fn enter_on_the_card_opens_the_exercise_with_its_file() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24);
    let lesson = screen(&app);
    assert!(
        lesson.contains("exercise: Sum the squares  sum-squares"),
        "{lesson}"
    );
    assert!(lesson.contains("practises a tiny function"), "{lesson}");
    // The only card is focused as soon as it is on screen.
    assert!(
        lesson.contains("not started · press Enter to open"),
        "{lesson}"
    );
    press(&mut app, KeyCode::Char(']'));
    press(&mut app, KeyCode::Enter);
    let exercise = app.exercise.as_ref().expect("the exercise screen is up");
    let file = exercise.file.clone().unwrap();
    assert_eq!(file, home.path().join("work/sum_squares.py"));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("return sum(numbers)")
    );
    assert!(screen(&app).contains("Sum the squares"));
    // A pass while the screen was up shows on the card once back in the lesson.
    app.progress.exercise_mut("sum-squares").state = ExerciseState::Passed;
    press(&mut app, KeyCode::Esc);
    assert!(app.exercise.is_none());
    let lesson = screen(&app);
    assert!(
        lesson.contains("passed ✓ · press Enter to open"),
        "{lesson}"
    );
}

#[test]
fn hints_solution_and_reset_keys() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24);
    app.open_exercise("sum-squares");
    // Hints one at a time, kept in progress.
    press(&mut app, KeyCode::Char('h'));
    assert!(screen(&app).contains("hint 1/2: square each number first"));
    press(&mut app, KeyCode::Char('h'));
    press(&mut app, KeyCode::Char('h'));
    assert!(screen(&app).contains("that was the last hint"));
    let saved = ProgressStore::in_dir(home.path()).load().progress;
    assert_eq!(saved.exercises["sum-squares"].hints_seen, 2);
    // The solution waits for a pass or three tries.
    press(&mut app, KeyCode::Char('s'));
    assert!(screen(&app).contains("after 3 tries"));
    app.progress.exercise_mut("sum-squares").failed_tries = 3;
    press(&mut app, KeyCode::Char('s'));
    assert!(screen(&app).contains("solution.py"));
    press(&mut app, KeyCode::Char('s'));
    // Reset asks; "n" keeps the file, "y" backs it up and puts the starter back.
    let file = app.exercise.as_ref().unwrap().file.clone().unwrap();
    std::fs::write(&file, "my attempt\n").unwrap();
    press(&mut app, KeyCode::Char('r'));
    assert!(screen(&app).contains("put the starter back?"));
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "my attempt\n");
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('y'));
    let backup = home.path().join("work/sum_squares.py.bak-1");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "my attempt\n");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("return sum(numbers)")
    );
    assert!(screen(&app).contains("sum_squares.py.bak-1"));
}

#[test]
fn the_grading_python_is_the_kept_one_else_one_new_enough() {
    use pyconc::app::exercise::ScreenEvent;
    let home = tempfile::tempdir().unwrap();
    let app = app_in(home.path(), 80, 24);
    let mut exercise = app.exercises.get("sum-squares").unwrap().clone();
    exercise.min_python = Version(3, 11, 0);
    let old = Interpreter {
        path: "/usr/bin/python3.9".into(),
        real_path: "/usr/bin/python3.9".into(),
        version: Version(3, 9, 2),
        ..python()
    };
    let found = Found {
        interpreters: vec![old, python()],
        failures: vec![],
    };
    let mut progress = pyconc::progress::Progress::default();
    let mut screen = ExerciseScreen::new(Arc::new(exercise.clone()), Ok("/x.py".into()));
    screen.apply_event(ScreenEvent::Pythons(found.clone()), &mut progress);
    assert_eq!(screen.grader_python().unwrap().version, Version(3, 13, 1));
    // A kept choice wins, and `p` moves on and is remembered.
    progress.exercise_mut("sum-squares").python = Some("/usr/bin/python3.9".into());
    let mut screen = ExerciseScreen::new(Arc::new(exercise), Ok("/x.py".into()));
    screen.apply_event(ScreenEvent::Pythons(found), &mut progress);
    assert_eq!(screen.grader_python().unwrap().version, Version(3, 9, 2));
    screen.switch_python(&mut progress);
    assert_eq!(screen.grader_python().unwrap().version, Version(3, 13, 1));
    assert_eq!(
        progress.exercises["sum-squares"].python.as_deref(),
        Some(Path::new("/usr/bin/python3.13"))
    );
    // Kept for x-ray and the demos' twins too.
    assert_eq!(
        progress.python.as_deref(),
        Some(Path::new("/usr/bin/python3.13"))
    );
}

/// A pack with one broken exercise: the good one stays usable, the status bar names the
/// broken one's file and line, and quitting prints every problem.
#[test]
fn a_broken_exercise_is_reported_not_dropped_silently() {
    let home = tempfile::tempdir().unwrap();
    let bad_pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exercise-pack-mixed");
    let mut app = app_in(home.path(), 120, 30);
    let loaded = ExerciseSet::load_usable(Some(&bad_pack));
    app.exercises = loaded.set;
    app.report_exercise_problems(&loaded.problems);
    assert_eq!(app.exercises.ids(), ["sum-squares"]);
    let notice = app.notice.clone().expect("a notice");
    assert!(notice.is_error);
    assert!(
        notice.text.contains("bad-one/exercise.toml:6"),
        "{}",
        notice.text
    );
    assert!(
        screen(&app).contains("exercise did not load: bad-one/exercise.toml:6"),
        "{}",
        screen(&app)
    );
    let said = app.shutdown();
    assert!(
        said.iter().any(|l| l.contains("bad-one/exercise.toml:6")),
        "{said:?}"
    );
}

/// With a free-threaded interpreter found, the screen says where each run passed, or that
/// the failure shown is the free-threaded run's after a pass on the chosen one.
#[test]
fn a_second_run_on_a_free_threaded_interpreter_is_shown() {
    use pyconc::app::exercise::ScreenEvent;
    use pyconc::exercises::grader::GraderEvent;
    let home = tempfile::tempdir().unwrap();
    let mut app = failed_app(home.path(), 120, 30);
    let exercise = app.exercise.as_mut().unwrap();
    let Some(Ok(failed)) = exercise.last.clone() else {
        panic!("a report")
    };
    let passed = Report {
        verdict: Verdict::Passed,
        checks: vec![parse_check_line(r#"{"name": "sums squares", "passed": true}"#).unwrap()],
        ..failed.clone()
    };
    let free = |r: &Report| Report {
        python_name: "CPython 3.14.0 free-threaded (GIL off)".into(),
        seconds: 0.4,
        ..r.clone()
    };
    let mut free_python = python();
    free_python.path = "/usr/bin/python3.14t".into();
    free_python.real_path = free_python.path.clone();
    free_python.version = Version(3, 14, 0);
    free_python.free_threaded = true;
    free_python.gil_enabled = Some(false);
    exercise.pythons = Pythons::Found(Found {
        interpreters: vec![python(), free_python],
        failures: vec![],
    });
    let mut progress = pyconc::progress::Progress::default();
    let finished = |runs: Vec<Report>| ScreenEvent::Grader(GraderEvent::Finished(0, Ok(runs)));

    exercise.apply_event(finished(vec![passed.clone(), free(&failed)]), &mut progress);
    let text = screen(&app);
    assert!(
        text.contains("graded by CPython 3.13.1, then 3.14t"),
        "{text}"
    );
    assert!(
        text.contains("it passed on CPython 3.13.1; the checks below are from the run on CPython 3.14.0 free-threaded"),
        "{text}"
    );
    assert_eq!(
        progress.exercises["sum-squares"].state,
        ExerciseState::Attempted
    );

    let exercise = app.exercise.as_mut().unwrap();
    exercise.apply_event(finished(vec![passed.clone(), free(&passed)]), &mut progress);
    let text = screen(&app);
    assert!(
        text.contains(
            "passed on CPython 3.13.1 (0.2 s) and CPython 3.14.0 free-threaded (GIL off) (0.4 s)"
        ),
        "{text}"
    );
    assert_eq!(
        progress.exercises["sum-squares"].state,
        ExerciseState::Passed
    );
}
