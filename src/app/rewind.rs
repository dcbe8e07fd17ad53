//! Rewind and replay in the demo host: scrubbing through the kept history while paused
//! (← →, Shift for a second, Home/End), the time cursor's words, saving the run with `w`,
//! and playing a recording read back from a file at its recorded speed (read-only).

use std::path::PathBuf;
use std::thread::JoinHandle;

use super::demo_host::DemoHost;
use crate::lessons::sanitize::sanitize_path;
use crate::replay::record::{self, Header, Recording, Written};

/// A scrub: where to move the time cursor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seek {
    /// By this many kept frames (negative: back).
    Frames(isize),
    /// By this many seconds of run time (at least one frame).
    Seconds(f64),
    /// To the first kept instant.
    First,
    /// To the last kept instant.
    Last,
}

/// A host playing a recording.
#[derive(Debug, Clone)]
pub struct ReplayState {
    /// What the recording says about its run.
    pub header: Header,
    /// The play position, seconds of recorded run time.
    pub position_s: f64,
    /// True while playing (space pauses).
    pub playing: bool,
    /// Where reading stopped early, if it did.
    pub stop: Option<String>,
}

/// A `w` save running on its own thread.
pub(crate) struct Saving {
    path: PathBuf,
    handle: JoinHandle<std::io::Result<Written>>,
}

impl DemoHost {
    /// A host that plays `recording` (read-only): the recorded engine's view, parameters
    /// and core count, never this machine's.
    pub fn replay(recording: Recording) -> Result<DemoHost, String> {
        let Recording {
            header,
            frames,
            stop,
        } = recording;
        let engine = crate::sims::find(&header.engine).ok_or_else(|| {
            format!(
                "recorded with the demo `{}`, which this pyconc does not have; demos: {}",
                header.engine,
                crate::sims::names().join(", ")
            )
        })?;
        let (params, params_note) = match engine.resolve(&header.param_pairs()) {
            Ok(p) => (p, None),
            Err(e) => (
                engine.resolve(&[]).map_err(|e| e.to_string())?,
                Some(format!(
                    "recorded parameters not understood ({e}): showing defaults"
                )),
            ),
        };
        let Some(first) = frames.first().cloned() else {
            return Err(stop.unwrap_or_else(|| "the recording has no frames".into()));
        };
        let mut host = DemoHost::idle(engine, params);
        host.history = frames;
        host.cursor = Some(0);
        host.snapshot = Some(first.snapshot);
        host.run_time_s = first.t;
        host.notice = stop.clone().or(params_note);
        host.replay = Some(ReplayState {
            header,
            position_s: first.t,
            playing: true,
            stop,
        });
        Ok(host)
    }

    /// True when ← → move through time rather than change a parameter: paused, frozen,
    /// or a replay.
    pub fn can_scrub(&self) -> bool {
        self.replay.is_some() || self.paused || self.frozen
    }

    /// True for a replay, where parameters cannot change; says so.
    pub fn read_only(&mut self) -> bool {
        if self.replay.is_some() {
            self.notice = Some("a replay is read-only: the parameters are as recorded".into());
        }
        self.replay.is_some()
    }

    /// Moves the time cursor (pausing a live demo first). At the last kept instant a live
    /// demo shows its live picture again.
    pub fn seek(&mut self, seek: Seek) {
        if self.history.is_empty() {
            return;
        }
        if self.replay.is_none() && !(self.paused || self.frozen) {
            self.toggle_pause();
        }
        let last = self.history.len() - 1;
        let current = self.cursor.unwrap_or(last).min(last);
        let target = match seek {
            Seek::Frames(n) => current.saturating_add_signed(n).min(last),
            Seek::Seconds(s) => {
                let now = self.history.get(current).map_or(0.0, |f| f.t);
                let i = self.history.index_at(now + s).unwrap_or(current);
                if s > 0.0 && i == current {
                    (current + 1).min(last)
                } else if s < 0.0 && i == current {
                    current.saturating_sub(1)
                } else {
                    i
                }
            }
            Seek::First => 0,
            Seek::Last => last,
        };
        self.show_kept(target);
        if let Some(replay) = self.replay.as_mut() {
            replay.position_s = self.history.get(target).map_or(0.0, |f| f.t);
            self.finished = target == last && !replay.playing;
        } else if target == last {
            self.cursor = None;
        }
    }

    fn show_kept(&mut self, i: usize) {
        if let Some(frame) = self.history.get(i) {
            self.snapshot = Some(frame.snapshot.clone());
            self.cursor = Some(i);
        }
    }

    /// Where the time cursor is, in words: `−3.2 s` behind live when rewound, `3.2 / 10.0 s`
    /// in a replay; `None` when live.
    pub fn time_label(&self) -> Option<String> {
        let first = self.history.first()?.t;
        let last = self.history.last()?.t;
        if let Some(replay) = &self.replay {
            return Some(format!(
                "{:.1} / {:.1} s",
                (replay.position_s - first).max(0.0),
                last - first
            ));
        }
        let at = self.history.get(self.cursor?)?.t;
        Some(format!("−{:.1} s", last - at))
    }

    /// Moves a playing replay on by `dt` real seconds at the chosen speed.
    pub(crate) fn advance_replay(&mut self, dt: f64) {
        let speed = self.speed;
        let Some(replay) = self.replay.as_mut() else {
            return;
        };
        self.paused = !replay.playing;
        if !replay.playing {
            return;
        }
        let end = self.history.last().map_or(0.0, |f| f.t);
        replay.position_s = (replay.position_s + dt * speed).min(end);
        let at_end = replay.position_s >= end;
        if at_end {
            replay.playing = false;
        }
        let position = replay.position_s;
        if let Some(i) = self.history.index_at(position)
            && self.cursor != Some(i)
        {
            self.show_kept(i);
        }
        self.finished = at_end;
        self.paused = at_end;
    }

    /// Plays or pauses a replay; at its end, plays it again from the start.
    pub(crate) fn toggle_replay(&mut self) {
        if self.finished {
            self.restart_replay();
            return;
        }
        if let Some(replay) = self.replay.as_mut() {
            replay.playing = !replay.playing;
            self.paused = !replay.playing;
        }
    }

    /// Plays a replay again from its first frame.
    pub(crate) fn restart_replay(&mut self) {
        self.show_kept(0);
        let start = self.history.first().map_or(0.0, |f| f.t);
        if let Some(replay) = self.replay.as_mut() {
            replay.position_s = start;
            replay.playing = true;
        }
        self.finished = false;
        self.paused = false;
    }

    /// What a recording of this run says about it.
    pub fn run_header(&self) -> Header {
        match &self.replay {
            Some(replay) => replay.header.clone(),
            None => self.started_header.clone(),
        }
    }

    /// Saves the kept frames to a new file in the current folder, off the UI thread; the
    /// notice says where once written.
    pub fn save_run(&mut self) {
        if self.saving.is_some() {
            self.notice = Some("still saving the last recording…".into());
            return;
        }
        if self.history.is_empty() {
            self.notice = Some("nothing to save yet".into());
            return;
        }
        let path = free_file_name(self.engine.name());
        let frames = self.history.frames().cloned().collect();
        match record::save_in_background(path.clone(), self.run_header(), frames) {
            Ok(handle) => {
                self.notice = Some(format!("saving to {}…", sanitize_path(&path)));
                self.saving = Some(Saving { path, handle });
            }
            Err(e) => self.notice = Some(format!("could not save: {e}")),
        }
    }

    /// Reports a finished save.
    pub(crate) fn poll_saving(&mut self) {
        if self.saving.as_ref().is_some_and(|s| s.handle.is_finished()) {
            self.wait_for_saving();
        }
    }

    /// Waits for a save in progress and reports it.
    pub(crate) fn wait_for_saving(&mut self) {
        let Some(Saving { path, handle }) = self.saving.take() else {
            return;
        };
        let result = handle
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the saving thread panicked")));
        self.notice = Some(match result {
            // The file first: a narrow bar cuts the end of the line.
            Ok(w) => format!(
                "saved {}: {} frames, {:.1} s, {} KB · pyconc replay FILE plays it",
                sanitize_path(&w.path),
                w.frames,
                w.duration_s,
                w.bytes.div_ceil(1024),
            ),
            Err(e) => format!("could not save {}: {e}", sanitize_path(&path)),
        });
    }

    /// Ends a `--record` stream and returns what was written.
    pub fn finish_recording(&mut self) -> Option<std::io::Result<Written>> {
        self.recording.take().map(record::RecordSink::finish)
    }

    /// Ends this host on a thread of its own, so leaving a demo never waits on the UI
    /// thread. The thread returns what the learner should be told.
    pub fn close_in_background(mut self) -> std::io::Result<std::thread::JoinHandle<Vec<String>>> {
        std::thread::Builder::new()
            .name("demo-closer".into())
            .spawn(move || self.close())
    }

    /// Stops an engine still in this host, closes a `--record` stream and waits for a `w`
    /// save in progress; returns what each wrote, in words. `Drop` runs it too.
    pub(crate) fn close(&mut self) -> Vec<String> {
        if let Some(demo) = self.take_running() {
            let _ = demo.stop();
        }
        let mut said = Vec::new();
        match self.finish_recording() {
            Some(Ok(w)) => said.push(format!(
                "recorded {} frames ({:.1} s) to {}{}",
                w.frames,
                w.duration_s,
                sanitize_path(&w.path),
                if w.dropped > 0 {
                    format!(" ({} frames left out: the disk was too slow)", w.dropped)
                } else {
                    String::new()
                }
            )),
            Some(Err(e)) => said.push(format!("could not write the recording: {e}")),
            None => {}
        }
        if self.saving.is_some() {
            self.wait_for_saving();
            said.extend(self.notice.take());
        }
        said
    }
}

/// `gil-20261201-091500.pyconc` in the current folder, with `-2`, `-3`… if taken.
fn free_file_name(engine: &str) -> PathBuf {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stem = format!("{engine}-{}", record::compact_utc(now));
    (1..)
        .map(|n| {
            PathBuf::from(if n == 1 {
                format!("{stem}.pyconc")
            } else {
                format!("{stem}-{n}.pyconc")
            })
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| PathBuf::from(format!("{stem}.pyconc")))
}
