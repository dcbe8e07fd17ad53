//! The `x` key of a demo: stop the simulation (its final figures become the "simulation"
//! column, and the twin gets the cores to itself), run the demo's real twin with the same
//! parameters on the chosen interpreter, and hand the panel what to draw: the twin's
//! strips while it runs, then the table and the known differences. Never blocks: the
//! demo's stop and the twin both finish on their own threads and are polled per frame.

use std::thread::JoinHandle;

use serde_json::Value;

use super::compare::{self, Row};
use super::recording::XrayView;
use super::twin_runner::{TwinPython, TwinRunner, TwinState};
use super::twins;

/// The span of the twin's strips, in seconds.
pub const TWIN_WINDOW_S: f64 = 5.0;
/// How long a gil twin measures from the TUI, in seconds.
pub const TUI_TWIN_SECONDS: f64 = 3.0;

enum SimFigures {
    Stopping(JoinHandle<Value>),
    Ready(Value),
}

/// A twin run beside a demo.
pub struct DemoTwin {
    demo: &'static str,
    params: Value,
    sim: SimFigures,
    runner: TwinRunner,
    state: TwinState,
    rows: Vec<Row>,
    differences: Vec<String>,
}

impl DemoTwin {
    /// Starts the twin of `demo` with `params` (the demo's JSON params) on `python`;
    /// `stopping` is the thread stopping the simulation, whose result is its final metrics.
    pub fn start(
        demo: &'static str,
        params: Value,
        stopping: JoinHandle<Value>,
        python: impl Into<TwinPython>,
    ) -> Result<DemoTwin, (String, JoinHandle<Value>)> {
        let twin = match twins::for_demo(demo, &params, TUI_TWIN_SECONDS) {
            Ok(t) => t,
            Err(e) => return Err((e, stopping)),
        };
        let runner = match TwinRunner::start(python.into(), twin) {
            Ok(r) => r,
            Err(e) => return Err((format!("cannot start the twin: {e}"), stopping)),
        };
        Ok(DemoTwin {
            demo,
            params,
            sim: SimFigures::Stopping(stopping),
            runner,
            state: TwinState::Running,
            rows: Vec::new(),
            differences: Vec::new(),
        })
    }

    /// Takes in finished work (never blocks); call once per frame.
    pub fn poll(&mut self) {
        if let SimFigures::Stopping(h) = &self.sim
            && h.is_finished()
        {
            let SimFigures::Stopping(h) =
                std::mem::replace(&mut self.sim, SimFigures::Ready(Value::Null))
            else {
                unreachable!()
            };
            let mut metrics = h.join().unwrap_or(Value::Null);
            if let Value::Object(map) = &mut metrics {
                map.insert("params".into(), self.params.clone());
            }
            self.sim = SimFigures::Ready(metrics);
        }
        self.state = self.runner.poll().clone();
        if let (SimFigures::Ready(sim), TwinState::Done(real)) = (&self.sim, &self.state)
            && self.rows.is_empty()
        {
            self.rows = compare::rows(self.demo, sim, real);
            self.differences = compare::differences(self.demo, sim, real);
        }
    }

    /// The twin script's file name.
    pub fn file(&self) -> &'static str {
        self.runner.twin.file
    }

    /// Where the twin was at the last [`DemoTwin::poll`].
    pub fn state(&self) -> &TwinState {
        &self.state
    }

    /// The panel to draw, with the twin's strips for `cells` cells.
    pub fn panel_parts(&self, cells: usize) -> (String, String, bool, Option<XrayView>, String) {
        let view = self.view(TWIN_WINDOW_S, cells);
        let facts = match &self.state {
            TwinState::Done(real) => real.facts.clone(),
            _ => view.as_ref().and_then(|v| v.run.facts.clone()),
        };
        let interp = facts
            .as_ref()
            .map_or("Python".to_string(), |f| f.short_name());
        let title = match self.runner.python() {
            Some(path) => format!("{} on {interp} ({path})", self.file()),
            None => format!("{} on {interp}", self.file()),
        };
        let (status, failed) = match &self.state {
            TwinState::Running => ("running… (simulation stopped)".to_string(), false),
            TwinState::Done(_) if self.rows.is_empty() => (
                "finished; reading the simulation's figures".to_string(),
                false,
            ),
            TwinState::Done(_) => (
                "done · x closes · r reruns the simulation".to_string(),
                false,
            ),
            TwinState::Failed(e) => (e.clone(), true),
        };
        (title, status, failed, view, format!("{interp} here"))
    }

    /// The twin's strips.
    pub fn view(&self, window_s: f64, cells: usize) -> Option<XrayView> {
        self.runner.view(window_s, cells)
    }

    /// The table rows (empty until both sides are in).
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The known differences.
    pub fn differences(&self) -> &[String] {
        &self.differences
    }
}

impl Drop for DemoTwin {
    fn drop(&mut self) {
        // The runner's drop kills the twin; the simulation's stop thread is joined here
        // (it is already stopping, so this is short).
        if let SimFigures::Stopping(h) =
            std::mem::replace(&mut self.sim, SimFigures::Ready(Value::Null))
        {
            let _ = h.join();
        }
    }
}
