//! The terminal input thread: the only reader of terminal events, posting them to the app's
//! loop. It can be paused (while an editor owns the terminal, which must get every key):
//! [`Input::pause`] returns once the thread has stopped reading. While running it waits in
//! `poll` with a timeout of [`PAUSE_LATENCY`], so a pause takes effect within that time.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// The longest a pause waits for the thread to stop reading.
pub const PAUSE_LATENCY: Duration = Duration::from_millis(250);

#[derive(Default)]
struct State {
    want_paused: bool,
    is_paused: bool,
}

/// A handle on the input thread.
#[derive(Clone)]
pub struct Input {
    shared: Arc<(Mutex<State>, Condvar)>,
}

impl Input {
    /// Starts the thread; `send` posts each event and returns false when the app is gone
    /// (the thread then ends).
    pub fn spawn(
        send: impl Fn(crossterm::event::Event) -> bool + Send + 'static,
    ) -> std::io::Result<Input> {
        let input = Input {
            shared: Arc::new((Mutex::new(State::default()), Condvar::new())),
        };
        let shared = Arc::clone(&input.shared);
        std::thread::Builder::new()
            .name("input".into())
            .spawn(move || {
                let (state, changed) = &*shared;
                loop {
                    {
                        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                        while s.want_paused {
                            s.is_paused = true;
                            changed.notify_all();
                            s = changed.wait(s).unwrap_or_else(|e| e.into_inner());
                        }
                        s.is_paused = false;
                    }
                    match crossterm::event::poll(PAUSE_LATENCY) {
                        Ok(true) => match crossterm::event::read() {
                            Ok(event) => {
                                if !send(event) {
                                    break;
                                }
                            }
                            Err(_) => break,
                        },
                        Ok(false) => {}
                        Err(_) => break,
                    }
                }
            })?;
        Ok(input)
    }

    /// Stops reading; returns once the thread is not reading (or after a bound).
    pub fn pause(&self) {
        let (state, changed) = &*self.shared;
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        s.want_paused = true;
        let bound = PAUSE_LATENCY * 4;
        let _ = changed
            .wait_timeout_while(s, bound, |s| !s.is_paused)
            .unwrap_or_else(|e| e.into_inner());
    }

    /// Reads again.
    pub fn resume(&self) {
        let (state, changed) = &*self.shared;
        state.lock().unwrap_or_else(|e| e.into_inner()).want_paused = false;
        changed.notify_all();
    }
}
