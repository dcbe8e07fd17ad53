//! The background grader the TUI uses: one runner thread takes grading jobs from a channel
//! and reports each result through a callback (the app turns it into a message of its
//! loop). A job that passes on the chosen interpreter runs again on a free-threaded one
//! when such an interpreter is found, as `pyconc exercise --check` does. Submitting a job
//! cancels the run in progress (its whole process group is killed) and skips jobs still
//! queued, so only the newest save is graded. Dropping the grader cancels, stops and joins
//! the thread.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::Exercise;
use super::grade::{self, GradeError, Report};
use crate::child::Cancel;
use crate::pythons::Interpreter;

/// One grading to do.
#[derive(Debug, Clone)]
pub struct Job {
    /// The exercise.
    pub exercise: Arc<Exercise>,
    /// The learner's file.
    pub file: PathBuf,
    /// The interpreter to grade with.
    pub python: Interpreter,
    /// A free-threaded interpreter the same checks also run on once `python` passes (`None`
    /// when none is found or `python` is it).
    pub free_threaded: Option<Interpreter>,
}

/// A finished grading: the runs in order, ending at the first that did not pass (one run,
/// or two with a free-threaded interpreter). Never empty.
pub type Runs = Vec<Report>;

/// What the grader reports.
#[derive(Debug, Clone)]
pub enum GraderEvent {
    /// Job `seq` started running.
    Started(u64),
    /// Job `seq` finished (not sent for a cancelled job).
    Finished(u64, Result<Runs, String>),
}

/// The runner thread and its controls.
pub struct Grader {
    jobs: Option<Sender<(u64, Job)>>,
    current: Arc<Mutex<Option<Cancel>>>,
    thread: Option<JoinHandle<()>>,
    next_seq: u64,
}

impl Grader {
    /// Starts the runner thread; `on_event` is called on it for every event.
    pub fn spawn(on_event: impl Fn(GraderEvent) + Send + 'static) -> std::io::Result<Grader> {
        let (tx, rx) = mpsc::channel::<(u64, Job)>();
        let current: Arc<Mutex<Option<Cancel>>> = Arc::new(Mutex::new(None));
        let shared = Arc::clone(&current);
        let thread = std::thread::Builder::new()
            .name("grader".into())
            .spawn(move || runner(rx, shared, on_event))?;
        Ok(Grader {
            jobs: Some(tx),
            current,
            thread: Some(thread),
            next_seq: 1,
        })
    }

    /// Queues `job`, cancelling the run in progress; returns the job's number.
    pub fn submit(&mut self, job: Job) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.cancel_current();
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send((seq, job));
        }
        seq
    }

    /// Cancels the run in progress, if any.
    pub fn cancel_current(&self) {
        if let Some(cancel) = self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            cancel.cancel();
        }
    }
}

impl Drop for Grader {
    fn drop(&mut self) {
        self.jobs = None;
        self.cancel_current();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn runner(
    rx: Receiver<(u64, Job)>,
    current: Arc<Mutex<Option<Cancel>>>,
    on_event: impl Fn(GraderEvent),
) {
    while let Ok(mut next) = rx.recv() {
        // Only the newest queued job matters.
        while let Ok(newer) = rx.try_recv() {
            next = newer;
        }
        let (seq, job) = next;
        let cancel = Cancel::new();
        *current.lock().unwrap_or_else(|e| e.into_inner()) = Some(cancel.clone());
        on_event(GraderEvent::Started(seq));
        let result = grade_on_each(&job, &cancel);
        *current.lock().unwrap_or_else(|e| e.into_inner()) = None;
        match result {
            Err(GradeError::Cancelled) => {}
            Ok(runs) => on_event(GraderEvent::Finished(seq, Ok(runs))),
            Err(e) => on_event(GraderEvent::Finished(seq, Err(e.to_string()))),
        }
    }
}

/// Grades on the chosen interpreter, then on the free-threaded one while every run passes.
fn grade_on_each(job: &Job, cancel: &Cancel) -> Result<Runs, GradeError> {
    let mut runs = Vec::new();
    for python in std::iter::once(&job.python).chain(job.free_threaded.as_ref()) {
        let report = grade::grade(&job.exercise, &job.file, python, cancel)?;
        let passed = report.verdict.passed();
        runs.push(report);
        if !passed {
            break;
        }
    }
    Ok(runs)
}
