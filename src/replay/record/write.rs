//! Writing recordings: [`RecordingWriter`] over any `Write` (header, frames, end mark, in
//! the format of [`super`]), a whole run saved in one go ([`write_file`], the `w` key, on a
//! thread of its own with [`save_in_background`]), or frames streamed to a writer thread as
//! the run goes ([`RecordSink`], `--record FILE`).

use std::borrow::Borrow;
use std::cell::Cell;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread::JoinHandle;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::{EndMark, FrameLine, Header};
use crate::replay::history::Frame;
use crate::sims::Snapshot;

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
    /// Frames left out because the writer fell more than [`SINK_QUEUE_FRAMES`] behind.
    pub dropped: u64,
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
    write_frames(File::create(path)?, path.to_path_buf(), header, frames)
}

/// Writes the header and `frames` to `file` (created at `path`), ends the recording and
/// syncs it to disk.
fn write_frames(
    file: File,
    path: PathBuf,
    header: &Header,
    frames: impl IntoIterator<Item = impl Borrow<Frame>>,
) -> std::io::Result<Written> {
    let mut writer = RecordingWriter::new(BufWriter::new(file), header)?;
    for frame in frames {
        let frame = frame.borrow();
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
        dropped: 0,
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

/// Frames a [`RecordSink`] queues for its writer at most (about half a minute of frames):
/// past that, a frame is dropped and counted rather than the queue growing without end or
/// the UI waiting for the disk.
pub const SINK_QUEUE_FRAMES: usize = 1024;

/// A recording written as the run goes (`--record FILE`): frames are sent to a writer
/// thread, so encoding never holds up a frame. [`finish`](Self::finish) joins it.
pub struct RecordSink {
    tx: Option<SyncSender<Frame>>,
    dropped: Cell<u64>,
    handle: Option<JoinHandle<std::io::Result<Written>>>,
}

impl RecordSink {
    /// Creates `path` (failing now if it cannot) and starts the writer thread.
    pub fn start(path: &Path, header: Header) -> std::io::Result<RecordSink> {
        let file = File::create(path)?;
        let path = path.to_path_buf();
        let (tx, rx) = mpsc::sync_channel::<Frame>(SINK_QUEUE_FRAMES);
        let handle = std::thread::Builder::new()
            .name("recording-writer".into())
            .spawn(move || write_frames(file, path, &header, rx))?;
        Ok(RecordSink {
            tx: Some(tx),
            dropped: Cell::new(0),
            handle: Some(handle),
        })
    }

    /// Queues one frame (cheap: the snapshot is an `Arc`).
    pub fn send(&self, t: f64, snapshot: &Snapshot) {
        if let Some(tx) = &self.tx {
            let frame = Frame {
                t,
                snapshot: snapshot.clone(),
            };
            // A writer that stopped on an error reports it from `finish`.
            if let Err(TrySendError::Full(_)) = tx.try_send(frame) {
                self.dropped.set(self.dropped.get() + 1);
            }
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
                .unwrap_or_else(|_| Err(std::io::Error::other("the recording writer panicked")))
                .map(|w| Written {
                    dropped: self.dropped.get(),
                    ..w
                }),
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
