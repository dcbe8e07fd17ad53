//! The learner's workspace: one file per exercise (`ID` with `_` for `-`, `.py`) in
//! `--dir DIR` or the data folder's `exercises/`. The starter is copied there once and never
//! over the learner's edits; a reset first keeps the current file as `NAME.py.bak-N`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Exercise;

/// The folder of workspace files inside the data folder.
pub const FOLDER: &str = "exercises";
/// The most backups kept per file before a reset refuses.
const MAX_BACKUPS: u32 = 10_000;

/// A folder of workspace files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    /// `dir` when given, else `DATA/exercises` (`None` when there is no data folder).
    pub fn locate(dir: Option<&Path>) -> Option<Workspace> {
        let dir = match dir {
            Some(dir) => dir.to_path_buf(),
            None => crate::progress::data_dir()?.join(FOLDER),
        };
        Some(Workspace { dir })
    }

    /// The workspace in `dir`.
    pub fn in_dir(dir: &Path) -> Workspace {
        Workspace {
            dir: dir.to_path_buf(),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The learner's file for `id` (it may not exist yet).
    pub fn file_for(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{}.py", id.replace('-', "_")))
    }

    /// The learner's file for `exercise`, created from the starter when missing (never
    /// overwritten). Returns the path and whether it was just created.
    pub fn ensure(&self, exercise: &Exercise) -> std::io::Result<(PathBuf, bool)> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.file_for(&exercise.id);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(exercise.start.as_bytes())?;
                file.sync_all()?;
                Ok((path, true))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok((path, false)),
            Err(e) => Err(e),
        }
    }

    /// Puts the starter back, first copying the current file to the first free
    /// `NAME.py.bak-N`; returns that backup's path (`None` when there was no file).
    pub fn reset(&self, exercise: &Exercise) -> std::io::Result<Option<PathBuf>> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.file_for(&exercise.id);
        let backup = if path.exists() {
            let backup = free_backup_name(&path)?;
            std::fs::copy(&path, &backup)?;
            Some(backup)
        } else {
            None
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(exercise.start.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(backup)
    }
}

fn free_backup_name(path: &Path) -> std::io::Result<PathBuf> {
    for n in 1..MAX_BACKUPS {
        let mut name = path.as_os_str().to_os_string();
        name.push(format!(".bak-{n}"));
        let candidate = PathBuf::from(name);
        if !candidate.exists() {
            return Ok(candidate);
        }
    }
    Err(std::io::Error::other(
        "too many backups: delete some NAME.py.bak-N files",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise() -> Exercise {
        Exercise {
            id: "lost-update".into(),
            title: "t".into(),
            lesson: "l".into(),
            lesson_line: 3,
            practises: "p".into(),
            hints: vec!["h".into()],
            time_limit_s: 10,
            min_python: crate::pythons::Version(3, 8, 0),
            start: "print('starter')\n".into(),
            check: String::new(),
            solution: String::new(),
            dir: "x".into(),
        }
    }

    #[test]
    fn the_starter_is_copied_once_and_edits_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::in_dir(&dir.path().join("nested"));
        let (path, created) = ws.ensure(&exercise()).unwrap();
        assert!(created);
        assert_eq!(path.file_name().unwrap(), "lost_update.py");
        std::fs::write(&path, "my edit\n").unwrap();
        let (again, created) = ws.ensure(&exercise()).unwrap();
        assert_eq!(again, path);
        assert!(!created);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "my edit\n");
    }

    #[test]
    fn reset_keeps_numbered_backups() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::in_dir(dir.path());
        let (path, _) = ws.ensure(&exercise()).unwrap();
        std::fs::write(&path, "first edit\n").unwrap();
        let one = ws.reset(&exercise()).unwrap().unwrap();
        assert!(one.to_string_lossy().ends_with("lost_update.py.bak-1"));
        assert_eq!(std::fs::read_to_string(&one).unwrap(), "first edit\n");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "print('starter')\n"
        );
        std::fs::write(&path, "second edit\n").unwrap();
        let two = ws.reset(&exercise()).unwrap().unwrap();
        assert!(two.to_string_lossy().ends_with(".bak-2"));
        assert_eq!(std::fs::read_to_string(&one).unwrap(), "first edit\n");
        assert_eq!(std::fs::read_to_string(&two).unwrap(), "second edit\n");
    }
}
