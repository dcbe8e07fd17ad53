//! The `gil` demo's final figures (`pyconc demo gil --json`), as typed structs whose
//! fields are the JSON keys, in the order they are printed.

use serde::Serialize;

use super::{GilCounts, GilSnapshot, Recorder, ThreadState};
use crate::sims::headless::round3;
use crate::sims::kit::Choice;

/// I/O response latency percentiles, demo ms (null without I/O).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LatencyFigures {
    /// Median.
    pub p50: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
}

/// One thread's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ThreadFigures {
    /// 1-based thread number.
    pub id: usize,
    /// `cpu` or `io`.
    pub workload: &'static str,
    /// Demo ms holding the GIL (or running where there is none).
    pub held_ms: f64,
    /// Demo ms waiting for it.
    pub waiting_ms: f64,
    /// Demo ms in I/O.
    pub io_ms: f64,
    /// Batches (CPU) or operations (I/O) done.
    pub work_units: u64,
}

/// The whole run's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GilFigures {
    /// `threads` or `model`.
    pub engine: &'static str,
    /// The interpreter mode.
    pub mode: &'static str,
    /// Cores.
    pub cores: usize,
    /// Work rate over one thread alone.
    pub speedup: Option<f64>,
    /// The workload the speedup is over.
    pub speedup_over: &'static str,
    /// One thread alone's units per demo second.
    pub reference_units_per_s: Option<f64>,
    /// Demo seconds measured.
    pub measured_s: f64,
    /// Hand-offs, drop requests, releases and I/O done, rates rounded.
    #[serde(flatten)]
    pub counts: GilCounts,
    /// I/O latency percentiles.
    pub io_latency_ms: LatencyFigures,
    /// One entry per thread.
    pub threads: Vec<ThreadFigures>,
    /// Real engine only: how much of a core one thread alone got (null if unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_core_share: Option<Option<f64>>,
}

impl GilFigures {
    /// The figures of a last snapshot and the reference rate it was measured against.
    pub fn new(
        snap: &GilSnapshot,
        recorder: &Recorder,
        reference_units_per_s: Option<f64>,
    ) -> GilFigures {
        let lat =
            |f: fn(&super::LatencySummary) -> f64| snap.io_latency.as_ref().map(|l| round3(f(l)));
        let ms = |ns: u64| round3(ns as f64 / 1e6);
        GilFigures {
            engine: snap.setup.engine.word(),
            mode: snap.setup.mode.name(),
            cores: snap.setup.cores,
            speedup: snap.speedup.map(round3),
            speedup_over: snap.speedup_kind.name(),
            reference_units_per_s: reference_units_per_s.map(round3),
            measured_s: round3(recorder.measured_ns() as f64 / 1e9),
            counts: GilCounts {
                switches_per_s: round3(snap.counts.switches_per_s),
                io_ops_per_s: round3(snap.counts.io_ops_per_s),
                ..snap.counts
            },
            io_latency_ms: LatencyFigures {
                p50: lat(|l| l.p50_ms),
                p99: lat(|l| l.p99_ms),
                max: lat(|l| l.max_ms),
            },
            threads: snap
                .threads
                .iter()
                .zip(&recorder.tracks)
                .map(|(row, track)| ThreadFigures {
                    id: row.id,
                    workload: row.workload.name(),
                    held_ms: ms(track.total(ThreadState::Running)),
                    waiting_ms: ms(track.total(ThreadState::Waiting)),
                    io_ms: ms(track.total(ThreadState::Io)),
                    work_units: row.work_units.round() as u64,
                })
                .collect(),
            reference_core_share: None,
        }
    }

    /// As the JSON value a demo's `stop` returns.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
