//! The table "simulation | CPython X.Y here": for each demo with a twin, the figures that
//! matter, side by side, and the plain lines that say why they differ where the reason is
//! known (Rust's IPC is far cheaper than pickling; slow motion; no free-threaded build).
//! Pure functions over the simulation's metrics and the twin's figures.

use serde_json::Value;

use super::twins::RealRun;

/// One row: what, the simulation's value, the real one (as text, `None` when not measured).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The figure.
    pub label: String,
    /// The simulation's value.
    pub sim: Option<String>,
    /// The real interpreter's value.
    pub real: Option<String>,
}

/// Below this share of a core for one thread alone, the machine is called busy.
pub const BUSY_CORE_SHARE: f64 = 0.8;
/// How many times costlier per task CPython's IPC must be before the screen explains it.
pub const IPC_RATIO_WORTH_A_LINE: f64 = 10.0;

fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    v.pointer(path).filter(|x| !x.is_null())
}

fn f(v: &Value, path: &str) -> Option<f64> {
    at(v, path).and_then(Value::as_f64)
}

fn fmt(v: Option<f64>, unit: &str, places: usize) -> Option<String> {
    v.map(|x| format!("{x:.places$}{unit}"))
}

fn row(label: impl Into<String>, sim: Option<String>, real: Option<String>) -> Row {
    Row {
        label: label.into(),
        sim,
        real,
    }
}

/// IPC per task in the simulation, in µs (`ipc_ms` over the tasks done).
fn sim_ipc_us(sim: &Value) -> Option<f64> {
    let tasks = f(sim, "/tasks")?;
    (tasks > 0.0).then(|| f(sim, "/ipc_ms").unwrap_or(0.0) * 1000.0 / tasks)
}

fn real_per_task_us(real: &Value, chunksize: i64) -> Option<f64> {
    at(real, "/chunksizes")?
        .as_array()?
        .iter()
        .find(|r| r["chunksize"].as_i64() == Some(chunksize))
        .and_then(|r| r["per_task_us"].as_f64())
}

/// A row whose figure sits at the same `path` in both runs, shown alike.
fn same(
    label: impl Into<String>,
    sim: &Value,
    real: &Value,
    path: &str,
    unit: &str,
    places: usize,
) -> Row {
    row(
        label,
        fmt(f(sim, path), unit, places),
        fmt(f(real, path), unit, places),
    )
}

/// The table's rows for `demo`.
pub fn rows(demo: &str, sim: &Value, real: &RealRun) -> Vec<Row> {
    let r = &real.figures;
    match demo {
        "gil" => {
            // Each thread's workload as the demo ran it (its figures list them).
            let io = at(sim, "/threads")
                .and_then(Value::as_array)
                .is_some_and(|ts| ts.iter().any(|t| t["workload"] == "io"));
            // Short enough for the table's label column at 80 columns (20 characters).
            let mut out = vec![same("speedup, cpu threads", sim, r, "/speedup", "x", 2)];
            // The I/O figures only where some thread does I/O (all "—" otherwise).
            if io {
                out.extend([
                    same("I/O latency p50", sim, r, "/io_latency_ms/p50", " ms", 2),
                    same("I/O latency p99", sim, r, "/io_latency_ms/p99", " ms", 2),
                    same("I/O operations/s", sim, r, "/io_ops_per_s", "/s", 1),
                ]);
            }
            // The real count is x-ray's estimate from its samples.
            out.push(row(
                "GIL switches/s (est)",
                fmt(f(sim, "/switches_per_s"), "/s", 0),
                fmt(f(&real.xray, "/gil_handoffs_per_s"), "/s", 0),
            ));
            out
        }
        "asyncio" => vec![
            same("loop lag p50", sim, r, "/lag_ms/p50", " ms", 2),
            same("loop lag p99", sim, r, "/lag_ms/p99", " ms", 2),
            same("loop lag max", sim, r, "/lag_ms/max", " ms", 1),
            same("time over the ideal", sim, r, "/overhead_s", " s", 3),
        ],
        "processes" => {
            let chunk = f(sim, "/params/chunksize").unwrap_or(1.0) as i64;
            let mut out = vec![row(
                format!("IPC/task chunksize {chunk}"),
                fmt(sim_ipc_us(sim), " µs", 1),
                fmt(real_per_task_us(r, chunk), " µs", 1),
            )];
            for c in super::twins::CHUNKSIZES {
                if c != chunk {
                    out.push(row(
                        format!("IPC/task chunksize {c}"),
                        None,
                        fmt(real_per_task_us(r, c), " µs", 1),
                    ));
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Plain lines for differences with a known reason.
pub fn differences(demo: &str, sim: &Value, real: &RealRun) -> Vec<String> {
    let mut out = Vec::new();
    if f(sim, "/params/timescale").is_some_and(|t| t != 1.0) {
        out.push(
            "the simulation ran in slow motion; CPython ran in real time, so times differ by that factor"
                .to_string(),
        );
    }
    match demo {
        "gil" => {
            let mode = at(sim, "/params/mode")
                .and_then(Value::as_str)
                .unwrap_or("");
            if mode == "free-threaded" && real.facts.as_ref().is_some_and(|f| f.has_gil()) {
                out.push(
                    "this interpreter has a GIL, so its threads took turns; pick a free-threaded one (python3.13t) to compare"
                        .to_string(),
                );
            }
            if let Some(share) = f(&real.figures, "/reference_core_share")
                && share < BUSY_CORE_SHARE
            {
                out.push(format!(
                    "busy machine: one Python thread alone got {:.0}% of a core, so more threads also got more of the scheduler's time and speedups here are not the GIL's alone",
                    share * 100.0
                ));
            }
            if mode == "gil-legacy" {
                out.push("Python 3 has no legacy GIL: only the simulation can show it".to_string());
            }
        }
        "processes" => {
            let chunk = f(sim, "/params/chunksize").unwrap_or(1.0) as i64;
            if let (Some(s), Some(r)) = (sim_ipc_us(sim), real_per_task_us(&real.figures, chunk)) {
                if s > 0.0 && r / s >= IPC_RATIO_WORTH_A_LINE {
                    out.push(format!(
                        "CPython pickles every task and passes it through a feeder thread and a pipe; pyconc's Rust workers get raw bytes, so a task costs {:.0}x more here",
                        r / s
                    ));
                } else if s > 0.0 && s / r >= IPC_RATIO_WORTH_A_LINE {
                    out.push(format!(
                        "the simulation's IPC time includes waiting for a busy worker; CPython's tiny tasks never wait, so its per-task cost is {:.0}x lower here",
                        s / r
                    ));
                }
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn real(figures: Value) -> RealRun {
        RealRun {
            figures,
            facts: None,
            xray: json!({"gil_handoffs_per_s": 95.0}),
        }
    }

    #[test]
    fn gil_rows_line_up_the_figures_that_matter() {
        let sim = json!({"params": {"threads": 2, "mode": "gil", "timescale": 1.0,
            "workload": "cpu,io"}, "threads": [{"workload": "cpu"}, {"workload": "io"}],
            "speedup": 1.35, "io_latency_ms": {"p50": 8.0, "p99": 20.3}, "io_ops_per_s": 50.0,
            "switches_per_s": 100.0});
        let r = real(
            json!({"speedup": 1.24, "io_latency_ms": {"p50": 15.3, "p99": 34.7},
            "io_ops_per_s": 38.4}),
        );
        let rows = rows("gil", &sim, &r);
        assert_eq!(rows[0].label, "speedup, cpu threads");
        assert_eq!(rows[0].sim.as_deref(), Some("1.35x"));
        assert_eq!(rows[0].real.as_deref(), Some("1.24x"));
        assert_eq!(rows[1].real.as_deref(), Some("15.30 ms"));
        assert_eq!(rows[4].real.as_deref(), Some("95/s"));
        // No I/O thread: no I/O rows, which could only read "—".
        let mut cpu_only = sim.clone();
        cpu_only["params"]["workload"] = json!("cpu");
        cpu_only["threads"] = json!([{"workload": "cpu"}, {"workload": "cpu"}]);
        let labels: Vec<String> = super::rows("gil", &cpu_only, &r)
            .into_iter()
            .map(|row| row.label)
            .collect();
        assert_eq!(labels, ["speedup, cpu threads", "GIL switches/s (est)"]);
        // The rows follow each thread's workload as the demo reports it (`cpu,io` on 3
        // threads ran cpu, io, io; `io,cpu` on 1 thread ran io).
        let mut one_io = sim.clone();
        one_io["params"]["workload"] = json!("cpu,io");
        one_io["params"]["threads"] = json!(3);
        one_io["threads"] = json!([{"workload": "cpu"}, {"workload": "io"}, {"workload": "io"}]);
        assert_eq!(super::rows("gil", &one_io, &r).len(), 5);
        let mut first_only = sim.clone();
        first_only["params"]["workload"] = json!("io,cpu");
        first_only["params"]["threads"] = json!(1);
        first_only["threads"] = json!([{"workload": "io"}]);
        assert_eq!(super::rows("gil", &first_only, &r).len(), 5);
        assert!(differences("gil", &sim, &r).is_empty());
        let busy = real(json!({"reference_core_share": 0.3}));
        assert!(differences("gil", &sim, &busy)[0].contains("30% of a core"));
    }

    #[test]
    fn a_big_ipc_gap_is_explained_in_one_line() {
        let sim = json!({"params": {"chunksize": 1}, "tasks": 100, "ipc_ms": 0.1});
        let r = real(json!({"chunksizes": [{"chunksize": 1, "per_task_us": 70.0},
            {"chunksize": 500, "per_task_us": 2.0}]}));
        let rows = rows("processes", &sim, &r);
        assert_eq!(rows[0].sim.as_deref(), Some("1.0 µs"));
        assert_eq!(rows[0].real.as_deref(), Some("70.0 µs"));
        assert_eq!(rows[1].label, "IPC/task chunksize 500");
        let d = differences("processes", &sim, &r);
        assert_eq!(d.len(), 1);
        assert!(d[0].contains("pickles") && d[0].contains("70x"));
    }

    #[test]
    fn slow_motion_and_a_missing_free_threaded_build_are_said() {
        let sim = json!({"params": {"mode": "free-threaded", "timescale": 10.0}});
        let mut r = real(json!({}));
        r.facts = Some(crate::xray::protocol::InterpreterFacts {
            implementation: "cpython".into(),
            version: "3.11.7".into(),
            gil_enabled: None,
            free_threaded: false,
            switch_interval_s: 0.005,
            executable: String::new(),
            thread_cpu_clock: true,
            pid: 1,
        });
        let d = differences("gil", &sim, &r);
        assert_eq!(d.len(), 2, "{d:?}");
    }
}
