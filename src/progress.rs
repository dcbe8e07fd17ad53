//! The learner's progress: last lesson and scroll position, visited and finished lessons,
//! quiz answers, each exercise's state. Kept as TOML in the platform data directory (`PYCONC_HOME` overrides the
//! folder), written atomically (temp file + rename). A file that cannot be read is moved
//! aside, never overwritten, and pyconc starts fresh.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The environment variable that overrides the progress folder.
pub const HOME_ENV: &str = "PYCONC_HOME";
/// The progress file's name inside the folder.
pub const FILE_NAME: &str = "progress.toml";

/// Everything kept between runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The lesson open when pyconc last quit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_lesson: Option<String>,
    /// Per lesson id.
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
    /// Per exercise id (absent in files from before exercises: read as none started).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exercises: BTreeMap<String, ExerciseProgress>,
}

/// Where the learner is with one exercise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExerciseState {
    /// Never graded.
    #[default]
    NotStarted,
    /// Graded, not passed yet.
    Attempted,
    /// Passed once (stays passed).
    Passed,
}

impl ExerciseState {
    /// As shown: `not started`, `attempted`, `passed`.
    pub fn label(self) -> &'static str {
        match self {
            ExerciseState::NotStarted => "not started",
            ExerciseState::Attempted => "attempted",
            ExerciseState::Passed => "passed",
        }
    }
}

/// Progress in one exercise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseProgress {
    /// Not started, attempted or passed.
    #[serde(default)]
    pub state: ExerciseState,
    /// Gradings that did not pass.
    #[serde(default)]
    pub failed_tries: u32,
    /// How many hints were shown.
    #[serde(default)]
    pub hints_seen: u32,
    /// The interpreter the learner chose to grade with (`None`: the first one found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PathBuf>,
}

/// Progress in one lesson.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LessonProgress {
    /// Opened at least once.
    #[serde(default)]
    pub visited: bool,
    /// Read to the end.
    #[serde(default)]
    pub finished: bool,
    /// The first line shown when last open.
    #[serde(default)]
    pub scroll: usize,
    /// Quiz number (as text: TOML keys are strings) to the option chosen (0-based).
    #[serde(default)]
    pub quiz_answers: BTreeMap<String, usize>,
}

impl Progress {
    /// This lesson's entry, created if missing.
    pub fn lesson_mut(&mut self, id: &str) -> &mut LessonProgress {
        self.lessons.entry(id.to_string()).or_default()
    }

    /// This lesson's entry, if any.
    pub fn lesson(&self, id: &str) -> Option<&LessonProgress> {
        self.lessons.get(id)
    }

    /// The option chosen for quiz `quiz` of lesson `id`.
    pub fn answer(&self, id: &str, quiz: usize) -> Option<usize> {
        self.lesson(id)?
            .quiz_answers
            .get(&quiz.to_string())
            .copied()
    }

    /// This exercise's entry, created if missing.
    pub fn exercise_mut(&mut self, id: &str) -> &mut ExerciseProgress {
        self.exercises.entry(id.to_string()).or_default()
    }

    /// This exercise's state.
    pub fn exercise_state(&self, id: &str) -> ExerciseState {
        self.exercises.get(id).map(|e| e.state).unwrap_or_default()
    }

    /// Records an answer.
    pub fn set_answer(&mut self, id: &str, quiz: usize, option: usize) {
        self.lesson_mut(id)
            .quiz_answers
            .insert(quiz.to_string(), option);
    }
}

/// pyconc's data folder: `PYCONC_HOME`, else the platform data directory (progress, the
/// exercises' workspace files).
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(HOME_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => Some(
            directories::ProjectDirs::from("", "", "pyconc")?
                .data_dir()
                .to_path_buf(),
        ),
    }
}

/// Where progress lives and how it is read and written.
#[derive(Debug, Clone)]
pub struct ProgressStore {
    path: PathBuf,
}

/// What loading found.
#[derive(Debug)]
pub struct Loaded {
    /// The progress to start from.
    pub progress: Progress,
    /// Something the user should be told (a corrupt file moved aside).
    pub notice: Option<String>,
}

/// Why progress could not be saved or kept aside.
#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    #[error("could not write progress to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not encode progress: {0}")]
    Encode(#[from] toml::ser::Error),
}

impl ProgressStore {
    /// The store in `PYCONC_HOME`, else the platform data directory; `None` when neither
    /// exists (progress is then kept for this run only).
    pub fn locate() -> Option<ProgressStore> {
        Some(ProgressStore::in_dir(&data_dir()?))
    }

    /// The store in `dir`.
    pub fn in_dir(dir: &Path) -> ProgressStore {
        ProgressStore {
            path: dir.join(FILE_NAME),
        }
    }

    /// The progress file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the progress. A missing file is a fresh start; a file that does not parse is
    /// renamed to `progress.toml.corrupt-N` (kept, never overwritten) and reported.
    pub fn load(&self) -> Loaded {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Loaded {
                    progress: Progress::default(),
                    notice: None,
                };
            }
            Err(e) => {
                return Loaded {
                    progress: Progress::default(),
                    notice: Some(format!(
                        "could not read {}: {e}; starting fresh",
                        self.path.display()
                    )),
                };
            }
        };
        match toml::from_str::<Progress>(&text) {
            Ok(progress) => Loaded {
                progress,
                notice: None,
            },
            Err(_) => {
                let notice = match self.keep_aside() {
                    Ok(kept) => format!(
                        "progress file was unreadable: kept as {}; starting fresh",
                        kept.display()
                    ),
                    Err(e) => format!("progress file was unreadable ({e}); starting fresh"),
                };
                Loaded {
                    progress: Progress::default(),
                    notice: Some(notice),
                }
            }
        }
    }

    /// Moves the current file to the first free `progress.toml.corrupt-N`.
    fn keep_aside(&self) -> std::io::Result<PathBuf> {
        for n in 1..10_000 {
            let mut name = self.path.clone().into_os_string();
            name.push(format!(".corrupt-{n}"));
            let aside = PathBuf::from(name);
            if !aside.exists() {
                std::fs::rename(&self.path, &aside)?;
                return Ok(aside);
            }
        }
        Err(std::io::Error::other("too many kept-aside progress files"))
    }

    /// Writes `progress` atomically: a temp file in the same folder, then a rename, so a
    /// crash mid-write never leaves a half-written file.
    pub fn save(&self, progress: &Progress) -> Result<(), ProgressError> {
        let text = toml::to_string_pretty(progress)?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let write_err = |source| ProgressError::Write {
            path: self.path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(write_err)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(write_err)?;
        tmp.write_all(text.as_bytes()).map_err(write_err)?;
        tmp.as_file().sync_all().map_err(write_err)?;
        tmp.persist(&self.path).map_err(|e| write_err(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::in_dir(dir.path());
        let mut p = Progress {
            last_lesson: Some("gil".into()),
            ..Progress::default()
        };
        p.lesson_mut("gil").visited = true;
        p.lesson_mut("gil").scroll = 42;
        p.lesson_mut("welcome").finished = true;
        p.set_answer("gil", 2, 1);
        store.save(&p).unwrap();
        let loaded = store.load();
        assert_eq!(loaded.notice, None);
        assert_eq!(loaded.progress, p);
        assert_eq!(loaded.progress.answer("gil", 2), Some(1));
        assert_eq!(loaded.progress.answer("gil", 0), None);
    }

    #[test]
    fn missing_file_is_a_fresh_start_without_notice() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = ProgressStore::in_dir(&dir.path().join("nested")).load();
        assert_eq!(loaded.progress, Progress::default());
        assert!(loaded.notice.is_none());
    }

    #[test]
    fn corrupt_file_is_kept_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::in_dir(dir.path());
        std::fs::write(store.path(), "last_lesson = [this is not toml").unwrap();
        let loaded = store.load();
        assert_eq!(loaded.progress, Progress::default());
        let notice = loaded.notice.expect("user is told");
        assert!(notice.contains("corrupt-1"), "{notice}");
        let kept = dir.path().join("progress.toml.corrupt-1");
        assert_eq!(
            std::fs::read_to_string(&kept).unwrap(),
            "last_lesson = [this is not toml"
        );
        // A second corrupt file gets a new name; the first is never overwritten.
        std::fs::write(store.path(), "{{{").unwrap();
        let notice = store.load().notice.unwrap();
        assert!(notice.contains("corrupt-2"), "{notice}");
        assert_eq!(
            std::fs::read_to_string(&kept).unwrap(),
            "last_lesson = [this is not toml"
        );
        // Saving afterwards writes a fresh, valid file.
        store.save(&Progress::default()).unwrap();
        assert!(store.load().notice.is_none());
    }

    #[test]
    fn exercise_progress_round_trips_and_old_files_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::in_dir(dir.path());
        // A file written before exercises existed.
        std::fs::write(
            store.path(),
            "last_lesson = \"gil\"\n[lessons.gil]\nscroll = 3\n",
        )
        .unwrap();
        let mut p = store.load().progress;
        assert_eq!(p.exercise_state("lost-update"), ExerciseState::NotStarted);
        let e = p.exercise_mut("lost-update");
        e.state = ExerciseState::Attempted;
        e.failed_tries = 2;
        e.hints_seen = 1;
        e.python = Some("/usr/bin/python3.13".into());
        store.save(&p).unwrap();
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(text.contains("state = \"attempted\""), "{text}");
        assert_eq!(store.load().progress, p);
        assert_eq!(store.load().progress.lesson("gil").unwrap().scroll, 3);
    }

    #[test]
    fn wrong_types_count_as_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::in_dir(dir.path());
        std::fs::write(store.path(), "[lessons.gil]\nscroll = \"far\"\n").unwrap();
        assert!(store.load().notice.is_some());
    }
}
