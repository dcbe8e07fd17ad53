//! The tallies a `processes` run keeps that both its snapshot and its final figures carry
//! (flattened, so each keeps its JSON keys): what handing work to processes cost, how the
//! pool broke and recovered, and each worker's counts.

use serde::{Deserialize, Serialize};

use crate::sims::kit::figures::round3;

/// What handing the tasks to worker processes cost, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Costs {
    /// From spawning the first pool's first worker until all were ready.
    pub startup_ms: Option<f64>,
    /// Serialising chunks in pyconc (part of `ipc_ms`).
    pub serialise_ms: f64,
    /// Chunks spent anywhere but in computing: serialising, the pipes, deserialising,
    /// the reply (summed over workers).
    pub ipc_ms: f64,
    /// The workers spent computing (summed over workers).
    pub compute_ms: f64,
}

impl Costs {
    /// The share of chunk time that was IPC rather than computing (0..=1).
    pub fn ipc_share(&self) -> f64 {
        let total = self.ipc_ms + self.compute_ms;
        if total > 0.0 {
            self.ipc_ms / total
        } else {
            0.0
        }
    }

    /// Every figure rounded to three decimals.
    pub fn rounded(&self) -> Costs {
        Costs {
            startup_ms: self.startup_ms.map(round3),
            serialise_ms: round3(self.serialise_ms),
            ipc_ms: round3(self.ipc_ms),
            compute_ms: round3(self.compute_ms),
        }
    }
}

/// How the pool broke and recovered, or why the run failed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Breakage {
    /// Workers that died mid-task.
    pub workers_crashed: usize,
    /// Pools started (1, plus one per recovery).
    pub pools_started: usize,
    /// The last BrokenProcessPool report, if the pool broke.
    pub broken: Option<String>,
    /// Why the run failed, if it did.
    pub error: Option<String>,
}

impl Breakage {
    /// What to tell about it under the figures: the failure, else the last breakage.
    pub fn report(&self) -> Option<&str> {
        self.error.as_deref().or(self.broken.as_deref())
    }
}

/// What one worker slot has done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkerCounts {
    /// Tasks done.
    pub tasks: usize,
    /// Chunks done.
    pub chunks: usize,
    /// Bytes sent to it (frames included).
    pub bytes_sent: u64,
    /// Bytes received from it.
    pub bytes_received: u64,
}

impl WorkerCounts {
    /// Counts one chunk of `tasks` tasks: `sent` bytes out, `received` back.
    pub fn add_chunk(&mut self, tasks: usize, sent: u64, received: u64) {
        self.tasks += tasks;
        self.chunks += 1;
        self.bytes_sent += sent;
        self.bytes_received += received;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_give_the_ipc_share_and_round() {
        let mut costs = Costs::default();
        assert_eq!(costs.ipc_share(), 0.0);
        costs.ipc_ms = 1.0;
        costs.compute_ms = 3.0;
        assert_eq!(costs.ipc_share(), 0.25);
        costs.startup_ms = Some(1.23456);
        assert_eq!(costs.rounded().startup_ms, Some(1.235));
    }

    #[test]
    fn a_failure_is_told_before_a_breakage() {
        let mut breakage = Breakage {
            broken: Some("broke".into()),
            ..Breakage::default()
        };
        assert_eq!(breakage.report(), Some("broke"));
        breakage.error = Some("failed".into());
        assert_eq!(breakage.report(), Some("failed"));
    }

    #[test]
    fn chunks_add_up() {
        let mut counts = WorkerCounts::default();
        counts.add_chunk(3, 100, 40);
        counts.add_chunk(2, 50, 40);
        assert_eq!(
            counts,
            WorkerCounts {
                tasks: 5,
                chunks: 2,
                bytes_sent: 150,
                bytes_received: 80
            }
        );
    }
}
