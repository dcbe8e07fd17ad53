//! X-ray: a real Python program's threads, seen from outside while it runs. The child runs
//! the standard-library bootstrap (`assets/python/xray_bootstrap.py`), which names the
//! threads over a pipe and then runs the script; on Linux a sampler thread reads each
//! thread's `/proc` files at about 1 kHz and [`classify`] turns them into states (running,
//! waiting for the GIL, on a lock, in I/O). Elsewhere only what is portable is shown.
//!
//! Pieces: [`child`] (process group, output, kill), [`protocol`] (the bootstrap's lines),
//! [`procfs`] and [`syscalls`] (parsing), [`classify`] (pure state rules), [`recording`]
//! (the shared store and per-frame views), [`run`] (threads wiring it up), [`report`]
//! (JSON), [`screen`] and [`tui`] (the `pyconc xray` screen; drawing is in `ui::xray`),
//! [`twins`] (the demos' real-Python twins).

mod channel;
pub mod child;
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

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable naming the interpreter when `--python` is not given.
pub const PYTHON_ENV: &str = "PYCONC_PYTHON";

/// The interpreter to run: `--python PY`, else `$PYCONC_PYTHON`, else `python3` (`python`
/// on Windows) found on PATH. One small function, to be replaced by `pythons::discover()`.
pub fn resolve_python(flag: Option<&Path>) -> Result<OsString, String> {
    if let Some(p) = flag {
        return Ok(p.as_os_str().to_owned());
    }
    if let Some(p) = std::env::var_os(PYTHON_ENV).filter(|p| !p.is_empty()) {
        return Ok(p);
    }
    let name = if cfg!(windows) {
        "python.exe"
    } else {
        "python3"
    };
    find_on_path(name)
        .map(PathBuf::into_os_string)
        .ok_or_else(|| format!("no `{name}` on PATH; name one with --python PY or {PYTHON_ENV}"))
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}
