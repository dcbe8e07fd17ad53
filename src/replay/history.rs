//! The kept past of a demo run: its recent snapshots with their times, bounded by age and
//! by an estimate of their memory, older frames thinned. The demo host pushes one per frame
//! and scrubs through it while paused; a replay loads a whole recording into one (unthinned).
//!
//! Thinning: frames younger than [`FULL_RATE_S`] are all kept; between that and
//! [`HALF_RATE_S`] every 2nd; older ones every 4th, up to the age and memory bounds. A frame
//! is kept at a tier by its sequence number (`seq % 2 == 0`, `seq % 4 == 0`), so thinning
//! is stable: a frame dropped once never has to come back, and every step is O(1).
//!
//! Memory: each frame's size is estimated by serialising the snapshot (to JSON, counting
//! bytes without keeping them) every [`SIZE_SAMPLE_EVERY`] frames; frames in between reuse
//! the last measure. JSON is longer than the snapshot's memory (field names, enum names as
//! words), so the estimate errs on the safe side.

use std::collections::VecDeque;
use std::io::Write;

use crate::sims::Snapshot;

/// A live demo keeps at most this much past (seconds of run time).
pub const LIVE_MAX_AGE_S: f64 = 600.0;
/// A live demo's history is estimated at most this many bytes.
pub const LIVE_MAX_BYTES: usize = 64 * 1024 * 1024;
/// Frames younger than this (seconds) are all kept.
pub const FULL_RATE_S: f64 = 60.0;
/// Frames younger than this (seconds) and older than [`FULL_RATE_S`] keep every 2nd; older
/// frames every 4th.
pub const HALF_RATE_S: f64 = 180.0;
/// A snapshot's size is measured once per this many frames (and whenever the engine changes).
pub const SIZE_SAMPLE_EVERY: u64 = 16;
/// What each kept frame costs besides its snapshot's data: the slot, the `Arc`'s counts.
const FRAME_OVERHEAD_BYTES: usize = std::mem::size_of::<Kept>() + 16;

/// How much a history keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Frames older than this (seconds before the newest) are dropped; `None`: no age limit.
    pub max_age_s: Option<f64>,
    /// The estimated bytes kept; past it the oldest frames go.
    pub max_bytes: usize,
    /// Thin older frames (live demos) or keep every one (replays).
    pub thin: bool,
}

impl Bounds {
    /// A live demo's bounds: 10 minutes or 64 MB, thinned.
    pub const LIVE: Bounds = Bounds {
        max_age_s: Some(LIVE_MAX_AGE_S),
        max_bytes: LIVE_MAX_BYTES,
        thin: true,
    };
}

/// One kept instant: the run time it was taken at and the snapshot.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Seconds of run time since the demo started.
    pub t: f64,
    /// What the view drew then.
    pub snapshot: Snapshot,
}

#[derive(Debug, Clone)]
struct Kept {
    frame: Frame,
    seq: u64,
    bytes: usize,
}

/// The kept frames, oldest first. See the module doc for the bounds and thinning.
#[derive(Debug, Clone)]
pub struct History {
    bounds: Bounds,
    /// `[every 4th, every 2nd, every frame]`: oldest tier first.
    tiers: [VecDeque<Kept>; 3],
    bytes: usize,
    accepted: u64,
    dropped: u64,
    measured_bytes: usize,
    measured_variant: Option<std::mem::Discriminant<Snapshot>>,
}

impl History {
    /// An empty history with `bounds`.
    pub fn new(bounds: Bounds) -> History {
        History {
            bounds,
            tiers: Default::default(),
            bytes: 0,
            accepted: 0,
            dropped: 0,
            measured_bytes: 0,
            measured_variant: None,
        }
    }

    /// Keeps `snapshot` taken at run time `t` (seconds). A snapshot equal to the newest kept
    /// one is not kept again (a paused or finished demo adds nothing); returns whether it was
    /// kept. Times never go backwards: an earlier `t` is taken as the newest frame's time.
    pub fn push(&mut self, t: f64, snapshot: Snapshot) -> bool {
        if self.last().is_some_and(|last| last.snapshot == snapshot) {
            return false;
        }
        let t = self.last().map_or(t, |last| t.max(last.t));
        let bytes = self.estimate(&snapshot) + FRAME_OVERHEAD_BYTES;
        let seq = self.accepted;
        self.accepted += 1;
        self.bytes += bytes;
        self.tiers[2].push_back(Kept {
            frame: Frame { t, snapshot },
            seq,
            bytes,
        });
        if self.bounds.thin {
            self.age(t);
        }
        self.evict(t);
        true
    }

    /// Moves frames that grew older than a tier's age into the next tier, thinning them.
    fn age(&mut self, now: f64) {
        for (from, limit_s, keep_every) in [(2, FULL_RATE_S, 2), (1, HALF_RATE_S, 4)] {
            while self.tiers[from]
                .front()
                .is_some_and(|k| now - k.frame.t > limit_s)
            {
                let Some(kept) = self.tiers[from].pop_front() else {
                    break;
                };
                if kept.seq.is_multiple_of(keep_every) {
                    self.tiers[from - 1].push_back(kept);
                } else {
                    self.forget(kept.bytes);
                }
            }
        }
    }

    /// Drops the oldest frames past the age or memory bound (always keeping the newest).
    fn evict(&mut self, now: f64) {
        loop {
            let too_old = self
                .first()
                .zip(self.bounds.max_age_s)
                .is_some_and(|(f, max)| now - f.t > max);
            let too_big = self.bytes > self.bounds.max_bytes;
            if !(too_old || too_big) || self.len() <= 1 {
                break;
            }
            let Some(kept) = self.tiers.iter_mut().find_map(|t| t.pop_front()) else {
                break;
            };
            self.forget(kept.bytes);
        }
    }

    fn forget(&mut self, bytes: usize) {
        self.bytes -= bytes;
        self.dropped += 1;
    }

    /// The estimated size of `snapshot`'s data, measured now and then.
    fn estimate(&mut self, snapshot: &Snapshot) -> usize {
        let variant = std::mem::discriminant(snapshot);
        if self.accepted.is_multiple_of(SIZE_SAMPLE_EVERY) || self.measured_variant != Some(variant)
        {
            self.measured_bytes = serialised_len(snapshot);
            self.measured_variant = Some(variant);
        }
        self.measured_bytes
    }

    /// How many frames are kept.
    pub fn len(&self) -> usize {
        self.tiers.iter().map(VecDeque::len).sum()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Frame `i`, oldest first.
    pub fn get(&self, mut i: usize) -> Option<&Frame> {
        for tier in &self.tiers {
            if i < tier.len() {
                return Some(&tier[i].frame);
            }
            i -= tier.len();
        }
        None
    }

    /// The oldest kept frame.
    pub fn first(&self) -> Option<&Frame> {
        self.get(0)
    }

    /// The newest kept frame.
    pub fn last(&self) -> Option<&Frame> {
        self.tiers
            .iter()
            .rev()
            .find_map(|t| t.back())
            .map(|k| &k.frame)
    }

    /// The index of the newest frame taken at or before `t` (the first frame if `t` is
    /// before all of them); `None` when empty.
    pub fn index_at(&self, t: f64) -> Option<usize> {
        if self.is_empty() {
            return None;
        }
        let mut before = 0;
        for tier in &self.tiers {
            before += tier.partition_point(|k| k.frame.t <= t);
            if tier.back().is_some_and(|k| k.frame.t > t) {
                break;
            }
        }
        Some(before.saturating_sub(1))
    }

    /// Every kept frame, oldest first.
    pub fn frames(&self) -> impl Iterator<Item = &Frame> {
        self.tiers.iter().flatten().map(|k| &k.frame)
    }

    /// The estimated bytes kept.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// How many accepted frames were thinned out or evicted so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The bounds in force.
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// Forgets everything (a new run starts).
    pub fn clear(&mut self) {
        *self = History::new(self.bounds);
    }

    #[cfg(test)]
    fn seqs(&self) -> Vec<(f64, u64)> {
        self.tiers
            .iter()
            .flatten()
            .map(|k| (k.frame.t, k.seq))
            .collect()
    }
}

/// The length of `snapshot` as JSON, counted without keeping the text.
pub fn serialised_len(snapshot: &Snapshot) -> usize {
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, snapshot) {
        Ok(()) => count.0,
        // Snapshots are plain data and always serialise; if one ever did not, a large
        // guess keeps the memory bound on the safe side.
        Err(_) => 64 * 1024,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::cores::CoresSnapshot;
    use std::sync::Arc;

    const FPS: f64 = 30.0;

    fn snap(i: u64) -> Snapshot {
        Snapshot::Cores(Arc::new(CoresSnapshot {
            elapsed_s: i as f64,
            ..CoresSnapshot::default()
        }))
    }

    #[test]
    fn a_million_frames_stay_bounded_and_thin_by_age() {
        let mut h = History::new(Bounds::LIVE);
        let n = 1_000_000u64;
        for i in 0..n {
            assert!(h.push(i as f64 / FPS, snap(i)));
        }
        let now = (n - 1) as f64 / FPS;
        // Age bound: nothing older than 10 minutes.
        assert!(now - h.first().unwrap().t <= LIVE_MAX_AGE_S);
        // Frame count: all of the last minute, half of the next two, a quarter of the rest.
        let expected = FULL_RATE_S * FPS
            + (HALF_RATE_S - FULL_RATE_S) * FPS / 2.0
            + (LIVE_MAX_AGE_S - HALF_RATE_S) * FPS / 4.0;
        let len = h.len() as f64;
        assert!(
            (len - expected).abs() <= 4.0,
            "{len} frames, expected {expected}"
        );
        assert!(h.bytes() <= LIVE_MAX_BYTES);
        assert_eq!(h.dropped() + h.len() as u64, n);
        // Spacing by age: consecutive kept sequence numbers 1, 2 or 4 apart.
        let seqs = h.seqs();
        for pair in seqs.windows(2) {
            let ((t, a), (_, b)) = (pair[0], pair[1]);
            let age = now - t;
            let step = if age > HALF_RATE_S + 1.0 {
                4
            } else if age > FULL_RATE_S + 1.0 && age < HALF_RATE_S - 1.0 {
                2
            } else if age < FULL_RATE_S - 1.0 {
                1
            } else {
                continue;
            };
            assert_eq!(b - a, step, "at age {age:.1} s");
        }
        // Times are in order and the newest frame is the last pushed.
        assert!(seqs.windows(2).all(|p| p[0].0 <= p[1].0));
        assert_eq!(h.last().unwrap().snapshot, snap(n - 1));
    }

    #[test]
    fn the_memory_bound_drops_the_oldest_first() {
        let one = serialised_len(&snap(1)) + FRAME_OVERHEAD_BYTES;
        let mut h = History::new(Bounds {
            max_age_s: None,
            max_bytes: one * 10,
            thin: false,
        });
        for i in 0..1000 {
            h.push(i as f64, snap(i));
        }
        assert!(h.bytes() <= one * 10 + one, "{} bytes", h.bytes());
        assert!(h.len() >= 8 && h.len() <= 10, "{} frames", h.len());
        assert_eq!(h.last().unwrap().t, 999.0);
        // Unthinned: the kept frames are the newest ones, consecutive.
        let ts: Vec<f64> = h.frames().map(|f| f.t).collect();
        assert!(ts.windows(2).all(|p| p[1] - p[0] == 1.0));
    }

    #[test]
    fn equal_snapshots_are_kept_once_and_time_never_goes_back() {
        let mut h = History::new(Bounds::LIVE);
        assert!(h.push(1.0, snap(1)));
        assert!(!h.push(2.0, snap(1)));
        assert!(h.push(0.5, snap(2)));
        assert_eq!(h.len(), 2);
        assert_eq!(h.last().unwrap().t, 1.0);
    }

    #[test]
    fn index_at_finds_the_frame_shown_at_a_time_across_tiers() {
        let mut h = History::new(Bounds::LIVE);
        for i in 0..(400 * 30) {
            h.push(i as f64 / FPS, snap(i));
        }
        assert_eq!(h.index_at(-5.0), Some(0));
        assert_eq!(h.index_at(1e9), Some(h.len() - 1));
        for i in [0, 1, h.len() / 3, h.len() / 2, h.len() - 2] {
            let t = h.get(i).unwrap().t;
            assert_eq!(h.index_at(t), Some(i));
            let next = h.get(i + 1).unwrap().t;
            assert_eq!(
                h.index_at((t + next) / 2.0),
                Some(i),
                "between {t} and {next}"
            );
        }
        assert_eq!(History::new(Bounds::LIVE).index_at(0.0), None);
    }
}
