//! The event loop: terminal events, signals and background results arrive as [`Msg`]s on
//! one channel; [`App::update`] applies them; the screen is redrawn only when something
//! changed. With no demo on screen the loop sleeps until an event comes (no CPU while the
//! learner reads); with a demo it wakes at [`FRAME_INTERVAL`] to draw the next frame.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::lessons::highlight::Highlighter;
use crate::terminal;

use super::{App, Msg};

/// Set this environment variable to quit right after the first frame is drawn: how
/// `benches/tty_figures.sh` times start-up to the first drawn lesson.
pub const EXIT_AFTER_FIRST_FRAME_ENV: &str = "PYCONC_EXIT_AFTER_FIRST_FRAME";

/// Time between two demo frames: a 30 fps cap.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(33);

/// Runs the TUI until the learner quits or a signal arrives, then restores the terminal.
pub fn run(mut app: App) -> anyhow::Result<()> {
    let mut guard = terminal::enter()?;
    let (tx, rx) = mpsc::channel::<Msg>();

    // Terminal input: the only thread that reads events (pyconc's own decoder, so a cut
    // escape sequence cannot hold later keys). It ends with the process; it belongs to
    // the app, not to a demo. It pauses while an editor has the terminal.
    let input_tx = tx.clone();
    let input =
        super::input::Input::spawn(move |event| input_tx.send(Msg::Terminal(event)).is_ok())?;
    let wake_tx = Mutex::new(tx.clone());
    app.exercise_setup.waker = Some(Arc::new(move || {
        let _ = wake_tx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(Msg::ExerciseWake);
    }));
    if let Some(id) = app.exercise_setup.open.take() {
        app.open_exercise(&id);
    }

    let signal_tx = tx.clone();
    terminal::spawn_signal_listener(move |_| {
        let _ = signal_tx.send(Msg::Quit);
    })?;

    let size = guard.terminal.size()?;
    app.update(Msg::Terminal(crossterm::event::Event::Resize(
        size.width,
        size.height,
    )));
    guard.terminal.draw(|frame| crate::ui::draw(&app, frame))?;
    app.dirty = false;
    if std::env::var_os(EXIT_AFTER_FIRST_FRAME_ENV).is_some() {
        let problems = app.shutdown();
        drop(guard);
        report_problems(&problems);
        return Ok(());
    }

    // Loading syntaxes takes a few milliseconds and compiling each language's first use
    // tens more: both start after the first frame, off the UI thread. The open lesson is
    // warmed first, then the rest, so switching lessons never waits on it either; then the
    // compiled grammar is let go (the highlighted blocks stay cached).
    let highlight_tx = tx.clone();
    let mut lessons = app.catalog.lessons.clone();
    lessons.rotate_left(app.current);
    let syntax_theme = app.theme.syntax_theme;
    std::thread::Builder::new()
        .name("highlighter".into())
        .spawn(move || {
            let highlighter = Arc::new(Highlighter::load());
            if let Some(first) = lessons.first() {
                highlighter.prepare(first, syntax_theme);
            }
            let _ = highlight_tx.send(Msg::HighlighterReady(Arc::clone(&highlighter)));
            for lesson in lessons.iter().skip(1) {
                highlighter.prepare(lesson, syntax_theme);
            }
            // Every block is cached now: the compiled grammar is not needed any more.
            highlighter.release_compiled();
        })?;
    drop(tx);
    // The demos' task clock calibrates once per process (under a millisecond here): now,
    // off the UI thread, rather than in the first demo's start.
    let clock_calibration = crate::sims::kit::monotonic::warm_up()?;

    let mut last_frame = Instant::now();
    let result = loop {
        if app.dirty {
            if let Err(e) = guard.terminal.draw(|frame| crate::ui::draw(&app, frame)) {
                break Err(e.into());
            }
            app.dirty = false;
        }
        let msg = if app.demo.is_some() || app.has_background_work() {
            let wait = FRAME_INTERVAL.saturating_sub(last_frame.elapsed());
            match rx.recv_timeout(wait) {
                Ok(msg) => msg,
                Err(RecvTimeoutError::Timeout) => Msg::Frame,
                Err(RecvTimeoutError::Disconnected) => break Ok(()),
            }
        } else {
            match rx.recv() {
                Ok(msg) => msg,
                Err(_) => break Ok(()),
            }
        };
        let is_frame = matches!(msg, Msg::Frame);
        app.update(msg);
        if let Some(path) = app.take_editor_request() {
            let result = run_editor(&mut guard, &input, &path);
            app.editor_finished(result);
        }
        // Keys arriving faster than frames must not starve the demo's picture.
        if app.demo.is_some() && (is_frame || last_frame.elapsed() >= FRAME_INTERVAL) {
            if !is_frame {
                app.update(Msg::Frame);
            }
            last_frame = Instant::now();
        }
        if app.quit {
            break Ok(());
        }
    };
    let problems = app.shutdown();
    drop(guard);
    report_problems(&problems);
    let _ = clock_calibration.join();
    result
}

/// Runs `$VISUAL` (else `$EDITOR`) on `path` with the terminal handed over: input paused,
/// raw mode and the alternate screen left, then all restored.
fn run_editor(
    guard: &mut terminal::TerminalGuard,
    input: &super::input::Input,
    path: &std::path::Path,
) -> Result<(), String> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .ok_or_else(|| {
            "set $VISUAL or $EDITOR, or open the file in any editor: pyconc grades each save"
                .to_string()
        })?;
    let (program, args) = editor_command(&editor)?;
    input.pause();
    terminal::suspend();
    let status = std::process::Command::new(&program)
        .args(&args)
        .arg(path)
        .status();
    let resumed = terminal::resume(&mut guard.terminal);
    input.resume();
    resumed.map_err(|e| format!("could not take the terminal back: {e}"))?;
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!(
            "the editor `{}` ended with {s}",
            crate::lessons::sanitize::sanitize_line(&program)
        )),
        Err(e) => Err(format!(
            "could not start the editor `{}`: {e}",
            crate::lessons::sanitize::sanitize_line(&program)
        )),
    }
}

/// The program and arguments of an `$EDITOR` value, split as a shell would (`code --wait`,
/// `"/opt/My Editor/edit" -w`); a value that names a file as a whole is that file, spaces and
/// all. On Windows a backslash is a path separator, not an escape.
fn editor_command(value: &str) -> Result<(String, Vec<String>), String> {
    let value = value.trim();
    if std::path::Path::new(value).is_file() {
        return Ok((value.to_string(), Vec::new()));
    }
    let escaped = if cfg!(windows) {
        value.replace('\\', "\\\\")
    } else {
        value.to_string()
    };
    let mut words = shell_words::split(&escaped)
        .map_err(|e| {
            format!(
                "cannot read the editor command `{}`: {e}",
                crate::lessons::sanitize::sanitize_line(value)
            )
        })?
        .into_iter();
    let program = words
        .next()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| "the editor command is empty".to_string())?;
    Ok((program, words.collect()))
}

/// Prints what the learner must still be told (progress problems, recordings written),
/// now that the terminal is restored.
fn report_problems(problems: &[String]) {
    for problem in problems {
        eprintln!("pyconc: {problem}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_editor_command_splits_like_a_shell() {
        let split = |v: &str| editor_command(v).unwrap();
        assert_eq!(split("vim"), ("vim".to_string(), vec![]));
        assert_eq!(
            split("  code --wait "),
            ("code".to_string(), vec!["--wait".to_string()])
        );
        assert_eq!(
            split(r#""/opt/My Editor/edit" -w"#),
            ("/opt/My Editor/edit".to_string(), vec!["-w".to_string()])
        );
        assert!(
            editor_command(r#""unclosed -w"#)
                .unwrap_err()
                .contains("cannot read")
        );
        assert!(editor_command("''").unwrap_err().contains("empty"));
    }

    #[test]
    fn an_editor_that_is_a_path_with_spaces_is_one_program() {
        let dir = tempfile::tempdir().unwrap();
        let editor = dir.path().join("my editor");
        std::fs::write(&editor, "").unwrap();
        let value = editor.to_string_lossy().into_owned();
        assert_eq!(editor_command(&value).unwrap(), (value, vec![]));
    }

    #[test]
    fn frame_interval_is_a_sane_frame_rate() {
        // Between 10 and 60 frames a second: smooth, yet cheap on a laptop.
        assert!(FRAME_INTERVAL >= Duration::from_millis(16));
        assert!(FRAME_INTERVAL <= Duration::from_millis(100));
    }
}
