//! The TUI driven as a learner would, through synthetic key events fed to `App::update`,
//! drawn into ratatui's TestBackend and compared with insta snapshots. Uses the small
//! fixture pack in tests/fixtures/pack so lesson edits do not churn these snapshots.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::shell::{buffer, press, screen};
use crossterm::event::{Event, KeyCode, KeyModifiers};
use pyconc::app::{App, Msg, Pane};
use pyconc::lessons::Catalog;
use pyconc::progress::ProgressStore;
use pyconc::sims::Snapshot;
use pyconc::sims::cores::{CoreReading, CoresSnapshot, SpinnerReading};
use pyconc::theme::{Theme, ThemeName};

fn pack() -> Catalog {
    Catalog::from_dir(Path::new("tests/fixtures/pack")).expect("fixture pack is valid")
}

/// An app over the fixture pack with its progress in `home`, sized `w`x`h`.
fn app_in(home: &Path, w: u16, h: u16, theme: Theme) -> App {
    let mut app = App::new(pack(), theme, Some(ProgressStore::in_dir(home)), None);
    app.update(Msg::Terminal(Event::Resize(w, h)));
    app
}

fn dark() -> Theme {
    Theme::new(ThemeName::Dark, true)
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

#[test]
fn lesson_at_80x24() {
    let home = tempfile::tempdir().unwrap();
    let app = app_in(home.path(), 80, 24, dark());
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn lesson_at_120x40() {
    let home = tempfile::tempdir().unwrap();
    let app = app_in(home.path(), 120, 40, dark());
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn contents_pane_with_focus_and_marks() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24, dark());
    press(&mut app, KeyCode::Char('G')); // read to the end: finished
    press(&mut app, KeyCode::Char('n')); // visit the next lesson
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Up);
    assert_eq!(app.pane, Pane::Contents);
    assert_eq!(app.contents_selected, 0);
    insta::assert_snapshot!(screen(&app));
    // Colour carries meaning here (finished mark, selection): keep the styles.
    let styled = common::styled_dump::dump(&buffer(&app));
    let contents_rows: String = styled.lines().take(12).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("contents_styled", contents_rows);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.current, 0);
    assert_eq!(app.pane, Pane::Lesson);
}

#[test]
fn help_overlay_lists_every_key() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 30, dark());
    press(&mut app, KeyCode::Char('?'));
    assert!(app.help);
    insta::assert_snapshot!(screen(&app));
    press(&mut app, KeyCode::Esc);
    assert!(!app.help);
}

#[test]
fn quiz_before_and_after_answering() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24, dark());
    // Focus the quiz: the demo card is first, the quiz second.
    press(&mut app, KeyCode::Char(']'));
    press(&mut app, KeyCode::Char(']'));
    insta::assert_snapshot!("quiz_before", screen(&app));
    press(&mut app, KeyCode::Char('a')); // wrong
    assert_eq!(app.progress.answer("threads-fixture", 0), Some(0));
    press(&mut app, KeyCode::Char('b')); // right: b answers, it does not page up
    assert_eq!(app.progress.answer("threads-fixture", 0), Some(1));
    insta::assert_snapshot!("quiz_after", screen(&app));
    // The answer is kept on disk.
    let saved = ProgressStore::in_dir(home.path()).load().progress;
    assert_eq!(saved.answer("threads-fixture", 0), Some(1));
}

#[test]
fn navigation_scrolls_within_bounds_and_moves_between_lessons() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24, dark());
    press(&mut app, KeyCode::Up);
    assert_eq!(app.scroll, 0);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.scroll, 2);
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.scroll, 1);
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.scroll, app.max_scroll());
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.scroll, app.max_scroll());
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.scroll, 0);
    press(&mut app, KeyCode::Char(' '));
    assert!(app.scroll > 0 || app.max_scroll() == 0);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.lesson_id(), "next-fixture");
    assert_eq!(app.scroll, 0);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.lesson_id(), "next-fixture", "no lesson after the last");
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.lesson_id(), "threads-fixture");
    // The mouse wheel scrolls too.
    app.update(Msg::Terminal(Event::Mouse(crossterm::event::MouseEvent {
        kind: crossterm::event::MouseEventKind::ScrollDown,
        column: 40,
        row: 10,
        modifiers: KeyModifiers::NONE,
    })));
    assert_eq!(app.scroll, 3.min(app.max_scroll()));
}

#[test]
fn progress_resumes_where_the_learner_left_off() {
    let home = tempfile::tempdir().unwrap();
    {
        let mut app = app_in(home.path(), 80, 24, dark());
        press(&mut app, KeyCode::Char('n'));
        press(&mut app, KeyCode::Char('j'));
        let scroll = app.scroll;
        press(&mut app, KeyCode::Char('q'));
        assert!(app.quit);
        app.shutdown();
        assert_eq!(scroll, app.progress.lesson("next-fixture").unwrap().scroll);
    }
    let app = app_in(home.path(), 80, 24, dark());
    assert_eq!(app.lesson_id(), "next-fixture");
    let saved = &app.progress;
    assert!(saved.lesson("threads-fixture").unwrap().visited);
    assert!(saved.lesson("next-fixture").unwrap().visited);
}

#[test]
fn corrupt_progress_is_kept_and_reported_in_the_status_bar() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("progress.toml"), "this = [is not valid").unwrap();
    let app = app_in(home.path(), 80, 24, dark());
    let text = screen(&app);
    // The name of the file kept aside fits at 80 columns (it once showed `...corrupt`).
    assert!(
        text.contains("unreadable progress kept as progress.toml.corrupt-1"),
        "{text}"
    );
    assert!(home.path().join("progress.toml.corrupt-1").exists());
}

#[test]
fn search_jumps_to_the_next_lesson_with_a_match() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24, dark());
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "NEEDLE");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.lesson_id(), "next-fixture");
    let text = screen(&app);
    assert!(text.contains("found in"), "{text}");
    press(&mut app, KeyCode::Esc);
    assert!(!app.search.editing);
    // Keys work normally again.
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.lesson_id(), "threads-fixture");
}

#[test]
fn the_search_query_stays_on_the_status_line_after_a_match() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24, dark());
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "NEEDLE");
    press(&mut app, KeyCode::Enter);
    assert!(app.search.editing);
    let text = screen(&app);
    let status = text.lines().last().unwrap();
    assert!(status.contains("/ NEEDLE"), "{status}");
    assert!(status.contains("found in"), "{status}");
    press(&mut app, KeyCode::Enter);
    let status = screen(&app).lines().last().unwrap().to_string();
    assert!(status.contains("/ NEEDLE"), "{status}");
}

#[test]
fn too_small_says_so() {
    let home = tempfile::tempdir().unwrap();
    let app = app_in(home.path(), 50, 12, dark());
    let text = screen(&app);
    assert!(text.contains("terminal too small (need 60x16)"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn no_color_draws_without_any_colour() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24, Theme::new(ThemeName::Dark, false));
    press(&mut app, KeyCode::Tab);
    let buf = buffer(&app);
    for cell in buf.content() {
        assert!(
            matches!(cell.fg, ratatui::style::Color::Reset)
                && matches!(cell.bg, ratatui::style::Color::Reset),
            "coloured cell {cell:?}"
        );
    }
}

#[test]
fn demo_host_with_cores() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app_in(home.path(), 80, 24, dark());
    press(&mut app, KeyCode::Char(']'));
    press(&mut app, KeyCode::Enter);
    let host = app
        .demo
        .as_mut()
        .expect("Enter on a demo card opens the demo");
    assert_eq!(host.engine.name(), "cores");
    // Draw a fixed picture (live readings differ every run).
    host.frozen = true;
    host.snapshot = Some(Snapshot::Cores(Arc::new(CoresSnapshot {
        cores: vec![
            CoreReading {
                load_pct: 97.0,
                history: vec![10.0, 40.0, 97.0],
            },
            CoreReading {
                load_pct: 8.0,
                history: vec![5.0, 9.0, 8.0],
            },
        ],
        spinners: vec![SpinnerReading {
            id: 1,
            core: Some(0),
            batches_per_s: 5000.0,
        }],
        elapsed_s: 1.0,
        paused: false,
    })));
    insta::assert_snapshot!(screen(&app));
    // The panel changes the parameter live.
    press(&mut app, KeyCode::Char('+'));
    assert_eq!(app.demo.as_ref().unwrap().params.int("busy"), 2);
    press(&mut app, KeyCode::Esc);
    assert!(app.demo.is_none());
    app.shutdown();
}

#[test]
fn progress_problems_are_handed_back_at_exit_for_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("hostname");
    std::fs::write(&home, "a file, not a folder").unwrap();
    let mut app = app_in(&home, 80, 24, dark());
    press(&mut app, KeyCode::Char('n'));
    let problems = app.shutdown();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("is not a folder"), "{problems:?}");
    assert!(problems[0].contains("PYCONC_HOME"), "{problems:?}");
    assert_eq!(
        std::fs::read_to_string(&home).unwrap(),
        "a file, not a folder"
    );
}

/// Issue 11: a deadlocked run is not "✓ finished": the header names the failure.
#[test]
fn a_deadlocked_run_is_not_labelled_finished() {
    let engine = pyconc::sims::find("deadlock").expect("registered");
    let params = engine
        .resolve(&[("engine".to_string(), "model".to_string())])
        .expect("model validates");
    let mut app = App::demo_only(pack(), dark(), engine, params).expect("starts");
    app.update(Msg::Terminal(Event::Resize(100, 30)));
    let host = app.demo.as_mut().expect("a demo");
    // The model is seeded: random steps in the default (opposite) lock order deadlock.
    for _ in 0..10_000 {
        host.step();
        host.refresh();
        if host.finished {
            break;
        }
    }
    assert!(host.finished, "the seeded model deadlocks");
    assert_eq!(host.failed_end, Some("deadlocked"));
    let shown = screen(&app);
    let header = shown.lines().next().unwrap_or_default().to_string();
    assert!(header.contains("✗ deadlocked"), "{header}");
    assert!(!shown.contains("finished"), "{shown}");
    app.shutdown();
}

/// Issue 11: `.` and `<` `>` are offered only where they do something; `.` on a demo
/// without a step mode says so and does not pause it; on real-thread `gil`, `<` `>` are the
/// `timescale` parameter and the header shows it.
#[test]
fn step_and_speed_keys_are_offered_only_where_they_work() {
    let engine = pyconc::sims::find("cores").expect("registered");
    let params = engine.resolve(&[]).expect("defaults");
    let mut app = App::demo_only(pack(), dark(), engine, params).expect("starts");
    app.update(Msg::Terminal(Event::Resize(200, 40)));
    let shown = screen(&app);
    let bar = shown.lines().last().unwrap_or_default().to_string();
    assert!(!bar.contains("step"), "{bar}");
    assert!(!bar.contains("speed"), "{bar}");
    press(&mut app, KeyCode::Char('.'));
    let host = app.demo.as_ref().unwrap();
    assert!(!host.paused, "`.` must not pause a demo it cannot step");
    assert!(host.notice.as_deref().unwrap_or("").contains("no step"));
    // The help overlay leaves them out too (it once listed them on every demo).
    press(&mut app, KeyCode::Char('?'));
    let help = pyconc::ui::help::lines(&app)
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(help.contains("pause"), "{help}");
    assert!(!help.contains("one step"), "{help}");
    assert!(!help.contains("slower / faster"), "{help}");
    app.shutdown();

    let engine = pyconc::sims::find("gil").expect("registered");
    let params = engine
        .resolve(&[("threads".to_string(), "1".to_string())])
        .expect("valid");
    let mut app = App::demo_only(pack(), dark(), engine, params).expect("starts");
    app.update(Msg::Terminal(Event::Resize(200, 40)));
    press(&mut app, KeyCode::Char('<'));
    press(&mut app, KeyCode::Char('<'));
    let host = app.demo.as_ref().unwrap();
    assert_eq!(host.params.float("timescale"), 4.0);
    assert!((host.speed - 1.0).abs() < f64::EPSILON, "one idea, not two");
    let shown = screen(&app);
    assert!(
        shown.lines().next().unwrap().contains("slow motion ×4"),
        "{shown}"
    );
    assert!(shown.contains("slow motion"), "{shown}");
    app.shutdown();
}
