//! The Python interpreters a learner has: where they are found ([`sources`]), what each one is
//! ([`mod@probe`]: version, implementation, free-threaded build, GIL at run time, default start
//! method, CPU count) and the list pyconc grades with ([`discover`]). Nothing is cached
//! between runs: probing is one short child per interpreter, run in parallel (bounded).
//!
//! Other features (exercises, x-ray, lesson tests) use [`discover`], [`choose`], [`probe()`]
//! and [`Interpreter`]; `pyconc pythons [--json]` prints the same list.

pub mod choice;
#[cfg(all(test, unix))]
pub(crate) mod fake;
pub mod probe;
pub mod sources;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

pub use choice::{choose, given};
pub use probe::probe;
pub use sources::{Candidate, Source};

/// The environment variable naming the interpreter to use first.
pub const PYTHON_ENV: &str = "PYCONC_PYTHON";
/// The oldest Python exercises can run on.
pub const OLDEST_SUPPORTED: Version = Version(3, 8, 0);
/// At most this many probes run at once.
pub const PROBE_PARALLELISM: usize = 4;

/// A Python version, major.minor.patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Parses `3`, `3.11` or `3.11.4`.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.').map(|p| p.parse::<u32>().ok());
        let major = parts.next()??;
        let minor = parts.next().unwrap_or(Some(0))?;
        let patch = parts.next().unwrap_or(Some(0))?;
        if parts.next().is_some() {
            return None;
        }
        Some(Version(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// One interpreter, probed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interpreter {
    /// The path it was found at (run it by this path).
    pub path: PathBuf,
    /// The path with every link resolved (two finds with the same real path are one).
    pub real_path: PathBuf,
    /// `sys.executable` as the interpreter reports it.
    pub executable: Option<PathBuf>,
    /// `sys.version_info[:3]`.
    pub version: Version,
    /// `platform.python_implementation()`: CPython, PyPy...
    pub implementation: String,
    /// A free-threaded build (`Py_GIL_DISABLED == 1`).
    pub free_threaded: bool,
    /// `sys._is_gil_enabled()` where it exists (3.13+); `None` on older Pythons (GIL on).
    pub gil_enabled: Option<bool>,
    /// The default multiprocessing start method (`None` on 2.7).
    pub start_method: Option<String>,
    /// CPUs it may use (`os.process_cpu_count()` or `multiprocessing.cpu_count()`).
    pub cpu_count: Option<u32>,
    /// Where it was found.
    pub source: Source,
}

impl Interpreter {
    /// Why exercises cannot run on it, if they cannot.
    pub fn unusable_reason(&self) -> Option<String> {
        (self.version < OLDEST_SUPPORTED).then(|| {
            format!(
                "Python {} is too old: exercises need {}.{} or newer",
                self.version, OLDEST_SUPPORTED.0, OLDEST_SUPPORTED.1
            )
        })
    }

    /// True if the GIL is off while it runs (a free-threaded build with the GIL not
    /// re-enabled).
    pub fn runs_without_gil(&self) -> bool {
        self.free_threaded && self.gil_enabled != Some(true)
    }

    /// One line: `CPython 3.13.1 free-threaded (GIL off)`.
    pub fn describe(&self) -> String {
        let build = if self.free_threaded {
            match self.gil_enabled {
                Some(true) => " free-threaded (GIL re-enabled)",
                _ => " free-threaded (GIL off)",
            }
        } else {
            ""
        };
        format!("{} {}{build}", self.implementation, self.version)
    }

    /// A short name for the screen: `3.13t` or `3.11`.
    pub fn short_name(&self) -> String {
        format!(
            "{}.{}{}",
            self.version.0,
            self.version.1,
            if self.free_threaded { "t" } else { "" }
        )
    }
}

/// A candidate that did not probe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeFailure {
    /// Where it was.
    pub path: PathBuf,
    /// Where it was found.
    pub source: Source,
    /// Why it is not listed.
    pub reason: String,
}

/// The result of [`discover`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Found {
    /// Every interpreter that answered the probe, in preference order: the one asked for
    /// (`--python` / `PYCONC_PYTHON`) first, then `python3` on PATH, then the rest by
    /// source, newest first.
    pub interpreters: Vec<Interpreter>,
    /// Candidates that did not answer.
    pub failures: Vec<ProbeFailure>,
}

impl Found {
    /// Interpreters exercises can run on, best first.
    pub fn usable(&self) -> impl Iterator<Item = &Interpreter> {
        self.interpreters
            .iter()
            .filter(|i| i.unusable_reason().is_none())
    }

    /// The interpreter to grade with: `preferred` (a path kept in progress) when it is still
    /// found and usable, else the first usable one.
    pub fn grader(&self, preferred: Option<&Path>) -> Option<&Interpreter> {
        preferred
            .and_then(|p| self.usable().find(|i| i.path == p || i.real_path == p))
            .or_else(|| self.usable().next())
    }

    /// The first usable free-threaded interpreter, if any.
    pub fn free_threaded(&self) -> Option<&Interpreter> {
        self.usable().find(|i| i.free_threaded)
    }

    /// The free-threaded interpreter an exercise's checks also run on after `main`: none
    /// when `main` is it, or when it is older than the exercise's `min_python`.
    pub fn second_grader(&self, main: &Interpreter, min_python: Version) -> Option<&Interpreter> {
        self.free_threaded()
            .filter(|free| free.real_path != main.real_path && free.version >= min_python)
    }
}

/// Finds and probes every interpreter. `explicit` (`--python PATH`) wins over
/// `PYCONC_PYTHON`; either is listed first. Blocks for the probes (a few hundred ms):
/// call it off the UI thread.
pub fn discover(explicit: Option<&Path>) -> Found {
    let env = std::env::var_os(PYTHON_ENV).filter(|v| !v.is_empty());
    let explicit = explicit
        .map(Path::to_path_buf)
        .or_else(|| env.map(PathBuf::from));
    probe_all(sources::candidates(explicit.as_deref()))
}

/// Probes `candidates` (deduplicated by real path, first kept) in parallel, at most
/// [`PROBE_PARALLELISM`] at once, and orders the answers.
pub fn probe_all(candidates: Vec<Candidate>) -> Found {
    let candidates = sources::dedupe(candidates);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<Interpreter, ProbeFailure>)>> = Mutex::new(Vec::new());
    let workers = PROBE_PARALLELISM.min(candidates.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(candidate) = candidates.get(i) else {
                        break;
                    };
                    let result = probe(&candidate.path)
                        .map(|mut found| {
                            found.source = candidate.source;
                            found
                        })
                        .map_err(|reason| ProbeFailure {
                            path: candidate.path.clone(),
                            source: candidate.source,
                            reason,
                        });
                    results
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    let mut found = Found::default();
    for (_, result) in results {
        match result {
            Ok(interpreter) => {
                // Two links to one binary that canonicalize differently (hard links,
                // pyenv shims) still report one `sys.executable`.
                let duplicate = found.interpreters.iter().any(|i| {
                    i.real_path == interpreter.real_path
                        || (i.executable.is_some()
                            && i.executable == interpreter.executable
                            && i.version == interpreter.version)
                });
                if !duplicate {
                    found.interpreters.push(interpreter);
                }
            }
            Err(failure) => found.failures.push(failure),
        }
    }
    // Stable: within a source, the candidate order (`python3` first, then newest first)
    // is kept.
    found.interpreters.sort_by_key(|i| i.source.rank());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(Version::parse("3.11"), Some(Version(3, 11, 0)));
        assert_eq!(Version::parse("3.13.1"), Some(Version(3, 13, 1)));
        assert_eq!(Version::parse("3"), Some(Version(3, 0, 0)));
        assert_eq!(Version::parse("3.x"), None);
        assert_eq!(Version::parse("3.1.2.3"), None);
        assert!(Version(3, 8, 0) < Version(3, 10, 0));
    }

    fn interp(path: &str, version: Version, free: bool, source: Source) -> Interpreter {
        Interpreter {
            path: path.into(),
            real_path: path.into(),
            executable: None,
            version,
            implementation: "CPython".into(),
            free_threaded: free,
            gil_enabled: free.then_some(false),
            start_method: Some("fork".into()),
            cpu_count: Some(2),
            source,
        }
    }

    #[test]
    fn the_grader_is_the_kept_choice_else_the_first_usable() {
        let found = Found {
            interpreters: vec![
                interp("/old", Version(2, 7, 18), false, Source::Path),
                interp("/a", Version(3, 11, 4), false, Source::Path),
                interp("/t", Version(3, 14, 0), true, Source::Pyenv),
            ],
            failures: vec![],
        };
        assert_eq!(found.grader(None).unwrap().path, Path::new("/a"));
        assert_eq!(
            found.grader(Some(Path::new("/t"))).unwrap().path,
            Path::new("/t")
        );
        // A kept choice that is gone or too old falls back.
        assert_eq!(
            found.grader(Some(Path::new("/old"))).unwrap().path,
            Path::new("/a")
        );
        assert_eq!(found.free_threaded().unwrap().path, Path::new("/t"));
        assert_eq!(found.usable().count(), 2);
        assert!(
            found.interpreters[0]
                .unusable_reason()
                .unwrap()
                .contains("too old")
        );
        assert_eq!(found.interpreters[2].short_name(), "3.14t");
        assert!(found.interpreters[2].runs_without_gil());
    }

    #[cfg(unix)]
    #[test]
    fn probe_all_dedupes_links_and_keeps_failures() {
        let dir = tempfile::tempdir().unwrap();
        let real = fake::answering_probe(
            dir.path(),
            "python3.13t",
            r#"{"version": [3, 13, 2], "implementation": "CPython", "free_threaded": true, "gil_enabled": true}"#,
        );
        let link = dir.path().join("python3");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let found = probe_all(vec![
            Candidate {
                path: link.clone(),
                source: Source::Path,
            },
            Candidate {
                path: real.clone(),
                source: Source::Pyenv,
            },
            Candidate {
                path: dir.path().join("missing"),
                source: Source::Uv,
            },
        ]);
        assert_eq!(found.interpreters.len(), 1);
        assert_eq!(found.interpreters[0].path, link);
        assert_eq!(found.interpreters[0].gil_enabled, Some(true));
        assert!(!found.interpreters[0].runs_without_gil());
        assert!(found.interpreters[0].describe().contains("re-enabled"));
        assert_eq!(found.failures.len(), 1);
    }
}
