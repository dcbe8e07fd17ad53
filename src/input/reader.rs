//! The tty reader thread (unix): polls the terminal and a SIGWINCH self-pipe, decodes the
//! bytes, flushes an unfinished sequence after [`super::QUIET_FLUSH`] of quiet, and turns a
//! window change into a `Resize` with the terminal's new size.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

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

/// Starts the reader thread.
pub fn spawn(mut send: impl FnMut(Event) -> bool + Send + 'static) -> io::Result<()> {
    let own_tty = tty()?;
    let (winch_read, winch_write) = winch_pipe()?;
    signal_hook::low_level::pipe::register(signal_hook::consts::SIGWINCH, winch_write)?;
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            let fd = own_tty
                .as_ref()
                .map_or(libc::STDIN_FILENO, AsRawFd::as_raw_fd);
            let mut decoder = Decoder::new();
            let mut buf = [0u8; 1024];
            loop {
                let mut fds = [
                    libc::pollfd {
                        fd,
                        events: libc::POLLIN,
                        revents: 0,
                    },
                    libc::pollfd {
                        fd: winch_read.as_raw_fd(),
                        events: libc::POLLIN,
                        revents: 0,
                    },
                ];
                let timeout = if decoder.has_pending() {
                    QUIET_FLUSH.as_millis() as libc::c_int
                } else {
                    -1
                };
                // SAFETY: fds is a valid array of two pollfd.
                let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout) };
                let mut events = Vec::new();
                if ready < 0 {
                    if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    return;
                }
                if ready == 0 {
                    events.extend(decoder.flush());
                }
                if fds[1].revents != 0 {
                    while matches!(read_some(winch_read.as_raw_fd(), &mut buf), Ok(n) if n > 0) {}
                    if let Ok((w, h)) = crossterm::terminal::size() {
                        events.push(Event::Resize(w, h));
                    }
                }
                if fds[0].revents != 0 {
                    match read_some(fd, &mut buf) {
                        Ok(0) => return,
                        Ok(n) => events.extend(decoder.feed(&buf[..n])),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => return,
                    }
                    if fds[0].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
                        && fds[0].revents & libc::POLLIN == 0
                    {
                        return;
                    }
                }
                for event in events {
                    if !send(event) {
                        return;
                    }
                }
            }
        })?;
    Ok(())
}
