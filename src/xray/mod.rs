//! X-ray: a real Python program's threads, seen from outside while it runs. The child runs
//! the standard-library bootstrap (`assets/python/xray_bootstrap.py`), which names the
//! threads over a pipe and then runs the script; on Linux a sampler thread reads each
//! thread's `/proc` files at about 1 kHz and [`classify`] turns them into states (running,
//! waiting for the GIL, on a lock, in I/O). Elsewhere only what is portable is shown.
//!
//! Pieces: [`crate::child`] runs the child (process group, output, kill); [`protocol`] (the bootstrap's lines),
//! [`procfs`] and [`syscalls`] (parsing), [`classify`] (pure state rules), [`recording`]
//! (the shared store and per-frame views), [`run`] (threads wiring it up), [`report`]
//! (JSON), [`screen`] and [`tui`] (the `pyconc xray` screen; drawing is in `ui::xray`),
//! [`twins`] (the demos' real-Python twins).

mod channel;
pub mod classify;
pub mod cli;
pub mod compare;
pub mod demo_twin;
pub mod procfs;
pub mod protocol;
pub mod recording;
pub mod report;
pub mod run;
#[cfg(target_os = "linux")]
pub mod sampler;
pub mod screen;
pub mod syscalls;
mod track;
pub mod tui;
pub mod twin_runner;
pub mod twins;
