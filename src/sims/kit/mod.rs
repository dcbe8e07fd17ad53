//! The shelf of pieces every engine shares: run control, the named-thread crew, the
//! newest-snapshot cell, CPU load, run states, rounding of figures and the step-model
//! wrapper. Engines build on these instead of writing their own.

pub mod run_state;
pub mod system;

pub use run_state::RunState;
