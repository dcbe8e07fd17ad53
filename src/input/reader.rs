//! The tty reader thread (unix): polls the terminal and a SIGWINCH self-pipe, decodes the
//! bytes, flushes an unfinished sequence after [`super::QUIET_FLUSH`] of quiet, and turns a
//! window change into a `Resize` with the terminal's new size.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use crossterm::event::Event;

use super::QUIET_FLUSH;
use super::decode::Decoder;

/// The terminal to read: stdin when it is one, else `/dev/tty` (as crossterm does).
fn tty() -> io::Result<Option<OwnedFd>> {
    // SAFETY: isatty only inspects the descriptor.
    if unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
        return Ok(None);
    }
    let file = std::fs::OpenOptions::new().read(true).open("/dev/tty")?;
    Ok(Some(OwnedFd::from(file)))
}

/// A non-blocking pipe whose read end becomes readable on each SIGWINCH.
fn winch_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors pipe writes.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe just returned these two descriptors, owned by nothing else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    for fd in [read.as_raw_fd(), write.as_raw_fd()] {
        // SAFETY: fcntl on descriptors we own.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
    Ok((read, write))
}

/// Reads what is there (up to a buffer) from `fd`; `Ok(0)` at end of input.
fn read_some(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: buf is valid for buf.len() bytes.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// The terminal's bytes, decoded: an unfinished sequence is flushed after
/// [`QUIET_FLUSH`] of quiet, a window change becomes a `Resize`.
pub struct TtyReader {
    own_tty: Option<OwnedFd>,
    winch: OwnedFd,
    decoder: Decoder,
    buf: Box<[u8; 1024]>,
}

impl TtyReader {
    /// Opens the terminal (stdin, or `/dev/tty`) and starts listening for SIGWINCH.
    pub fn open() -> io::Result<TtyReader> {
        let own_tty = tty()?;
        let (winch, winch_write) = winch_pipe()?;
        signal_hook::low_level::pipe::register(signal_hook::consts::SIGWINCH, winch_write)?;
        Ok(TtyReader {
            own_tty,
            winch,
            decoder: Decoder::new(),
            buf: Box::new([0; 1024]),
        })
    }

    fn fd(&self) -> RawFd {
        self.own_tty
            .as_ref()
            .map_or(libc::STDIN_FILENO, AsRawFd::as_raw_fd)
    }

    /// Forgets a sequence left unfinished (another program is about to own the terminal).
    pub fn forget_pending(&mut self) {
        self.decoder.flush();
    }

    /// Waits up to `wait` (less while a sequence is pending) and returns the events that
    /// arrived, maybe none; an error when the terminal is gone.
    pub fn poll(&mut self, wait: Duration) -> io::Result<Vec<Event>> {
        let fd = self.fd();
        let mut fds = [
            libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: self.winch.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        let wait = if self.decoder.has_pending() {
            wait.min(QUIET_FLUSH)
        } else {
            wait
        };
        let timeout = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: fds is a valid array of two pollfd.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout) };
        let mut events = Vec::new();
        if ready < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(events)
            } else {
                Err(e)
            };
        }
        if ready == 0 {
            events.extend(self.decoder.flush());
            return Ok(events);
        }
        if fds[1].revents != 0 {
            while matches!(read_some(self.winch.as_raw_fd(), &mut self.buf[..]), Ok(n) if n > 0) {}
            if let Ok((w, h)) = crossterm::terminal::size() {
                events.push(Event::Resize(w, h));
            }
        }
        if fds[0].revents & libc::POLLIN != 0 {
            match read_some(fd, &mut self.buf[..]) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    let bytes = self.buf[..n].to_vec();
                    events.extend(self.decoder.feed(&bytes));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        } else if fds[0].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(events)
    }
}

/// Starts a reader thread that hands each event to `send` until it returns false.
pub fn spawn(mut send: impl FnMut(Event) -> bool + Send + 'static) -> io::Result<()> {
    let mut reader = TtyReader::open()?;
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while let Ok(events) = reader.poll(Duration::from_secs(3600)) {
                for event in events {
                    if !send(event) {
                        return;
                    }
                }
            }
        })?;
    Ok(())
}
