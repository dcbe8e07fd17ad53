//! Part of the `pyconc` binary: the exercise commands without the TUI, for scripts and
//! workshop CI: `pyconc pythons`, `pyconc exercises`, `pyconc exercise ID --check | --path`,
//! and the exercise half of `pyconc check`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Value, json};

use pyconc::child::Cancel;
use pyconc::exercises::grade::{self, Report};
use pyconc::exercises::workspace::Workspace;
use pyconc::exercises::{Exercise, ExerciseSet, pack_check};
use pyconc::lessons::{Catalog, Problem, sanitize};
use pyconc::progress::{ExerciseState, ProgressStore};
use pyconc::pythons::{self, Interpreter};

use super::Failure;

/// Which exercise, where, with what.
pub struct Target {
    /// `--lessons DIR`.
    pub pack: Option<PathBuf>,
    /// The exercise's id.
    pub id: String,
    /// `--dir DIR`.
    pub dir: Option<PathBuf>,
    /// `--python PY`.
    pub python: Option<PathBuf>,
}

/// The lessons and exercises of the pack.
pub fn load(pack: Option<&Path>) -> Result<(Catalog, ExerciseSet), Failure> {
    let catalog = super::load_catalog(pack)?;
    let set = ExerciseSet::load(pack).map_err(|p| Failure::problems("the exercises", &p))?;
    Ok((catalog, set))
}

/// The exercise `id`, or a usage error listing the ids.
pub fn find<'a>(set: &'a ExerciseSet, id: &str) -> Result<&'a Exercise, Failure> {
    set.get(id).ok_or_else(|| {
        let ids = set.ids().join(", ");
        Failure::usage(format!(
            "unknown exercise `{}`; exercises: {}",
            sanitize::sanitize_line(id),
            if ids.is_empty() { "none" } else { &ids }
        ))
    })
}

/// `pyconc pythons [--json]`.
pub fn pythons(explicit: Option<&Path>, as_json: bool) -> Result<ExitCode, Failure> {
    let found = pythons::discover(explicit);
    let mut out = std::io::stdout().lock();
    if as_json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string(&found).unwrap_or_else(|_| "{}".into())
        );
        return Ok(ExitCode::SUCCESS);
    }
    if found.interpreters.is_empty() {
        let _ = writeln!(
            out,
            "no Python found: install Python 3.8 or newer, or set {} to one. Lessons and \
             demos work without it; exercises need it.",
            pythons::PYTHON_ENV
        );
    }
    let grader = found.grader(None).map(|i| i.path.clone());
    for i in &found.interpreters {
        let mark = if Some(&i.path) == grader.as_ref() {
            "*"
        } else {
            " "
        };
        let gil = match (i.free_threaded, i.gil_enabled) {
            (true, Some(true)) => "GIL re-enabled",
            (true, _) => "GIL off",
            (false, _) => "GIL on",
        };
        let extra = i
            .unusable_reason()
            .map(|r| format!("  ({r})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{mark} {:<44} {:<8} {:<8} {:<14} {:<11} {:>2} CPUs  {}{extra}",
            sanitize::sanitize_path(&i.path),
            i.version.to_string(),
            i.implementation,
            gil,
            i.start_method.as_deref().unwrap_or("-"),
            i.cpu_count.unwrap_or(0),
            i.source.label(),
        );
    }
    for f in &found.failures {
        let _ = writeln!(
            out,
            "  {:<44} not usable: {}",
            sanitize::sanitize_path(&f.path),
            sanitize::sanitize_line(&f.reason.to_string())
        );
    }
    if grader.is_some() {
        let _ = writeln!(
            out,
            "* grades exercises (switch in the exercise screen with p)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `pyconc exercises [--json]`.
pub fn list(pack: Option<&Path>, as_json: bool) -> Result<ExitCode, Failure> {
    let (catalog, set) = load(pack)?;
    let progress = ProgressStore::locate()
        .map(|s| s.load().progress)
        .unwrap_or_default();
    let rows: Vec<(&Exercise, ExerciseState)> = set
        .in_course_order(&catalog)
        .into_iter()
        .map(|e| (e, progress.exercise_state(&e.id)))
        .collect();
    let mut out = std::io::stdout().lock();
    if as_json {
        let items: Vec<Value> = rows
            .iter()
            .map(|(e, state)| {
                json!({"id": e.id, "lesson": e.lesson, "title": e.title, "state": state})
            })
            .collect();
        let _ = writeln!(out, "{}", Value::Array(items));
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        let _ = writeln!(out, "no exercises in this pack");
    }
    for (e, state) in rows {
        let _ = writeln!(
            out,
            "  {:<28} {:<26} {:<12} {}",
            sanitize::sanitize_line(&e.id),
            sanitize::sanitize_line(&e.lesson),
            state.label(),
            sanitize::sanitize_line(&e.title)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `pyconc exercise ID --path`.
pub fn print_path(target: &Target) -> Result<ExitCode, Failure> {
    let (_, set) = load(target.pack.as_deref())?;
    let exercise = find(&set, &target.id)?;
    let path = workspace_file(target, exercise)?;
    println!("{}", sanitize::sanitize_path(&path));
    Ok(ExitCode::SUCCESS)
}

fn workspace_file(target: &Target, exercise: &Exercise) -> Result<PathBuf, Failure> {
    let ws = Workspace::locate(target.dir.as_deref())
        .ok_or_else(|| Failure::usage("no data folder: pass --dir DIR"))?;
    ws.ensure(exercise).map(|(p, _)| p).map_err(|e| Failure {
        message: format!(
            "could not create the exercise file in {}: {e}",
            ws.dir().display()
        ),
        code: 1,
    })
}

/// `pyconc exercise ID --check [--file PATH] [--python PY] [--json]`: grades with the chosen
/// interpreter and, where a free-threaded one is found, there too. Exit 0 when every run
/// passed, 1 otherwise.
pub fn check(target: &Target, file: Option<&Path>, as_json: bool) -> Result<ExitCode, Failure> {
    let (_, set) = load(target.pack.as_deref())?;
    let exercise = find(&set, &target.id)?;
    let file = match file {
        Some(f) if !f.is_file() => {
            return Err(Failure::usage(format!(
                "--file {}: no such file",
                sanitize::sanitize_path(f)
            )));
        }
        Some(f) => f.to_path_buf(),
        None => workspace_file(target, exercise)?,
    };
    let store = ProgressStore::locate();
    let mut progress = store
        .as_ref()
        .map(|s| s.load().progress)
        .unwrap_or_default();
    let pythons = graders(target, &progress, exercise)?;
    let mut reports: Vec<Report> = Vec::new();
    for python in &pythons {
        match grade::grade(exercise, &file, python, &Cancel::new()) {
            Ok(report) => reports.push(report),
            Err(e) => {
                return Err(Failure {
                    message: e.to_string(),
                    code: 1,
                });
            }
        }
    }
    let passed = reports.iter().all(|r| r.verdict.passed());
    let entry = progress.exercise_mut(&exercise.id);
    if passed {
        entry.state = ExerciseState::Passed;
    } else {
        entry.failed_tries += 1;
        if entry.state == ExerciseState::NotStarted {
            entry.state = ExerciseState::Attempted;
        }
    }
    if let Some(store) = &store {
        let _ = store.save(&progress);
    }
    let mut out = std::io::stdout().lock();
    if as_json {
        let doc = json!({"exercise": exercise.id, "passed": passed, "runs": reports});
        let _ = writeln!(out, "{doc}");
    } else {
        for report in &reports {
            print_report(&mut out, report);
        }
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The interpreters to grade with: `--python` (probed; a bad one is a usage error), else the
/// kept choice or the first found; plus the first free-threaded one when it differs.
fn graders(
    target: &Target,
    progress: &pyconc::progress::Progress,
    exercise: &Exercise,
) -> Result<Vec<Interpreter>, Failure> {
    if let Some(py) = &target.python {
        return pythons::given(py)
            .map(|first| vec![first])
            .map_err(|e| Failure::usage(format!("--python {e}")));
    }
    let found = pythons::discover(None);
    let kept = progress
        .exercises
        .get(&exercise.id)
        .and_then(|e| e.python.clone());
    let Some(main) = found.grader(kept.as_deref()).cloned() else {
        return Err(Failure {
            message: format!(
                "no Python found to grade with: install Python 3.8 or newer, or set {} \
                 (or pass --python PATH)",
                pythons::PYTHON_ENV
            ),
            code: 1,
        });
    };
    let second = found.second_grader(&main, exercise.min_python).cloned();
    Ok(std::iter::once(main).chain(second).collect())
}

fn print_report(out: &mut impl Write, report: &Report) {
    let verdict = match report.verdict {
        pyconc::exercises::protocol::Verdict::Passed => "passed",
        pyconc::exercises::protocol::Verdict::Failed => "failed",
        pyconc::exercises::protocol::Verdict::NoChecks => "no check ran",
        pyconc::exercises::protocol::Verdict::TimedOut => "timed out",
    };
    let _ = writeln!(
        out,
        "{} with {}: {verdict} ({:.1} s)",
        sanitize::sanitize_line(&report.exercise),
        sanitize::sanitize_line(&report.python_name),
        report.seconds
    );
    for c in &report.checks {
        let mark = if c.passed { "✓" } else { "✗" };
        if c.message.is_empty() || c.passed {
            let _ = writeln!(out, "  {mark} {}", sanitize::sanitize_line(&c.name));
        } else {
            let _ = writeln!(
                out,
                "  {mark} {}: {}",
                sanitize::sanitize_line(&c.name),
                sanitize::sanitize(&c.message)
            );
        }
    }
    if let Some(note) = &report.note {
        let _ = writeln!(out, "  {}", sanitize::sanitize(note));
    }
    if !report.output.is_empty() {
        let _ = writeln!(out, "  output:");
        for line in &report.output {
            let _ = writeln!(out, "    {}", sanitize::sanitize_line(line));
        }
    }
    if report.dropped_bytes > 0 {
        let _ = writeln!(out, "    … {} more bytes dropped", report.dropped_bytes);
    }
}

/// The exercise half of `pyconc check`: format problems, lesson/exercise cross-checks, and,
/// with `python` (see [`pythons::choose`]), every starter and solution graded. Returns the
/// problems and a line saying what ran (or why nothing did).
pub fn check_exercises(
    pack: Option<&Path>,
    python: Option<&Interpreter>,
) -> (Vec<Problem>, Option<String>) {
    let set = match ExerciseSet::load(pack) {
        Ok(set) => set,
        Err(problems) => return (problems, None),
    };
    let mut problems = match pack {
        Some(dir) => Catalog::from_dir(dir),
        None => Catalog::embedded(),
    }
    .map(|catalog| set.cross_check(&catalog))
    .unwrap_or_default();
    if set.exercises.is_empty() {
        return (problems, None);
    }
    let Some(python) = python else {
        return (
            problems,
            Some(format!(
                "exercises: no python3 found, so starters and solutions were not run ({} exercises)",
                set.exercises.len()
            )),
        );
    };
    let summary = pack_check::run_all(&set, python);
    problems.extend(summary.problems);
    let mut ran = format!(
        "exercises: graded {} starters and solutions with {}",
        summary.graded,
        python.describe()
    );
    if !summary.skipped.is_empty() {
        ran.push_str(&format!(
            " (skipped, need a newer Python: {})",
            summary.skipped.join(", ")
        ));
    }
    (problems, Some(ran))
}
