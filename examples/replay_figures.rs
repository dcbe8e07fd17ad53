//! Figures for rewind and replay (not a test): runs the `gil` demo at its default parameters
//! through the app as the TUI does (a frame every `FRAME_INTERVAL`, drawn at 80x24 and
//! 200x60) and prints the kept history's frames and estimated bytes per minute, the RSS
//! growth, and the recording's size on disk; then fills a 10-minute history from those
//! frames (fake times, 30 frames a second) and times seeking to random instants of a
//! replay of it, the redraw at 200x60 included.
//!
//!     cargo run --release --example replay_figures -- [SECONDS_PER_SIZE]

use std::time::{Duration, Instant};

use crossterm::event::Event;
use pyconc::app::{App, Msg, Seek};
use pyconc::lessons::Catalog;
use pyconc::replay::export::draw_app;
use pyconc::replay::history::{Bounds, History};
use pyconc::replay::record::{self, Recording};
use pyconc::theme::{Theme, ThemeName};

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30.0);
    let theme = Theme::new(ThemeName::Dark, true);
    let engine = pyconc::sims::find("gil").expect("gil demo");
    let params = engine.resolve(&[]).expect("defaults");
    let mut last_history = None;
    let mut header = None;
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let catalog = Catalog::embedded().expect("lessons");
        let mut app =
            App::demo_only(catalog, theme.clone(), engine, params.clone()).expect("start");
        app.update(Msg::Terminal(Event::Resize(w, h)));
        let rss_before = rss_kb();
        let started = Instant::now();
        while started.elapsed().as_secs_f64() < seconds {
            let tick = Instant::now();
            app.update(Msg::Frame);
            let _ = draw_app(&app);
            std::thread::sleep(pyconc::app::run::FRAME_INTERVAL.saturating_sub(tick.elapsed()));
        }
        let host = app.demo.as_ref().expect("host");
        let hist = &host.history;
        let span = hist.last().map_or(0.0, |f| f.t) - hist.first().map_or(0.0, |f| f.t);
        let per_min = |v: f64| v / span * 60.0;
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("run.pyconc");
        let written = record::write_file(&path, &host.run_header(), hist.frames()).expect("write");
        println!(
            "gil defaults at {w}x{h}: {} frames in {span:.1} s ({:.1} fps); history estimate \
             {:.2} MB/min; RSS +{:.2} MB/min; recording on disk {:.0} KB/min",
            hist.len(),
            hist.len() as f64 / span,
            per_min(hist.bytes() as f64) / 1e6,
            per_min(rss_kb().saturating_sub(rss_before) as f64 * 1024.0) / 1e6,
            per_min(written.bytes as f64) / 1024.0,
        );
        last_history = Some(hist.clone());
        header = Some(host.run_header());
        app.shutdown();
    }

    // Ten minutes at 30 frames a second from the frames seen, under the live bounds.
    let seen: Vec<_> = last_history.expect("ran").frames().cloned().collect();
    let mut ten = History::new(Bounds::LIVE);
    let frames = 10 * 60 * 30;
    for i in 0..frames {
        // Cycle forward and back so consecutive frames always differ.
        let n = seen.len();
        let k = i % (2 * n - 2).max(1);
        let k = if k < n { k } else { 2 * n - 2 - k };
        ten.push(i as f64 / 30.0, seen[k].snapshot.clone());
    }
    println!(
        "10 minutes at 30 fps under the live bounds: {} frames kept of {frames}, estimate {:.1} MB",
        ten.len(),
        ten.bytes() as f64 / 1e6
    );

    // A cast of the first 10 s seen at 100x30: changed cells only vs whole redraws.
    let ten_s: Vec<_> = seen
        .iter()
        .take_while(|f| f.t - seen[0].t <= 10.0)
        .cloned()
        .collect();
    let mut short = History::new(Bounds::LIVE);
    for f in &ten_s {
        short.push(f.t, f.snapshot.clone());
    }
    let header = header.expect("ran");
    let mut app = App::replay(
        Catalog::embedded().expect("lessons"),
        theme.clone(),
        Recording {
            header: header.clone(),
            frames: short,
            stop: None,
        },
    )
    .expect("replay");
    app.update(Msg::Terminal(Event::Resize(100, 30)));
    let (mut diff_bytes, mut full_bytes) = (0usize, 0usize);
    let mut prev = None;
    for i in 0..ten_s.len() {
        let host = app.demo.as_mut().expect("host");
        host.seek(if i == 0 { Seek::First } else { Seek::Frames(1) });
        let buf = draw_app(&app);
        diff_bytes += pyconc::replay::ansi::frame(prev.as_ref(), &buf).len();
        full_bytes += pyconc::replay::ansi::frame(None, &buf).len();
        prev = Some(buf);
    }
    println!(
        "10 s cast at 100x30 ({} frames): changed cells {:.0} KB, whole redraws {:.0} KB (before JSON escaping)",
        ten_s.len(),
        diff_bytes as f64 / 1024.0,
        full_bytes as f64 / 1024.0
    );

    let recording = Recording {
        header,
        frames: ten,
        stop: None,
    };
    let mut app =
        App::replay(Catalog::embedded().expect("lessons"), theme, recording).expect("replay");
    app.update(Msg::Terminal(Event::Resize(200, 60)));
    let host = app.demo.as_mut().expect("host");
    host.toggle_pause();
    let len = host.history.len();
    let mut times: Vec<Duration> = Vec::new();
    let mut seeks: Vec<Duration> = Vec::new();
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..300 {
        let target = rng.usize(0..len);
        let t0 = Instant::now();
        let host = app.demo.as_mut().expect("host");
        let t = host.history.get(target).map_or(0.0, |f| f.t);
        let from = host
            .history
            .get(host.cursor.unwrap_or(0))
            .map_or(0.0, |f| f.t);
        host.seek(Seek::Seconds(t - from));
        seeks.push(t0.elapsed());
        let _ = draw_app(&app);
        times.push(t0.elapsed());
    }
    let ms = |v: &mut Vec<Duration>, q: f64| {
        v.sort();
        v[((v.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3
    };
    println!(
        "seek to a random instant of 10 minutes ({} seeks): seek alone median {:.3} ms, max {:.3} ms; \
         seek + redraw at 200x60 median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        ms(&mut seeks, 0.5),
        ms(&mut seeks, 1.0),
        ms(&mut times, 0.5),
        ms(&mut times, 0.99),
        ms(&mut times, 1.0),
    );
}
