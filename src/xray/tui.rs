//! The `pyconc xray` screen's loop: terminal events and signals arrive on one channel, the
//! run is drawn at [`crate::app::run::FRAME_INTERVAL`], and every way out (q, Esc, Ctrl-C,
//! SIGTERM, SIGHUP, an error, a panic unwinding) stops the program's whole process group
//! (the run's `Drop`) and restores the terminal.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Instant;

use crossterm::event::{Event, KeyEventKind};

use crate::app::run::FRAME_INTERVAL;
use crate::lessons::sanitize::sanitize_line;
use crate::terminal;
use crate::theme::Theme;
use crate::ui::xray::{self as view, XrayFrame};

use super::run::{XrayError, XrayOptions, XrayRun};
use super::screen::{self, XrayScreen};

/// Lines of the program's output kept for the screen.
const OUTPUT_LINES: usize = 6;

/// Why the screen could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// The run could not start.
    #[error(transparent)]
    Start(#[from] XrayError),
    /// The terminal failed.
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

enum Msg {
    Terminal(Event),
    Quit,
}

/// Runs the screen until the learner leaves; the program is stopped on the way out.
pub fn run(opts: &XrayOptions, theme: Theme) -> Result<(), TuiError> {
    let mut run = XrayRun::start(opts)?;
    let mut guard = terminal::enter()?;
    let (tx, rx) = mpsc::channel::<Msg>();
    let input_tx = tx.clone();
    // Reads terminal events for the rest of the process (crossterm's reader cannot be
    // interrupted); it ends when the channel closes and the next event arrives, or at exit.
    std::thread::Builder::new()
        .name("xray-input".into())
        .spawn(move || {
            while let Ok(event) = crossterm::event::read() {
                if input_tx.send(Msg::Terminal(event)).is_err() {
                    break;
                }
            }
        })?;
    let signal_tx = tx.clone();
    terminal::spawn_signal_listener(move |_| {
        let _ = signal_tx.send(Msg::Quit);
    })?;
    drop(tx);

    let script = sanitize_line(&opts.script.file_name().map_or_else(
        || opts.script.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    ));
    let mut screen = XrayScreen::new(script);
    let mut last_frame = Instant::now() - FRAME_INTERVAL;
    let result = loop {
        if last_frame.elapsed() >= FRAME_INTERVAL {
            let size = guard.terminal.size()?;
            let v = run.view(
                screen.frozen_at,
                screen.window_s,
                view::strip_cells(size.width),
            );
            let output = run.output_lines(OUTPUT_LINES);
            let frame = XrayFrame {
                screen: &screen,
                view: &v,
                output: &output,
            };
            if let Err(e) = guard
                .terminal
                .draw(|f| view::render(&frame, &theme, f.area(), f.buffer_mut()))
            {
                break Err(TuiError::Terminal(e));
            }
            last_frame = Instant::now();
        }
        let wait = FRAME_INTERVAL.saturating_sub(last_frame.elapsed());
        match rx.recv_timeout(wait) {
            Ok(Msg::Quit) => break Ok(()),
            Ok(Msg::Terminal(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                if let Some(action) = screen::action_for(key) {
                    let v = run.view(None, screen.window_s, 1);
                    screen.update(action, v.window_end_s, v.kept_from_s);
                    last_frame = Instant::now() - FRAME_INTERVAL;
                }
                if screen.quit {
                    break Ok(());
                }
            }
            Ok(Msg::Terminal(Event::Resize(..))) => last_frame = Instant::now() - FRAME_INTERVAL,
            Ok(Msg::Terminal(_)) => {}
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break Ok(()),
        }
    };
    run.stop();
    drop(guard);
    result
}
