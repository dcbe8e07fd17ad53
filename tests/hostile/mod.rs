//! The runner of `tests/hostile_packs.rs`: starts the real `pyconc` (stdout on a pipe file or
//! a pseudo-terminal), waits for it with `wait4` under a timeout (killing it if it hangs),
//! and measures its wall time and peak RSS; plus the check that output holds no raw escape,
//! control or C1 character.
//!
//! Peak RSS: a child's `ru_maxrss` starts from its parent's resident size at `fork` (Linux
//! keeps the high-water mark across `exec`), so `wait4` on a child of this big test process
//! over-states it. With GNU time at `/usr/bin/time`, pyconc runs under it (a small process
//! whose child's figure is its own); without it the `wait4` figure, an upper bound, is used.
//!
//! When the tests run as root, `pyconc` runs as `nobody` (uid 65534), so that a file with
//! mode 000 really is unreadable to it.

use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Seek};
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a case must give.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// A valid pack: exit 0; `show` opens lesson `show`.
    Good { show: &'static str },
    /// A refused pack: exit 1 and a problem line holding `needle`, at `line` if given.
    Problem {
        needle: &'static str,
        line: Option<usize>,
    },
}

/// One finished (or killed) run of `pyconc`.
#[derive(Debug)]
pub struct Run {
    /// The exit code, if it exited.
    pub code: Option<i32>,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    /// True if it was killed for taking longer than the timeout.
    pub timed_out: bool,
    /// Everything it wrote to stdout (the terminal, for a tty run).
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
    /// Wall time from start to exit.
    pub seconds: f64,
    /// Peak resident memory, in KiB (`ru_maxrss`).
    pub peak_rss_kib: i64,
}

impl Run {
    /// stdout, lossily decoded.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// stderr, lossily decoded.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// How often [`run_pyconc_typing`] types its keys.
pub const KEY_INTERVAL: Duration = Duration::from_millis(250);

/// GNU time, which measures its child's peak RSS.
const GNU_TIME: &str = "/usr/bin/time";

/// The uid and gid `nobody` has on Linux.
const NOBODY: u32 = 65534;

/// Runs `pyconc ARGS` and waits for it at most `timeout`. With `tty`, stdin and stdout are a
/// pseudo-terminal of 100x30 (stderr stays a file, so problems can be read apart).
pub fn run_pyconc(args: &[OsString], tty: bool, timeout: Duration) -> Run {
    run_pyconc_typing(args, tty, None, timeout)
}

/// Like [`run_pyconc`] on a terminal; `keys`, if given, are typed every [`KEY_INTERVAL`]
/// until pyconc exits (`q` to leave the TUI once it is up).
pub fn run_pyconc_typing(
    args: &[OsString],
    tty: bool,
    keys: Option<&'static [u8]>,
    timeout: Duration,
) -> Run {
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut typist = None;
    let mut stderr_file = tempfile::tempfile().expect("temp file");
    let mut stdout_file = tempfile::tempfile().expect("temp file");
    let home = tempfile::tempdir().expect("temp dir");
    set_mode(home.path(), 0o777);
    let mut pty_reader = None;
    let started;
    let gnu_time = Path::new(GNU_TIME).is_file();
    let rss_file = home.path().join("rss.txt");
    let child = {
        let mut command = if gnu_time {
            let mut command = Command::new(GNU_TIME);
            command
                .arg("-f")
                .arg("%M")
                .arg("-o")
                .arg(&rss_file)
                .arg(env!("CARGO_BIN_EXE_pyconc"));
            command
        } else {
            Command::new(env!("CARGO_BIN_EXE_pyconc"))
        };
        use std::os::unix::process::CommandExt;
        // Its own process group, so a hung run is killed with every process in it.
        command.process_group(0);
        command
            .args(args)
            .env("PYCONC_HOME", home.path())
            .env_remove("NO_COLOR")
            .env("COLORTERM", "truecolor")
            .stderr(Stdio::from(stderr_file.try_clone().expect("dup")));
        if tty {
            let (master, slave) = open_pty();
            command
                .stdin(Stdio::from(slave.try_clone().expect("dup")))
                .stdout(Stdio::from(slave));
            let mut master = File::from(master);
            if let Some(keys) = keys {
                let mut writer = master.try_clone().expect("dup");
                let done = std::sync::Arc::clone(&done);
                typist = Some(std::thread::spawn(move || {
                    use std::io::Write;
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        std::thread::sleep(KEY_INTERVAL);
                        if writer.write_all(keys).is_err() {
                            break;
                        }
                    }
                }));
            }
            pty_reader = Some(std::thread::spawn(move || {
                let mut out = Vec::new();
                let mut buf = [0u8; 65536];
                // Ends with EIO once the child and every copy of the slave are gone.
                while let Ok(n) = master.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..n]);
                }
                out
            }));
        } else {
            command
                .stdin(Stdio::null())
                .stdout(Stdio::from(stdout_file.try_clone().expect("dup")));
        }
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            command.uid(NOBODY).gid(NOBODY);
        }
        started = Instant::now();
        command.spawn().expect("pyconc starts")
        // `command` drops here, closing the parent's copies of the pty slave.
    };
    let pid = child.id() as libc::pid_t;
    let mut timed_out = false;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: zeroed rusage is a valid value to be written over.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let flags = if timed_out { 0 } else { libc::WNOHANG };
        // SAFETY: pid is our child, not yet reaped; the out-pointers are valid.
        let reaped = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if reaped == pid {
            break (status, usage);
        }
        assert!(
            reaped == 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if started.elapsed() > timeout {
            timed_out = true;
            // SAFETY: signalling our own unreaped child's process group.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            continue;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    if let Some(typist) = typist {
        typist.join().expect("typist");
    }
    let read_all = |file: &mut File| {
        let mut bytes = Vec::new();
        file.rewind().expect("rewind");
        file.read_to_end(&mut bytes).expect("read output");
        bytes
    };
    let stdout = match pty_reader {
        Some(reader) => reader.join().expect("pty reader"),
        None => read_all(&mut stdout_file),
    };
    let exited = libc::WIFEXITED(status);
    let mut code = exited.then(|| libc::WEXITSTATUS(status));
    let mut signal = (!exited && libc::WIFSIGNALED(status)).then(|| libc::WTERMSIG(status));
    let mut peak_rss_kib = usage.ru_maxrss;
    if gnu_time && !timed_out {
        // `%M`, after a line `Command terminated by signal N` if pyconc died of one.
        let report = std::fs::read_to_string(&rss_file).unwrap_or_default();
        for line in report.lines() {
            if let Some(n) = line.strip_prefix("Command terminated by signal ") {
                signal = n.trim().parse().ok();
                code = None;
            } else if let Ok(kib) = line.trim().parse() {
                peak_rss_kib = kib;
            }
        }
    }
    Run {
        code,
        signal,
        timed_out,
        stdout,
        stderr: read_all(&mut stderr_file),
        seconds,
        peak_rss_kib,
    }
}

/// A pseudo-terminal pair in raw mode (no `\r` added), 100 columns by 30 rows.
fn open_pty() -> (OwnedFd, OwnedFd) {
    let (master, slave) = crate::os_support::open_pty(100, 30);
    use std::os::fd::AsRawFd;
    // SAFETY: a valid terminal fd and termios buffer.
    unsafe {
        let mut termios: libc::termios = std::mem::zeroed();
        assert_eq!(libc::tcgetattr(slave.as_raw_fd(), &mut termios), 0);
        libc::cfmakeraw(&mut termios);
        assert_eq!(
            libc::tcsetattr(slave.as_raw_fd(), libc::TCSANOW, &termios),
            0
        );
    }
    (master, slave)
}

/// `Ok` if `bytes` is UTF-8 text with no control character but `\n`, no C1 control and no
/// bidirectional override; with `allow_sgr`, ESC may open an SGR sequence (`ESC [ 0-9; m`),
/// the only escape pyconc itself writes to a terminal. `Err` says what was found.
pub fn only_safe_text(bytes: &[u8], allow_sgr: bool) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8: {e}"))?;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\u{1b}' && allow_sgr {
            let rest = &text[at + 1..];
            let end = rest.find('m').unwrap_or(rest.len());
            let params = &rest[..end];
            let is_sgr = end < rest.len()
                && params.starts_with('[')
                && params[1..].chars().all(|c| c.is_ascii_digit() || c == ';');
            if !is_sgr {
                return Err(format!(
                    "a raw escape sequence at byte {at}: {:?}",
                    &rest[..end.min(20)]
                ));
            }
            for _ in 0..=end {
                chars.next();
            }
            continue;
        }
        let bidi = ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c);
        if (c.is_control() && c != '\n') || bidi {
            return Err(format!("a raw {c:?} at byte {at}"));
        }
    }
    Ok(())
}

/// `Ok` if a full-screen UI's output holds only what a TUI library writes: CSI sequences
/// (`ESC [` parameters, a final byte: cursor moves, SGR, modes, the alternate screen), `\r`,
/// `\n`, and text without other controls: no OSC (title, clipboard), DCS, C1 or BEL.
pub fn only_ui_output(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8: {e}"))?;
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        if c == '\u{1b}' {
            if chars.next().map(|(_, c)| c) != Some('[') {
                return Err(format!("a non-CSI escape at byte {at}"));
            }
            // Parameter and intermediate bytes, then one final byte in `@`..=`~`.
            loop {
                match chars.next() {
                    Some((_, c)) if ('\u{20}'..='\u{3f}').contains(&c) => {}
                    Some((_, c)) if ('@'..='~').contains(&c) => break,
                    other => return Err(format!("a broken CSI at byte {at}: {other:?}")),
                }
            }
            continue;
        }
        let bidi = ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c);
        if (c.is_control() && c != '\n' && c != '\r') || bidi {
            return Err(format!("a raw {c:?} at byte {at}"));
        }
    }
    Ok(())
}

/// Sets the permission bits of `path` (not following a link).
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Makes every folder and regular file under `root` accessible again, so it can be removed.
pub fn set_mode_all(root: &Path, mode: u32) {
    let Ok(meta) = std::fs::symlink_metadata(root) else {
        return;
    };
    if meta.is_dir() || meta.is_file() {
        set_mode(root, mode);
    }
    if meta.is_dir()
        && let Ok(entries) = std::fs::read_dir(root)
    {
        for entry in entries.filter_map(Result::ok) {
            set_mode_all(&entry.path(), mode);
        }
    }
}
