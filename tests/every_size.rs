//! Every view at every size: each lessons screen (every lesson, contents, search, help,
//! quiz focus) and each demo snapshot (every engine start of the fuzzer: defaults, each
//! `engine`/`mode`/`scenario`, parameters at their minimum and maximum; the deterministic
//! models stepped) and the `pyconc xray` screen over its recorded runs, drawn at every width 1-20 and height 1-20 and a stride above, up to
//! 250x80, without panicking.

mod fuzz_support;

use std::time::Duration;

use crossterm::event::Event;
use fuzz_support::{Start, app_at, demo_starts, screen_starts};
use pyconc::app::Msg;
use pyconc::lessons::Catalog;
use pyconc::sims::{Engine, Snapshot};
use pyconc::theme::{Theme, ThemeName};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The sizes drawn: all of 1-20 each way, the sizes around pyconc's minimum and layout
/// breakpoints, and a stride up to 250x80.
fn sizes(stride_w: u16, stride_h: u16) -> Vec<(u16, u16)> {
    let mut widths: Vec<u16> = (1..=20)
        .chain((21..=250).step_by(stride_w.into()))
        .collect();
    widths.extend([
        58, 59, 60, 61, 69, 70, 71, 75, 76, 77, 80, 100, 104, 120, 200, 250,
    ]);
    let mut heights: Vec<u16> = (1..=20).chain((21..=80).step_by(stride_h.into())).collect();
    heights.extend([23, 24, 30, 40, 80]);
    widths.sort_unstable();
    widths.dedup();
    heights.sort_unstable();
    heights.dedup();
    widths
        .iter()
        .flat_map(|w| heights.iter().map(move |h| (*w, *h)))
        .collect()
}

fn draw(app: &pyconc::app::App, (w, h): (u16, u16), buf: &mut Buffer) {
    let area = Rect::new(0, 0, w, h);
    buf.resize(area);
    buf.reset();
    pyconc::ui::render(app, area, buf);
}

#[test]
fn every_lessons_screen_at_every_size() {
    let catalog = Catalog::embedded().unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut buf = Buffer::empty(Rect::new(0, 0, 1, 1));
    let mut drawn = 0;
    for start in screen_starts(&catalog) {
        let mut app = app_at(&start, home.path(), (80, 24));
        // Scrolled part way, so the scrollbar and the cards at the page's edges are drawn.
        if matches!(start, Start::Lesson(_)) {
            app.scroll = app.max_scroll() / 2;
        }
        for size in sizes(31, 17) {
            // Below the minimum the screen does not depend on the layout: drawn without
            // the Resize (a frame ahead of its event), which spares a relayout per size.
            if size.0 >= pyconc::ui::layout::MIN_WIDTH && size.1 >= pyconc::ui::layout::MIN_HEIGHT {
                app.update(Msg::Terminal(Event::Resize(size.0, size.1)));
            }
            draw(&app, size, &mut buf);
            drawn += 1;
        }
    }
    println!("lessons screens: {drawn} draws");
}

#[test]
fn the_xray_screen_at_every_size() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 1, 1));
    let output = vec!["done".to_string(), "日本語 ".repeat(40)];
    let mut drawn = 0;
    for (name, text) in fuzz_support::XRAY_RECORDINGS {
        let recording = pyconc::xray::run::replay(text);
        let mut screen = pyconc::xray::screen::XrayScreen::new(format!("{name}.py"));
        for frozen in [None, Some(0.5)] {
            screen.frozen_at = frozen;
            for size in sizes(13, 7) {
                fuzz_support::draw_xray(&recording, &screen, &output, size, &mut buf);
                drawn += 1;
            }
        }
    }
    println!("xray screen: {drawn} draws");
}

/// Snapshots of every demo start after running a while (models stepped
/// 40 times, real threads 80 ms), and each engine's first at its defaults.
fn demo_snapshots() -> Vec<(String, &'static dyn Engine, Snapshot)> {
    fuzz_support::use_pyconc_as_worker();
    let mut out = Vec::new();
    for start in demo_starts() {
        let Start::Demo(name, overrides) = &start else {
            continue;
        };
        let engine = pyconc::sims::find(name).unwrap();
        let mut demo = engine.start(&engine.resolve(overrides).unwrap()).unwrap();
        if overrides.is_empty() {
            out.push((format!("{start} (first)"), engine, demo.snapshot()));
        }
        if demo.set_paused(true) && demo.step() {
            for _ in 0..40 {
                demo.step();
            }
        } else {
            demo.set_paused(false);
            std::thread::sleep(Duration::from_millis(80));
        }
        out.push((format!("{start} (later)"), engine, demo.snapshot()));
        demo.stop();
    }
    out
}

#[test]
fn every_demo_snapshot_at_every_size() {
    let theme = Theme::new(ThemeName::Dark, true);
    let home = tempfile::tempdir().unwrap();
    let mut app = app_at(&Start::Contents, home.path(), (80, 24));
    let mut buf = Buffer::empty(Rect::new(0, 0, 1, 1));
    let mut drawn = 0;
    for (what, engine, snapshot) in demo_snapshots() {
        // The view alone, at every size.
        for (w, h) in sizes(29, 13) {
            let area = Rect::new(0, 0, w, h);
            buf.resize(area);
            buf.reset();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pyconc::ui::demo::render_view(&snapshot, &theme, area, &mut buf)
            }));
            assert!(result.is_ok(), "{what}: the view panicked at {w}x{h}");
            drawn += 1;
        }
        // The whole demo screen (header, panel, key bar) around it.
        let params = engine.resolve(&[]).unwrap();
        let mut host = pyconc::app::DemoHost::start(engine, params).unwrap();
        if let Some(running) = host.take_running() {
            running.stop();
        }
        host.snapshot = Some(snapshot.clone());
        app.demo = Some(host);
        for size in sizes(61, 29) {
            if !pyconc::ui::layout::too_small(Rect::new(0, 0, size.0, size.1)) {
                app.update(Msg::Terminal(Event::Resize(size.0, size.1)));
            }
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                draw(&app, size, &mut buf)
            }));
            assert!(
                result.is_ok(),
                "{what}: the demo screen panicked at {size:?}"
            );
            drawn += 1;
        }
        app.demo = None;
    }
    println!("demo views: {drawn} draws");
}
