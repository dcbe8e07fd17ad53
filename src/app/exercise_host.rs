//! The app's side of the exercise screen: opening an exercise (its workspace file, its
//! background parts), carrying out the screen's actions, draining its events on the UI
//! thread, and leaving it.

use std::path::PathBuf;
use std::sync::Arc;

use super::exercise::{ExerciseAction, ExerciseScreen, Waker};
use super::{App, Notice};
use crate::exercises::workspace::Workspace;
use crate::pythons::Found;

/// Where exercises run, as the command line set it up.
#[derive(Default)]
pub struct ExerciseSetup {
    /// `--dir DIR`: the workspace folder (else the data folder's).
    pub dir: Option<PathBuf>,
    /// `--python PATH`: the interpreter to list first.
    pub python: Option<PathBuf>,
    /// The interpreters found (probed once per run, on first use).
    pub found: Option<Found>,
    /// Wakes the app's loop from a background thread (set by the run loop; `None` in tests,
    /// which drain the screen themselves).
    pub waker: Option<Waker>,
    /// `pyconc exercise ID`: leaving the exercise quits.
    pub only: bool,
    /// An exercise to open once the run loop has started (its waker is then set).
    pub open: Option<String>,
    /// Discovery threads of closed screens still probing: joined once finished, or at exit.
    pub(super) leftover: Vec<std::thread::JoinHandle<()>>,
}

impl App {
    /// Says that some exercises did not load: the status bar names the first problem (unless
    /// it already shows one) and every problem is printed when the tutorial quits.
    pub fn report_exercise_problems(&mut self, problems: &[crate::lessons::Problem]) {
        let Some(first) = problems.first() else {
            return;
        };
        let sanitize = crate::lessons::sanitize::sanitize_line;
        let more = match problems.len() {
            1 => String::new(),
            n => format!(" (+{} more; `pyconc check` lists them)", n - 1),
        };
        // The status bar is one line: the exercise's folder and file, not the whole path
        // (quitting prints that).
        let tail: Vec<&str> = first.file.rsplit(['/', '\\']).take(2).collect();
        let short = crate::lessons::Problem {
            file: tail.into_iter().rev().collect::<Vec<_>>().join("/"),
            ..first.clone()
        };
        let text = format!(
            "exercise did not load: {}{more}",
            sanitize(&short.to_string())
        );
        if self.notice.is_none() {
            self.error(text);
        }
        self.exit_messages
            .push("exercises that did not load:".to_string());
        self.exit_messages.extend(
            problems
                .iter()
                .map(|p| format!("  {}", sanitize(&p.to_string()))),
        );
    }

    /// Opens the exercise screen on `id`.
    pub fn open_exercise(&mut self, id: &str) {
        let Some(exercise) = self.exercises.get(id).cloned() else {
            self.error(format!(
                "unknown exercise `{}`",
                crate::lessons::sanitize::sanitize_line(id)
            ));
            return;
        };
        let file = match Workspace::locate(self.exercise_setup.dir.as_deref()) {
            None => Err("no data folder: pass --dir DIR to keep exercise files".to_string()),
            Some(ws) => ws.ensure(&exercise).map(|(p, _)| p).map_err(|e| {
                format!(
                    "could not create the exercise file in {}: {e}",
                    ws.dir().display()
                )
            }),
        };
        let mut screen = ExerciseScreen::new(Arc::new(exercise), file);
        let waker = self
            .exercise_setup
            .waker
            .clone()
            .unwrap_or_else(|| Arc::new(|| {}));
        screen.start(
            self.exercise_setup.found.clone(),
            self.exercise_setup.python.clone(),
            waker,
        );
        self.exercise = Some(screen);
    }

    /// Carries out one exercise screen action.
    pub(super) fn apply_exercise(&mut self, action: ExerciseAction) {
        let Some(screen) = self.exercise.as_mut() else {
            return;
        };
        screen.notice = None;
        let mut save = false;
        match action {
            ExerciseAction::Back => {
                self.close_exercise();
                return;
            }
            ExerciseAction::Edit => match &screen.file {
                Ok(path) => screen.editor_request = Some(path.clone()),
                Err(e) => screen.notice = Some(e.clone()),
            },
            ExerciseAction::Regrade => {
                screen.regrade();
                if screen.found().is_none() {
                    screen.notice = Some("still looking for interpreters".into());
                }
            }
            ExerciseAction::Reset => screen.confirm_reset = true,
            ExerciseAction::ConfirmReset(false) => screen.confirm_reset = false,
            ExerciseAction::ConfirmReset(true) => {
                screen.confirm_reset = false;
                let ws = Workspace::locate(self.exercise_setup.dir.as_deref());
                screen.notice = Some(match ws.map(|ws| ws.reset(&screen.exercise)) {
                    Some(Ok(Some(backup))) => format!(
                        "back to the starter; your version is kept as {}",
                        crate::lessons::sanitize::sanitize_path(&backup)
                    ),
                    Some(Ok(None)) => "back to the starter".to_string(),
                    Some(Err(e)) => format!("could not reset: {e}"),
                    None => "no data folder: nothing to reset".to_string(),
                });
            }
            ExerciseAction::Hint => {
                screen.next_hint(&mut self.progress);
                save = true;
            }
            ExerciseAction::Solution => screen.toggle_solution(&self.progress),
            ExerciseAction::SwitchPython => {
                screen.switch_python(&mut self.progress);
                save = true;
            }
            ExerciseAction::Scroll(delta) => {
                screen.output_scroll = screen.output_scroll.saturating_add_signed(delta);
            }
        }
        if save {
            self.save_progress();
        }
    }

    /// Joins the discovery threads of closed screens that have finished (`all`: every one,
    /// waiting; for the way out).
    pub(super) fn reap_exercise_threads(&mut self, all: bool) {
        let (done, running): (Vec<_>, Vec<_>) = self
            .exercise_setup
            .leftover
            .drain(..)
            .partition(|h| all || h.is_finished());
        self.exercise_setup.leftover = running;
        for handle in done {
            let _ = handle.join();
        }
    }

    /// The screen's background parts have news: apply it.
    pub(super) fn exercise_wake(&mut self) {
        self.reap_exercise_threads(false);
        let Some(screen) = self.exercise.as_mut() else {
            self.dirty = false;
            return;
        };
        let before = self.progress.exercises.get(&screen.exercise.id).cloned();
        if !screen.drain(&mut self.progress) {
            self.dirty = false;
        }
        if self.exercise_setup.found.is_none() {
            self.exercise_setup.found = screen.found().cloned();
        }
        if self.progress.exercises.get(&screen.exercise.id) != before.as_ref() {
            self.save_progress();
        }
    }

    /// Leaves the exercise screen (stopping its watcher and grader).
    fn close_exercise(&mut self) {
        if let Some(mut screen) = self.exercise.take()
            && let Some(discovery) = screen.stop()
        {
            self.exercise_setup.leftover.push(discovery);
        }
        if self.exercise_setup.only {
            self.quit = true;
        } else {
            // The lesson's exercise card shows the state this visit may have changed.
            self.relayout();
        }
    }

    /// Takes the editor request `e` left, for the run loop.
    pub fn take_editor_request(&mut self) -> Option<PathBuf> {
        self.exercise.as_mut()?.editor_request.take()
    }

    /// Reports what running the editor gave.
    pub fn editor_finished(&mut self, result: Result<(), String>) {
        self.dirty = true;
        if let (Err(e), Some(screen)) = (result, self.exercise.as_mut()) {
            screen.notice = Some(e);
        }
    }

    fn save_progress(&mut self) {
        self.save();
        if let Some(Notice { text, .. }) = self.notice.take()
            && let Some(screen) = self.exercise.as_mut()
        {
            screen.notice = Some(text);
        }
    }
}
