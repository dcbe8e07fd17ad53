//! Terminal input: pyconc's own reader of the tty's bytes ([`spawn_reader`]) and their
//! decoder ([`decode::Decoder`]). It replaces crossterm's event reader, whose parser waits
//! for the byte that ends a sequence, so a truncated `ESC [ <` or a lone UTF-8 lead byte
//! held every later key, Ctrl-C included (issue 11, item 25): here a quiet
//! [`QUIET_FLUSH`] ends what is pending. Resizes come from SIGWINCH.

pub mod decode;
#[cfg(unix)]
mod reader;

#[cfg(unix)]
pub use reader::TtyReader;

use std::time::Duration;

use crossterm::event::Event;

/// How long input must be quiet before an unfinished sequence is taken as it stands.
pub const QUIET_FLUSH: Duration = Duration::from_millis(50);

/// Starts the thread that reads terminal input and hands each event to `send` until it
/// returns false. The thread ends with the process (or when `send` refuses).
#[cfg(unix)]
pub fn spawn_reader(send: impl FnMut(Event) -> bool + Send + 'static) -> std::io::Result<()> {
    reader::spawn(send)
}

/// Elsewhere crossterm's reader is used as it is.
#[cfg(not(unix))]
pub struct TtyReader;

#[cfg(not(unix))]
impl TtyReader {
    /// Nothing to open: crossterm reads the console.
    pub fn open() -> std::io::Result<TtyReader> {
        Ok(TtyReader)
    }

    /// Nothing is kept pending here.
    pub fn forget_pending(&mut self) {}

    /// Waits up to `wait` for an event.
    pub fn poll(&mut self, wait: Duration) -> std::io::Result<Vec<Event>> {
        if crossterm::event::poll(wait)? {
            Ok(vec![crossterm::event::read()?])
        } else {
            Ok(Vec::new())
        }
    }
}

/// Elsewhere crossterm's reader is used as it is.
#[cfg(not(unix))]
pub fn spawn_reader(mut send: impl FnMut(Event) -> bool + Send + 'static) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while let Ok(event) = crossterm::event::read() {
                if !send(event) {
                    break;
                }
            }
        })?;
    Ok(())
}
