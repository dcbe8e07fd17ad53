//! Demo engines: Rust-native equivalents of Python's concurrency mechanisms, running on the
//! machine's real cores. One module per engine; nothing here knows about the terminal.
//!
//! Every engine declares its parameters ([`ParamSpec`]), starts from a validated [`Params`]
//! into a running [`Demo`], publishes cheap [`Snapshot`]s for drawing, applies parameter
//! changes live, and on [`Demo::stop`] joins every thread it started and returns its final
//! metrics as one JSON object. The TUI, the headless CLI and the tests drive them alike.

pub mod asyncio;
pub mod cores;
pub mod deadlock;
pub mod engine;
pub mod gil;
pub mod kit;
pub mod params;
pub mod pool;
pub mod processes;
pub mod queue;
pub mod race;
pub mod threadpool;

pub use engine::{
    Applied, Demo, Engine, EngineInfo, Snapshot, StartError, Starter, find, names, registry,
};
pub use kit::system::{available_cores, current_core, thread_count};
#[cfg(test)]
pub(crate) use kit::test_support;
pub use kit::{control, cpu_load, headless, step_model, timeline, workload};
pub use params::{ParamError, ParamKind, ParamSpec, ParamValue, Params};
