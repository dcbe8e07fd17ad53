//! A child process in its own process group (via `process-wrap`): stdin closed, stdout and
//! stderr captured into capped tails, an optional extra pipe inherited for the x-ray
//! bootstrap, a wall-clock limit, and the whole group killed with SIGKILL on [`GroupChild::kill`],
//! on drop and after the leader exits (so no grandchild outlives the run). One file so the
//! exercise runner can share it. The waiter and reader threads are joined on drop.

use std::ffi::OsString;
use std::io::Read;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use process_wrap::std::{ChildWrapper, CommandWrap};

/// How often the waiter looks whether the child has exited or must be killed.
const WAIT_POLL: Duration = Duration::from_millis(5);
/// How many bytes of each output stream are kept (the last ones).
pub const OUTPUT_TAIL_BYTES: usize = 64 * 1024;

/// How a child ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// Exited by itself with this code.
    Code(i32),
    /// Killed by a signal it did not ask for (number), e.g. a crash.
    Signal(i32),
    /// pyconc killed it (stop, quit, a signal to pyconc).
    Killed,
    /// The wall-clock limit ran out and pyconc killed it.
    TimedOut,
}

impl Exit {
    /// Words for the status line.
    pub fn describe(&self) -> String {
        match self {
            Exit::Code(c) => format!("exited with code {c}"),
            Exit::Signal(s) => format!("ended by signal {s}"),
            Exit::Killed => "stopped by pyconc".to_string(),
            Exit::TimedOut => "killed: time limit reached".to_string(),
        }
    }
}

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
    kill: AtomicBool,
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
    threads: Vec<JoinHandle<()>>,
}

impl GroupChild {
    /// Starts the child. Fails when the program cannot be started.
    pub fn spawn(spec: &Spawn) -> std::io::Result<GroupChild> {
        let mut cmd = CommandWrap::with_new(&spec.program, |c| {
            c.args(&spec.args)
                .envs(spec.env.iter().map(|(k, v)| (k, v)))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            #[cfg(target_os = "linux")]
            if spec.die_with_parent {
                use std::os::unix::process::CommandExt;
                // SAFETY: prctl is async-signal-safe and only sets this child's death signal.
                unsafe {
                    c.pre_exec(|| {
                        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
                        Ok(())
                    });
                }
            }
            #[cfg(unix)]
            if let Some(fd) = spec.inherit_fd {
                use std::os::unix::process::CommandExt;
                // SAFETY: fcntl is async-signal-safe; it only clears close-on-exec on a
                // descriptor this process owns, between fork and exec.
                unsafe {
                    c.pre_exec(move || {
                        if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                            return Err(std::io::Error::last_os_error());
                        }
                        Ok(())
                    });
                }
            }
        });
        #[cfg(unix)]
        cmd.wrap(process_wrap::std::ProcessGroup::leader());
        let mut child = cmd.spawn()?;
        let pid = child.id();
        let shared = Arc::new(Shared {
            exit: Mutex::new(None),
            kill: AtomicBool::new(false),
            stdout: Mutex::new(OutputTail::default()),
            stderr: Mutex::new(OutputTail::default()),
        });
        let mut threads = Vec::new();
        if let Some(out) = child.stdout().take() {
            threads.push(reader("child-stdout", out, Arc::clone(&shared), false)?);
        }
        if let Some(err) = child.stderr().take() {
            threads.push(reader("child-stderr", err, Arc::clone(&shared), true)?);
        }
        let waiter_shared = Arc::clone(&shared);
        let limit = spec.time_limit;
        threads.insert(
            0,
            std::thread::Builder::new()
                .name("child-waiter".into())
                .spawn(move || wait_loop(child, pid, &waiter_shared, limit))?,
        );
        Ok(GroupChild {
            pid,
            shared,
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
        self.shared.kill.store(true, Ordering::SeqCst);
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn reader(
    name: &str,
    mut stream: impl Read + Send + 'static,
    shared: Arc<Shared>,
    is_err: bool,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let tail = if is_err {
                            &shared.stderr
                        } else {
                            &shared.stdout
                        };
                        lock(tail).push(&buf[..n]);
                    }
                }
            }
        })
}

fn wait_loop(mut child: Box<dyn ChildWrapper>, pid: u32, shared: &Shared, limit: Option<Duration>) {
    let started = Instant::now();
    let mut reason: Option<Exit> = None;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(_) => break None,
        }
        if reason.is_none() {
            if shared.kill.load(Ordering::SeqCst) {
                reason = Some(Exit::Killed);
            } else if limit.is_some_and(|l| started.elapsed() >= l) {
                reason = Some(Exit::TimedOut);
            }
            if reason.is_some() {
                let _ = child.start_kill();
            }
        }
        std::thread::sleep(WAIT_POLL);
    };
    // Whatever the leader did, nothing of its group outlives the run.
    kill_group(pid);
    let exit = match (reason, status) {
        (Some(r), _) => r,
        (None, Some(s)) => exit_of(s),
        (None, None) => Exit::Killed,
    };
    *lock(&shared.exit) = Some(exit);
}

#[cfg(unix)]
fn kill_group(pgid: u32) {
    // SAFETY: killpg only sends a signal; ESRCH (no such group left) is fine.
    unsafe {
        libc::killpg(pgid as libc::pid_t, libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_pgid: u32) {}

fn exit_of(status: std::process::ExitStatus) -> Exit {
    if let Some(code) = status.code() {
        return Exit::Code(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return Exit::Signal(sig);
        }
    }
    Exit::Killed
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

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
