//! The core both ways of running a child share: spawning it in its own process group (a job
//! object on Windows) with stdin closed and both output pipes taken, supervising it until it
//! exits, its time limit passes or it is cancelled, killing and reaping the whole group, and
//! draining a pipe on a named thread.

use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use process_wrap::std::{ChildWrapper, CommandWrap};

use super::{Cancel, Exit};

/// How often the supervisor looks at the child between wake-ups.
const POLL_INTERVAL: Duration = Duration::from_millis(5);

/// What to start, borrowed from a caller's spec.
pub(super) struct Launch<'a> {
    pub program: &'a OsStr,
    pub args: &'a [OsString],
    pub cwd: Option<&'a Path>,
    pub env: &'a [(OsString, OsString)],
    pub env_remove: &'a [OsString],
    /// A file descriptor the child inherits (Unix; ignored elsewhere).
    pub inherit_fd: Option<i32>,
    /// Linux: SIGKILL to the child when the spawning thread ends (ignored elsewhere).
    pub die_with_parent: bool,
}

/// A child and its group, killed and reaped when dropped (so an early return or a panic
/// leaves nothing running).
pub(super) struct Group {
    child: Option<Box<dyn ChildWrapper>>,
    started: Instant,
}

impl Group {
    /// Starts `launch` in a new process group (Unix) or job object (Windows).
    pub fn spawn(launch: &Launch<'_>) -> io::Result<Group> {
        let mut command = Command::new(launch.program);
        command
            .args(launch.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(cwd) = launch.cwd {
            command.current_dir(cwd);
        }
        for key in launch.env_remove {
            command.env_remove(key);
        }
        for (key, value) in launch.env {
            command.env(key, value);
        }
        #[cfg(target_os = "linux")]
        if launch.die_with_parent {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl is async-signal-safe and only sets this child's death signal.
            unsafe {
                command.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
                    Ok(())
                });
            }
        }
        #[cfg(unix)]
        if let Some(fd) = launch.inherit_fd {
            use std::os::unix::process::CommandExt;
            // SAFETY: fcntl is async-signal-safe; it only clears close-on-exec on a
            // descriptor this process owns, between fork and exec.
            unsafe {
                command.pre_exec(move || {
                    if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                        return Err(io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut wrapped = CommandWrap::from(command);
        #[cfg(unix)]
        wrapped.wrap(process_wrap::std::ProcessGroup::leader());
        #[cfg(windows)]
        wrapped.wrap(process_wrap::std::JobObject);
        let started = Instant::now();
        Ok(Group {
            child: Some(wrapped.spawn()?),
            started,
        })
    }

    /// The leader's process id (also the group's id on Unix).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, |c| c.id())
    }

    /// When it was spawned.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Takes the leader's stdout pipe.
    pub fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.as_mut()?.stdout().take()
    }

    /// Takes the leader's stderr pipe.
    pub fn take_stderr(&mut self) -> Option<std::process::ChildStderr> {
        self.child.as_mut()?.stderr().take()
    }

    /// Waits until the leader exits, `limit` passes (from spawn) or `cancel` is cancelled,
    /// then kills and reaps the whole group. Returns how it ended.
    pub fn supervise(&mut self, limit: Option<Duration>, cancel: &Cancel) -> io::Result<Exit> {
        let deadline = limit.map(|l| self.started + l);
        let ending = loop {
            let Some(child) = self.child.as_mut() else {
                break Exit::Killed;
            };
            if let Some(status) = child.try_wait()? {
                break Exit::of_status(status);
            }
            let now = Instant::now();
            let nap = match deadline {
                Some(d) if now >= d => break Exit::TimedOut,
                Some(d) => POLL_INTERVAL.min(d - now),
                None => POLL_INTERVAL,
            };
            if cancel.wait(nap) {
                break Exit::Killed;
            }
        };
        self.kill_and_reap();
        Ok(ending)
    }

    /// Kills the whole group and reaps it. On Unix this signals the group (killpg), which
    /// still reaches the leader's leftovers after the leader itself has exited; on Windows it
    /// ends the job.
    pub fn kill_and_reap(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill_and_reap();
    }
}

/// Where a reader thread hands what it reads.
pub(super) trait ChunkSink: Send + 'static {
    /// The next bytes read.
    fn chunk(&mut self, bytes: &[u8]);
    /// The pipe reached its end (or failed).
    fn end(&mut self) {}
}

/// Drains `pipe` to its end on a thread called `name`, handing each chunk to `sink`.
pub(super) fn spawn_reader(
    name: &str,
    mut pipe: impl Read + Send + 'static,
    mut sink: impl ChunkSink,
) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => sink.chunk(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
            sink.end();
        })
}
