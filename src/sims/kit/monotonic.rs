//! A monotonic clock cheap enough to read several times per task at a million tasks: on
//! Unix the clock is read raw (`clock_gettime(CLOCK_MONOTONIC)`, a vDSO call) and kept as
//! plain nanoseconds, skipping `Instant`'s checked `timespec` arithmetic; elsewhere it is
//! `Instant`. Both count from a [`Monotonic`] made at the start of a run.

/// A start instant; [`Monotonic::now_ns`] is the nanoseconds since.
#[derive(Debug, Clone, Copy)]
pub struct Monotonic {
    start_ns: u64,
}

impl Monotonic {
    /// Starts counting now.
    pub fn start() -> Monotonic {
        Monotonic { start_ns: raw_ns() }
    }

    /// Counts from `origin`, an `Instant` taken earlier, so both clocks agree on the start.
    pub fn since(origin: std::time::Instant) -> Monotonic {
        let now = raw_ns();
        Monotonic {
            start_ns: now.saturating_sub(origin.elapsed().as_nanos() as u64),
        }
    }

    /// Seconds since the start.
    pub fn now_s(&self) -> f64 {
        self.now_ns() as f64 * 1e-9
    }

    /// Nanoseconds since [`Monotonic::start`] (never goes back).
    pub fn now_ns(&self) -> u64 {
        raw_ns().saturating_sub(self.start_ns)
    }
}

#[cfg(unix)]
fn raw_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec, and CLOCK_MONOTONIC exists on every Unix
    // pyconc builds for; on the impossible failure `ts` stays zero and time stands still.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

#[cfg(not(unix))]
fn raw_ns() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn it_counts_from_its_start_and_agrees_with_instant() {
        let clock = Monotonic::start();
        let before = Instant::now();
        let first = clock.now_ns();
        std::thread::sleep(Duration::from_millis(20));
        let second = clock.now_ns();
        let spent = before.elapsed();
        assert!(second >= first);
        // At least the sleep, at most what Instant saw plus the read before it.
        assert!(second - first >= 20_000_000, "{}", second - first);
        assert!(second <= spent.as_nanos() as u64 + first + 1_000_000);
    }

    #[test]
    fn since_an_instant_agrees_with_it() {
        let origin = Instant::now();
        std::thread::sleep(Duration::from_millis(10));
        let clock = Monotonic::since(origin);
        let ours = clock.now_s();
        let theirs = origin.elapsed().as_secs_f64();
        assert!(ours >= 0.010, "{ours}");
        // Read after ours, so never smaller; the two differ by the reads' own cost.
        assert!(
            theirs >= ours - 1e-6 && theirs - ours < 0.005,
            "{ours} vs {theirs}"
        );
    }
}
