//! Run control shared by an engine's worker threads: a stop flag, a pause gate and
//! sleeps that wake at once when the demo stops, so `stop()` can always join promptly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Stop flag plus pause gate. Share it in an `Arc` between the handle and the workers.
#[derive(Debug, Default)]
pub struct RunControl {
    stopping: AtomicBool,
    paused: Mutex<bool>,
    changed: Condvar,
}

impl RunControl {
    /// A control that is running (not paused, not stopping).
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every worker to finish; wakes any that are paused or sleeping.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _guard = self.lock();
        self.changed.notify_all();
    }

    /// True once [`RunControl::stop`] was called.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// Pauses or resumes the workers that call [`RunControl::checkpoint`].
    pub fn set_paused(&self, paused: bool) {
        *self.lock() = paused;
        self.changed.notify_all();
    }

    /// True while paused.
    pub fn is_paused(&self) -> bool {
        *self.lock()
    }

    /// Blocks while paused. Returns false when the demo is stopping (the worker should
    /// return), true when it may go on.
    pub fn checkpoint(&self) -> bool {
        let mut paused = self.lock();
        while *paused && !self.is_stopping() {
            paused = self
                .changed
                .wait(paused)
                .unwrap_or_else(|poison| poison.into_inner());
        }
        !self.is_stopping()
    }

    /// Sleeps for `duration` unless the demo stops first. Pausing does not extend it.
    /// Returns false if woken by stop.
    pub fn sleep(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut guard = self.lock();
        loop {
            if self.is_stopping() {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            guard = self
                .changed
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(|poison| poison.into_inner())
                .0;
        }
    }

    fn lock(&self) -> MutexGuard<'_, bool> {
        self.paused
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn stop_wakes_a_long_sleep_and_a_paused_worker() {
        let control = Arc::new(RunControl::new());
        control.set_paused(true);
        let sleeper = {
            let c = Arc::clone(&control);
            std::thread::spawn(move || c.sleep(Duration::from_secs(3600)))
        };
        let paused = {
            let c = Arc::clone(&control);
            std::thread::spawn(move || c.checkpoint())
        };
        control.stop();
        assert!(!sleeper.join().unwrap());
        assert!(!paused.join().unwrap());
        assert!(control.is_stopping());
    }

    #[test]
    fn checkpoint_passes_when_running() {
        let control = RunControl::new();
        assert!(control.checkpoint());
        assert!(control.sleep(Duration::from_millis(1)));
    }
}
