//! `pyconc xray [--python PY] SCRIPT [ARGS]... [--json]`: the argument rules (pyconc's
//! options come before SCRIPT; everything after it is the script's, except one trailing
//! `--json`, and a `--` after SCRIPT passes even that on) and the headless run, which stops
//! the child's whole group on Ctrl-C, SIGTERM or SIGHUP.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::report;
use super::run::{Outcome, XrayError, XrayOptions, XrayRun};

/// The default limit on a run, in seconds (`--seconds`).
pub const DEFAULT_LIMIT_S: f64 = 600.0;

/// How often the headless run looks whether the child ended or a signal came.
const HEADLESS_POLL: Duration = Duration::from_millis(20);

/// The script and its arguments, with a trailing `--json` taken out for pyconc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptArgs {
    /// The script.
    pub script: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// A trailing `--json` was given.
    pub json: bool,
}

/// Splits `SCRIPT [ARGS]... [--json]`. A `--` right after SCRIPT is dropped and keeps every
/// later word, `--json` too, for the script.
pub fn split_script_args(words: &[OsString]) -> Option<ScriptArgs> {
    let (script, rest) = words.split_first()?;
    let mut args: Vec<OsString> = rest.to_vec();
    let passthrough = args.first().is_some_and(|a| a == "--");
    if passthrough {
        args.remove(0);
    }
    let json = !passthrough && args.last().is_some_and(|a| a == "--json");
    if json {
        args.pop();
    }
    Some(ScriptArgs {
        script: PathBuf::from(script),
        args,
        json,
    })
}

/// Runs without a screen until the script ends (or a signal comes) and returns the report.
pub fn run_headless(opts: &XrayOptions) -> Result<(Value, Outcome), XrayError> {
    let interrupted = Arc::new(AtomicBool::new(false));
    register_signals(&interrupted);
    let cpu_before = process_cpu_s();
    let mut run = XrayRun::start(opts)?;
    while !run.is_finished() && !interrupted.load(Ordering::SeqCst) {
        std::thread::sleep(HEADLESS_POLL);
    }
    let outcome = if run.is_finished() {
        run.finish()
    } else {
        run.stop()
    };
    let mut value = report::report(&outcome, &opts.script.display().to_string());
    let elapsed = outcome.recording.elapsed_s();
    if let (Some(a), Some(b), Some(sampling)) = (
        cpu_before,
        process_cpu_s(),
        value.get_mut("sampling").and_then(Value::as_object_mut),
    ) {
        let cpu = b - a;
        sampling.insert("pyconc_cpu_s".into(), Value::from(round4(cpu)));
        if elapsed > 0.0 {
            sampling.insert(
                "pyconc_cpu_share".into(),
                Value::from(round4(cpu / elapsed)),
            );
        }
    }
    Ok((value, outcome))
}

fn round4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// CPU seconds this whole process (every pyconc thread, not the child) has used.
#[cfg(unix)]
fn process_cpu_s() -> Option<f64> {
    // SAFETY: getrusage fills the struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return None;
    }
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    Some(t(usage.ru_utime) + t(usage.ru_stime))
}

/// Not measured off Unix.
#[cfg(not(unix))]
fn process_cpu_s() -> Option<f64> {
    None
}

#[cfg(unix)]
fn register_signals(flag: &Arc<AtomicBool>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        let _ = signal_hook::flag::register(sig, Arc::clone(flag));
    }
}

#[cfg(not(unix))]
fn register_signals(_flag: &Arc<AtomicBool>) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<OsString> {
        w.iter().map(OsString::from).collect()
    }

    #[test]
    fn a_trailing_json_is_pyconcs_unless_after_a_double_dash() {
        let a = split_script_args(&words(&["s.py", "-n", "3", "--json"])).unwrap();
        assert_eq!(a.args, words(&["-n", "3"]));
        assert!(a.json);
        let b = split_script_args(&words(&["s.py", "--", "-n", "--json"])).unwrap();
        assert_eq!(b.args, words(&["-n", "--json"]));
        assert!(!b.json);
        assert_eq!(split_script_args(&[]), None);
    }
}
