//! Reading recordings back: the format and version checked first (a clear error for
//! anything else), then frame after frame until the end mark. A frame line that does not
//! read (damaged JSON, a snapshot of an unknown shape) is left out and the rest replays;
//! a file cut short or whose compressed data is damaged gives the frames before the damage.
//! Either way a message says where. Every string is sanitised on the way in.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::GzDecoder;
use serde_json::Value;

use super::{EndMark, FORMAT_NAME, FORMAT_VERSION, Header, MAX_LINE_BYTES, REPLAY_MAX_BYTES};

/// Damaged frame lines a reader skips before it gives up on the rest of a file.
pub const MAX_SKIPPED_FRAMES: u64 = 100;
use crate::lessons::sanitize::{sanitize_line, sanitize_path};
use crate::replay::history::{Bounds, History};
use crate::sims::Snapshot;

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
    let shown = sanitize_path(path);
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
    let mut skipped = 0u64;
    let mut first_skip: Option<String> = None;
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
        // A line that does not read as a frame is skipped (and said), the rest replays.
        let mut skip = |why: String| {
            skipped += 1;
            first_skip.get_or_insert(format!("{name}:{line_no}: a frame left out: {why}"));
        };
        let value: Value = match serde_json::from_slice(&line) {
            Ok(v) => v,
            Err(e) => {
                skip(format!("damaged line ({e})"));
                count += 1;
                if skipped > MAX_SKIPPED_FRAMES {
                    break Some(format!(
                        "{}: too many damaged lines",
                        where_(count, &frames)
                    ));
                }
                continue;
            }
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
                skip(format!("unreadable snapshot ({e})"));
                count += 1;
            }
            _ => {
                skip("no `t` or `snapshot`".into());
                count += 1;
            }
        }
        if skipped > MAX_SKIPPED_FRAMES {
            break Some(format!(
                "{}: too many damaged lines",
                where_(count, &frames)
            ));
        }
    };
    let stop = match (first_skip, stop) {
        (None, stop) => stop,
        (Some(first), stop) => {
            let more = if skipped > 1 {
                format!(" ({} more left out)", skipped - 1)
            } else {
                String::new()
            };
            Some(match stop {
                Some(stop) => format!("{first}{more}; {stop}"),
                None => format!("{first}{more}"),
            })
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
