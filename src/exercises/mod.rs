//! Exercises: the learner writes concurrent Python, pyconc runs it on their own interpreter
//! and grades it. The format ([`mod@format`]), the grader protocol ([`protocol`]), one grading
//! run ([`grade`]), the background grader the TUI uses ([`grader`]), the learner's workspace
//! files ([`workspace`]), the file watcher ([`watch`]) and the pack check that runs every
//! starter and solution ([`pack_check`]).
//!
//! Exercises live beside the lessons: `lessons/exercises/ID/` embedded at build time, or
//! `PACK/exercises/ID/` with `--lessons PACK`.

pub mod format;
pub mod grade;
pub mod grader;
pub mod pack_check;
pub mod protocol;
pub mod watch;
pub mod workspace;

use std::path::Path;

use crate::lessons::limits::MAX_PACK_EXERCISES;
use crate::lessons::pack::{self, FileError};
use crate::lessons::{Catalog, Problem, sanitize};
use crate::pythons::Version;

include!(concat!(env!("OUT_DIR"), "/embedded_exercises.rs"));

/// The graders' helper module (`import pyconc_check`), written next to each grading run.
pub fn pyconc_check_py() -> &'static str {
    PYCONC_CHECK_PY
}

/// One exercise, read and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    /// The folder name and `id`.
    pub id: String,
    /// One line.
    pub title: String,
    /// The lesson it belongs to.
    pub lesson: String,
    /// The line of `lesson =` in `exercise.toml` (for problems about it).
    pub lesson_line: usize,
    /// What it practises, one line.
    pub practises: String,
    /// Hints, in the order shown.
    pub hints: Vec<String>,
    /// The wall-clock limit of one grading run, seconds.
    pub time_limit_s: u32,
    /// The oldest Python it runs on.
    pub min_python: Version,
    /// `start.py`.
    pub start: String,
    /// `check.py`.
    pub check: String,
    /// `solution.py`.
    pub solution: String,
    /// The folder as shown in problems, e.g. `lessons/exercises/lost-update`.
    pub dir: String,
}

/// Every exercise of a pack, sorted by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExerciseSet {
    /// The exercises.
    pub exercises: Vec<Exercise>,
}

/// What reading a set gives: the exercises that loaded and the problems of the rest, so the
/// tutorial can keep the good ones usable and say what is wrong with the others.
#[derive(Debug, Default)]
pub struct LoadedSet {
    /// The exercises that loaded, sorted by id.
    pub set: ExerciseSet,
    /// What is wrong, sorted by file and line.
    pub problems: Vec<Problem>,
}

impl LoadedSet {
    /// The set when nothing is wrong, else every problem.
    pub fn strict(self) -> Result<ExerciseSet, Vec<Problem>> {
        if self.problems.is_empty() {
            Ok(self.set)
        } else {
            Err(self.problems)
        }
    }

    fn failed(problems: Vec<Problem>) -> LoadedSet {
        LoadedSet {
            set: ExerciseSet::default(),
            problems,
        }
    }
}

impl ExerciseSet {
    /// The exercises compiled into the binary.
    pub fn embedded() -> Result<ExerciseSet, Vec<Problem>> {
        ExerciseSet::read_embedded().strict()
    }

    fn read_embedded() -> LoadedSet {
        let mut exercises = Vec::new();
        let mut problems = Vec::new();
        for (folder, files) in EMBEDDED_EXERCISES {
            let found = |name: &str| {
                files
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, text)| Ok(text.to_string()))
            };
            match format::read(&format!("lessons/exercises/{folder}"), folder, &found) {
                Ok(ex) => exercises.push(ex),
                Err(p) => problems.extend(p),
            }
        }
        ExerciseSet::finish(exercises, problems)
    }

    /// The exercises of the pack in `pack` (`pack/exercises/ID/`); none when that folder does
    /// not exist.
    ///
    /// Only what is inside the pack is read (see [`crate::lessons::pack::read_file_in`]):
    /// `exercises/`, a folder in it or a file may be a link, never one out of the pack.
    pub fn from_pack(pack: &Path) -> Result<ExerciseSet, Vec<Problem>> {
        ExerciseSet::read_pack(pack).strict()
    }

    fn read_pack(pack: &Path) -> LoadedSet {
        let dir = pack.join("exercises");
        let shown_dir = sanitize::sanitize_path(&dir);
        let Ok(root) = pack::canonical_root(pack) else {
            // No pack folder: the lessons' reader says so.
            return LoadedSet::default();
        };
        let canonical_dir = match std::fs::canonicalize(&dir) {
            Ok(real) => real,
            // No `exercises/` at all (a dangling link to one is a problem).
            Err(_) if std::fs::symlink_metadata(&dir).is_err() => {
                return LoadedSet::default();
            }
            Err(e) => {
                return LoadedSet::failed(vec![Problem::new(
                    &shown_dir,
                    0,
                    format!("cannot read: {e}"),
                )]);
            }
        };
        if !canonical_dir.starts_with(&root) {
            return LoadedSet::failed(vec![Problem::new(&shown_dir, 0, outside(&canonical_dir))]);
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return LoadedSet::default();
        };
        let mut folders: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        folders.sort();
        if folders.len() > MAX_PACK_EXERCISES {
            return LoadedSet::failed(vec![Problem::new(
                &shown_dir,
                0,
                format!(
                    "{} exercise folders: a pack may hold at most {MAX_PACK_EXERCISES}",
                    folders.len()
                ),
            )]);
        }
        let mut exercises = Vec::new();
        let mut problems = Vec::new();
        for folder in folders {
            let name = folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let shown = sanitize::sanitize_path(&folder);
            match std::fs::canonicalize(&folder) {
                Ok(real) if real.starts_with(&root) => {}
                Ok(real) => {
                    problems.push(Problem::new(&shown, 0, outside(&real)));
                    continue;
                }
                Err(e) => {
                    problems.push(Problem::new(&shown, 0, format!("cannot read: {e}")));
                    continue;
                }
            }
            let found = |file: &str| read_text(&folder.join(file), &root);
            match format::read(&shown, &name, &found) {
                Ok(ex) => exercises.push(ex),
                Err(p) => problems.extend(p),
            }
        }
        ExerciseSet::finish(exercises, problems)
    }

    /// The embedded set, or `pack`'s.
    pub fn load(pack: Option<&Path>) -> Result<ExerciseSet, Vec<Problem>> {
        ExerciseSet::load_usable(pack).strict()
    }

    /// The embedded set, or `pack`'s, keeping every exercise that loads beside the problems
    /// of those that do not (the tutorial's way: one broken exercise hides only itself).
    pub fn load_usable(pack: Option<&Path>) -> LoadedSet {
        match pack {
            Some(pack) => ExerciseSet::read_pack(pack),
            None => ExerciseSet::read_embedded(),
        }
    }

    fn finish(mut exercises: Vec<Exercise>, mut problems: Vec<Problem>) -> LoadedSet {
        exercises.sort_by(|a, b| a.id.cmp(&b.id));
        problems.sort();
        LoadedSet {
            set: ExerciseSet { exercises },
            problems,
        }
    }

    /// The exercise `id`.
    pub fn get(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }

    /// Every id, for error messages.
    pub fn ids(&self) -> Vec<&str> {
        self.exercises.iter().map(|e| e.id.as_str()).collect()
    }

    /// In course order: by the order of their lesson, then by id.
    pub fn in_course_order<'a>(&'a self, catalog: &Catalog) -> Vec<&'a Exercise> {
        let mut out: Vec<&Exercise> = self.exercises.iter().collect();
        out.sort_by_key(|e| {
            (
                catalog.index_of(&e.lesson).unwrap_or(usize::MAX),
                e.id.clone(),
            )
        });
        out
    }

    /// Problems between lessons and exercises: an exercise's lesson that does not exist, a
    /// lesson's ` ```exercise ID ` block naming an exercise that does not.
    pub fn cross_check(&self, catalog: &Catalog) -> Vec<Problem> {
        let mut problems = Vec::new();
        for ex in &self.exercises {
            if catalog.get(&ex.lesson).is_none() {
                problems.push(Problem::new(
                    &format!("{}/exercise.toml", ex.dir),
                    ex.lesson_line,
                    format!("unknown lesson `{}`: no lesson has that id", ex.lesson),
                ));
            }
        }
        for lesson in &catalog.lessons {
            for card in &lesson.exercises {
                if self.get(&card.id).is_none() {
                    let known = self.ids().join(", ");
                    problems.push(Problem::new(
                        &lesson.path,
                        card.line,
                        format!(
                            "unknown exercise `{}`; exercises: {}",
                            card.id,
                            if known.is_empty() { "none" } else { &known }
                        ),
                    ));
                }
            }
        }
        problems
    }
}

/// A link's target out of the pack, as a problem's message.
fn outside(target: &Path) -> String {
    format!(
        "links outside the lesson pack (to {}): a pack's files must be inside its folder",
        sanitize::sanitize_path(target)
    )
}

/// A file's text for [`format::read`]: `None` when missing, an error when refused (out of
/// the pack, not a regular file, over [`format::MAX_FILE_BYTES`]) or unreadable.
fn read_text(path: &Path, root: &Path) -> Option<Result<String, String>> {
    match pack::read_file_in(path, root, format::MAX_FILE_BYTES as u64) {
        Ok(bytes) => Some(String::from_utf8(bytes).map_err(|_| "not valid UTF-8 text".into())),
        Err(FileError::Missing) => None,
        Err(FileError::Refused(why)) => Some(Err(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    #[test]
    fn embedded_exercises_are_valid_and_match_the_lessons() {
        let set = ExerciseSet::embedded().unwrap_or_else(|ps| panic!("{}", Problem::lines(&ps)));
        let catalog = Catalog::embedded().unwrap();
        assert_eq!(set.cross_check(&catalog), vec![]);
    }

    #[test]
    fn a_pack_with_exercises_loads() {
        let pack = fixture("exercise-pack");
        let set = ExerciseSet::from_pack(&pack).unwrap();
        assert_eq!(set.ids(), ["sum-squares"]);
        let catalog = Catalog::from_dir(&pack).unwrap();
        assert_eq!(set.cross_check(&catalog), vec![]);
        assert_eq!(set.in_course_order(&catalog)[0].lesson, "squares");
    }

    #[test]
    fn a_bad_pack_names_file_and_line() {
        let pack = fixture("exercise-pack-bad");
        let problems: Vec<String> = ExerciseSet::from_pack(&pack)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert!(
            problems.iter().any(|p| p.ends_with(
                "bad-one/exercise.toml:6: `time_limit_s` = 500 is out of range: 1 to 120 seconds"
            )),
            "{problems:?}"
        );
        let catalog = Catalog::from_dir(&pack).unwrap();
        let cross: Vec<String> = ExerciseSet::default()
            .cross_check(&catalog)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert!(
            cross[0]
                .ends_with("01-squares.md:9: unknown exercise `no-such-exercise`; exercises: none"),
            "{cross:?}"
        );
    }

    #[test]
    fn a_broken_exercise_hides_only_itself_when_loaded_usable() {
        let pack = fixture("exercise-pack-mixed");
        let loaded = ExerciseSet::load_usable(Some(&pack));
        assert_eq!(loaded.set.ids(), ["sum-squares"]);
        assert!(
            loaded
                .problems
                .iter()
                .all(|p| p.to_string().contains("bad-one")),
            "{:?}",
            loaded.problems
        );
        assert!(!loaded.problems.is_empty());
        assert!(loaded.strict().is_err(), "the strict reading still fails");
    }

    #[test]
    fn no_exercises_folder_is_an_empty_set() {
        let set = ExerciseSet::from_pack(&fixture("lessons-good")).unwrap();
        assert!(set.exercises.is_empty());
    }
}
