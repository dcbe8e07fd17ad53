//! The command line's recording and export runs, drawn by the same app and views as the
//! TUI into an off-screen buffer of the asked size: a headless live run with `--record`,
//! `--cast` and `--svg`, and `pyconc replay FILE --cast OUT | --svg OUT [--at T]`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossterm::event::Event;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

use super::cast::{CastHeader, CastWriter};
use super::moments::moments;
use super::record::{self, RecordSink, Recording};
use crate::app::{App, Msg, Seek};
use crate::lessons::Catalog;
use crate::lessons::sanitize::sanitize_path;
use crate::sims::{Engine, Params, Snapshot};
use crate::theme::Theme;

/// The export size when `--size` is not given.
pub const DEFAULT_SIZE: (u16, u16) = (100, 30);
/// The largest `--size` accepted.
pub const MAX_SIZE: (u16, u16) = (400, 200);

/// A failure of an export run: a usage mistake (exit 2) or a failure (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

/// What to write from a run.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// `--record FILE`.
    pub record: Option<PathBuf>,
    /// `--cast FILE`.
    pub cast: Option<PathBuf>,
    /// `--svg FILE`.
    pub svg: Option<PathBuf>,
    /// The drawn size, columns by rows.
    pub size: (u16, u16),
}

/// Parses `--size WxH` (e.g. `100x30`) within the sizes pyconc draws in.
pub fn parse_size(text: &str) -> Result<(u16, u16), String> {
    let bad = || {
        format!(
            "bad value `{}` for `--size`: expected COLUMNSxROWS from {}x{} to {}x{}, e.g. 100x30",
            crate::lessons::sanitize::sanitize_line(text),
            crate::ui::layout::MIN_WIDTH,
            crate::ui::layout::MIN_HEIGHT,
            MAX_SIZE.0,
            MAX_SIZE.1
        )
    };
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u16, u16) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    let min = (crate::ui::layout::MIN_WIDTH, crate::ui::layout::MIN_HEIGHT);
    if w < min.0 || h < min.1 || w > MAX_SIZE.0 || h > MAX_SIZE.1 {
        return Err(bad());
    }
    Ok((w, h))
}

/// Parses `--at T`: seconds, as `2.5`, `2.5s` or `2500ms`.
pub fn parse_at(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let value = if let Some(ms) = t.strip_suffix("ms") {
        ms.trim().parse::<f64>().map(|v| v / 1000.0)
    } else {
        t.strip_suffix('s').unwrap_or(t).trim().parse::<f64>()
    };
    match value {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "bad value `{}` for `--at`: expected seconds from the recording's start, e.g. 2.5s",
            crate::lessons::sanitize::sanitize_line(text)
        )),
    }
}

/// Starts writing the running demo of `app` to `path` (`--record FILE`), its first frame
/// included.
pub fn attach_recorder(app: &mut App, path: &Path) -> Result<(), ExportError> {
    let Some(host) = app.demo.as_mut() else {
        return Err(ExportError::Failed("no demo to record".into()));
    };
    let sink = RecordSink::start(path, host.run_header())
        .map_err(|e| ExportError::Failed(format!("cannot write {}: {e}", sanitize_path(path))))?;
    for frame in host.history.frames() {
        sink.send(frame.t, &frame.snapshot);
    }
    host.recording = Some(sink);
    Ok(())
}

/// Runs `engine` headless for `seconds` (or until a finite demo ends), drawing each frame
/// at `outputs.size` for the cast and the final still; returns the final metrics (as
/// `pyconc demo --headless` prints them) and one line per file written.
pub fn run_live(
    engine: &'static dyn Engine,
    params: &Params,
    seconds: f64,
    theme: &Theme,
    outputs: &Outputs,
) -> Result<(Value, Vec<String>), ExportError> {
    let mut app = App::demo_only(catalog()?, theme.clone(), engine, params.clone())
        .map_err(|e| ExportError::Failed(format!("could not start `{}`: {e}", engine.name())))?;
    let (w, h) = outputs.size;
    app.update(Msg::Terminal(Event::Resize(w, h)));
    if let Some(path) = &outputs.record {
        attach_recorder(&mut app, path)?;
    }
    let title = format!("pyconc demo {}", engine.name());
    let mut cast = match &outputs.cast {
        Some(path) => Some(start_cast(path, &title, outputs.size, now_unix_s())?),
        None => None,
    };
    let draw = cast.is_some() || outputs.svg.is_some();
    let frame_interval = crate::app::run::FRAME_INTERVAL;
    let budget = Duration::from_secs_f64(seconds.max(0.0));
    let started = Instant::now();
    // The snapshot taken at the start is the first "before" (so a hand-off in the first
    // frame is still marked).
    let mut prev: Option<Snapshot> = app.demo.as_ref().and_then(|h| h.snapshot.clone());
    let mut last = Buffer::empty(Rect::new(0, 0, w, h));
    loop {
        let tick = Instant::now();
        app.update(Msg::Frame);
        let Some(host) = app.demo.as_ref() else { break };
        if draw {
            last = draw_app(&app);
        }
        if let (Some(cast), Some(snapshot)) = (cast.as_mut(), host.snapshot.as_ref()) {
            let t = host.run_time_s;
            for label in moments(prev.as_ref(), snapshot) {
                cast.marker(t, &label)
                    .map_err(write_error(outputs.cast.as_deref()))?;
            }
            cast.frame(t, &last)
                .map_err(write_error(outputs.cast.as_deref()))?;
        }
        prev = host.snapshot.clone();
        if started.elapsed() >= budget || host.finished {
            break;
        }
        std::thread::sleep(
            frame_interval
                .saturating_sub(tick.elapsed())
                .min(budget.saturating_sub(started.elapsed())),
        );
    }
    let mut notes = Vec::new();
    let mut host = app
        .demo
        .take()
        .ok_or_else(|| ExportError::Failed("the demo ended early".into()))?;
    let metrics = host.take_running().map_or(Value::Null, |demo| demo.stop());
    let report =
        crate::sims::headless::report(engine, params, started.elapsed().as_secs_f64(), metrics);
    if let Some(written) = host.finish_recording() {
        let w = written.map_err(write_error(outputs.record.as_deref()))?;
        notes.push(format!(
            "recorded {} frames ({:.1} s, {} KB) to {}{}",
            w.frames,
            w.duration_s,
            w.bytes.div_ceil(1024),
            sanitize_path(&w.path),
            if w.dropped > 0 {
                format!(" ({} frames left out: the disk was too slow)", w.dropped)
            } else {
                String::new()
            }
        ));
    }
    if let (Some(cast), Some(path)) = (cast, &outputs.cast) {
        notes.push(finish_cast(cast, path)?);
    }
    if let Some(path) = &outputs.svg {
        notes.push(write_svg(path, &last, theme)?);
    }
    app.shutdown();
    Ok((report, notes))
}

/// `pyconc replay FILE --cast OUT | --svg OUT [--at T]`: the recording drawn at
/// `outputs.size`; the still shows instant `at` (seconds from the start; default: the end).
pub fn from_recording(
    recording: Recording,
    at: Option<f64>,
    theme: &Theme,
    outputs: &Outputs,
) -> Result<Vec<String>, ExportError> {
    let mut notes: Vec<String> = recording.stop.iter().cloned().collect();
    let header = recording.header.clone();
    let mut app = App::replay(catalog()?, theme.clone(), recording).map_err(ExportError::Failed)?;
    let (w, h) = outputs.size;
    app.update(Msg::Terminal(Event::Resize(w, h)));
    let (first_t, len) = {
        let host = app
            .demo
            .as_ref()
            .ok_or_else(|| ExportError::Failed("no replay".into()))?;
        (
            host.history.first().map_or(0.0, |f| f.t),
            host.history.len(),
        )
    };
    if let Some(path) = &outputs.cast {
        let title = format!("pyconc replay {}", header.engine);
        let mut cast = start_cast(path, &title, outputs.size, header.started_unix_ms / 1000)?;
        let mut prev: Option<Snapshot> = None;
        for i in 0..len {
            let Some(host) = app.demo.as_mut() else { break };
            if i == 0 {
                host.seek(Seek::First);
            } else {
                host.seek(Seek::Frames(1));
            }
            let t = host.history.get(i).map_or(0.0, |f| f.t) - first_t;
            let buf = draw_app(&app);
            let Some(snapshot) = app.demo.as_ref().and_then(|h| h.snapshot.clone()) else {
                break;
            };
            for label in moments(prev.as_ref(), &snapshot) {
                cast.marker(t, &label)
                    .map_err(write_error(outputs.cast.as_deref()))?;
            }
            cast.frame(t, &buf)
                .map_err(write_error(outputs.cast.as_deref()))?;
            prev = Some(snapshot);
        }
        notes.push(finish_cast(cast, path)?);
    }
    if let Some(path) = &outputs.svg {
        let Some(host) = app.demo.as_mut() else {
            return Err(ExportError::Failed("no replay".into()));
        };
        if let Some(replay) = host.replay.as_mut() {
            replay.playing = false;
        }
        host.paused = true;
        let end = host.history.last().map_or(0.0, |f| f.t);
        let target = at.map_or(end, |a| first_t + a);
        if target > end + 1e-9 {
            return Err(ExportError::Usage(format!(
                "--at {:.2}s is past the recording's end ({:.2} s)",
                target - first_t,
                end - first_t
            )));
        }
        let i = host.history.index_at(target).unwrap_or(0);
        host.seek(Seek::First);
        host.seek(Seek::Frames(i as isize));
        let buf = draw_app(&app);
        notes.push(write_svg(path, &buf, theme)?);
    }
    app.shutdown();
    Ok(notes)
}

/// Draws the whole screen of `app` at its size, as the TUI would.
pub fn draw_app(app: &App) -> Buffer {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let mut buf = Buffer::empty(area);
    crate::ui::render(app, area, &mut buf);
    buf
}

fn catalog() -> Result<Catalog, ExportError> {
    Catalog::embedded().map_err(|p| {
        ExportError::Failed(format!("the built-in lessons have {} problem(s)", p.len()))
    })
}

fn start_cast(
    path: &Path,
    title: &str,
    (width, height): (u16, u16),
    timestamp: u64,
) -> Result<CastWriter<BufWriter<File>>, ExportError> {
    let file = File::create(path)
        .map_err(|e| ExportError::Failed(format!("cannot write {}: {e}", sanitize_path(path))))?;
    let header = CastHeader {
        width,
        height,
        timestamp,
        title: title.to_string(),
    };
    CastWriter::new(BufWriter::new(file), &header).map_err(write_error(Some(path)))
}

fn finish_cast(cast: CastWriter<BufWriter<File>>, path: &Path) -> Result<String, ExportError> {
    let fail = write_error(Some(path));
    let (events, mut out) = cast.finish().map_err(&fail)?;
    out.flush().map_err(&fail)?;
    let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    Ok(format!(
        "cast: {events} events, {} KB to {}",
        bytes.div_ceil(1024),
        sanitize_path(path)
    ))
}

fn write_svg(path: &Path, buf: &Buffer, theme: &Theme) -> Result<String, ExportError> {
    let text = super::svg::render(buf, theme);
    std::fs::write(path, &text).map_err(write_error(Some(path)))?;
    Ok(format!(
        "svg: {}x{} cells, {} KB to {}",
        buf.area.width,
        buf.area.height,
        text.len().div_ceil(1024),
        sanitize_path(path)
    ))
}

fn write_error(path: Option<&Path>) -> impl Fn(std::io::Error) -> ExportError + use<> {
    let name = path.map_or_else(|| "output".to_string(), sanitize_path);
    move |e| ExportError::Failed(format!("cannot write {name}: {e}"))
}

fn now_unix_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Reads `path` for `pyconc replay`, the error in words.
pub fn read_recording(path: &Path) -> Result<Recording, ExportError> {
    record::read_file(path).map_err(|e| ExportError::Failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_times_parse_or_name_the_valid_range() {
        assert_eq!(parse_size("100x30"), Ok((100, 30)));
        assert_eq!(parse_size("200X60"), Ok((200, 60)));
        for bad in ["100", "10x5", "x", "1000x30", "axb"] {
            let e = parse_size(bad).unwrap_err();
            assert!(e.contains("60x16 to 400x200"), "{e}");
        }
        assert_eq!(parse_at("2.5s"), Ok(2.5));
        assert_eq!(parse_at("2.5"), Ok(2.5));
        assert_eq!(parse_at("250ms"), Ok(0.25));
        assert!(parse_at("-1").is_err());
        assert!(parse_at("soon").is_err());
    }
}
