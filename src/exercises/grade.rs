//! One grading run, as EXERCISES-PROTOCOL.md says: `PYTHON -X utf8 -u check.py LEARNER_FILE`
//! in a fresh temporary directory, with `pyconc_check.py` on `PYTHONPATH`,
//! `PYCONC_TIME_LIMIT`, `PYCONC_EXERCISE` and `PYTHONDONTWRITEBYTECODE=1` set, through
//! [`crate::child::run`] (own process group, capped output, the exercise's time limit).
//! Blocking: call it from a worker thread.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use super::Exercise;
use super::protocol::{self, Check, Verdict};
use crate::child::{self, Cancel, ChildSpec, Exit};
use crate::lessons::sanitize;
use crate::pythons::Interpreter;

/// Environment variables a grading run must not inherit (they would change how Python
/// starts or what it imports).
const SCRUBBED_ENV: [&str; 5] = [
    "PYTHONSTARTUP",
    "PYTHONINSPECT",
    "PYTHONHOME",
    "PYTHONSAFEPATH",
    "PYTHONWARNINGS",
];

/// What one grading run found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The exercise's id.
    pub exercise: String,
    /// The file graded.
    pub file: PathBuf,
    /// The interpreter that ran it.
    pub python: PathBuf,
    /// `CPython 3.11.4` and so on.
    pub python_name: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Every check line, in order.
    pub checks: Vec<Check>,
    /// The program's output (every other line), sanitised.
    pub output: Vec<String>,
    /// Output bytes dropped past the cap.
    pub dropped_bytes: u64,
    /// The grader's exit code (`None`: killed or signalled).
    pub exit_code: Option<i32>,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
    /// What the learner should know beyond the checks (a time-out, a crash without checks).
    pub note: Option<String>,
}

impl Report {
    /// The first failed check, if any.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| !c.passed)
    }
}

/// Why a grading could not run.
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    /// The interpreter is older than the exercise allows.
    #[error("{python} is too old for `{exercise}`: it needs Python {needs} or newer")]
    TooOld {
        python: String,
        exercise: String,
        needs: String,
    },
    /// The learner's file does not exist or cannot be read.
    #[error("cannot read {file}: {reason}")]
    Learner { file: String, reason: String },
    /// The temporary folder or the child could not be made.
    #[error("could not run the grader: {0}")]
    Io(#[from] std::io::Error),
    /// Cancelled before it finished (a newer save arrived).
    #[error("cancelled")]
    Cancelled,
}

/// Grades `learner` for `exercise` with `python`.
pub fn grade(
    exercise: &Exercise,
    learner: &Path,
    python: &Interpreter,
    cancel: &Cancel,
) -> Result<Report, GradeError> {
    if python.version < exercise.min_python {
        return Err(GradeError::TooOld {
            python: python.describe(),
            exercise: exercise.id.clone(),
            needs: format!("{}.{}", exercise.min_python.0, exercise.min_python.1),
        });
    }
    let shown = sanitize::sanitize_path(learner);
    let learner = std::fs::canonicalize(learner).map_err(|e| GradeError::Learner {
        file: shown.clone(),
        reason: e.to_string(),
    })?;
    if !learner.is_file() {
        return Err(GradeError::Learner {
            file: shown,
            reason: "not a file".into(),
        });
    }
    let work = tempfile::Builder::new().prefix("pyconc-grade-").tempdir()?;
    let support = work.path().join("support");
    let cwd = work.path().join("run");
    std::fs::create_dir_all(&support)?;
    std::fs::create_dir_all(&cwd)?;
    std::fs::write(support.join("pyconc_check.py"), super::pyconc_check_py())?;
    let check_py = support.join("check.py");
    std::fs::write(&check_py, &exercise.check)?;
    let mut spec = ChildSpec::new(
        &python.path,
        Duration::from_secs(u64::from(exercise.time_limit_s)),
    )
    .args([
        OsString::from("-X"),
        OsString::from("utf8"),
        OsString::from("-u"),
        check_py.into_os_string(),
        learner.clone().into_os_string(),
    ]);
    spec.cwd = Some(cwd);
    spec.env = vec![
        ("PYTHONPATH".into(), support.into_os_string()),
        (
            "PYCONC_TIME_LIMIT".into(),
            exercise.time_limit_s.to_string().into(),
        ),
        ("PYCONC_EXERCISE".into(), exercise.id.clone().into()),
        ("PYTHONDONTWRITEBYTECODE".into(), "1".into()),
        ("PYTHONUNBUFFERED".into(), "1".into()),
        ("PYTHONIOENCODING".into(), "utf-8".into()),
    ];
    spec.env_remove = SCRUBBED_ENV.iter().map(OsString::from).collect();
    spec.pin = Some(protocol::is_check_line);
    let captured = child::run(&spec, cancel)?;
    if captured.ending == Exit::Killed {
        return Err(GradeError::Cancelled);
    }
    let checks: Vec<Check> = captured
        .pinned
        .iter()
        .filter_map(|l| protocol::parse_check_line(l))
        .collect();
    let timed_out = captured.ending == Exit::TimedOut;
    let verdict = Verdict::of(&checks, timed_out);
    let exit_code = match captured.ending {
        Exit::Code(code) => Some(code),
        _ => None,
    };
    let note = match verdict {
        Verdict::TimedOut => Some(format!(
            "stopped after the {} s limit: something hangs or is far too slow (the output \
             shows where each thread was waiting, if the grader dumped them)",
            exercise.time_limit_s
        )),
        Verdict::NoChecks => Some(match exit_code {
            Some(code) => format!(
                "the grader stopped (exit {code}) before reporting any check: the output \
                 shows why (often an error while importing your file)"
            ),
            None => "the grader was killed before reporting any check".to_string(),
        }),
        _ => None,
    };
    Ok(Report {
        exercise: exercise.id.clone(),
        file: learner,
        python: python.path.clone(),
        python_name: python.describe(),
        verdict,
        checks,
        output: captured
            .lines
            .iter()
            .map(|(_, l)| sanitize::sanitize_line(l))
            .collect(),
        dropped_bytes: captured.dropped_bytes,
        exit_code,
        seconds: captured.elapsed.as_secs_f64(),
        note,
    })
}
