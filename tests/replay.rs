//! Rewind, replay and export, end to end and deterministic: the GIL model stepped (virtual
//! time, no real threads racing), scrub keys fed to `App::update`, a recording written
//! and replayed into the same views, casts and SVG stills checked as files.

mod common;

use std::sync::Arc;

use common::shell::{key, press};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pyconc::app::{App, DemoHost, Msg, keys};
use pyconc::lessons::Catalog;
use pyconc::replay::export::{self, Outputs};
use pyconc::replay::record::{self, Header, RecordingWriter};
use pyconc::sims::{self, Engine, Params, Snapshot};
use pyconc::theme::{Theme, ThemeName};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

fn dark() -> Theme {
    Theme::new(ThemeName::Dark, true)
}

fn catalog() -> Catalog {
    Catalog::embedded().expect("built-in lessons")
}

fn gil_model() -> (&'static dyn Engine, Params) {
    let engine = sims::find("gil").unwrap();
    let params = engine
        .resolve(&[("engine".into(), "model".into())])
        .unwrap();
    (engine, params)
}

/// The GIL model paused in a demo-only app at `w`x`h`, stepped `steps` times.
fn stepped_app(steps: usize, w: u16, h: u16) -> App {
    let (engine, params) = gil_model();
    let mut app = App::demo_only(catalog(), dark(), engine, params.clone()).unwrap();
    // Paused from its first instant: what the steps show never depends on how long this
    // machine took between the start and a pause key.
    app.demo = Some(DemoHost::start_paused(engine, params).unwrap());
    app.update(Msg::Terminal(Event::Resize(w, h)));
    assert!(app.demo.as_ref().unwrap().paused);
    for _ in 0..steps {
        press(&mut app, KeyCode::Char('.'));
    }
    app
}

fn draw(app: &App) -> Buffer {
    export::draw_app(app)
}

fn view(snapshot: &Snapshot, w: u16, h: u16) -> Buffer {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    pyconc::ui::demo::render_view(snapshot, &dark(), area, &mut buf);
    buf
}

/// `n` distinct model snapshots a step apart, and the recording of them at 0.1 s apart,
/// "recorded" on a 16-core machine.
fn model_recording(n: usize) -> (Vec<Snapshot>, Vec<u8>) {
    let (engine, params) = gil_model();
    // Paused from virtual time 0, so the first hand-off is always among the frames.
    let mut demo = engine.start_paused(&params).unwrap();
    let mut snaps = vec![demo.snapshot()];
    while snaps.len() < n {
        assert!(demo.step());
        let s = demo.snapshot();
        if snaps.last() != Some(&s) {
            snaps.push(s);
        }
    }
    demo.stop();
    let mut header = Header::for_run(engine, &params);
    header.cores = 16;
    header.os = "linux".into();
    header.arch = "x86_64".into();
    header.started = "2026-12-01T09:15:00Z".into();
    header.started_unix_ms = 1_796_116_500_000;
    let mut w = RecordingWriter::new(Vec::new(), &header).unwrap();
    for (i, s) in snaps.iter().enumerate() {
        w.frame(i as f64 * 0.1, s).unwrap();
    }
    (snaps, w.finish().unwrap().2)
}

#[test]
fn paused_arrows_scrub_through_the_kept_frames_and_space_returns_to_live() {
    let mut app = stepped_app(12, 100, 30);
    let host = app.demo.as_ref().unwrap();
    let kept = host.history.len();
    assert!(kept >= 10, "{kept} frames kept");
    let live = host.snapshot.clone();
    assert_eq!(host.cursor, None);

    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    let host = app.demo.as_ref().unwrap();
    assert_eq!(host.cursor, Some(kept - 3));
    assert_eq!(
        host.snapshot.as_ref(),
        Some(&host.history.get(kept - 3).unwrap().snapshot)
    );
    assert!(host.time_label().unwrap().starts_with('−'));
    // The header shows the time cursor.
    let top: String = (0..100)
        .map(|x| draw(&app)[(x, 0)].symbol().to_string())
        .collect();
    assert!(top.contains("rewound −0.0 s"), "{top}");

    press(&mut app, KeyCode::Home);
    assert_eq!(app.demo.as_ref().unwrap().cursor, Some(0));
    press(&mut app, KeyCode::Right);
    assert_eq!(app.demo.as_ref().unwrap().cursor, Some(1));
    // "." while rewound steps through the kept frames, not the engine.
    press(&mut app, KeyCode::Char('.'));
    assert_eq!(app.demo.as_ref().unwrap().cursor, Some(2));
    assert_eq!(app.demo.as_ref().unwrap().history.len(), kept);
    press(&mut app, KeyCode::End);
    let host = app.demo.as_ref().unwrap();
    assert_eq!(host.cursor, None);
    assert_eq!(host.snapshot, live);

    // Resuming from a rewound picture goes back to live.
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Char(' '));
    let host = app.demo.as_ref().unwrap();
    assert!(!host.paused);
    assert_eq!(host.cursor, None);
    assert_eq!(host.snapshot, live);
    app.shutdown();
}

#[test]
fn shift_arrows_jump_a_second_and_the_label_says_how_far_back() {
    let mut app = stepped_app(0, 100, 30);
    // Fake times: 100 distinct frames 0.1 s apart.
    {
        let host = app.demo.as_mut().unwrap();
        let Some(Snapshot::Gil(base)) = host.snapshot.clone() else {
            panic!("gil")
        };
        host.history.clear();
        for i in 0..100 {
            let mut s = (*base).clone();
            s.elapsed_s = i as f64;
            host.history
                .push(i as f64 * 0.1, Snapshot::Gil(Arc::new(s)));
        }
    }
    key(&mut app, KeyCode::Left, KeyModifiers::SHIFT);
    let host = app.demo.as_ref().unwrap();
    assert_eq!(host.cursor, Some(89));
    assert_eq!(host.time_label().as_deref(), Some("−1.0 s"));
    key(&mut app, KeyCode::Left, KeyModifiers::SHIFT);
    assert_eq!(app.demo.as_ref().unwrap().cursor, Some(79));
    key(&mut app, KeyCode::Right, KeyModifiers::SHIFT);
    assert_eq!(app.demo.as_ref().unwrap().cursor, Some(89));
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.demo.as_ref().unwrap().cursor, Some(0));
    assert_eq!(
        app.demo.as_ref().unwrap().time_label().as_deref(),
        Some("−9.9 s")
    );
    app.shutdown();
}

#[test]
fn arrows_change_parameters_while_running_and_scrub_while_paused() {
    let (engine, params) = gil_model();
    let mut app = App::demo_only(catalog(), dark(), engine, params).unwrap();
    let left = KeyEvent::new(KeyCode::Left, KeyModifiers::NONE);
    assert_eq!(keys::action_for(&app, left), keys::Action::DemoChange(-1));
    assert_eq!(
        keys::action_for(&app, KeyEvent::new(KeyCode::Char('-'), KeyModifiers::NONE)),
        keys::Action::DemoChange(-1)
    );
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(
        keys::action_for(&app, left),
        keys::Action::DemoSeek(pyconc::app::Seek::Frames(-1))
    );
    // +/- still change parameters while paused.
    assert_eq!(
        keys::action_for(&app, KeyEvent::new(KeyCode::Char('+'), KeyModifiers::NONE)),
        keys::Action::DemoChange(1)
    );
    app.shutdown();
}

#[test]
fn a_recording_replays_the_same_styled_frames_at_any_size() {
    let (snaps, bytes) = model_recording(30);
    let rec = record::read(&bytes[..], "mem").unwrap();
    assert_eq!(rec.stop, None);
    for (w, h) in [(80, 24), (200, 60)] {
        for (frame, live) in rec.frames.frames().zip(&snaps) {
            assert_eq!(view(&frame.snapshot, w, h), view(live, w, h));
        }
    }
    let rec = record::read(&bytes[..], "mem").unwrap();
    let mut app = App::replay(catalog(), dark(), rec).unwrap();
    app.update(Msg::Terminal(Event::Resize(80, 24)));
    // Pause, step to frame 5 and compare the whole screen's view part with the live one.
    press(&mut app, KeyCode::Char(' '));
    for _ in 0..5 {
        press(&mut app, KeyCode::Right);
    }
    let host = app.demo.as_ref().unwrap();
    assert_eq!(host.cursor, Some(5));
    assert_eq!(host.snapshot.as_ref(), Some(&snaps[5]));
    assert_eq!(host.time_label().as_deref(), Some("0.5 / 2.9 s"));
    // Read-only: parameters do not change.
    let before = host.params.clone();
    press(&mut app, KeyCode::Char('+'));
    let host = app.demo.as_ref().unwrap();
    assert_eq!(host.params, before);
    assert!(host.notice.as_deref().unwrap().contains("read-only"));
    insta::assert_snapshot!(
        "replay_paused_at_frame_5",
        common::styled_dump::dump(&draw(&app))
    );
    app.shutdown();
}

#[test]
fn a_replay_plays_at_recorded_speed_and_ends() {
    let (_, bytes) = model_recording(30);
    let rec = record::read(&bytes[..], "mem").unwrap();
    let mut host = pyconc::app::DemoHost::replay(rec).unwrap();
    assert!(!host.paused);
    // Two frames' worth of playing, driven directly (no wall clock).
    host.seek(pyconc::app::Seek::Seconds(0.25));
    assert_eq!(host.cursor, Some(2));
    host.seek(pyconc::app::Seek::Last);
    assert_eq!(host.cursor, Some(29));
    host.toggle_pause();
    host.toggle_pause();
    host.restart().unwrap();
    assert_eq!(host.cursor, Some(0));
    assert!(!host.finished);
}

#[test]
fn a_replay_cast_is_valid_asciicast_v2_with_markers_and_the_svg_is_xml() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = model_recording(40);
    let rec = record::read(&bytes[..], "mem").unwrap();
    let cast = dir.path().join("run.cast");
    let svg = dir.path().join("still.svg");
    let outputs = Outputs {
        record: None,
        cast: Some(cast.clone()),
        svg: Some(svg.clone()),
        size: (100, 30),
    };
    let notes = export::from_recording(rec, Some(2.0), &dark(), &outputs).unwrap();
    assert_eq!(notes.len(), 2, "{notes:?}");
    let text = std::fs::read_to_string(&cast).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    let header = &lines[0];
    assert_eq!(header["version"], 2);
    assert_eq!(header["width"], 100);
    assert_eq!(header["height"], 30);
    assert!(header["timestamp"].as_u64().is_some());
    assert!(header["env"].is_object());
    assert!(header["title"].as_str().unwrap().contains("gil"));
    let mut last = 0.0;
    let mut outputs_seen = 0;
    let mut markers = Vec::new();
    for event in &lines[1..] {
        let t = event[0].as_f64().unwrap();
        assert!(t >= last, "time went back: {t} after {last}");
        last = t;
        match event[1].as_str().unwrap() {
            "o" => outputs_seen += 1,
            "m" => markers.push(event[2].as_str().unwrap().to_string()),
            other => panic!("unexpected event type {other}"),
        }
    }
    assert!(outputs_seen >= 20, "{outputs_seen} output events");
    assert!(
        markers.iter().any(|m| m.contains("first hand-off")),
        "{markers:?}"
    );
    assert!((last - 3.9).abs() < 1e-6, "last event at {last}");

    let doc_text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&doc_text).expect("the SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let all_text: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(all_text.contains("2.0 / 3.9 s"), "{all_text}");
    assert!(all_text.contains("16 cores"), "{all_text}");
}

#[test]
fn svg_at_past_the_end_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = model_recording(5);
    let rec = record::read(&bytes[..], "mem").unwrap();
    let outputs = Outputs {
        svg: Some(dir.path().join("x.svg")),
        size: (80, 24),
        ..Outputs::default()
    };
    let e = export::from_recording(rec, Some(9.0), &dark(), &outputs).unwrap_err();
    assert!(matches!(e, export::ExportError::Usage(_)), "{e}");
    assert!(e.to_string().contains("past the recording's end"));
}

fn pyconc(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pyconc"))
        .args(args)
        .env(
            "PYCONC_HOME",
            std::env::temp_dir().join("pyconc-replay-tests"),
        )
        .output()
        .expect("pyconc runs")
}

#[test]
fn the_cli_records_casts_and_replays_headless() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let o = pyconc(&[
        "demo",
        "gil",
        "--set",
        "engine=model",
        "--headless",
        "--seconds",
        "1",
        "--json",
        "--record",
        &p("run.pyconc"),
        "--cast",
        &p("run.cast"),
        "--svg",
        &p("end.svg"),
        "--size",
        "80x24",
        "--theme",
        "light",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let metrics: serde_json::Value = serde_json::from_slice(&o.stdout).expect("metrics JSON");
    assert_eq!(metrics["demo"], "gil");
    assert!(
        err.contains("recorded") && err.contains("cast:") && err.contains("svg:"),
        "{err}"
    );
    let cast = std::fs::read_to_string(p("run.cast")).unwrap();
    let header: serde_json::Value = serde_json::from_str(cast.lines().next().unwrap()).unwrap();
    assert_eq!(
        (header["width"].as_u64(), header["height"].as_u64()),
        (Some(80), Some(24))
    );
    roxmltree::Document::parse(&std::fs::read_to_string(p("end.svg")).unwrap()).unwrap();

    let o = pyconc(&[
        "replay",
        &p("run.pyconc"),
        "--at",
        "0.5s",
        "--svg",
        &p("at.svg"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = pyconc(&["replay", &p("run.pyconc"), "--cast", &p("again.cast")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        std::fs::read_to_string(p("again.cast"))
            .unwrap()
            .lines()
            .count()
            > 2
    );
}

#[test]
fn the_cli_refuses_bad_files_and_arguments_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let future = dir.path().join("future.pyconc");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut enc,
        b"{\"format\":\"pyconc-recording\",\"version\":2}\n",
    )
    .unwrap();
    std::fs::write(&future, enc.finish().unwrap()).unwrap();
    let f = future.to_string_lossy();
    let o = pyconc(&["replay", &f, "--svg", "x.svg"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("format version 2") && err.contains("update pyconc"),
        "{err}"
    );

    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "hello").unwrap();
    let o = pyconc(&["replay", &junk.to_string_lossy(), "--svg", "x.svg"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a pyconc recording"));

    let o = pyconc(&[
        "demo",
        "gil",
        "--headless",
        "--seconds",
        "1",
        "--cast",
        "x",
        "--size",
        "10x5",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("60x16 to 400x200"));
    let o = pyconc(&["replay", &f, "--svg", "x.svg", "--at", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    // A cast needs --headless (the TUI draws to the terminal).
    let o = pyconc(&["demo", "gil", "--cast", "x.cast"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn every_engine_s_snapshots_survive_a_recording_exactly() {
    // Worker processes (the `processes` demo) are copies of pyconc itself.
    // SAFETY: set before this test starts any thread that reads the environment.
    unsafe { std::env::set_var("PYCONC_WORKER_EXE", env!("CARGO_BIN_EXE_pyconc")) };
    for engine in sims::registry() {
        let params = engine.resolve(&[]).unwrap();
        let demo = engine.start(&params).unwrap();
        let mut snaps = vec![demo.snapshot()];
        for _ in 0..5 {
            std::thread::sleep(std::time::Duration::from_millis(60));
            snaps.push(demo.snapshot());
        }
        demo.stop();
        let mut w = RecordingWriter::new(Vec::new(), &Header::for_run(*engine, &params)).unwrap();
        for (i, s) in snaps.iter().enumerate() {
            w.frame(i as f64, s).unwrap();
        }
        let bytes = w.finish().unwrap().2;
        let rec = record::read(&bytes[..], engine.name()).unwrap();
        assert_eq!(rec.stop, None, "{}", engine.name());
        snaps.dedup();
        let back: Vec<&Snapshot> = rec.frames.frames().map(|f| &f.snapshot).collect();
        assert_eq!(back.len(), snaps.len(), "{}", engine.name());
        for (a, b) in back.iter().zip(&snaps) {
            assert_eq!(*a, b, "{} changed in the recording", engine.name());
        }
    }
}

#[test]
fn leaving_a_recorded_demo_closes_the_file_off_the_ui_thread_and_says_so_at_exit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.pyconc");
    let (engine, params) = gil_model();
    let mut app = App::demo_only(catalog(), dark(), engine, params).unwrap();
    app.update(Msg::Terminal(Event::Resize(80, 24)));
    export::attach_recorder(&mut app, &path).unwrap();
    for _ in 0..5 {
        app.update(Msg::Frame);
    }
    press(&mut app, KeyCode::Esc);
    // The host went to a closer thread: the app is free at once.
    assert!(app.demo.is_none());
    assert!(app.quit);
    let said = app.shutdown();
    assert!(
        said.iter()
            .any(|s| s.starts_with("recorded ") && s.contains("run.pyconc")),
        "{said:?}"
    );
    let recording = record::read_file(&path).unwrap();
    assert!(recording.stop.is_none(), "{:?}", recording.stop);
}
