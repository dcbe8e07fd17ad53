//! The loop's heartbeat and its lag log. A small task asks to be woken every
//! [`HEARTBEAT_INTERVAL`] and notes how late it actually ran: when a coroutine blocks the
//! loop (`time.sleep` inside `async def`), nothing else runs, the heartbeat included, and
//! the lateness is exactly how long the loop was frozen. This is what asyncio's debug mode
//! reports as "Executing <Task ...> took 0.200 seconds".

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::gate::Gate;

/// How often the heartbeat asks to be woken.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(10);
/// How many lag samples are kept for the final percentiles: ten minutes of heartbeats.
pub const LAG_SAMPLES_KEPT: usize = 60_000;
/// How many points the lag history (one per snapshot) keeps for the sparkline.
pub const LAG_HISTORY_POINTS: usize = 300;

#[derive(Debug, Default)]
struct LagInner {
    samples: VecDeque<f32>,
    max_ms: f64,
    /// The worst lag since the last history point was taken.
    pending_max_ms: Option<f64>,
    history: VecDeque<f64>,
}

/// Every heartbeat's lateness, for percentiles, the sparkline and the figure "lag now".
#[derive(Debug, Default)]
pub struct LagLog {
    inner: Mutex<LagInner>,
}

/// Lag percentiles over the samples kept.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LagSummary {
    /// Median lag, ms.
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// The worst lag of the whole run, ms.
    pub max_ms: f64,
    /// How many heartbeats were measured.
    pub samples: usize,
}

impl LagLog {
    /// Records one heartbeat that ran `late` after it was due.
    pub fn record(&self, late: Duration) {
        let ms = late.as_secs_f64() * 1000.0;
        let mut inner = self.lock();
        if inner.samples.len() == LAG_SAMPLES_KEPT {
            inner.samples.pop_front();
        }
        inner.samples.push_back(ms as f32);
        inner.max_ms = inner.max_ms.max(ms);
        inner.pending_max_ms = Some(inner.pending_max_ms.map_or(ms, |m| m.max(ms)));
    }

    /// Closes one history point (the worst lag since the last call) and returns the
    /// history, oldest first. With no heartbeat since the last call (the loop is frozen),
    /// the point is how long the loop has been silent, so a block shows while it lasts.
    pub fn take_history_point(&self, silent_for: Option<Duration>) -> Vec<f64> {
        let mut inner = self.lock();
        let point = match (inner.pending_max_ms.take(), silent_for) {
            (Some(ms), _) => ms,
            (None, Some(silent)) => {
                silent.saturating_sub(HEARTBEAT_INTERVAL).as_secs_f64() * 1000.0
            }
            (None, None) => 0.0,
        };
        if inner.history.len() == LAG_HISTORY_POINTS {
            inner.history.pop_front();
        }
        inner.history.push_back(point);
        inner.history.iter().copied().collect()
    }

    /// Percentiles and maximum of the recorded lag.
    pub fn summary(&self) -> LagSummary {
        let inner = self.lock();
        let mut sorted: Vec<f32> = inner.samples.iter().copied().collect();
        sorted.sort_by(f32::total_cmp);
        let pick = |q: f64| -> f64 {
            if sorted.is_empty() {
                return 0.0;
            }
            let i = ((sorted.len() - 1) as f64 * q).round() as usize;
            f64::from(sorted[i.min(sorted.len() - 1)])
        };
        LagSummary {
            p50_ms: pick(0.50),
            p99_ms: pick(0.99),
            max_ms: inner.max_ms,
            samples: sorted.len(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, LagInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// When the heartbeat last ran, so a frozen loop can be seen while it is frozen.
#[derive(Debug)]
pub struct LastBeat {
    at: Mutex<Instant>,
}

impl Default for LastBeat {
    fn default() -> Self {
        LastBeat {
            at: Mutex::new(Instant::now()),
        }
    }
}

impl LastBeat {
    fn mark(&self) {
        *self.at.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    /// Time since the heartbeat last ran.
    pub fn silent_for(&self) -> Duration {
        self.at.lock().unwrap_or_else(|p| p.into_inner()).elapsed()
    }
}

/// The heartbeat task: runs until the runtime drops it. Samples taken across a pause or a
/// resume are dropped, since the pause (not a task) held the loop.
pub async fn heartbeat(log: Arc<LagLog>, last: Arc<LastBeat>, gate: Arc<Gate>) {
    loop {
        let epoch = gate.epoch();
        let due = Instant::now() + HEARTBEAT_INTERVAL;
        tokio::time::sleep(HEARTBEAT_INTERVAL).await;
        last.mark();
        if gate.epoch() == epoch && !gate.is_paused() {
            log.record(Instant::now().saturating_duration_since(due));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heartbeat_interval_is_ten_milliseconds() {
        assert_eq!(HEARTBEAT_INTERVAL, Duration::from_millis(10));
    }

    #[test]
    fn percentiles_and_max_come_from_the_samples() {
        let log = LagLog::default();
        for ms in 1..=100 {
            log.record(Duration::from_millis(ms));
        }
        let s = log.summary();
        assert_eq!(s.samples, 100);
        assert!((s.p50_ms - 50.0).abs() <= 1.0, "{s:?}");
        assert!((s.p99_ms - 99.0).abs() <= 1.0, "{s:?}");
        assert!((s.max_ms - 100.0).abs() < 1e-6);
        assert_eq!(LagLog::default().summary().samples, 0);
    }

    #[test]
    fn history_points_take_the_worst_or_the_silence() {
        let log = LagLog::default();
        log.record(Duration::from_millis(3));
        log.record(Duration::from_millis(7));
        assert_eq!(log.take_history_point(None), vec![7.0]);
        let h = log.take_history_point(Some(Duration::from_millis(110)));
        assert_eq!(h.len(), 2);
        assert!((h[1] - 100.0).abs() < 1e-6);
        for _ in 0..LAG_HISTORY_POINTS + 5 {
            log.take_history_point(None);
        }
        assert_eq!(log.take_history_point(None).len(), LAG_HISTORY_POINTS);
    }
}
