//! The bootstrap's channel and its reader: an inherited pipe on Unix (the write end's
//! number passed in `PYCONC_XRAY_FD`), a file elsewhere or when the portable path is forced
//! (`PYCONC_XRAY_FILE`), so that path runs on Linux too. The reader thread parses each
//! line into the shared recording and, when stopped, never waits on a pipe that a process
//! outside the group may still hold.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::protocol;
use super::run::{Ctx, RawLine, lock};

/// How long the bootstrap reader waits for data before it looks at the stop flag.
const READER_POLL: Duration = Duration::from_millis(50);

/// The bootstrap's channel: an inherited pipe on Unix, a file elsewhere (or when the
/// portable path is forced, so that path is exercised on Linux too).
pub(super) enum Channel {
    #[cfg(unix)]
    Pipe {
        read: std::fs::File,
        write: i32,
    },
    File(tempfile::TempPath),
}

/// The reading side, after the child started.
pub(super) enum ReaderEnd {
    #[cfg(unix)]
    Pipe(std::fs::File),
    File(PathBuf),
}

impl Channel {
    pub(super) fn open(force_file: bool) -> std::io::Result<Channel> {
        #[cfg(unix)]
        if !force_file {
            let mut fds = [0i32; 2];
            // SAFETY: pipe2 writes two descriptors into the array we own.
            if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            use std::os::fd::FromRawFd;
            // SAFETY: fds[0] is a fresh descriptor owned by nobody else.
            let read = unsafe { std::fs::File::from_raw_fd(fds[0]) };
            return Ok(Channel::Pipe {
                read,
                write: fds[1],
            });
        }
        let _ = force_file;
        let file = tempfile::Builder::new()
            .prefix("pyconc-xray-channel-")
            .tempfile()?
            .into_temp_path();
        Ok(Channel::File(file))
    }

    pub(super) fn env(&self) -> (OsString, OsString) {
        match self {
            #[cfg(unix)]
            Channel::Pipe { write, .. } => (protocol::FD_ENV.into(), write.to_string().into()),
            Channel::File(p) => (protocol::FILE_ENV.into(), p.as_os_str().to_owned()),
        }
    }

    pub(super) fn child_fd(&self) -> Option<i32> {
        match self {
            #[cfg(unix)]
            Channel::Pipe { write, .. } => Some(*write),
            Channel::File(_) => None,
        }
    }

    /// Closes this process's copy of the write end (EOF comes when the child's closes);
    /// also called when the spawn failed, so no descriptor leaks.
    pub(super) fn after_spawn(self) -> (ReaderEnd, Option<tempfile::TempPath>) {
        match self {
            #[cfg(unix)]
            Channel::Pipe { read, write } => {
                // SAFETY: `write` is ours and no longer used here.
                unsafe {
                    libc::close(write);
                }
                (ReaderEnd::Pipe(read), None)
            }
            Channel::File(p) => (ReaderEnd::File(p.to_path_buf()), Some(p)),
        }
    }
}

impl ReaderEnd {
    pub(super) fn read_lines(self, ctx: &Ctx) {
        let mut pending: Vec<u8> = Vec::new();
        let mut on_bytes = |bytes: &[u8], ctx: &Ctx| {
            pending.extend_from_slice(bytes);
            while let Some(i) = pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = pending.drain(..=i).collect();
                if line.len() > protocol::MAX_LINE_BYTES {
                    continue;
                }
                let text = String::from_utf8_lossy(&line).trim_end().to_string();
                if let Some(msg) = protocol::parse_line(&text) {
                    if matches!(msg, protocol::Message::ThreadStart { .. }) {
                        ctx.rescan.store(true, Ordering::SeqCst);
                    }
                    lock(&ctx.rec).apply(msg);
                }
                ctx.dump(&RawLine::Bootstrap {
                    t_ms: ctx.t_ms(),
                    line: text,
                });
            }
            if pending.len() > protocol::MAX_LINE_BYTES {
                pending.clear();
            }
        };
        let mut buf = vec![0u8; 8192];
        match self {
            #[cfg(unix)]
            ReaderEnd::Pipe(file) => {
                use std::io::Read;
                use std::os::fd::AsRawFd;
                let mut file = file;
                let fd = file.as_raw_fd();
                loop {
                    let mut pfd = libc::pollfd {
                        fd,
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: one pollfd we own, a bounded timeout.
                    let ready = unsafe { libc::poll(&mut pfd, 1, READER_POLL.as_millis() as i32) };
                    if ready > 0 {
                        match file.read(&mut buf) {
                            Ok(0) => break,
                            Ok(n) => on_bytes(&buf[..n], ctx),
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                            Err(_) => break,
                        }
                    } else if ctx.stop.load(Ordering::SeqCst) {
                        // Stopped, and nothing more came within a poll: a process that
                        // left the group may hold the pipe open; do not wait for it.
                        break;
                    }
                }
            }
            ReaderEnd::File(path) => {
                let mut offset = 0u64;
                loop {
                    let grew = read_from(&path, &mut offset, &mut buf, |b| on_bytes(b, ctx));
                    if !grew {
                        if ctx.stop.load(Ordering::SeqCst) || ctx.exit.get().is_some() {
                            // One last look after the end, then done.
                            read_from(&path, &mut offset, &mut buf, |b| on_bytes(b, ctx));
                            break;
                        }
                        std::thread::sleep(READER_POLL / 2);
                    }
                }
            }
        }
    }
}

/// Reads what was appended to `path` since `offset`; true when something was.
fn read_from(path: &Path, offset: &mut u64, buf: &mut [u8], mut f: impl FnMut(&[u8])) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if file.seek(SeekFrom::Start(*offset)).is_err() {
        return false;
    }
    let mut any = false;
    while let Ok(n) = file.read(buf) {
        if n == 0 {
            break;
        }
        *offset += n as u64;
        f(&buf[..n]);
        any = true;
    }
    any
}
