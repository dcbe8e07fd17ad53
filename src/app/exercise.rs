//! The exercise screen's state: the exercise, the learner's workspace file, the interpreters
//! found and the one grading, the newest grading report, hints and solution shown, and the
//! background parts (interpreter discovery, the file watcher, the grader). Background
//! threads post [`ScreenEvent`]s to the screen's own channel and call the app's waker; the
//! app then calls [`ExerciseScreen::drain`] on its UI thread, which never blocks on them.
//! The screen's keys are rows of the app's key table (`keys/table.rs`, `Screen::Exercise`).

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::exercises::Exercise;
use crate::exercises::grade::Report;
use crate::exercises::grader::{Grader, GraderEvent, Job};
use crate::exercises::watch::FileWatcher;
use crate::progress::{ExerciseState, Progress};
use crate::pythons::{Found, Interpreter};

/// Something the learner asked for on the exercise screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExerciseAction {
    /// Back to the lesson (or quit, for `pyconc exercise ID`).
    Back,
    /// Open the file in `$VISUAL` / `$EDITOR`.
    Edit,
    /// Grade again now.
    Regrade,
    /// Ask to put the starter back.
    Reset,
    /// Answer the reset question.
    ConfirmReset(bool),
    /// Show the next hint.
    Hint,
    /// Show or hide the solution.
    Solution,
    /// Grade with the next interpreter.
    SwitchPython,
    /// Scroll the output by lines.
    Scroll(isize),
}

/// Failed tries after which the solution may be shown on request.
pub const SOLUTION_AFTER_FAILED_TRIES: u32 = 3;

/// Wakes the app's loop from a background thread (it then drains the screen's events).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Something a background part of the screen reports.
#[derive(Debug)]
pub enum ScreenEvent {
    /// Interpreter discovery finished.
    Pythons(Found),
    /// The learner's file changed on disk.
    FileChanged,
    /// The grader started or finished a run.
    Grader(GraderEvent),
}

/// Where interpreter discovery is.
#[derive(Debug, Clone, PartialEq)]
pub enum Pythons {
    /// Still probing.
    Looking,
    /// Done.
    Found(Found),
}

/// The exercise screen.
pub struct ExerciseScreen {
    /// The exercise.
    pub exercise: Arc<Exercise>,
    /// The learner's file, or why there is none.
    pub file: Result<PathBuf, String>,
    /// The interpreters.
    pub pythons: Pythons,
    /// The interpreter grading (index into `Found::interpreters`).
    pub grading_with: Option<usize>,
    /// True while a grading runs.
    pub running: bool,
    /// The newest grading: the report of its deciding run (the first that did not pass,
    /// else the last), or why it could not run.
    pub last: Option<Result<Report, String>>,
    /// The newest grading's runs before `last`, which passed (the chosen interpreter's,
    /// when a free-threaded one ran the checks again).
    pub passed_before: Vec<Report>,
    /// The first output line shown.
    pub output_scroll: usize,
    /// True while the reset question is asked.
    pub confirm_reset: bool,
    /// True while the solution is shown (instead of the output).
    pub show_solution: bool,
    /// A one-line message for the learner.
    pub notice: Option<String>,
    /// Set by `e`: the run loop suspends the terminal and runs the editor on this file.
    pub editor_request: Option<PathBuf>,
    events: Receiver<ScreenEvent>,
    sender: Sender<ScreenEvent>,
    waker: Option<Waker>,
    grader: Option<Grader>,
    watcher: Option<FileWatcher>,
    discovery: Option<JoinHandle<()>>,
    newest_job: u64,
}

impl ExerciseScreen {
    /// A screen for `exercise` and its workspace `file`, with no background part started
    /// (tests draw it like this; [`ExerciseScreen::start`] starts them).
    pub fn new(exercise: Arc<Exercise>, file: Result<PathBuf, String>) -> ExerciseScreen {
        let (sender, events) = mpsc::channel();
        ExerciseScreen {
            exercise,
            file,
            pythons: Pythons::Looking,
            grading_with: None,
            running: false,
            last: None,
            passed_before: Vec::new(),
            output_scroll: 0,
            confirm_reset: false,
            show_solution: false,
            notice: None,
            editor_request: None,
            events,
            sender,
            waker: None,
            grader: None,
            watcher: None,
            discovery: None,
            newest_job: 0,
        }
    }

    /// Starts the background parts: interpreter discovery (unless `found` is given: pyconc
    /// probes once per run), the watcher and the grader. `waker` wakes the app's loop.
    pub fn start(&mut self, found: Option<Found>, explicit: Option<PathBuf>, waker: Waker) {
        self.waker = Some(Arc::clone(&waker));
        let notify = {
            let sender = self.sender.clone();
            let waker = Arc::clone(&waker);
            move |event: ScreenEvent| {
                let _ = sender.send(event);
                waker();
            }
        };
        match found {
            Some(found) => notify(ScreenEvent::Pythons(found)),
            None => {
                let notify = notify.clone();
                self.discovery = std::thread::Builder::new()
                    .name("pythons".into())
                    .spawn(move || {
                        notify(ScreenEvent::Pythons(crate::pythons::discover(
                            explicit.as_deref(),
                        )))
                    })
                    .ok();
            }
        }
        let grader_notify = notify.clone();
        match Grader::spawn(move |e| grader_notify(ScreenEvent::Grader(e))) {
            Ok(grader) => self.grader = Some(grader),
            Err(e) => self.notice = Some(format!("could not start the grader: {e}")),
        }
        if let Ok(path) = &self.file {
            let watch_notify = Mutex::new(notify);
            match FileWatcher::start(path, move || {
                (watch_notify.lock().unwrap_or_else(|e| e.into_inner()))(ScreenEvent::FileChanged)
            }) {
                Ok(watcher) => self.watcher = Some(watcher),
                Err(e) => self.notice = Some(format!("cannot watch the file: {e}")),
            }
        }
    }

    /// The interpreters found, once discovery finished.
    pub fn found(&self) -> Option<&Found> {
        match &self.pythons {
            Pythons::Found(found) => Some(found),
            Pythons::Looking => None,
        }
    }

    /// The interpreter grading, if any.
    pub fn grader_python(&self) -> Option<&Interpreter> {
        self.found()?.interpreters.get(self.grading_with?)
    }

    /// Applies every pending background event; returns true if something changed. Records
    /// tries and passes in `progress` (the caller saves it).
    pub fn drain(&mut self, progress: &mut Progress) -> bool {
        let mut changed = false;
        while let Ok(event) = self.events.try_recv() {
            changed = true;
            self.apply_event(event, progress);
        }
        changed
    }

    /// Applies one event (tests call this directly).
    pub fn apply_event(&mut self, event: ScreenEvent, progress: &mut Progress) {
        match event {
            ScreenEvent::Pythons(found) => {
                let kept = progress
                    .exercises
                    .get(&self.exercise.id)
                    .and_then(|e| e.python.clone());
                // The kept choice, else the first interpreter new enough for this exercise,
                // else the first usable one (grading then says it is too old).
                let min = self.exercise.min_python;
                let chosen = kept
                    .as_deref()
                    .and_then(|k| found.usable().find(|i| i.path == k || i.real_path == k))
                    .or_else(|| found.usable().find(|i| i.version >= min))
                    .or_else(|| found.grader(None))
                    .map(|i| i.path.clone());
                self.grading_with =
                    chosen.and_then(|p| found.interpreters.iter().position(|i| i.path == p));
                self.pythons = Pythons::Found(found);
                self.regrade();
            }
            ScreenEvent::FileChanged => self.regrade(),
            ScreenEvent::Grader(GraderEvent::Started(seq)) => {
                if seq == self.newest_job {
                    self.running = true;
                }
            }
            ScreenEvent::Grader(GraderEvent::Finished(seq, result)) => {
                if seq != self.newest_job {
                    return;
                }
                self.running = false;
                self.output_scroll = 0;
                let entry = progress.exercise_mut(&self.exercise.id);
                self.passed_before.clear();
                let result = result.and_then(|mut runs| {
                    let last = runs.pop().ok_or_else(|| "no run was made".to_string())?;
                    self.passed_before = runs;
                    Ok(last)
                });
                match &result {
                    Ok(report) if report.verdict.passed() => entry.state = ExerciseState::Passed,
                    Ok(_) => {
                        entry.failed_tries += 1;
                        if entry.state == ExerciseState::NotStarted {
                            entry.state = ExerciseState::Attempted;
                        }
                    }
                    Err(_) => {}
                }
                self.last = Some(result);
            }
        }
    }

    /// Grades the file again with the chosen interpreter, then with a free-threaded one if
    /// one is found (cancelling a run in progress).
    pub fn regrade(&mut self) {
        let free_threaded = match (self.found(), self.grader_python()) {
            (Some(found), Some(python)) => found
                .second_grader(python, self.exercise.min_python)
                .cloned(),
            _ => None,
        };
        let (Ok(file), Some(python), Some(grader)) = (
            self.file.clone(),
            self.grader_python().cloned(),
            self.grader.as_mut(),
        ) else {
            return;
        };
        self.newest_job = grader.submit(Job {
            exercise: Arc::clone(&self.exercise),
            file,
            python,
            free_threaded,
        });
        self.running = true;
    }

    /// Grades with the next usable interpreter and keeps the choice in `progress`.
    pub fn switch_python(&mut self, progress: &mut Progress) {
        let Some(found) = self.found() else {
            self.notice = Some("still looking for interpreters".into());
            return;
        };
        let usable: Vec<usize> = found
            .interpreters
            .iter()
            .enumerate()
            .filter(|(_, i)| i.unusable_reason().is_none())
            .map(|(k, _)| k)
            .collect();
        if usable.len() < 2 {
            self.notice = Some("no other usable interpreter was found".into());
            return;
        }
        let at = self
            .grading_with
            .and_then(|g| usable.iter().position(|&k| k == g))
            .map_or(0, |p| (p + 1) % usable.len());
        let path = found.interpreters[usable[at]].path.clone();
        self.grading_with = Some(usable[at]);
        progress.exercise_mut(&self.exercise.id).python = Some(path.clone());
        progress.python = Some(path);
        // The header names the new grader at once and "grading…" shows; the verdict
        // names the interpreter that gave it, so an older one is never taken for this one's.
        self.notice = None;
        self.regrade();
    }

    /// Shows one more hint (kept in `progress`).
    pub fn next_hint(&mut self, progress: &mut Progress) {
        let total = self.exercise.hints.len() as u32;
        let entry = progress.exercise_mut(&self.exercise.id);
        if entry.hints_seen < total {
            entry.hints_seen += 1;
        } else {
            self.notice = Some("that was the last hint".into());
        }
    }

    /// Shows or hides the solution: allowed after passing, or after
    /// [`SOLUTION_AFTER_FAILED_TRIES`] failed tries.
    pub fn toggle_solution(&mut self, progress: &Progress) {
        if self.show_solution {
            self.show_solution = false;
            return;
        }
        let entry = progress.exercises.get(&self.exercise.id);
        let passed = entry.is_some_and(|e| e.state == ExerciseState::Passed);
        let tries = entry.map_or(0, |e| e.failed_tries);
        if passed || tries >= SOLUTION_AFTER_FAILED_TRIES {
            self.show_solution = true;
        } else {
            self.notice = Some(format!(
                "the solution opens after passing, or after {SOLUTION_AFTER_FAILED_TRIES} tries \
                 ({tries} so far): try a hint (h) first"
            ));
        }
    }

    /// Stops the watcher and the grader (joining their threads; a run in progress is
    /// killed). Interpreter discovery cannot be interrupted: when it is still probing, its
    /// thread is handed back for the caller to join later, off the UI's critical path.
    pub fn stop(&mut self) -> Option<JoinHandle<()>> {
        self.watcher = None;
        self.grader = None;
        match self.discovery.take() {
            Some(discovery) if discovery.is_finished() => {
                let _ = discovery.join();
                None
            }
            other => other,
        }
    }
}

impl Drop for ExerciseScreen {
    fn drop(&mut self) {
        if let Some(discovery) = self.stop() {
            let _ = discovery.join();
        }
    }
}
