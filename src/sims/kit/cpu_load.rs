//! Per-core load as the OS reports it (through `sysinfo`), with a bounded history per core
//! and running sums for a mean: the utilisation meter the `pool` and `processes` demos
//! show beside their lanes, and the `cores` demo's meters.

use std::collections::VecDeque;
use std::time::Duration;

use sysinfo::{CpuRefreshKind, RefreshKind, System};

/// How often to read the OS: sysinfo needs at least 200 ms between two readings.
pub const CPU_SAMPLE_INTERVAL: Duration = Duration::from_millis(250);
/// Samples of history kept per core (a minute at four a second).
pub const CPU_HISTORY_SAMPLES: usize = 240;

/// One core's load now and recently.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoreReading {
    /// Load in percent (0-100) over the last sample interval.
    pub load_pct: f32,
    /// Older readings first, newest last.
    pub history: Vec<f32>,
}

/// Reads per-core load and remembers it.
pub struct CpuLoad {
    system: Option<System>,
    history: Vec<VecDeque<f32>>,
    sums: Vec<f64>,
    samples: u64,
}

impl Default for CpuLoad {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuLoad {
    /// A sampler; its first reading counts from now. Where the OS gives no readings it
    /// reports no cores, and never panics.
    pub fn new() -> Self {
        let system = System::new_with_specifics(
            RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing().with_usage()),
        )
        .ok();
        CpuLoad {
            system,
            history: Vec::new(),
            sums: Vec::new(),
            samples: 0,
        }
    }

    /// Takes one reading (call every [`CPU_SAMPLE_INTERVAL`]) and returns every core's
    /// load now and recently.
    pub fn sample(&mut self) -> Vec<CoreReading> {
        let loads: Vec<f32> = match self.system.as_mut() {
            Some(system) => {
                system.refresh_cpu_usage();
                system
                    .cpus()
                    .iter()
                    .map(|c| c.usage().clamp(0.0, 100.0))
                    .collect()
            }
            None => Vec::new(),
        };
        if self.history.len() != loads.len() {
            self.history = vec![VecDeque::with_capacity(CPU_HISTORY_SAMPLES); loads.len()];
            self.sums = vec![0.0; loads.len()];
            self.samples = 0;
        }
        for ((h, sum), load) in self.history.iter_mut().zip(&mut self.sums).zip(&loads) {
            if h.len() == CPU_HISTORY_SAMPLES {
                h.pop_front();
            }
            h.push_back(*load);
            *sum += f64::from(*load);
        }
        self.samples += 1;
        self.readings()
    }

    /// The readings as last sampled (empty before the first sample).
    pub fn readings(&self) -> Vec<CoreReading> {
        self.history
            .iter()
            .map(|h| CoreReading {
                load_pct: h.back().copied().unwrap_or(0.0),
                history: h.iter().copied().collect(),
            })
            .collect()
    }

    /// Each core's mean load since the last [`CpuLoad::reset_mean`], in percent.
    pub fn mean_pct(&self) -> Vec<f64> {
        let n = self.samples.max(1) as f64;
        self.sums.iter().map(|s| s / n).collect()
    }

    /// Starts a new mean (e.g. when a run moves from its parallel to its sequential part).
    /// How many readings the means are over.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    pub fn reset_mean(&mut self) {
        self.sums.iter_mut().for_each(|s| *s = 0.0);
        self.samples = 0;
    }
}

/// Per-core load across a run with a parallel part followed by a sequential one: the
/// latest readings and each core's mean load over the parallel part.
pub struct PhaseLoad {
    load: CpuLoad,
    /// The latest readings.
    pub readings: Vec<CoreReading>,
    /// Each core's mean load during the parallel part (empty until it is over).
    pub parallel_mean: Vec<f64>,
    parallel_over: bool,
}

impl Default for PhaseLoad {
    fn default() -> Self {
        Self::new()
    }
}

impl PhaseLoad {
    /// Starts measuring now.
    pub fn new() -> Self {
        PhaseLoad {
            load: CpuLoad::new(),
            readings: Vec::new(),
            parallel_mean: Vec::new(),
            parallel_over: false,
        }
    }

    /// Takes one reading. The first reading after the parallel part ends still mostly
    /// covers it, so it closes the parallel mean.
    pub fn sample(&mut self, parallel_running: bool) {
        self.readings = self.load.sample();
        if !parallel_running && !self.parallel_over {
            self.parallel_mean = self.load.mean_pct();
            self.load.reset_mean();
            self.parallel_over = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_bounded_percentages() {
        let mut load = CpuLoad::new();
        let readings = load.sample();
        for r in &readings {
            assert!((0.0..=100.0).contains(&r.load_pct));
            assert_eq!(r.history.len(), 1);
        }
        assert_eq!(load.mean_pct().len(), readings.len());
        load.reset_mean();
        assert!(load.mean_pct().iter().all(|m| *m == 0.0));
    }
}
