//! Recordings: a demo run saved as its snapshot stream, read back by `pyconc replay`.
//!
//! # Format `pyconc-recording`, version 1
//!
//! A gzip stream of UTF-8 JSON lines, one object per line:
//!
//! 1. the header: `{"format": "pyconc-recording", "version": 1, "pyconc": "0.1.0",
//!    "engine": "gil", "title": "...", "params": {"threads": "4", ...}, "cores": 16,
//!    "os": "linux", "arch": "x86_64", "started_unix_ms": 1764580500000,
//!    "started": "2026-12-01T09:15:00Z"}`. `params` are the values as `--set` takes
//!    them; `cores` is the recording machine's, which a replay shows and never replaces
//!    with its own;
//! 2. one line per frame: `{"t": 0.033, "snapshot": {"Gil": {...}}}`, `t` the run time in
//!    seconds (pauses left out), non-decreasing; `snapshot` the engine's snapshot as serde
//!    writes it (externally tagged by engine);
//! 3. the end mark: `{"end": {"frames": 300, "duration_s": 10.0}}`.
//!
//! A reader checks `format` and `version` before anything else: another format or version
//! is a clear error. A file cut short or damaged replays the frames before the damage, and
//! [`Recording::stop`] says where it stops. Every string read from a file is sanitised
//! before a view can draw it (a recording may come from anyone).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::history::{Bounds, Frame, History};
use crate::lessons::sanitize::sanitize_line;
use crate::sims::{Engine, Params, Snapshot};

/// The `format` field of every recording.
pub const FORMAT_NAME: &str = "pyconc-recording";
/// The format version this pyconc writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// A replay keeps at most this many estimated bytes of frames; a longer recording is
/// replayed up to there.
pub const REPLAY_MAX_BYTES: usize = 512 * 1024 * 1024;
/// The longest line a reader accepts (a snapshot is a few KB; this stops a damaged file
/// from making the reader buffer without end).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// The first line of a recording: what ran, where and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// The format version, [`FORMAT_VERSION`] when written by this pyconc.
    pub version: u32,
    /// The pyconc version that recorded it.
    pub pyconc: String,
    /// The engine's name (`pyconc demo NAME`).
    pub engine: String,
    /// The engine's title.
    pub title: String,
    /// The parameters at the start, as `--set` takes them.
    pub params: serde_json::Map<String, Value>,
    /// Cores of the recording machine.
    pub cores: usize,
    /// Its operating system (`linux`, `macos`, `windows`).
    pub os: String,
    /// Its CPU architecture.
    pub arch: String,
    /// When the run started, milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
    /// The same, as an RFC 3339 UTC time.
    pub started: String,
}

impl Header {
    /// The header for a run of `engine` with `params` starting now on this machine.
    pub fn for_run(engine: &dyn Engine, params: &Params) -> Header {
        let started_unix_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Header {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            pyconc: env!("CARGO_PKG_VERSION").into(),
            engine: engine.name().into(),
            title: engine.title().into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), Value::from(v.to_string())))
                .collect(),
            cores: crate::sims::available_cores(),
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            started_unix_ms,
            started: rfc3339_utc(started_unix_ms / 1000),
        }
    }

    /// The parameters as `(name, value)` pairs for [`Engine::resolve`].
    pub fn param_pairs(&self) -> Vec<(String, String)> {
        self.params
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect()
    }
}

#[derive(Serialize)]
struct FrameLine<'a> {
    t: f64,
    snapshot: &'a Snapshot,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct EndMark {
    frames: u64,
    duration_s: f64,
}

/// What a finished write produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// Where.
    pub path: PathBuf,
    /// Frames written.
    pub frames: u64,
    /// Run time covered, seconds.
    pub duration_s: f64,
    /// The file's size in bytes.
    pub bytes: u64,
}

/// Writes a recording to any `Write`: header first, then frames, then [`finish`](Self::finish).
pub struct RecordingWriter<W: Write> {
    out: GzEncoder<W>,
    frames: u64,
    first_t: Option<f64>,
    last_t: f64,
}

impl<W: Write> RecordingWriter<W> {
    /// Starts a recording with `header`.
    pub fn new(out: W, header: &Header) -> std::io::Result<RecordingWriter<W>> {
        let mut out = GzEncoder::new(out, Compression::default());
        serde_json::to_writer(&mut out, header)?;
        out.write_all(b"\n")?;
        Ok(RecordingWriter {
            out,
            frames: 0,
            first_t: None,
            last_t: 0.0,
        })
    }

    /// Appends one frame at run time `t` (an earlier `t` than the last is taken as the last).
    pub fn frame(&mut self, t: f64, snapshot: &Snapshot) -> std::io::Result<()> {
        let t = t.max(self.last_t);
        serde_json::to_writer(&mut self.out, &FrameLine { t, snapshot })?;
        self.out.write_all(b"\n")?;
        self.frames += 1;
        self.first_t.get_or_insert(t);
        self.last_t = t;
        Ok(())
    }

    /// Writes the end mark and the gzip trailer; returns the frame count, covered time and
    /// the inner writer.
    pub fn finish(mut self) -> std::io::Result<(u64, f64, W)> {
        let duration_s = self.last_t - self.first_t.unwrap_or(self.last_t);
        let end = serde_json::json!({"end": EndMark { frames: self.frames, duration_s }});
        serde_json::to_writer(&mut self.out, &end)?;
        self.out.write_all(b"\n")?;
        let inner = self.out.finish()?;
        Ok((self.frames, duration_s, inner))
    }
}

/// Writes `frames` of a run to `path` in one go (the `w` key saves the kept history so).
pub fn write_file<'a>(
    path: &Path,
    header: &Header,
    frames: impl IntoIterator<Item = &'a Frame>,
) -> std::io::Result<Written> {
    let mut writer = RecordingWriter::new(BufWriter::new(File::create(path)?), header)?;
    for frame in frames {
        writer.frame(frame.t, &frame.snapshot)?;
    }
    let (frames, duration_s, out) = writer.finish()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(Written {
        path: path.to_path_buf(),
        frames,
        duration_s,
        bytes: file.metadata()?.len(),
    })
}

/// Saves `frames` to `path` on a thread of its own, so the UI goes on; join the handle for
/// the result.
pub fn save_in_background(
    path: PathBuf,
    header: Header,
    frames: Vec<Frame>,
) -> std::io::Result<JoinHandle<std::io::Result<Written>>> {
    std::thread::Builder::new()
        .name("recording-save".into())
        .spawn(move || write_file(&path, &header, &frames))
}

/// A recording written as the run goes (`--record FILE`): frames are sent to a writer
/// thread, so encoding never holds up a frame. [`finish`](Self::finish) joins it.
pub struct RecordSink {
    tx: Option<Sender<Frame>>,
    handle: Option<JoinHandle<std::io::Result<Written>>>,
}

impl RecordSink {
    /// Creates `path` (failing now if it cannot) and starts the writer thread.
    pub fn start(path: &Path, header: Header) -> std::io::Result<RecordSink> {
        let file = File::create(path)?;
        let path = path.to_path_buf();
        let (tx, rx) = mpsc::channel::<Frame>();
        let handle = std::thread::Builder::new()
            .name("recording-writer".into())
            .spawn(move || {
                let mut writer = RecordingWriter::new(BufWriter::new(file), &header)?;
                for frame in rx {
                    writer.frame(frame.t, &frame.snapshot)?;
                }
                let (frames, duration_s, out) = writer.finish()?;
                let file = out.into_inner().map_err(|e| e.into_error())?;
                file.sync_all()?;
                Ok(Written {
                    path,
                    frames,
                    duration_s,
                    bytes: file.metadata()?.len(),
                })
            })?;
        Ok(RecordSink {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Queues one frame (cheap: the snapshot is an `Arc`).
    pub fn send(&self, t: f64, snapshot: &Snapshot) {
        if let Some(tx) = &self.tx {
            // A writer that stopped on an error reports it from `finish`.
            let _ = tx.send(Frame {
                t,
                snapshot: snapshot.clone(),
            });
        }
    }

    /// Ends the stream, waits for the writer and returns what it wrote.
    pub fn finish(mut self) -> std::io::Result<Written> {
        self.join()
    }

    fn join(&mut self) -> std::io::Result<Written> {
        self.tx = None;
        match self.handle.take() {
            Some(handle) => handle
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the recording writer panicked"))),
            None => Err(std::io::Error::other("the recording was already finished")),
        }
    }
}

impl Drop for RecordSink {
    fn drop(&mut self) {
        if self.handle.is_some() {
            let _ = self.join();
        }
    }
}

/// Why a file could not be replayed at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Open {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a pyconc recording ({why})")]
    NotARecording { path: String, why: String },
    #[error(
        "{path}: recorded in format version {found}, newer than this pyconc reads \
         (version {FORMAT_VERSION}): update pyconc to replay it"
    )]
    Newer { path: String, found: u64 },
    #[error(
        "{path}: recorded in format version {found}, older than this pyconc reads \
         (version {FORMAT_VERSION}): replay it with the pyconc that recorded it"
    )]
    Older { path: String, found: u64 },
    #[error("{path}:1: the header is damaged: {why}")]
    BadHeader { path: String, why: String },
}

/// A recording read back.
#[derive(Debug, Clone)]
pub struct Recording {
    /// What ran, where and when.
    pub header: Header,
    /// The frames, in order, every one kept.
    pub frames: History,
    /// Where and why reading stopped early, if it did (a truncated or damaged file).
    pub stop: Option<String>,
}

/// Reads the recording at `path`.
pub fn read_file(path: &Path) -> Result<Recording, ReadError> {
    let shown = sanitize_line(&path.display().to_string());
    let file = File::open(path).map_err(|source| ReadError::Open {
        path: shown.clone(),
        source,
    })?;
    read(BufReader::new(file), &shown)
}

/// Reads a recording from `input`; `name` is used in messages.
pub fn read(mut input: impl BufRead, name: &str) -> Result<Recording, ReadError> {
    let not_a_recording = |why: &str| ReadError::NotARecording {
        path: name.to_string(),
        why: why.to_string(),
    };
    let magic = input
        .fill_buf()
        .map_err(|e| not_a_recording(&e.to_string()))?;
    if magic.len() < 2 || magic[..2] != [0x1f, 0x8b] {
        return Err(not_a_recording("not gzip-compressed"));
    }
    let mut lines = LineReader::new(GzDecoder::new(input));
    let first = match lines.next_line() {
        Ok(Some(line)) => line,
        Ok(None) => return Err(not_a_recording("empty")),
        Err(e) => return Err(not_a_recording(&e)),
    };
    let value: Value = serde_json::from_slice(&first)
        .map_err(|_| not_a_recording("the first line is not a JSON header"))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT_NAME) {
        return Err(not_a_recording(
            "no `format: pyconc-recording` in its header",
        ));
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(v) if v > u64::from(FORMAT_VERSION) => {
            return Err(ReadError::Newer {
                path: name.into(),
                found: v,
            });
        }
        Some(v) => {
            return Err(ReadError::Older {
                path: name.into(),
                found: v,
            });
        }
        None => return Err(not_a_recording("its header has no version number")),
    }
    let header: Header =
        serde_json::from_value(sanitized(value)).map_err(|e| ReadError::BadHeader {
            path: name.into(),
            why: e.to_string(),
        })?;

    let mut frames = History::new(Bounds {
        max_age_s: None,
        max_bytes: usize::MAX,
        thin: false,
    });
    let mut line_no = 1u64;
    let mut count = 0u64;
    let stop = loop {
        line_no += 1;
        let where_ = |count: u64, frames: &History| {
            let t = frames.last().map_or(0.0, |f| f.t);
            format!("{name}:{line_no}: the recording stops after frame {count} (t = {t:.1} s)")
        };
        let line = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => {
                break Some(format!(
                    "{}: cut short (no end mark)",
                    where_(count, &frames)
                ));
            }
            Err(e) => break Some(format!("{}: {e}", where_(count, &frames))),
        };
        let value: Value = match serde_json::from_slice(&line) {
            Ok(v) => v,
            Err(e) => break Some(format!("{}: damaged line ({e})", where_(count, &frames))),
        };
        if let Some(end) = value.get("end") {
            break match serde_json::from_value::<EndMark>(end.clone()) {
                // Read on to the gzip trailer, whose checksum covers the whole stream.
                Ok(end) if end.frames == count => match lines.next_line() {
                    Ok(None) => None,
                    Ok(Some(_)) => Some(format!("{name}:{}: data after the end mark", line_no + 1)),
                    Err(e) => Some(format!(
                        "{name}: all {count} frames read, but the file's end is damaged: {e}"
                    )),
                },
                Ok(end) => Some(format!(
                    "{}: the end mark counts {} frames",
                    where_(count, &frames),
                    end.frames
                )),
                Err(e) => Some(format!(
                    "{}: damaged end mark ({e})",
                    where_(count, &frames)
                )),
            };
        }
        let t = value.get("t").and_then(Value::as_f64);
        let snapshot = value
            .get("snapshot")
            .map(|s| serde_json::from_value::<Snapshot>(sanitized(s.clone())));
        match (t, snapshot) {
            (Some(t), Some(Ok(snapshot))) if t.is_finite() && t >= 0.0 => {
                if frames.bytes() > REPLAY_MAX_BYTES {
                    break Some(format!(
                        "{}: the rest is past the replay's {} MB limit",
                        where_(count, &frames),
                        REPLAY_MAX_BYTES / (1024 * 1024)
                    ));
                }
                // Equal consecutive frames are kept once; the count follows the file.
                frames.push(t, snapshot);
                count += 1;
            }
            (_, Some(Err(e))) => {
                break Some(format!(
                    "{}: unreadable snapshot ({e})",
                    where_(count, &frames)
                ));
            }
            _ => {
                break Some(format!(
                    "{}: a frame without `t` or `snapshot`",
                    where_(count, &frames)
                ));
            }
        }
    };
    Ok(Recording {
        header,
        frames,
        stop,
    })
}

/// Reads lines of at most [`MAX_LINE_BYTES`] from a decompressing reader, reporting
/// decompression errors (damage, a cut-off stream) in words.
struct LineReader<R: Read> {
    inner: BufReader<R>,
}

impl<R: Read> LineReader<R> {
    fn new(inner: R) -> LineReader<R> {
        LineReader {
            inner: BufReader::new(inner),
        }
    }

    fn next_line(&mut self) -> Result<Option<Vec<u8>>, String> {
        let mut line = Vec::new();
        let mut limited = (&mut self.inner).take(MAX_LINE_BYTES as u64 + 1);
        match limited.read_until(b'\n', &mut line) {
            Ok(0) => Ok(None),
            Ok(_) if line.len() > MAX_LINE_BYTES => {
                Err(format!("a line longer than {MAX_LINE_BYTES} bytes"))
            }
            Ok(_) if line.last() != Some(&b'\n') => Err("cut short mid-line".into()),
            Ok(_) => Ok(Some(line)),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err("cut short (the compressed stream ends early)".into())
            }
            Err(e) => Err(format!("damaged compressed data ({e})")),
        }
    }
}

/// `value` with every string in it sanitised (control characters made visible).
fn sanitized(mut value: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::String(s) if !crate::lessons::sanitize::is_clean(s) || s.contains('\n') => {
                *s = sanitize_line(s);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            Value::Object(map) => map.values_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

/// `2026-12-01T09:15:00Z` for a Unix time in seconds.
pub fn rfc3339_utc(unix_s: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil_utc(unix_s);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

/// `20261201-091500` for a Unix time in seconds: for file names.
pub fn compact_utc(unix_s: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil_utc(unix_s);
    format!("{y:04}{m:02}{d:02}-{hh:02}{mm:02}{ss:02}")
}

/// Year, month, day, hour, minute, second (UTC) of a Unix time (Howard Hinnant's
/// days-to-civil algorithm).
fn civil_utc(unix_s: u64) -> (i64, u32, u32, u64, u64, u64) {
    let days = (unix_s / 86_400) as i64;
    let secs = unix_s % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
