//! `pyconc check` for exercises, as rustlings' `dev check` does for its packs: every starter
//! must fail at least one check (or hit the time limit) and every solution must pass all,
//! graded with a real interpreter, a few exercises at a time.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::grade::{self, GradeError};
use super::protocol::Verdict;
use super::{Exercise, ExerciseSet};
use crate::child::Cancel;
use crate::lessons::Problem;
use crate::pythons::Interpreter;

/// How many gradings run at once (each may itself use several cores).
pub const PARALLEL_GRADINGS: usize = 2;

/// Which file of an exercise was graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `start.py`.
    Starter,
    /// `solution.py`.
    Solution,
}

/// What grading every starter and solution found.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// Files graded.
    pub graded: usize,
    /// Exercises skipped because the interpreter is older than their `min_python`.
    pub skipped: Vec<String>,
    /// Starters that passed, solutions that failed, graders that broke.
    pub problems: Vec<Problem>,
}

/// Grades every starter and solution of `set` with `python`.
pub fn run_all(set: &ExerciseSet, python: &Interpreter) -> RunSummary {
    let jobs: Vec<(&Exercise, Role)> = set
        .exercises
        .iter()
        .flat_map(|e| [(e, Role::Starter), (e, Role::Solution)])
        .collect();
    let next = AtomicUsize::new(0);
    let summary = Mutex::new(RunSummary::default());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL_GRADINGS.min(jobs.len()) {
            scope.spawn(|| {
                while let Some((exercise, role)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let outcome = grade_one(exercise, *role, python);
                    let mut summary = summary.lock().unwrap_or_else(|e| e.into_inner());
                    match outcome {
                        Outcome::Ok => summary.graded += 1,
                        Outcome::Skipped => {
                            if *role == Role::Starter {
                                summary.skipped.push(exercise.id.clone());
                            }
                        }
                        Outcome::Problem(p) => {
                            summary.graded += 1;
                            summary.problems.push(p);
                        }
                    }
                }
            });
        }
    });
    let mut summary = summary.into_inner().unwrap_or_else(|e| e.into_inner());
    summary.problems.sort();
    summary.skipped.sort();
    summary
}

enum Outcome {
    Ok,
    Skipped,
    Problem(Problem),
}

fn grade_one(exercise: &Exercise, role: Role, python: &Interpreter) -> Outcome {
    let (name, text) = match role {
        Role::Starter => ("start.py", &exercise.start),
        Role::Solution => ("solution.py", &exercise.solution),
    };
    let shown = format!("{}/{name}", exercise.dir);
    let problem = |message: String| Outcome::Problem(Problem::new(&shown, 0, message));
    let Ok(dir) = tempfile::Builder::new().prefix("pyconc-check-").tempdir() else {
        return problem("could not make a temporary folder".into());
    };
    let file: PathBuf = dir
        .path()
        .join(format!("{}.py", exercise.id.replace('-', "_")));
    if let Err(e) = std::fs::write(&file, text) {
        return problem(format!("could not write a copy: {e}"));
    }
    let report = match grade::grade(exercise, &file, python, &Cancel::new()) {
        Ok(report) => report,
        Err(GradeError::TooOld { .. }) => return Outcome::Skipped,
        Err(e) => return problem(e.to_string()),
    };
    let with = &report.python_name;
    let tail = || {
        report
            .output
            .iter()
            .rev()
            .take(3)
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .join(" | ")
    };
    match (role, report.verdict) {
        (Role::Starter, Verdict::Failed | Verdict::TimedOut) => Outcome::Ok,
        (Role::Starter, Verdict::Passed) => problem(format!(
            "the starter passes every check with {with}: it must fail at least one"
        )),
        (Role::Solution, Verdict::Passed) => Outcome::Ok,
        (Role::Solution, Verdict::Failed) => {
            let failed = report
                .first_failure()
                .map_or(String::new(), |c| format!("`{}`: {}", c.name, c.message));
            problem(format!("the solution fails with {with}: {failed}"))
        }
        (_, Verdict::NoChecks) => problem(format!(
            "check.py reported no check with {with} (exit {:?}): {}",
            report.exit_code,
            tail()
        )),
        (Role::Solution, Verdict::TimedOut) => problem(format!(
            "the solution ran past the {} s limit with {with}",
            exercise.time_limit_s
        )),
    }
}
