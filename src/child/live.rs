//! A live child: spawned in its own process group like every child (see `child::group`),
//! supervised by a waiter thread so the caller can go on (x-ray samples it meanwhile), with
//! an optional extra pipe inherited for the x-ray bootstrap, an optional parent-death
//! signal, the last bytes of stdout and stderr readable while it runs, a wall-clock limit,
//! and the whole group killed on [`GroupChild::kill`], on drop and after the leader exits.
//! The waiter and reader threads are joined on drop.

use std::ffi::OsString;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::group::{ChunkSink, Group, Launch, spawn_reader};
use super::{Cancel, Exit};

/// How many bytes of each output stream are kept (the last ones).
pub const OUTPUT_TAIL_BYTES: usize = 64 * 1024;

/// The last [`OUTPUT_TAIL_BYTES`] of an output stream and how many bytes came in all.
#[derive(Debug, Default, Clone)]
pub struct OutputTail {
    /// The kept bytes (the end of the stream).
    pub bytes: Vec<u8>,
    /// Every byte the child wrote to the stream.
    pub total: u64,
}

impl OutputTail {
    fn push(&mut self, chunk: &[u8]) {
        self.total += chunk.len() as u64;
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() > OUTPUT_TAIL_BYTES {
            let cut = self.bytes.len() - OUTPUT_TAIL_BYTES;
            self.bytes.drain(..cut);
        }
    }

    /// The kept text, lossily decoded (never sent raw to a terminal: sanitise it).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Spawn {
    /// The program.
    pub program: OsString,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Extra environment variables.
    pub env: Vec<(OsString, OsString)>,
    /// A file descriptor the child inherits (Unix; ignored elsewhere).
    pub inherit_fd: Option<i32>,
    /// Kill the group after this long.
    pub time_limit: Option<Duration>,
    /// Linux: the child gets SIGKILL when the thread that spawned it ends (so a pyconc
    /// killed with SIGKILL does not leave it running). Only for children spawned from a
    /// thread that lives as long as they should (the main thread).
    pub die_with_parent: bool,
}

struct Shared {
    exit: Mutex<Option<Exit>>,
    stdout: Mutex<OutputTail>,
    stderr: Mutex<OutputTail>,
}

/// Tells whether (and how) a child has ended; cheap to poll from any thread.
#[derive(Clone)]
pub struct ExitWatch(Arc<Shared>);

impl ExitWatch {
    /// How it ended, once it has.
    pub fn get(&self) -> Option<Exit> {
        lock(&self.0.exit).clone()
    }
}

/// A running child and its process group.
pub struct GroupChild {
    pid: u32,
    shared: Arc<Shared>,
    kill: Cancel,
    threads: Vec<JoinHandle<()>>,
}

impl GroupChild {
    /// Starts the child. Fails when the program cannot be started.
    pub fn spawn(spec: &Spawn) -> std::io::Result<GroupChild> {
        let mut group = Group::spawn(&Launch {
            program: &spec.program,
            args: &spec.args,
            cwd: None,
            env: &spec.env,
            env_remove: &[],
            inherit_fd: spec.inherit_fd,
            die_with_parent: spec.die_with_parent,
        })?;
        let pid = group.pid();
        let shared = Arc::new(Shared {
            exit: Mutex::new(None),
            stdout: Mutex::new(OutputTail::default()),
            stderr: Mutex::new(OutputTail::default()),
        });
        let mut threads = Vec::new();
        let kill = Cancel::new();
        let waiter_shared = Arc::clone(&shared);
        let waiter_kill = kill.clone();
        let limit = spec.time_limit;
        let stdout = group.take_stdout();
        let stderr = group.take_stderr();
        threads.push(
            std::thread::Builder::new()
                .name("child-waiter".into())
                .spawn(move || {
                    // Whatever the leader did, nothing of its group outlives the run.
                    let exit = group.supervise(limit, &waiter_kill).unwrap_or(Exit::Killed);
                    *lock(&waiter_shared.exit) = Some(exit);
                })?,
        );
        if let Some(out) = stdout {
            let sink = TailInto(Arc::clone(&shared), false);
            threads.push(spawn_reader("child-stdout", out, sink)?);
        }
        if let Some(err) = stderr {
            let sink = TailInto(Arc::clone(&shared), true);
            threads.push(spawn_reader("child-stderr", err, sink)?);
        }
        Ok(GroupChild {
            pid,
            shared,
            kill,
            threads,
        })
    }

    /// The child's process id (also its process group's id on Unix).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// How it ended, once it has.
    pub fn exit(&self) -> Option<Exit> {
        lock(&self.shared.exit).clone()
    }

    /// A handle other threads can poll for the child's end.
    pub fn exit_watch(&self) -> ExitWatch {
        ExitWatch(Arc::clone(&self.shared))
    }

    /// Asks the waiter to kill the whole group now (returns at once).
    pub fn kill(&self) {
        self.kill.cancel();
    }

    /// A copy of the captured stdout tail.
    pub fn stdout(&self) -> OutputTail {
        lock(&self.shared.stdout).clone()
    }

    /// A copy of the captured stderr tail.
    pub fn stderr(&self) -> OutputTail {
        lock(&self.shared.stderr).clone()
    }

    /// Waits for the child to end by itself (or be killed), joining every thread, and
    /// returns how it ended with its output.
    pub fn wait(mut self) -> (Exit, OutputTail, OutputTail) {
        self.join();
        let exit = self.exit().unwrap_or(Exit::Killed);
        (exit, self.stdout(), self.stderr())
    }

    fn join(&mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        self.kill();
        self.join();
    }
}

/// A reader's end: appends to the stdout (`false`) or stderr (`true`) tail.
struct TailInto(Arc<Shared>, bool);

impl ChunkSink for TailInto {
    fn chunk(&mut self, bytes: &[u8]) {
        let tail = if self.1 {
            &self.0.stderr
        } else {
            &self.0.stdout
        };
        lock(tail).push(bytes);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Instant;

    fn sh(script: &str) -> Spawn {
        Spawn {
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            env: vec![],
            inherit_fd: None,
            time_limit: Some(Duration::from_secs(30)),
            die_with_parent: false,
        }
    }

    /// Exists and is not a zombie waiting for a reaper.
    fn alive(pid: i32) -> bool {
        // SAFETY: signal 0 only checks that the process exists.
        let exists = unsafe { libc::kill(pid, 0) == 0 };
        exists
            && std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
                !s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
    }

    #[test]
    fn output_is_captured_and_the_exit_code_kept() {
        let child = GroupChild::spawn(&sh("echo hello; echo oops >&2; exit 3")).unwrap();
        let (exit, out, err) = child.wait();
        assert_eq!(exit, Exit::Code(3));
        assert_eq!(out.text(), "hello\n");
        assert_eq!(err.text(), "oops\n");
    }

    #[test]
    fn output_tail_is_capped_but_counts_everything() {
        let mut t = OutputTail::default();
        t.push(&vec![b'a'; OUTPUT_TAIL_BYTES]);
        t.push(b"end");
        assert_eq!(t.bytes.len(), OUTPUT_TAIL_BYTES);
        assert!(t.text().ends_with("aend"));
        assert_eq!(t.total, OUTPUT_TAIL_BYTES as u64 + 3);
    }

    #[test]
    fn kill_takes_the_whole_group_with_it() {
        // The shell starts a grandchild in the same group and prints its pid.
        let child = GroupChild::spawn(&sh("sleep 30 & echo $!; wait")).unwrap();
        let started = Instant::now();
        let grandchild = loop {
            let text = child.stdout().text();
            if let Some(pid) = text
                .lines()
                .next()
                .and_then(|l| l.trim().parse::<i32>().ok())
            {
                break pid;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no pid printed"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let leader = child.pid() as i32;
        assert!(alive(grandchild));
        child.kill();
        let (exit, _, _) = child.wait();
        assert_eq!(exit, Exit::Killed);
        assert!(!alive(leader), "the leader is still there");
        // The grandchild is not ours to reap: init does it; wait until it is gone.
        let gone = Instant::now();
        while alive(grandchild) && gone.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!alive(grandchild), "a grandchild outlived the stop");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn with_die_with_parent_the_child_ends_with_the_thread_that_spawned_it() {
        let mut spec = sh("sleep 30");
        spec.die_with_parent = true;
        let child = std::thread::spawn(move || GroupChild::spawn(&spec).unwrap())
            .join()
            .unwrap();
        let (exit, _, _) = child.wait();
        assert_eq!(exit, Exit::Signal(libc::SIGKILL));
    }

    #[test]
    fn the_time_limit_kills() {
        let mut spec = sh("sleep 30");
        spec.time_limit = Some(Duration::from_millis(50));
        let (exit, _, _) = GroupChild::spawn(&spec).unwrap().wait();
        assert_eq!(exit, Exit::TimedOut);
    }
}
