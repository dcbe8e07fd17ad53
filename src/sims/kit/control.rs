//! Run control shared by an engine's worker threads: a stop flag, a pause gate and
//! sleeps that wake at once when the demo stops (or one worker is told to quit), so
//! `stop()` can always join promptly; and the playback speed those sleeps are scaled by.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The slowest playback speed a sleep is scaled by, so a scaled duration stays finite.
pub const SLOWEST_SPEED: f64 = 0.01;

/// The playback speed of a demo's real-thread sleeps (1.0 real time, 0.25 four times
/// slower), set from the UI thread while workers read it.
#[derive(Debug)]
pub struct PlaybackSpeed {
    bits: AtomicU64,
}

impl Default for PlaybackSpeed {
    fn default() -> Self {
        PlaybackSpeed {
            bits: AtomicU64::new(1.0f64.to_bits()),
        }
    }
}

impl PlaybackSpeed {
    /// Real time (speed 1.0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes `speed` if it is a positive finite number; anything else leaves it as it was.
    pub fn set(&self, speed: f64) {
        if speed.is_finite() && speed > 0.0 {
            self.bits.store(speed.to_bits(), Ordering::Relaxed);
        }
    }

    /// The speed now, never below [`SLOWEST_SPEED`].
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed)).max(SLOWEST_SPEED)
    }

    /// `ms` milliseconds of demo time as wall time at the current speed.
    pub fn scale_ms(&self, ms: u64) -> Duration {
        Duration::from_secs_f64(ms as f64 / 1000.0 / self.get())
    }
}

/// What the host's pause, speed and "has it ended?" reach in a demo whose threads share a
/// [`RunControl`], a [`PlaybackSpeed`] and an end flag (see [`crate::sims::Demo::pacing`]).
#[derive(Debug, Clone, Copy)]
pub struct Pacing<'a> {
    /// The pause gate the workers wait at.
    pub control: &'a RunControl,
    /// The speed their sleeps are scaled by.
    pub speed: &'a PlaybackSpeed,
    /// Set once the run has reached its end.
    pub finished: &'a AtomicBool,
}

impl<'a> Pacing<'a> {
    /// The three shared pieces of one demo.
    pub fn new(
        control: &'a RunControl,
        speed: &'a PlaybackSpeed,
        finished: &'a AtomicBool,
    ) -> Self {
        Pacing {
            control,
            speed,
            finished,
        }
    }
}

/// Stop flag plus pause gate. Share it in an `Arc` between the handle and the workers.
#[derive(Debug, Default)]
pub struct RunControl {
    stopping: AtomicBool,
    pause: Mutex<PausedTime>,
    changed: Condvar,
}

/// Whether a run is paused, and all the time it has spent paused: kept by [`RunControl`]
/// and by the asyncio loop's gate, so a demo's times can leave its pauses out.
#[derive(Debug, Default, Clone, Copy)]
pub struct PausedTime {
    /// Since when, while paused.
    since: Option<Instant>,
    /// Time spent paused before `since`.
    before: Duration,
}

impl PausedTime {
    /// Pauses or resumes (pausing while paused is the same pause).
    pub fn set(&mut self, paused: bool) {
        match (self.since, paused) {
            (None, true) => self.since = Some(Instant::now()),
            (Some(since), false) => {
                self.before += since.elapsed();
                self.since = None;
            }
            _ => {}
        }
    }

    /// True while paused.
    pub fn is_on(&self) -> bool {
        self.since.is_some()
    }

    /// All the time spent paused, up to now.
    pub fn total(&self) -> Duration {
        self.before + self.since.map_or(Duration::ZERO, |s| s.elapsed())
    }

    /// Now, as a moment to measure unpaused time from.
    pub fn mark(&self) -> RunMark {
        RunMark {
            at: Instant::now(),
            paused: self.total(),
        }
    }

    /// The time since `mark`, less what was spent paused since.
    pub fn unpaused_since(&self, mark: RunMark) -> Duration {
        let paused_since = self.total().saturating_sub(mark.paused);
        mark.at.elapsed().saturating_sub(paused_since)
    }
}

/// A moment of a run: when, and how long the run had been paused by then
/// ([`RunControl::mark`]), so [`RunControl::unpaused_since`] can leave later pauses out.
#[derive(Debug, Clone, Copy)]
pub struct RunMark {
    at: Instant,
    paused: Duration,
}

impl RunMark {
    /// The instant it was made.
    pub fn at(&self) -> Instant {
        self.at
    }
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
        self.lock().set(paused);
        self.changed.notify_all();
    }

    /// True while paused.
    pub fn is_paused(&self) -> bool {
        self.lock().is_on()
    }

    /// Now, as a moment to measure unpaused time from.
    pub fn mark(&self) -> RunMark {
        self.lock().mark()
    }

    /// The time since `mark` less the time paused since: a demo's own clock, which a pause
    /// stops.
    pub fn unpaused_since(&self, mark: RunMark) -> Duration {
        self.lock().unpaused_since(mark)
    }

    /// Blocks while paused. Returns false when the demo is stopping (the worker should
    /// return), true when it may go on.
    pub fn checkpoint(&self) -> bool {
        self.checkpoint_unless(&AtomicBool::new(false))
    }

    /// Like [`RunControl::checkpoint`] for one worker with its own `quit` flag: also
    /// returns false (at once, even while paused) once `quit` is set and
    /// [`RunControl::wake`] was called, so one worker of a paused demo can be let go.
    pub fn checkpoint_unless(&self, quit: &AtomicBool) -> bool {
        let mut paused = self.lock();
        while paused.is_on() && !self.is_stopping() && !quit.load(Ordering::SeqCst) {
            paused = self
                .changed
                .wait(paused)
                .unwrap_or_else(|poison| poison.into_inner());
        }
        !self.is_stopping() && !quit.load(Ordering::SeqCst)
    }

    /// Wakes every paused or sleeping worker to look at its flags again (call after
    /// setting a worker's quit flag).
    pub fn wake(&self) {
        let _guard = self.lock();
        self.changed.notify_all();
    }

    /// Sleeps for `duration` unless the demo stops first. Pausing does not extend it.
    /// Returns false if woken by stop.
    pub fn sleep(&self, duration: Duration) -> bool {
        self.sleep_unless(duration, &AtomicBool::new(false))
    }

    /// Sleeps until `duration` of unpaused time has passed, unless the demo stops first
    /// (false): a pause holds the sleep where it is, as if the simulated wait (a task's
    /// I/O) were frozen with the rest of the demo.
    pub fn sleep_unpaused(&self, duration: Duration) -> bool {
        let mut guard = self.lock();
        let started = guard.mark();
        loop {
            if self.is_stopping() {
                return false;
            }
            let ran = guard.unpaused_since(started);
            if ran >= duration {
                return true;
            }
            guard = if guard.is_on() {
                (self.changed.wait(guard)).unwrap_or_else(|poison| poison.into_inner())
            } else {
                (self.changed.wait_timeout(guard, duration - ran))
                    .unwrap_or_else(|poison| poison.into_inner())
                    .0
            };
        }
    }

    /// Like [`RunControl::sleep`], also cut short (returning false) once `quit` is set
    /// and [`RunControl::wake`] was called.
    pub fn sleep_unless(&self, duration: Duration, quit: &AtomicBool) -> bool {
        let deadline = Instant::now() + duration;
        let mut guard = self.lock();
        loop {
            if self.is_stopping() || quit.load(Ordering::SeqCst) {
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

    fn lock(&self) -> MutexGuard<'_, PausedTime> {
        self.pause
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
    fn speed_stretches_sleeps_and_ignores_nonsense() {
        let speed = PlaybackSpeed::new();
        assert_eq!(speed.scale_ms(200), Duration::from_millis(200));
        speed.set(0.25);
        assert_eq!(speed.scale_ms(200), Duration::from_millis(800));
        for nonsense in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            speed.set(nonsense);
            assert_eq!(speed.get(), 0.25);
        }
        speed.set(1e-9);
        assert_eq!(speed.get(), SLOWEST_SPEED);
        assert_eq!(speed.scale_ms(1), Duration::from_millis(100));
    }

    #[test]
    fn a_quit_flag_lets_one_paused_worker_go_and_keeps_the_others() {
        let control = Arc::new(RunControl::new());
        control.set_paused(true);
        let quit = Arc::new(AtomicBool::new(false));
        let leaving = {
            let (c, q) = (Arc::clone(&control), Arc::clone(&quit));
            std::thread::spawn(move || c.checkpoint_unless(&q))
        };
        quit.store(true, Ordering::SeqCst);
        control.wake();
        assert!(!leaving.join().unwrap());
        assert!(control.is_paused() && !control.is_stopping());
        assert!(!control.sleep_unless(Duration::from_secs(3600), &quit));
    }

    #[test]
    fn paused_time_adds_up_over_pauses_and_counts_a_pause_still_on() {
        let mut pause = PausedTime::default();
        assert_eq!(pause.total(), Duration::ZERO);
        pause.set(true);
        std::thread::sleep(Duration::from_millis(20));
        pause.set(true); // again: still the one pause
        pause.set(false);
        let first = pause.total();
        assert!(first >= Duration::from_millis(20), "{first:?}");
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(pause.total(), first, "running time is not paused time");
        pause.set(true);
        std::thread::sleep(Duration::from_millis(10));
        assert!(pause.total() >= first + Duration::from_millis(10));
        assert!(pause.is_on());
    }

    #[test]
    fn a_pause_holds_an_unpaused_sleep_and_stop_ends_it() {
        let control = Arc::new(RunControl::new());
        control.set_paused(true);
        let sleeper = {
            let c = Arc::clone(&control);
            std::thread::spawn(move || {
                (c.sleep_unpaused(Duration::from_millis(50)), Instant::now())
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        let resumed = Instant::now();
        control.set_paused(false);
        // Whenever the sleeper began, it cannot have ended while paused.
        let (slept, ended) = sleeper.join().unwrap();
        assert!(slept);
        assert!(ended >= resumed);
        assert!(control.sleep_unpaused(Duration::from_millis(1)));
        control.set_paused(true);
        let held = {
            let c = Arc::clone(&control);
            std::thread::spawn(move || c.sleep_unpaused(Duration::from_secs(3600)))
        };
        control.stop();
        assert!(!held.join().unwrap());
    }

    #[test]
    fn checkpoint_passes_when_running() {
        let control = RunControl::new();
        assert!(control.checkpoint());
        assert!(control.sleep(Duration::from_millis(1)));
    }
}
