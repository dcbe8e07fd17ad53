//! Probing one interpreter: run `probe.py` (which works on Python 2.7 and every Python 3)
//! as a child with a short time limit and read the one JSON line it prints.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{Interpreter, Version};
use crate::child::{self, Cancel, ChildSpec, Exit};

/// The probe script (Python 2.7 compatible).
pub const PROBE_PY: &str = include_str!("probe.py");
/// The marker in front of the probe's JSON line.
const MARKER: &str = "PYCONC-PROBE ";
/// How long one probe may take (a cold interpreter on a busy, slow disk).
pub const PROBE_TIME_LIMIT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
struct ProbeAnswer {
    version: Vec<u32>,
    implementation: String,
    #[serde(default)]
    executable: Option<String>,
    #[serde(default)]
    free_threaded: bool,
    #[serde(default)]
    gil_enabled: Option<bool>,
    #[serde(default)]
    start_method: Option<String>,
    #[serde(default)]
    cpu_count: Option<u32>,
}

/// Runs the probe with `path`. `Err` says why it is not a usable interpreter (no such file,
/// crashed, timed out, printed something else).
pub fn probe(path: &Path) -> Result<Interpreter, String> {
    let spec = ChildSpec::new(path, PROBE_TIME_LIMIT).args(["-c", PROBE_PY]);
    let captured = child::run(&spec, &Cancel::new()).map_err(|e| format!("cannot run: {e}"))?;
    if captured.ending == Exit::TimedOut {
        return Err(format!(
            "did not answer within {} s",
            PROBE_TIME_LIMIT.as_secs()
        ));
    }
    let line = captured
        .lines
        .iter()
        .find_map(|(_, l)| l.strip_prefix(MARKER))
        .ok_or_else(|| {
            let said = captured
                .lines
                .last()
                .map(|(_, l)| crate::lessons::sanitize::sanitize_line(l))
                .unwrap_or_default();
            match captured.ending {
                Exit::Code(code) => format!("probe failed (exit {code}): {said}"),
                _ => format!("probe failed: {said}"),
            }
        })?;
    let answer: ProbeAnswer =
        serde_json::from_str(line).map_err(|e| format!("probe answered badly: {e}"))?;
    let version = match answer.version[..] {
        [major, minor, patch, ..] => Version(major, minor, patch),
        [major, minor] => Version(major, minor, 0),
        _ => return Err("probe answered without a version".into()),
    };
    Ok(Interpreter {
        path: path.to_path_buf(),
        real_path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        executable: answer
            .executable
            .filter(|e| !e.is_empty())
            .map(|e| std::fs::canonicalize(&e).unwrap_or_else(|_| e.into())),
        version,
        implementation: crate::lessons::sanitize::sanitize_line(&answer.implementation),
        free_threaded: answer.free_threaded,
        gil_enabled: answer.gil_enabled,
        start_method: answer
            .start_method
            .map(|s| crate::lessons::sanitize::sanitize_line(&s)),
        cpu_count: answer.cpu_count,
        source: super::Source::Given,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn fake_python(dir: &Path, json: &str) -> std::path::PathBuf {
        crate::pythons::fake::answering_probe(dir, "python3.14t", json)
    }

    #[cfg(unix)]
    #[test]
    fn a_free_threaded_build_is_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let path = fake_python(
            dir.path(),
            r#"{"version": [3, 14, 0], "implementation": "CPython", "free_threaded": true, "gil_enabled": false, "start_method": "forkserver", "cpu_count": 8}"#,
        );
        let found = probe(&path).unwrap();
        assert_eq!(found.version, Version(3, 14, 0));
        assert!(found.free_threaded);
        assert_eq!(found.gil_enabled, Some(false));
        assert_eq!(found.start_method.as_deref(), Some("forkserver"));
        assert_eq!(found.cpu_count, Some(8));
        assert!(
            found.describe().contains("free-threaded"),
            "{}",
            found.describe()
        );
    }

    #[cfg(unix)]
    #[test]
    fn garbage_and_missing_files_are_reasons_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        assert!(probe(&dir.path().join("nope")).is_err());
        let path = fake_python(dir.path(), "not json");
        let e = probe(&path).unwrap_err();
        assert!(e.contains("badly"), "{e}");
    }

    #[test]
    fn the_real_python3_answers() {
        let Ok(path) = which::which("python3") else {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "CI=true but no python3 on PATH");
            eprintln!("skipped: no python3 on PATH");
            return;
        };
        let found = probe(&path).unwrap();
        assert_eq!(found.version.0, 3);
        assert!(found.cpu_count.unwrap_or(0) >= 1);
    }

    #[test]
    fn python_2_7_probes_without_crashing() {
        let path = Path::new("/root/.pyenv/versions/2.7.18/bin/python2.7");
        let path = if path.exists() {
            path.to_path_buf()
        } else {
            match std::fs::read_dir("/root/.pyenv/versions")
                .ok()
                .and_then(|d| {
                    d.filter_map(Result::ok)
                        .map(|e| e.path().join("bin/python2.7"))
                        .find(|p| p.exists())
                }) {
                Some(p) => p,
                None => {
                    eprintln!("skipped: no Python 2.7 under pyenv");
                    return;
                }
            }
        };
        let found = probe(&path).unwrap();
        assert_eq!(found.version.0, 2);
        assert!(!found.free_threaded);
        assert!(found.unusable_reason().is_some());
    }
}
