//! The learner's progress: last lesson and scroll position, visited and finished lessons,
//! quiz answers, each exercise's state. Kept as TOML in the platform data directory (`PYCONC_HOME` overrides the
//! folder), written atomically (temp file + rename) and merged with what another pyconc
//! saved meanwhile. A file that cannot be read is moved aside, never overwritten, and
//! pyconc starts fresh; only regular files are read (a FIFO or device never blocks it).
//!
//! Over 500 lines on purpose: the format, the store and the merge of two saves are one
//! contract (what is written is what the merge reads back), kept in one place.

use std::collections::BTreeMap;
use std::io::{Read as _, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::lessons::sanitize::sanitize_path;
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
    /// The interpreter the learner last chose on an exercise screen: x-ray and the demos'
    /// real twins run on it too (`None`: the first usable one found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PathBuf>,
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

/// The largest progress file read: far above any real one (a few KB), so a huge or
/// runaway file is kept aside instead of read into memory.
pub const MAX_PROGRESS_BYTES: u64 = 4 * 1024 * 1024;

/// Where progress lives and how it is read and written.
///
/// Saving merges: the file is re-read under a lock and this run's changes since it last
/// loaded or saved are laid over what is there, so two pyconc running at once never lose
/// each other's answers.
#[derive(Debug)]
pub struct ProgressStore {
    path: PathBuf,
    /// What the file held when this run last read or wrote it: the base of the merge.
    base: Mutex<Option<toml::Value>>,
    /// Why saving is off for this run (the file is not ours to replace), if it is.
    read_only: Mutex<Option<String>>,
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
    #[error("could not save progress to {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("could not save progress: {folder} is not a folder (check {HOME_ENV})")]
    NotAFolder { folder: String },
    #[error("progress is not saved this run: {0}")]
    ReadOnly(String),
    #[error("could not encode progress: {0}")]
    Encode(#[from] toml::ser::Error),
}

/// What reading the progress file found.
enum Read {
    Missing,
    Text(String),
    /// A regular file whose contents are not progress (not UTF-8, too large).
    Unusable(String),
    /// Not a regular file (a folder, a FIFO, a device): left alone, never replaced.
    NotAFile(&'static str),
    /// The OS refused (permissions, I/O error).
    Failed(std::io::Error),
}

/// Reads `path` only if it is a regular file of sane size; never blocks on a FIFO or device.
fn read_progress_file(path: &Path) -> Read {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::Missing,
        Err(e) => return Read::Failed(e),
    };
    if !meta.is_file() {
        return Read::NotAFile(file_kind(&meta));
    }
    if meta.len() > MAX_PROGRESS_BYTES {
        return Read::Unusable(format!("{} bytes, too large", meta.len()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Swapped for a FIFO between the check and the open, it still cannot block us.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::Missing,
        Err(e) => return Read::Failed(e),
    };
    match file.metadata() {
        Ok(meta) if meta.is_file() => {}
        Ok(meta) => return Read::NotAFile(file_kind(&meta)),
        Err(e) => return Read::Failed(e),
    }
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_PROGRESS_BYTES + 1).read_to_end(&mut bytes) {
        return Read::Failed(e);
    }
    if bytes.len() as u64 > MAX_PROGRESS_BYTES {
        return Read::Unusable("too large".into());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Read::Text(text),
        Err(_) => Read::Unusable("not UTF-8 text".into()),
    }
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
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
            base: Mutex::new(None),
            read_only: Mutex::new(None),
        }
    }

    /// The progress file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why saving is off for this run, if it is (the file could not be read nor moved aside).
    pub fn read_only_reason(&self) -> Option<String> {
        lock(&self.read_only).clone()
    }

    /// Reads the progress. A missing file is a fresh start. A file that does not parse (or
    /// is not UTF-8, or is huge) is renamed to the first free `progress.toml.corrupt-N`
    /// (kept, never overwritten) and reported. Anything that cannot be read or moved aside
    /// (a folder, a FIFO, no permission) is left exactly as it is, and this run does not save.
    pub fn load(&self) -> Loaded {
        let fresh = |notice: Option<String>| Loaded {
            progress: Progress::default(),
            notice,
        };
        let path = sanitize_path(&self.path);
        if let Some(dir) = self.path.parent().filter(|d| d.exists() && !d.is_dir()) {
            return fresh(Some(self.go_read_only(format!(
                "{} is not a folder (check {HOME_ENV})",
                sanitize_path(dir)
            ))));
        }
        let problem = match read_progress_file(&self.path) {
            Read::Missing => return fresh(None),
            Read::Text(text) => match toml::from_str::<toml::Value>(&text)
                .ok()
                .and_then(|value| Some((value.clone().try_into::<Progress>().ok()?, value)))
            {
                Some((progress, value)) => {
                    *lock(&self.base) = Some(value);
                    return Loaded {
                        progress,
                        notice: None,
                    };
                }
                None => "not a progress file".to_string(),
            },
            Read::Unusable(why) => why,
            Read::NotAFile(kind) => {
                return fresh(Some(self.go_read_only(format!(
                    "{path} is {kind}, not a progress file: it is left as it is"
                ))));
            }
            Read::Failed(e) => {
                return fresh(Some(self.go_read_only(format!(
                    "could not read {path} ({e}): it is left as it is"
                ))));
            }
        };
        let notice = match self.keep_aside() {
            // The short facts first: a status bar shows only the start of the line.
            Ok(kept) => format!(
                "unreadable progress kept as {} ({problem}); starting fresh; in {}",
                sanitize_path(Path::new(kept.file_name().unwrap_or_default())),
                sanitize_path(kept.parent().unwrap_or(Path::new("."))),
            ),
            Err(e) => self.go_read_only(format!(
                "progress file was unreadable ({problem}) and could not be moved aside ({e}): \
                 {path} is left as it is"
            )),
        };
        fresh(Some(notice))
    }

    /// Turns saving off for this run and says so.
    fn go_read_only(&self, why: String) -> String {
        let notice = format!("{why}; progress is kept for this run only");
        *lock(&self.read_only) = Some(why);
        notice
    }

    /// Moves the current file to the first free `progress.toml.corrupt-N`, never replacing
    /// a file already there (however many there are).
    fn keep_aside(&self) -> std::io::Result<PathBuf> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let prefix = format!("{FILE_NAME}.corrupt-");
        let highest = std::fs::read_dir(dir)?
            .filter_map(|entry| {
                let name = entry.ok()?.file_name();
                name.to_str()?.strip_prefix(&prefix)?.parse::<u64>().ok()
            })
            .max()
            .unwrap_or(0);
        for n in highest + 1.. {
            let mut name = self.path.clone().into_os_string();
            name.push(format!(".corrupt-{n}"));
            let aside = PathBuf::from(name);
            // A hard link fails if the name is taken (even by a racing pyconc): no overwrite.
            match std::fs::hard_link(&self.path, &aside) {
                Ok(()) => {
                    std::fs::remove_file(&self.path)?;
                    return Ok(aside);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(_) if !aside.exists() => {
                    // File systems without hard links: a checked rename.
                    std::fs::rename(&self.path, &aside)?;
                    return Ok(aside);
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("u64 names run out")
    }

    /// Writes `progress`, merged with what another pyconc may have saved meanwhile, and
    /// returns the merged progress (which the caller should adopt). The file is re-read
    /// under a lock; this run's changes since it last loaded or saved win, everything else
    /// on disk is kept; then a temp file in the same folder is renamed over it, so a crash
    /// mid-write never leaves a half-written file.
    pub fn save(&self, progress: &Progress) -> Result<Progress, ProgressError> {
        if let Some(why) = self.read_only_reason() {
            return Err(ProgressError::ReadOnly(why));
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let write_err = |source| ProgressError::Write {
            path: sanitize_path(&self.path),
            source,
        };
        if dir.exists() && !dir.is_dir() {
            return Err(ProgressError::NotAFolder {
                folder: sanitize_path(dir),
            });
        }
        std::fs::create_dir_all(dir).map_err(write_err)?;
        let _lock = SaveLock::take(dir);
        let ours = toml::Value::try_from(progress)?;
        let disk = match read_progress_file(&self.path) {
            Read::Text(text) => toml::from_str::<toml::Value>(&text)
                .ok()
                .filter(|v| v.clone().try_into::<Progress>().is_ok()),
            Read::Missing => None,
            Read::Unusable(_) => {
                // Made unusable since we loaded (an editor, a crash): keep it, then write.
                self.keep_aside().map_err(write_err)?;
                None
            }
            Read::NotAFile(kind) => {
                return Err(ProgressError::ReadOnly(format!(
                    "{} is now {kind}",
                    sanitize_path(&self.path)
                )));
            }
            Read::Failed(e) => return Err(write_err(e)),
        };
        let base = lock(&self.base).clone();
        let merged: Progress = merge3(base.as_ref(), &ours, disk.as_ref())
            .try_into()
            .unwrap_or_else(|_| progress.clone());
        let text = toml::to_string_pretty(&merged)?;
        // The next merge's base is what this save writes, not the merge's raw value (which
        // falls back to `progress` above when it does not read as progress).
        let written = toml::Value::try_from(&merged)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(write_err)?;
        tmp.write_all(text.as_bytes()).map_err(write_err)?;
        tmp.as_file().sync_all().map_err(write_err)?;
        tmp.persist(&self.path).map_err(|e| write_err(e.error))?;
        *lock(&self.base) = Some(written);
        Ok(merged)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// An exclusive lock on `progress.toml.lock` while a save reads, merges and writes, so two
/// pyconc saving at the same moment take turns. Where locking is not supported the save
/// goes ahead unlocked (the merge still keeps most of both).
struct SaveLock(Option<std::fs::File>);

impl SaveLock {
    fn take(dir: &Path) -> SaveLock {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("{FILE_NAME}.lock")))
            .ok()
            .filter(|f| f.lock().is_ok());
        SaveLock(file)
    }
}

impl Drop for SaveLock {
    fn drop(&mut self) {
        if let Some(file) = &self.0 {
            let _ = file.unlock();
        }
    }
}

/// A three-way merge of TOML values: where `ours` changed since `base`, ours wins; where
/// it did not, what is on `disk` now wins (another pyconc's change). Tables merge key by
/// key, so two runs answering different quizzes both keep their answers.
fn merge3(
    base: Option<&toml::Value>,
    ours: &toml::Value,
    disk: Option<&toml::Value>,
) -> toml::Value {
    use toml::Value;
    match (ours, disk) {
        (Value::Table(ours_t), Some(Value::Table(disk_t))) => {
            let base_t = base.and_then(Value::as_table);
            let mut out = toml::Table::new();
            for (key, ours_v) in ours_t {
                let base_v = base_t.and_then(|t| t.get(key));
                out.insert(key.clone(), merge3(base_v, ours_v, disk_t.get(key)));
            }
            for (key, disk_v) in disk_t {
                let we_dropped = base_t.is_some_and(|t| t.contains_key(key));
                if !out.contains_key(key) && !we_dropped {
                    out.insert(key.clone(), disk_v.clone());
                }
            }
            Value::Table(out)
        }
        _ if base == Some(ours) => disk.cloned().unwrap_or_else(|| ours.clone()),
        _ => ours.clone(),
    }
}

#[cfg(test)]
mod tests;
