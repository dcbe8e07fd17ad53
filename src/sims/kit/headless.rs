//! Runs a demo without a terminal for a fixed time and collects its final metrics as one
//! JSON object: `{"demo", "params", "elapsed_s", ...the engine's own metrics}`.

use std::time::{Duration, Instant};

use serde_json::{Map, Value};

pub use super::figures::round3;
use crate::sims::{Engine, Params, StartError};

/// How often the runner looks whether a finite demo has ended.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Starts `engine` with `params`, lets it run for `seconds` (or until it finishes, if it
/// has an end), stops it (joining every thread) and returns the merged metrics.
pub fn run(engine: &dyn Engine, params: &Params, seconds: f64) -> Result<Value, StartError> {
    let started = Instant::now();
    let budget = Duration::from_secs_f64(seconds.max(0.0));
    let demo = engine.start(params)?;
    while started.elapsed() < budget && !demo.is_finished() {
        std::thread::sleep(POLL_INTERVAL.min(budget.saturating_sub(started.elapsed())));
    }
    let metrics = demo.stop();
    Ok(report(
        engine,
        params,
        started.elapsed().as_secs_f64(),
        metrics,
    ))
}

/// The headless output: `demo`, `params`, `elapsed_s`, then the engine's own metrics.
pub fn report(engine: &dyn Engine, params: &Params, elapsed_s: f64, metrics: Value) -> Value {
    let mut out = Map::new();
    out.insert("demo".into(), Value::from(engine.name()));
    out.insert("params".into(), params.to_json());
    out.insert("elapsed_s".into(), Value::from(round3(elapsed_s)));
    if let Value::Object(fields) = metrics {
        for (k, v) in fields {
            out.entry(k).or_insert(v);
        }
    }
    Value::Object(out)
}
