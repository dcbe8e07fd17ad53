//! Where interpreters are looked for, in preference order: the one asked for
//! (`--python PATH` or `PYCONC_PYTHON`), `python3` then `python3.X` and `python3.Xt` on PATH
//! (the `which` crate), pyenv's versions folder (`$PYENV_ROOT` or `~/.pyenv`), uv's managed
//! Pythons (`uv python list`), and on Windows the launcher (`py -0p`, without the Microsoft
//! Store stub under `WindowsApps`). Nothing here runs an interpreter; [`super::probe()`] does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::child::{self, Cancel, ChildSpec};

/// The newest minor version looked for as `python3.X` on PATH.
const NEWEST_MINOR: u32 = 20;
/// The oldest minor version looked for as `python3.X` on PATH.
const OLDEST_MINOR: u32 = 6;
/// How long `uv python list` and `py -0p` may take.
const LISTER_TIME_LIMIT: Duration = Duration::from_secs(10);

/// Where an interpreter was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// `--python PATH` or `PYCONC_PYTHON`.
    Given,
    /// A `python3*` on PATH.
    Path,
    /// pyenv's versions folder.
    Pyenv,
    /// `uv python list`.
    Uv,
    /// The Windows launcher, `py -0p`.
    PyLauncher,
}

impl Source {
    /// Lower is preferred.
    pub fn rank(self) -> u8 {
        match self {
            Source::Given => 0,
            Source::Path => 1,
            Source::PyLauncher => 2,
            Source::Pyenv => 3,
            Source::Uv => 4,
        }
    }

    /// As shown in `pyconc pythons`.
    pub fn label(self) -> &'static str {
        match self {
            Source::Given => "given",
            Source::Path => "PATH",
            Source::Pyenv => "pyenv",
            Source::Uv => "uv",
            Source::PyLauncher => "py launcher",
        }
    }
}

/// A path that may be an interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The file.
    pub path: PathBuf,
    /// Where it was found.
    pub source: Source,
}

/// Every candidate, in preference order, not yet deduplicated.
pub fn candidates(explicit: Option<&Path>) -> Vec<Candidate> {
    let mut out = Vec::new();
    if let Some(path) = explicit {
        // A bare name (`python3.13`) is looked up on PATH.
        let path = if path.components().count() == 1 {
            which::which(path).unwrap_or_else(|_| path.to_path_buf())
        } else {
            path.to_path_buf()
        };
        out.push(Candidate {
            path,
            source: Source::Given,
        });
    }
    let pyenv = pyenv_root();
    out.extend(on_path(
        pyenv.as_deref().map(|r| r.join("shims")).as_deref(),
    ));
    if cfg!(windows) {
        out.extend(py_launcher());
    }
    if let Some(root) = &pyenv {
        out.extend(pyenv_versions(root));
    }
    out.extend(uv_managed());
    out
}

/// Keeps the first candidate of each real path (links resolved).
pub fn dedupe(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut seen = HashSet::new();
    candidates
        .into_iter()
        .filter(|c| seen.insert(std::fs::canonicalize(&c.path).unwrap_or_else(|_| c.path.clone())))
        .collect()
}

/// `python3`, then `python3.X` and `python3.Xt` from the newest minor down, on PATH. pyenv's
/// `shims` folder (`skip`) is used for `python3` only: its versioned shims fail for versions
/// not selected, and pyenv's folder is read directly anyway.
fn on_path(skip: Option<&Path>) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut push = |path: PathBuf| {
        out.push(Candidate {
            path,
            source: Source::Path,
        })
    };
    let plain: &[&str] = if cfg!(windows) {
        &["python3", "python"]
    } else {
        &["python3"]
    };
    for name in plain {
        if let Ok(all) = which::which_all(name) {
            all.filter(|p| !is_store_stub(p)).for_each(&mut push);
        }
    }
    for minor in (OLDEST_MINOR..=NEWEST_MINOR).rev() {
        for name in [format!("python3.{minor}t"), format!("python3.{minor}")] {
            if let Ok(all) = which::which_all(&name) {
                all.filter(|p| skip.is_none_or(|s| !p.starts_with(s)))
                    .for_each(&mut push);
            }
        }
    }
    out
}

/// `$PYENV_ROOT`, else `~/.pyenv`, when it exists.
pub fn pyenv_root() -> Option<PathBuf> {
    let root = match std::env::var_os("PYENV_ROOT").filter(|v| !v.is_empty()) {
        Some(root) => PathBuf::from(root),
        None => directories::BaseDirs::new()?.home_dir().join(".pyenv"),
    };
    root.is_dir().then_some(root)
}

/// One interpreter per folder of `ROOT/versions`, newest version first: `bin/python3.X[t]`
/// where it exists, else `bin/python3`, else `bin/python` (Python 2).
fn pyenv_versions(root: &Path) -> Vec<Candidate> {
    let Ok(entries) = std::fs::read_dir(root.join("versions")) else {
        return Vec::new();
    };
    let mut found: Vec<(Option<super::Version>, PathBuf)> = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let bin = entry.path().join(if cfg!(windows) { "" } else { "bin" });
        let version = super::Version::parse(name.trim_end_matches('t'));
        let minor_name = version.map(|v| {
            format!(
                "python{}.{}{}",
                v.0,
                v.1,
                if name.ends_with('t') { "t" } else { "" }
            )
        });
        let choices = minor_name
            .into_iter()
            .chain(["python3".to_string(), "python".to_string()]);
        for choice in choices {
            let path = bin.join(if cfg!(windows) {
                format!("{choice}.exe")
            } else {
                choice
            });
            if path.is_file() {
                found.push((version, path));
                break;
            }
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found
        .into_iter()
        .map(|(_, path)| Candidate {
            path,
            source: Source::Pyenv,
        })
        .collect()
}

/// The interpreters `uv python list --only-installed` shows, where uv exists.
fn uv_managed() -> Vec<Candidate> {
    let Ok(uv) = which::which("uv") else {
        return Vec::new();
    };
    let spec = ChildSpec::new(uv, LISTER_TIME_LIMIT).args([
        "python",
        "list",
        "--only-installed",
        "--output-format",
        "json",
    ]);
    listed(&spec, parse_uv_list, Source::Uv)
}

/// The interpreters a lister program (`spec`) prints, read by `parse`, found by `source`;
/// none if it fails to run.
fn listed(spec: &ChildSpec, parse: fn(&str) -> Vec<PathBuf>, source: Source) -> Vec<Candidate> {
    let Ok(captured) = child::run(spec, &Cancel::new()) else {
        return Vec::new();
    };
    parse(&captured.output_text())
        .into_iter()
        .map(|path| Candidate { path, source })
        .collect()
}

/// The paths in `uv python list` output: its JSON (`[{"path": ...}]`) or, from an older uv,
/// its text (`cpython-3.12.3-linux-x86_64-gnu    /path/to/python3.12`).
pub fn parse_uv_list(text: &str) -> Vec<PathBuf> {
    if let Ok(serde_json::Value::Array(items)) = serde_json::from_str(text.trim()) {
        return items
            .iter()
            .filter_map(|item| item.get("path")?.as_str())
            .map(PathBuf::from)
            .collect();
    }
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let _key = words.next()?;
            let path = words.next()?;
            // `<download available>` and `-> link` forms are not installed interpreters.
            (path.starts_with('/') || path.contains(":\\")).then(|| PathBuf::from(path))
        })
        .collect()
}

/// The interpreters the Windows launcher lists (`py -0p`).
fn py_launcher() -> Vec<Candidate> {
    let Ok(py) = which::which("py") else {
        return Vec::new();
    };
    let spec = ChildSpec::new(py, LISTER_TIME_LIMIT).args(["-0p"]);
    listed(&spec, parse_py_list, Source::PyLauncher)
}

/// The paths in `py -0p` output (` -V:3.12 *        C:\Python312\python.exe`), without the
/// Microsoft Store stub.
pub fn parse_py_list(text: &str) -> Vec<PathBuf> {
    text.lines()
        .filter_map(|line| {
            let at = line.find(":\\").map(|i| i.saturating_sub(1))?;
            Some(PathBuf::from(line[at..].trim()))
        })
        .filter(|p| !is_store_stub(p))
        .collect()
}

/// The Microsoft Store's `python.exe` placeholder, which opens the Store instead of running.
fn is_store_stub(path: &Path) -> bool {
    // Split by hand: a `py -0p` path uses `\\` even where this is not Windows (tests).
    path.to_string_lossy()
        .split(['/', '\\'])
        .any(|part| part.eq_ignore_ascii_case("WindowsApps"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uv_lists_parse_in_both_forms() {
        let json = r#"[{"key": "cpython-3.12.3-linux", "path": "/home/a/.local/share/uv/python/cpython-3.12.3/bin/python3.12"}, {"key": "x", "path": null}]"#;
        assert_eq!(
            parse_uv_list(json),
            vec![PathBuf::from(
                "/home/a/.local/share/uv/python/cpython-3.12.3/bin/python3.12"
            )]
        );
        let text = "cpython-3.13.0-linux-x86_64-gnu    /opt/uv/3.13/bin/python3.13\n\
                    cpython-3.12.0-linux-x86_64-gnu    <download available>\n";
        assert_eq!(
            parse_uv_list(text),
            vec![PathBuf::from("/opt/uv/3.13/bin/python3.13")]
        );
    }

    #[test]
    fn the_py_launcher_list_skips_the_store_stub() {
        let text = " -V:3.13 *        C:\\Python313\\python.exe\n \
                    -V:3.12          C:\\Users\\a\\AppData\\Local\\Microsoft\\WindowsApps\\python.exe\n";
        assert_eq!(
            parse_py_list(text),
            vec![PathBuf::from("C:\\Python313\\python.exe")]
        );
    }

    #[cfg(unix)]
    #[test]
    fn pyenv_versions_are_newest_first_and_python2_is_included() {
        let root = tempfile::tempdir().unwrap();
        for (version, exe) in [
            ("2.7.18", "python"),
            ("3.9.1", "python3.9"),
            ("3.13.0t", "python3.13t"),
        ] {
            let bin = root.path().join("versions").join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join(exe), "").unwrap();
        }
        let found: Vec<String> = pyenv_versions(root.path())
            .into_iter()
            .map(|c| c.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(found, ["python3.13t", "python3.9", "python"]);
    }

    #[cfg(unix)]
    #[test]
    fn dedupe_resolves_links() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("python3.12");
        std::fs::write(&real, "").unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("python3")).unwrap();
        let kept = dedupe(vec![
            Candidate {
                path: dir.path().join("python3"),
                source: Source::Path,
            },
            Candidate {
                path: real,
                source: Source::Pyenv,
            },
        ]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].source, Source::Path);
    }
}
