//! A twin run for the TUI: a thread owns the twin (started and waited for there, never on
//! the UI thread), the UI draws its strips through a recording handle while it runs and
//! polls for the figures; dropping the runner kills the twin's group and joins the thread.

use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::recording::XrayView;
use super::run::RecordingHandle;
use super::twins::{RealRun, StartedTwin, Twin};

/// How often the owning thread looks whether the twin ended or was cancelled.
const POLL: Duration = Duration::from_millis(20);

enum Update {
    Started(RecordingHandle),
    Done(Result<Box<RealRun>, String>),
}

/// Where a twin run is.
#[derive(Debug, Clone)]
pub enum TwinState {
    /// Starting or running.
    Running,
    /// Ended with figures.
    Done(Box<RealRun>),
    /// Could not start or failed.
    Failed(String),
}

/// A twin running on its own thread.
pub struct TwinRunner {
    /// The twin.
    pub twin: Twin,
    cancel: Arc<AtomicBool>,
    rx: Receiver<Update>,
    handle: Option<RecordingHandle>,
    state: TwinState,
    thread: Option<JoinHandle<()>>,
}

impl TwinRunner {
    /// Starts `twin` on `python` on a new thread (returns at once).
    pub fn start(python: OsString, twin: Twin) -> std::io::Result<TwinRunner> {
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let flag = Arc::clone(&cancel);
        let t = twin.clone();
        let thread = std::thread::Builder::new()
            .name("xray-twin".into())
            .spawn(move || {
                // This thread ends only after the twin does, so the twin may die with it.
                let started = match StartedTwin::start(python, &t, true) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = tx.send(Update::Done(Err(e)));
                        return;
                    }
                };
                let _ = tx.send(Update::Started(started.xray().handle()));
                while !started.is_finished() && !flag.load(Ordering::SeqCst) {
                    std::thread::sleep(POLL);
                }
                if flag.load(Ordering::SeqCst) {
                    started.stop();
                } else {
                    let _ = tx.send(Update::Done(started.finish().map(Box::new)));
                }
            })?;
        Ok(TwinRunner {
            twin,
            cancel,
            rx,
            handle: None,
            state: TwinState::Running,
            thread: Some(thread),
        })
    }

    /// Takes in what the thread sent; returns the state (cheap, never blocks).
    pub fn poll(&mut self) -> &TwinState {
        loop {
            match self.rx.try_recv() {
                Ok(Update::Started(h)) => self.handle = Some(h),
                Ok(Update::Done(Ok(run))) => self.state = TwinState::Done(run),
                Ok(Update::Done(Err(e))) => self.state = TwinState::Failed(e),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if matches!(self.state, TwinState::Running) {
                        self.state = TwinState::Failed("the twin's thread ended".into());
                    }
                    break;
                }
            }
        }
        &self.state
    }

    /// The twin's strips, once it started.
    pub fn view(&self, window_s: f64, cells: usize) -> Option<XrayView> {
        self.handle.as_ref().map(|h| h.view(None, window_s, cells))
    }
}

impl Drop for TwinRunner {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
