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
//! A `--record` stream goes on across restarts of the demo (`r`, or a parameter change
//! that restarts the engine), its times running on; the header holds the parameters the
//! run started with.
//!
//! A reader checks `format` and `version` before anything else: another format or version
//! is a clear error. A file cut short or damaged replays the frames before the damage, and
//! [`Recording::stop`] says where it stops. Every string read from a file is sanitised
//! before a view can draw it (a recording may come from anyone).
//!
//! This module holds the format's header and names; `write.rs` writes recordings (in one go
//! or as a run goes), `read.rs` reads them back.

mod read;
mod write;

pub use read::{ReadError, Recording, read, read_file};
pub use write::{
    RecordSink, RecordingWriter, SINK_QUEUE_FRAMES, Written, save_in_background, write_file,
};

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
pub(crate) struct FrameLine<'a> {
    pub(crate) t: f64,
    pub(crate) snapshot: &'a Snapshot,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct EndMark {
    pub(crate) frames: u64,
    pub(crate) duration_s: f64,
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
mod tests;
