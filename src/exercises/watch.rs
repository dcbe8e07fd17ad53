//! Watching the learner's file: file-system events through `notify` with a debouncer (the
//! parent folder is watched, since editors save by writing a new file and renaming it), and
//! a polling thread that looks at size, modification time and, when those change, a hash
//! of the content every [`POLL_INTERVAL`], for where events never arrive (WSL's Windows
//! drives, network shares). Both paths compare against one remembered fingerprint, so a save
//! seen by both fires once. The content is read only when size or time moved, so the
//! access events our own reads cause never feed back. Dropping the watcher stops the
//! poller and joins it.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

/// How long events are gathered before one change is reported.
pub const DEBOUNCE: Duration = Duration::from_millis(80);
/// How often the polling fallback looks at the file.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// The most bytes hashed (larger files are compared by size and time only).
const MAX_HASHED_BYTES: u64 = 8 * 1024 * 1024;

/// What a file looked like: size, modification time and content hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    size: u64,
    modified: Option<SystemTime>,
    hash: u64,
}

fn fingerprint(path: &Path) -> Option<Fingerprint> {
    let meta = std::fs::metadata(path).ok()?;
    let hash = if meta.len() <= MAX_HASHED_BYTES {
        let bytes = std::fs::read(path).ok()?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut hasher);
        hasher.finish()
    } else {
        0
    };
    Some(Fingerprint {
        size: meta.len(),
        modified: meta.modified().ok(),
        hash,
    })
}

/// State both the event path and the poller share.
struct Shared {
    path: PathBuf,
    last: Mutex<Option<Fingerprint>>,
    stop: Mutex<bool>,
    wake: Condvar,
    on_change: Box<dyn Fn() + Send + Sync>,
}

impl Shared {
    /// Fires `on_change` if the file's size or modification time moved since the last
    /// look and, then, its fingerprint (with the content hash) differs. The content is read
    /// only when size or time moved: reading fires an access event, which would otherwise
    /// make every look trigger the next one.
    fn look(&self) {
        let Ok(meta) = std::fs::metadata(&self.path) else {
            return;
        };
        let moved = {
            let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            last.is_none_or(|l| l.size != meta.len() || l.modified != meta.modified().ok())
        };
        if !moved {
            return;
        }
        let now = fingerprint(&self.path);
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if now.is_some() && now != *last {
            *last = now;
            drop(last);
            (self.on_change)();
        }
    }
}

/// A running watch on one file.
pub struct FileWatcher {
    shared: Arc<Shared>,
    _events: Option<Debouncer<notify::RecommendedWatcher>>,
    poller: Option<JoinHandle<()>>,
    /// Why file-system events are not used (only polling), if they are not.
    pub events_problem: Option<String>,
}

impl FileWatcher {
    /// Watches `path`; `on_change` runs (on a watcher thread) after each change of content
    /// or modification time. The file as it is now counts as seen.
    pub fn start(
        path: &Path,
        on_change: impl Fn() + Send + Sync + 'static,
    ) -> std::io::Result<FileWatcher> {
        let shared = Arc::new(Shared {
            path: path.to_path_buf(),
            last: Mutex::new(fingerprint(path)),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            on_change: Box::new(on_change),
        });
        let (events, events_problem) = match watch_events(&shared) {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(e)),
        };
        let poll_shared = Arc::clone(&shared);
        let poller = std::thread::Builder::new()
            .name("watch-poll".into())
            .spawn(move || {
                loop {
                    let stop = poll_shared.stop.lock().unwrap_or_else(|e| e.into_inner());
                    let (stop, _) = poll_shared
                        .wake
                        .wait_timeout_while(stop, POLL_INTERVAL, |s| !*s)
                        .unwrap_or_else(|e| e.into_inner());
                    if *stop {
                        break;
                    }
                    drop(stop);
                    poll_shared.look();
                }
            })?;
        Ok(FileWatcher {
            shared,
            _events: events,
            poller: Some(poller),
            events_problem,
        })
    }
}

fn watch_events(shared: &Arc<Shared>) -> Result<Debouncer<notify::RecommendedWatcher>, String> {
    let folder = shared
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = shared.path.file_name().map(|n| n.to_os_string());
    let handler_shared = Arc::clone(shared);
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
        if let Ok(events) = result
            && events.iter().any(|e| e.path.file_name() == name.as_deref())
        {
            handler_shared.look();
        }
    })
    .map_err(|e| e.to_string())?;
    debouncer
        .watcher()
        .watch(&folder, RecursiveMode::NonRecursive)
        .map_err(|e| e.to_string())?;
    Ok(debouncer)
}

impl Drop for FileWatcher {
    fn drop(&mut self) {
        *self.shared.stop.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.shared.wake.notify_all();
        if let Some(poller) = self.poller.take() {
            let _ = poller.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Waits for a change notice, up to a generous bound (the poller alone answers within
    /// about a second, so this never depends on event timing).
    fn changed(rx: &mpsc::Receiver<()>) -> bool {
        rx.recv_timeout(Duration::from_secs(20)).is_ok()
    }

    /// `name` in `dir`, holding `text`.
    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A change callback that sends a notice, and the receiver of its notices.
    fn notices() -> (impl Fn() + Send + Sync + 'static, mpsc::Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let notify = move || {
            let _ = tx.lock().unwrap().send(());
        };
        (notify, rx)
    }

    /// A watcher of a new file `name` in `dir` holding `text`: the path, the watcher and
    /// the receiver of its change notices.
    fn watch(
        dir: &tempfile::TempDir,
        name: &str,
        text: &str,
    ) -> (PathBuf, FileWatcher, mpsc::Receiver<()>) {
        let path = file(dir, name, text);
        let (notify, rx) = notices();
        let watcher = FileWatcher::start(&path, notify).unwrap();
        (path, watcher, rx)
    }

    #[test]
    fn a_save_is_seen_once_and_an_untouched_file_is_quiet() {
        let dir = tempfile::tempdir().unwrap();
        let (path, watcher, rx) = watch(&dir, "a.py", "x = 1\n");
        std::fs::write(&path, "x = 2\n").unwrap();
        assert!(changed(&rx));
        // An editor's rename-over save.
        let tmp = dir.path().join(".a.py.swp");
        std::fs::write(&tmp, "x = 3\n").unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        assert!(changed(&rx));
        // Both paths saw the saves; each was reported once: nothing more is pending after
        // two poll intervals.
        std::thread::sleep(POLL_INTERVAL * 2);
        assert!(rx.try_recv().is_err());
        drop(watcher);
    }

    #[test]
    fn reading_the_file_is_not_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _watcher, rx) = watch(&dir, "c.py", "x = 1\n");
        for _ in 0..20 {
            let _ = std::fs::read(&path).unwrap();
        }
        assert!(rx.recv_timeout(POLL_INTERVAL * 2).is_err());
    }

    #[test]
    fn polling_alone_sees_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(&dir, "b.py", "a\n");
        let (notify, rx) = notices();
        let shared = Arc::new(Shared {
            path: path.clone(),
            last: Mutex::new(fingerprint(&path)),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            on_change: Box::new(notify),
        });
        shared.look();
        assert!(rx.try_recv().is_err(), "no change yet");
        std::fs::write(&path, "longer\n").unwrap();
        shared.look();
        assert!(rx.try_recv().is_ok());
        shared.look();
        assert!(rx.try_recv().is_err(), "reported once");
    }
}
