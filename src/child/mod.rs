//! Running a program we do not trust (a learner's file, its grader, an interpreter probe, an
//! x-rayed script) as a child process, safely: its own process group (a job object on
//! Windows, both through `process-wrap`), stdin closed, stdout and stderr drained by reader
//! threads, a wall-clock limit and a [`Cancel`] token after either of which the whole group is
//! killed and reaped. When the first process exits, anything it left in its group is killed
//! too: nothing outlives a run.
//!
//! One core (`group`: spawn, supervise, kill and reap, read a pipe) and two ways of use:
//! - [`capture`]: [`run`] to completion on the calling thread, output kept as lines in one
//!   capped buffer with "pinned" lines apart (exercises' graders, interpreter probes);
//! - [`live`]: a [`GroupChild`] supervised by its own waiter thread, an inherited fd, output
//!   tails readable while it runs, an optional parent-death signal (x-ray).

pub mod capture;
mod group;
pub mod live;

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub use capture::{
    Captured, ChildSpec, LINE_CAP_BYTES, OUTPUT_CAP_BYTES, PINNED_CAP_BYTES, Stream, run,
};
pub use live::{ExitWatch, GroupChild, OUTPUT_TAIL_BYTES, OutputTail, Spawn};

/// How a child ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// Exited by itself with this code.
    Code(i32),
    /// Killed by a signal it did not ask for (number), e.g. a crash.
    Signal(i32),
    /// pyconc stopped it ([`Cancel::cancel`], [`GroupChild::kill`], quit, a signal to pyconc).
    Killed,
    /// The wall-clock limit ran out and pyconc killed it.
    TimedOut,
}

impl Exit {
    /// Words for the status line.
    pub fn describe(&self) -> String {
        match self {
            Exit::Code(c) => format!("exited with code {c}"),
            Exit::Signal(s) => format!("ended by signal {s}"),
            Exit::Killed => "stopped by pyconc".to_string(),
            Exit::TimedOut => "killed: time limit reached".to_string(),
        }
    }

    /// How an exit status reads (a code, else the signal on Unix, else [`Exit::Killed`]).
    fn of_status(status: std::process::ExitStatus) -> Exit {
        if let Some(code) = status.code() {
            return Exit::Code(code);
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(sig) = status.signal() {
                return Exit::Signal(sig);
            }
        }
        Exit::Killed
    }
}

/// A token that stops a run early (from any thread).
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Cancel {
    /// A fresh, not yet cancelled token.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Cancels: a run using this token kills its group and returns soon.
    pub fn cancel(&self) {
        let (flag, wake) = &*self.inner;
        *flag.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
    }

    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        *self.inner.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sleeps up to `timeout`, waking early on cancel; returns true if cancelled.
    fn wait(&self, timeout: Duration) -> bool {
        let (flag, wake) = &*self.inner;
        let guard = flag.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = wake
            .wait_timeout_while(guard, timeout, |cancelled| !*cancelled)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}
