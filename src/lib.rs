//! pyconc: an interactive terminal tutorial on Python concurrency, with live demos that
//! run Rust equivalents of Python's mechanisms on the machine's real cores.
//!
//! Layers, one direction of dependency: `main -> app -> {ui, lessons, sims, progress}`.
//! `sims` never touches the terminal; `ui` only draws; `app` is the only writer of state.

pub mod app;
pub mod child;
pub mod contrast;
pub mod exercises;
pub mod input;
pub mod lessons;
pub mod progress;
pub mod pythons;
pub mod replay;
pub mod sims;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod xray;
