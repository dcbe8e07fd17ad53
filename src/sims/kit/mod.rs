//! The shelf of pieces every engine shares: run control, the named-thread crew, the
//! newest-snapshot cell, CPU load, run states, rounding of figures, the step-model
//! wrapper and the two-part (parallel, then sequential) run. Engines build on these
//! instead of writing their own.

pub mod cell;
pub mod choice;
pub mod config;
pub mod control;
pub mod cpu_load;
pub mod crew;
pub mod figures;
pub mod headless;
pub mod lane_sums;
pub mod monotonic;
pub mod run_state;
pub mod step_model;
pub mod system;
#[cfg(test)]
pub(crate) mod test_support;
pub mod timeline;
pub mod two_parts;
pub mod workload;

pub use cell::SnapshotCell;
pub use choice::{Choice, choice_spec};
pub use config::EngineConfig;
pub use control::{Pacing, PlaybackSpeed, RunControl, RunMark};
pub use crew::{Crew, Hand};
pub use run_state::RunState;
