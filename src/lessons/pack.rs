//! Reading a lesson pack's files from disk, safely: a pack is untrusted, so only regular
//! files inside the pack's folder are read (links out of the pack, devices, FIFOs, sockets,
//! `/proc` files and folders named `*.md` are refused with a problem), files are opened
//! non-blocking and checked again after opening, and no more than the size limits of
//! [`super::limits`] is ever read.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::limits::{self, MAX_LESSON_BYTES, MAX_PACK_BYTES, MAX_PACK_LESSONS};
use super::{Problem, sanitize};

/// Reads the `*.md` files directly in `dir` (not `README.md`, not dot-files), sorted by
/// name, as (name shown in problems, text). Every file problem is reported at once.
pub fn read_pack(dir: &Path) -> Result<Vec<(String, String)>, Vec<Problem>> {
    let shown = sanitize::sanitize_path(dir);
    let folder_problem = |message: String| vec![Problem::new(&shown, 0, message)];
    let root =
        canonical_root(dir).map_err(|e| folder_problem(format!("cannot read lesson pack: {e}")))?;
    let entries = std::fs::read_dir(&root)
        .map_err(|e| folder_problem(format!("cannot read lesson pack: {e}")))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| dir.join(e.file_name()))
        .filter(|p| is_lesson_name(p))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(folder_problem(
            "no lessons here: a lesson pack is a folder of `*.md` files with front matter"
                .to_string(),
        ));
    }
    if paths.len() > MAX_PACK_LESSONS {
        return Err(folder_problem(format!(
            "{} lesson files: a pack may hold at most {MAX_PACK_LESSONS}",
            paths.len()
        )));
    }
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    let mut total: u64 = 0;
    for path in paths {
        let name = sanitize::sanitize_path(&path);
        match read_file_in(&path, &root, MAX_LESSON_BYTES) {
            Ok(bytes) => {
                total += bytes.len() as u64;
                if total > MAX_PACK_BYTES {
                    problems.push(Problem::new(
                        &shown,
                        0,
                        format!(
                            "the lesson files add up to more than {}, the most a pack may hold",
                            limits::bytes(MAX_PACK_BYTES)
                        ),
                    ));
                    break;
                }
                match String::from_utf8(bytes) {
                    Ok(text) => sources.push((name, text)),
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
                        problems.push(Problem::new(&name, line, "not valid UTF-8 text"));
                    }
                }
            }
            Err(e) => problems.push(Problem::new(&name, 0, e.to_string())),
        }
    }
    if problems.is_empty() {
        Ok(sources)
    } else {
        // Still check the readable files, so every problem shows at once.
        if let Err(more) = super::Catalog::from_sources(sources) {
            problems.extend(more);
        }
        Err(problems)
    }
}

/// A lesson file's name: `*.md`, but not the pack's own `README.md` nor editors' lock and
/// backup files (`.#02-gil.md`).
fn is_lesson_name(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.to_string_lossy();
    path.extension().is_some_and(|x| x == "md")
        && !name.eq_ignore_ascii_case("README.md")
        && !name.starts_with('.')
}

/// Why a pack file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// There is no such file (or link target).
    Missing,
    /// It is there but refused or unreadable: the message says why, in words for a
    /// problem line (`is a folder, not a file`, `too large: ...`).
    Refused(String),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::Missing => f.write_str("not found (a link to nothing?)"),
            FileError::Refused(why) => f.write_str(why),
        }
    }
}

/// The canonical form of a pack folder, for [`read_file_in`]'s `root`.
pub fn canonical_root(dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::canonicalize(dir)
}

/// Reads the pack file `path`, at most `max_bytes` of it, if it is a regular file inside
/// `root` (the pack's canonical folder, see [`canonical_root`]): a link may point anywhere
/// inside the pack, never out of it (nor may a linked folder on the way, such as
/// `pack/exercises -> /proc/self`); devices, FIFOs, sockets and folders are refused without
/// being opened, and the file is opened non-blocking and checked again after opening.
pub fn read_file_in(path: &Path, root: &Path, max_bytes: u64) -> Result<Vec<u8>, FileError> {
    let cannot = |what: &str, e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            FileError::Missing
        } else {
            FileError::Refused(format!("{what}: {e}"))
        }
    };
    let target = std::fs::canonicalize(path).map_err(|e| {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        cannot(
            if is_link {
                "cannot follow link"
            } else {
                "cannot read"
            },
            e,
        )
    })?;
    if !target.starts_with(root) {
        return Err(FileError::Refused(format!(
            "links outside the lesson pack (to {}): a pack's files must be inside its folder",
            sanitize::sanitize_path(&target)
        )));
    }
    // Check before opening: opening a device or a FIFO can block or have effects.
    let meta = std::fs::metadata(&target).map_err(|e| cannot("cannot read", e))?;
    check_regular(&meta, max_bytes)?;
    let file = open_non_blocking(&target).map_err(|e| cannot("cannot read", e))?;
    // And after: the path may have been swapped between the two.
    let meta = file.metadata().map_err(|e| cannot("cannot read", e))?;
    check_regular(&meta, max_bytes)?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot("cannot read", e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big(max_bytes));
    }
    Ok(bytes)
}

/// Only regular files of at most `max_bytes` are read.
fn check_regular(meta: &Metadata, max_bytes: u64) -> Result<(), FileError> {
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(FileError::Refused("is a folder, not a file".to_string()));
    }
    if !kind.is_file() {
        return Err(FileError::Refused(
            "is not a regular file (a device, FIFO or socket): a pack holds text files".to_string(),
        ));
    }
    if meta.len() > max_bytes {
        return Err(too_big(max_bytes));
    }
    Ok(())
}

fn too_big(max_bytes: u64) -> FileError {
    FileError::Refused(format!(
        "too large: this file of a lesson pack may be at most {}",
        limits::bytes(max_bytes)
    ))
}

/// Opens `path` for reading without blocking (a FIFO or device swapped in after the check
/// must not hang the reader) and without becoming the controlling terminal.
fn open_non_blocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(id: &str, order: u32) -> String {
        format!("---\nid: {id}\ntitle: T {id}\norder: {order}\n---\n\nText.\n")
    }

    fn problems_of(dir: &Path) -> Vec<String> {
        read_pack(dir)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    /// Fails unless one of the problems of the pack in `dir` holds `needle`.
    fn assert_refused_with(dir: &Path, needle: &str) {
        let shown = problems_of(dir);
        assert!(
            shown.iter().any(|p| p.contains(needle)),
            "{needle:?} not in {shown:?}"
        );
    }

    #[test]
    fn reads_lessons_and_skips_readme_and_dot_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), lesson("a", 1)).unwrap();
        std::fs::write(dir.path().join("README.md"), "not a lesson").unwrap();
        std::fs::write(dir.path().join(".#a.md"), "lock").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a lesson").unwrap();
        let sources = read_pack(dir.path()).expect("valid");
        assert_eq!(sources.len(), 1);
        assert!(sources[0].0.ends_with("a.md"));
    }

    #[test]
    fn a_folder_named_like_a_lesson_is_a_problem() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), lesson("a", 1)).unwrap();
        std::fs::create_dir(dir.path().join("b.md")).unwrap();
        assert_refused_with(dir.path(), "b.md: is a folder, not a file");
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_pack_loops_and_devices_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("x.md"), lesson("x", 9)).unwrap();
        std::fs::write(dir.path().join("a.md"), lesson("a", 1)).unwrap();
        let link = |target: &Path, name: &str| {
            std::os::unix::fs::symlink(target, dir.path().join(name)).unwrap()
        };
        link(&outside.path().join("x.md"), "out.md");
        link(Path::new("/proc/kmsg"), "kmsg.md");
        link(Path::new("/dev/zero"), "zero.md");
        link(&dir.path().join("loop2.md"), "loop1.md");
        link(&dir.path().join("loop1.md"), "loop2.md");
        // A link inside the pack is fine (sub-folders are not read, their files may be
        // linked).
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.md"), lesson("b", 2)).unwrap();
        link(&dir.path().join("sub/b.md"), "same.md");
        let shown = problems_of(dir.path());
        for (name, what) in [
            ("out.md", "links outside the lesson pack"),
            ("kmsg.md", "links outside the lesson pack"),
            ("zero.md", "links outside the lesson pack"),
            ("loop1.md", "cannot follow link"),
            ("loop2.md", "cannot follow link"),
        ] {
            assert!(
                shown.iter().any(|p| p.contains(name) && p.contains(what)),
                "{name}: {what} not in {shown:?}"
            );
        }
        assert!(!shown.iter().any(|p| p.contains("same.md:")), "{shown:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_folder_does_not_lead_out_of_the_pack() {
        let dir = tempfile::tempdir().unwrap();
        let root = canonical_root(dir.path()).unwrap();
        std::os::unix::fs::symlink("/etc", dir.path().join("exercises")).unwrap();
        let got = read_file_in(&dir.path().join("exercises/passwd"), &root, 1 << 20);
        assert!(
            matches!(&got, Err(FileError::Refused(why)) if why.contains("links outside")),
            "{got:?}"
        );
        let got = read_file_in(&dir.path().join("exercises/no-such-file"), &root, 1 << 20);
        assert_eq!(got, Err(FileError::Missing));
        std::fs::write(dir.path().join("small.py"), "x = 1\n").unwrap();
        let got = read_file_in(&dir.path().join("small.py"), &root, 3);
        assert!(
            matches!(&got, Err(FileError::Refused(why)) if why.contains("at most 3 bytes")),
            "{got:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("f.md");
        let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert_refused_with(dir.path(), "not a regular file");
    }

    #[test]
    fn size_and_count_limits() {
        let dir = tempfile::tempdir().unwrap();
        let big = std::fs::File::create(dir.path().join("big.md")).unwrap();
        // Sparse: costs no disk, and must not be read.
        big.set_len(2 * 1024 * 1024 * 1024).unwrap();
        assert_refused_with(dir.path(), "too large");

        // Files each under the file limit, over the pack's limit together.
        let dir = tempfile::tempdir().unwrap();
        let files = MAX_PACK_BYTES / MAX_LESSON_BYTES + 1;
        for i in 0..files {
            // One code block: cheap to parse.
            let line = format!("{}\n", "x".repeat(999));
            let body = format!(
                "```\n{}```\n",
                line.repeat(MAX_LESSON_BYTES as usize / 1000 - 1)
            );
            std::fs::write(
                dir.path().join(format!("{i}.md")),
                lesson(&format!("l{i}"), i as u32),
            )
            .unwrap();
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(dir.path().join(format!("{i}.md")))
                .unwrap();
            std::io::Write::write_all(&mut f, body.as_bytes()).unwrap();
        }
        assert_refused_with(dir.path(), "add up to more than 8.0 MiB");

        let dir = tempfile::tempdir().unwrap();
        for i in 0..=MAX_PACK_LESSONS {
            std::fs::write(dir.path().join(format!("{i:05}.md")), "").unwrap();
        }
        let shown = problems_of(dir.path());
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].contains(&format!("at most {MAX_PACK_LESSONS}")),
            "{shown:?}"
        );
    }
}
