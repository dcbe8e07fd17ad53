//! The demos' real-Python twins: one standard-library script per demo
//! (`assets/python/twins/*.py`, embedded), the arguments that make it do what the demo did
//! with the same parameters, and a run of it under x-ray whose last stdout line is its
//! figures. Parameters are read from the demo's JSON `params` object (the headless output's
//! format), so this module does not depend on how engines hold them.

use std::ffi::OsString;
use std::time::Duration;

use serde_json::{Value, json};

use super::protocol::InterpreterFacts;
use super::report;
use super::run::{Outcome, XrayOptions, XrayRun};
use crate::child::Exit;

/// The `gil` demo's twin.
pub const GIL_PY: &str = include_str!("../../assets/python/twins/gil.py");
/// The `asyncio` demo's twin (scenarios blocking and offload).
pub const ASYNCIO_PY: &str = include_str!("../../assets/python/twins/asyncio_lag.py");
/// The `processes` demo's twin (chunksize cost).
pub const CHUNKSIZE_PY: &str = include_str!("../../assets/python/twins/chunksize.py");
/// The longest a twin may run.
pub const TWIN_LIMIT: Duration = Duration::from_secs(120);
/// The longest a gil twin measures, in seconds, whatever the headless run's length.
pub const MAX_GIL_TWIN_S: f64 = 5.0;
/// The chunksizes the processes twin always compares.
pub const CHUNKSIZES: [i64; 2] = [1, 500];

/// The demos that have a real-Python twin.
pub const DEMOS_WITH_TWINS: [&str; 3] = ["gil", "asyncio", "processes"];

/// A twin script with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Twin {
    /// The demo it mirrors.
    pub demo: &'static str,
    /// The script's file name.
    pub file: &'static str,
    /// The script.
    pub source: &'static str,
    /// Its arguments.
    pub args: Vec<String>,
}

fn num(params: &Value, name: &str) -> Result<f64, String> {
    params
        .get(name)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("the demo's parameters have no number `{name}`"))
}

fn text<'a>(params: &'a Value, name: &str) -> Result<&'a str, String> {
    params
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the demo's parameters have no `{name}`"))
}

/// The twin of `demo` run with `params` (the demo's JSON params) for about `seconds`, or
/// why there is none.
pub fn for_demo(demo: &str, params: &Value, seconds: f64) -> Result<Twin, String> {
    match demo {
        "gil" => {
            let secs = seconds.clamp(0.5, MAX_GIL_TWIN_S);
            Ok(Twin {
                demo: "gil",
                file: "gil.py",
                source: GIL_PY,
                args: vec![
                    "--threads".into(),
                    (num(params, "threads")? as i64).to_string(),
                    "--workload".into(),
                    text(params, "workload")?.to_string(),
                    "--mode".into(),
                    text(params, "mode")?.to_string(),
                    "--switch-interval-ms".into(),
                    num(params, "switch_interval_ms")?.to_string(),
                    "--io-ms".into(),
                    num(params, "io_ms")?.to_string(),
                    "--seconds".into(),
                    format!("{secs:.3}"),
                ],
            })
        }
        "asyncio" => {
            let scenario = text(params, "scenario")?;
            if !matches!(scenario, "blocking" | "offload") {
                return Err(format!(
                    "the asyncio twin mirrors the scenarios blocking and offload, not `{scenario}`"
                ));
            }
            Ok(Twin {
                demo: "asyncio",
                file: "asyncio_lag.py",
                source: ASYNCIO_PY,
                args: vec![
                    "--scenario".into(),
                    scenario.into(),
                    "--tasks".into(),
                    (num(params, "tasks")? as i64).to_string(),
                    "--block-ms".into(),
                    num(params, "block_ms")?.to_string(),
                ],
            })
        }
        "processes" => {
            let chunk = num(params, "chunksize")? as i64;
            let mut args = vec![
                "--workers".into(),
                (num(params, "workers")? as i64).to_string(),
                "--tasks".into(),
                (num(params, "tasks")? as i64).to_string(),
                "--payload-kb".into(),
                (num(params, "payload_kb")? as i64).to_string(),
            ];
            let mut sizes = CHUNKSIZES.to_vec();
            if !sizes.contains(&chunk) {
                sizes.insert(0, chunk);
            }
            for c in sizes {
                args.push("--chunksize".into());
                args.push(c.to_string());
            }
            Ok(Twin {
                demo: "processes",
                file: "chunksize.py",
                source: CHUNKSIZE_PY,
                args,
            })
        }
        other => Err(format!(
            "the `{other}` demo has no real-Python twin (twins: {})",
            DEMOS_WITH_TWINS.join(", ")
        )),
    }
}

/// A twin's run: its figures, the interpreter's facts and what x-ray saw.
#[derive(Debug, Clone)]
pub struct RealRun {
    /// The twin's last stdout line, parsed.
    pub figures: Value,
    /// The interpreter's facts (from the bootstrap).
    pub facts: Option<InterpreterFacts>,
    /// The x-ray report of the run (threads' shares, GIL hand-offs, sampling).
    pub xray: Value,
}

impl RealRun {
    /// "CPython 3.11 here".
    pub fn column_title(&self) -> String {
        match &self.facts {
            Some(f) => format!("{} here", f.short_name()),
            None => "Python here".to_string(),
        }
    }
}

/// A twin started under x-ray; poll [`StartedTwin::is_finished`], then [`StartedTwin::finish`].
pub struct StartedTwin {
    run: XrayRun,
    _dir: tempfile::TempDir,
}

impl StartedTwin {
    /// Writes the twin's script to a temporary folder and starts it under x-ray;
    /// `die_with_caller`: see [`XrayOptions::die_with_parent`].
    pub fn start(
        python: OsString,
        twin: &Twin,
        die_with_caller: bool,
    ) -> Result<StartedTwin, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("cannot make a folder: {e}"))?;
        let script = dir.path().join(twin.file);
        std::fs::write(&script, twin.source).map_err(|e| format!("cannot write the twin: {e}"))?;
        let opts = XrayOptions {
            python,
            script,
            args: twin.args.iter().map(OsString::from).collect(),
            time_limit: Some(TWIN_LIMIT),
            raw_out: None,
            portable: false,
            die_with_parent: die_with_caller,
        };
        let run = XrayRun::start(&opts).map_err(|e| e.to_string())?;
        Ok(StartedTwin { run, _dir: dir })
    }

    /// The run, for drawing its strips while it goes.
    pub fn xray(&self) -> &XrayRun {
        &self.run
    }

    /// True once the twin has ended.
    pub fn is_finished(&self) -> bool {
        self.run.is_finished()
    }

    /// Kills it now (leaving a demo) and joins everything.
    pub fn stop(mut self) {
        self.run.stop();
    }

    /// Waits for the end and reads the figures.
    pub fn finish(mut self) -> Result<RealRun, String> {
        let outcome = self.run.finish();
        read_outcome(&outcome)
    }
}

/// Runs `twin` on `python` to the end, from the main thread (blocking: not for the UI).
pub fn run(python: OsString, twin: &Twin) -> Result<RealRun, String> {
    let started = StartedTwin::start(python, twin, true)?;
    while !started.is_finished() {
        std::thread::sleep(Duration::from_millis(20));
    }
    started.finish()
}

fn read_outcome(outcome: &Outcome) -> Result<RealRun, String> {
    let stdout = outcome.stdout.text();
    let figures = stdout.lines().rev().find_map(|l| {
        serde_json::from_str::<Value>(l.trim())
            .ok()
            .filter(Value::is_object)
    });
    match (figures, &outcome.exit) {
        (Some(figures), Exit::Code(0)) => Ok(RealRun {
            figures,
            facts: outcome.recording.run.facts.clone(),
            xray: report::recording_json(&outcome.recording),
        }),
        (_, exit) => {
            let err = outcome.stderr.text();
            let last = err.lines().last().unwrap_or("").to_string();
            Err(format!("the twin {}: {last}", exit.describe()))
        }
    }
}

/// The `real` object of `pyconc demo NAME --headless --json --real`.
pub fn real_json(demo: &str, sim: &Value, real: &RealRun) -> Value {
    let rows = super::compare::rows(demo, sim, real);
    json!({
        "interpreter": real.facts,
        "figures": real.figures,
        "xray": {
            "gil_found": real.xray["gil_found"],
            "gil_handoffs_per_s": real.xray["gil_handoffs_per_s"],
            "sampling": real.xray["sampling"],
            "threads": real.xray["threads"],
        },
        "table": {
            "columns": ["figure", "simulation", real.column_title()],
            "rows": rows.iter().map(|r| json!([r.label, r.sim, r.real])).collect::<Vec<_>>(),
        },
        "differences": super::compare::differences(demo, sim, real),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gil_twin_gets_the_demos_parameters() {
        let params = json!({"threads": 3, "workload": "cpu,io", "mode": "processes",
            "switch_interval_ms": 2.5, "io_ms": 10.0, "timescale": 1.0});
        let t = for_demo("gil", &params, 30.0).unwrap();
        assert_eq!(
            t.args,
            [
                "--threads",
                "3",
                "--workload",
                "cpu,io",
                "--mode",
                "processes",
                "--switch-interval-ms",
                "2.5",
                "--io-ms",
                "10",
                "--seconds",
                "5.000"
            ]
        );
    }

    #[test]
    fn the_processes_twin_always_compares_1_and_500() {
        let params = json!({"workers": 2, "tasks": 256, "payload_kb": 1, "chunksize": 8});
        let t = for_demo("processes", &params, 5.0).unwrap();
        let sizes: Vec<&str> = t
            .args
            .windows(2)
            .filter(|w| w[0] == "--chunksize")
            .map(|w| w[1].as_str())
            .collect();
        assert_eq!(sizes, ["8", "1", "500"]);
    }

    #[test]
    fn demos_without_a_twin_say_so() {
        assert!(
            for_demo("race", &json!({}), 1.0)
                .unwrap_err()
                .contains("no real-Python twin")
        );
        let e = for_demo("asyncio", &json!({"scenario": "gather"}), 1.0).unwrap_err();
        assert!(e.contains("blocking and offload"));
    }

    #[test]
    fn every_twin_ends_with_one_json_line_and_uses_the_stdlib_only() {
        for src in [GIL_PY, ASYNCIO_PY, CHUNKSIZE_PY] {
            assert!(src.contains("print(") && src.contains("json.dumps("));
            for line in src
                .lines()
                .filter(|l| l.starts_with("import ") || l.starts_with("from "))
            {
                let module = line.split_whitespace().nth(1).unwrap();
                assert!(
                    [
                        "argparse",
                        "asyncio",
                        "json",
                        "multiprocessing",
                        "sys",
                        "threading",
                        "time",
                        "concurrent.futures"
                    ]
                    .contains(&module),
                    "{module} is not in the standard library list"
                );
            }
        }
    }
}
