//! The real engine's demo clock: real time since start divided by the slow-motion factor,
//! frozen while the learner pauses and while the speedup's reference is measured.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// Demo time: real time since start divided by the slow-motion factor, frozen while the
/// learner pauses and while the speedup's reference is measured (so the strips show no gap
/// for it and its time is not the demo's).
#[derive(Debug)]
pub(super) struct Clock {
    inner: Mutex<ClockInner>,
}

#[derive(Debug)]
pub(super) struct ClockInner {
    base_real: Instant,
    base_demo_ns: u64,
    slow_motion: f64,
    paused: bool,
    frozen: bool,
}

impl Clock {
    pub(super) fn new(slow_motion: f64) -> Clock {
        Clock {
            inner: Mutex::new(ClockInner {
                base_real: Instant::now(),
                base_demo_ns: 0,
                slow_motion,
                paused: false,
                frozen: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ClockInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now_of(c: &ClockInner) -> u64 {
        if c.paused || c.frozen {
            c.base_demo_ns
        } else {
            c.base_demo_ns + (c.base_real.elapsed().as_nanos() as f64 / c.slow_motion) as u64
        }
    }

    /// Demo ns now.
    pub(super) fn now(&self) -> u64 {
        Clock::now_of(&self.lock())
    }

    fn rebase(c: &mut ClockInner) {
        c.base_demo_ns = Clock::now_of(c);
        c.base_real = Instant::now();
    }

    /// Changes real seconds per demo second from now on.
    pub(super) fn set_slow_motion(&self, slow_motion: f64) {
        let mut c = self.lock();
        Clock::rebase(&mut c);
        c.slow_motion = slow_motion.max(1e-3);
    }

    /// Stops (or restarts) demo time for a pause.
    pub(super) fn set_paused(&self, paused: bool) {
        let mut c = self.lock();
        Clock::rebase(&mut c);
        c.paused = paused;
    }

    /// Stops (or restarts) demo time for a reference window.
    pub(super) fn set_frozen(&self, frozen: bool) {
        let mut c = self.lock();
        Clock::rebase(&mut c);
        c.frozen = frozen;
    }

    /// Lets a frozen clock run on from where it stood (a no-op when it runs).
    pub(super) fn thaw(&self) {
        if self.lock().frozen {
            self.set_frozen(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// After a reference window the demo clock runs on from where it stood when the first
    /// worker runs again, not from when the gate opened: the wake-up is not demo time.
    #[test]
    fn a_thawed_clock_runs_on_from_where_it_was_frozen() {
        let clock = Clock::new(1.0);
        clock.set_frozen(true);
        let frozen_at = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), frozen_at);
        clock.thaw();
        let c = clock.lock();
        assert!(!c.frozen);
        assert_eq!(c.base_demo_ns, frozen_at);
        drop(c);
        clock.thaw(); // a running clock: nothing changes
        assert!(clock.now() >= frozen_at);
    }
}
