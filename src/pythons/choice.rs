//! Which interpreter a run uses when the learner does not pick one on the spot: the one named
//! (`--python PY`, else `PYCONC_PYTHON`), probed alone so a bad name is an error rather than a
//! silent fallback; else the learner's choice kept in progress; else the first usable one.
//! The exercise screen, `pyconc exercise --check`, x-ray, the demos' twins and `pyconc check`
//! all choose through here.

use std::path::{Path, PathBuf};

use super::{Interpreter, PYTHON_ENV, Source, discover, probe_all, sources};
use crate::lessons::sanitize::{sanitize_line, sanitize_path};

/// The interpreter named by `flag` (`--python`), else by `PYCONC_PYTHON`, if either is set.
pub fn named(flag: Option<&Path>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(PYTHON_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
}

/// Probes only `path` (a name given by the learner). `Err` says, sanitised and naming it,
/// why it cannot be used: not found, did not answer, or too old.
pub fn given(path: &Path) -> Result<Interpreter, String> {
    let shown = sanitize_path(path);
    let found = probe_all(sources::candidates(Some(path)));
    let first = found
        .interpreters
        .into_iter()
        .find(|i| i.source == Source::Given)
        .ok_or_else(|| {
            let why = found
                .failures
                .first()
                .map_or("not found".to_string(), |f| sanitize_line(&f.reason));
            format!("{shown}: {why}")
        })?;
    match first.unusable_reason() {
        Some(reason) => Err(format!("{shown}: {reason}")),
        None => Ok(first),
    }
}

/// The interpreter to run with: the one named ([`named`]: `--python`, else `PYCONC_PYTHON`),
/// else `kept` (the learner's choice in progress) when still found and usable, else the first
/// usable one found. Blocks for the probes: call it off the UI thread.
pub fn choose(flag: Option<&Path>, kept: Option<&Path>) -> Result<Interpreter, String> {
    if let Some(path) = named(flag) {
        let which = if flag.is_some() {
            "--python"
        } else {
            PYTHON_ENV
        };
        return given(&path).map_err(|e| format!("{which} {e}"));
    }
    discover(None).grader(kept).cloned().ok_or_else(no_python)
}

/// The message for "no usable interpreter at all".
pub fn no_python() -> String {
    format!(
        "no Python found: install Python {} or newer, or set {PYTHON_ENV} (or pass --python PATH)",
        super::OLDEST_SUPPORTED
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn fake(dir: &Path, name: &str, version: &str) -> PathBuf {
        let json = format!(
            r#"{{"version": [{version}], "implementation": "CPython", "free_threaded": false}}"#
        );
        crate::pythons::fake::answering_probe(dir, name, &json)
    }

    #[test]
    fn a_named_interpreter_is_probed_alone_and_used() {
        let dir = tempfile::tempdir().unwrap();
        let py = fake(dir.path(), "py", "3, 12, 1");
        let chosen = choose(Some(&py), Some(Path::new("/nowhere/python3"))).unwrap();
        assert_eq!(chosen.path, py);
        assert_eq!(chosen.version, super::super::Version(3, 12, 1));
    }

    #[test]
    fn a_bad_or_too_old_name_is_an_error_not_a_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let err = choose(Some(&missing), None).unwrap_err();
        assert!(
            err.starts_with("--python ") && err.contains("missing"),
            "{err}"
        );
        let old = fake(dir.path(), "old", "2, 7, 18");
        let err = given(&old).unwrap_err();
        assert!(err.contains("old"), "{err}");
    }
}
