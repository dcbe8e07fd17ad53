//! The headless report of a run (`pyconc xray SCRIPT --json`): one JSON object with the
//! interpreter's facts, the elapsed time, what sampling could read and at what rate, the
//! whole-run figures and, per thread, the share of sampled time in each state.

use serde_json::{Value, json};

use super::classify::XState;
use super::recording::{Recording, SamplingMode};
use super::run::Outcome;

/// How many of the last stdout lines the report carries.
pub const STDOUT_TAIL_LINES: usize = 20;

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// The report of a finished run.
pub fn report(out: &Outcome, script: &str) -> Value {
    let rec = &out.recording;
    let mut value = recording_json(rec);
    if let Value::Object(map) = &mut value {
        map.insert("script".into(), Value::from(script));
        map.insert("exit".into(), json!(out.exit));
        map.insert("stdout_bytes".into(), Value::from(out.stdout.total));
        let text = out.stdout.text();
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(STDOUT_TAIL_LINES)..];
        map.insert("stdout_tail".into(), json!(tail));
        map.insert("stderr_bytes".into(), Value::from(out.stderr.total));
    }
    value
}

/// The part of the report that comes from the recording alone.
pub fn recording_json(rec: &Recording) -> Value {
    let gil = rec.gil();
    let full = rec.run.mode == SamplingMode::Full;
    let stat = rec.run.mode != SamplingMode::Portable;
    let elapsed = rec.elapsed_s();
    let threads: Vec<Value> = rec
        .tracks()
        .into_iter()
        .map(|t| {
            let shares = t.shares(gil);
            let share = |s: XState| round(shares.get(&s).copied().unwrap_or(0.0), 4);
            let waits = |s: XState| if full { Value::from(share(s)) } else { Value::Null };
            json!({
                "name": t.name.clone().unwrap_or_else(|| format!("thread {}", t.tid)),
                "native_id": t.tid,
                "main": t.main,
                "running": if stat { Value::from(share(XState::Running)) } else { Value::Null },
                "gil_wait": waits(XState::GilWait),
                "lock_wait": waits(XState::LockWait),
                "io": waits(XState::Io),
                "blocked_unknown": if full || !stat { Value::Null } else { Value::from(share(XState::Blocked)) },
                "cpu_s": t.cpu_s().map(|c| round(c, 4)),
                "samples": t.samples(),
            })
        })
        .collect();
    json!({
        "interpreter": rec.run.facts,
        "elapsed_s": round(elapsed, 3),
        "cpu_s": round(rec.tracks().iter().filter_map(|t| t.cpu_s()).sum::<f64>(), 4),
        "sampling": {
            "mode": rec.run.mode,
            "limitation": rec.run.mode_reason,
            "readable": match rec.run.mode {
                SamplingMode::Full => vec!["stat", "schedstat", "syscall"],
                SamplingMode::StatOnly => vec!["stat", "schedstat"],
                SamplingMode::Portable => vec![],
            },
            "ticks": rec.ticks(),
            "rate_hz": round(rec.rate_hz(), 1),
            "sampler_cpu_s": round(rec.sampler_cpu_s, 4),
            "sampler_cpu_share": if elapsed > 0.0 { round(rec.sampler_cpu_s / elapsed, 4) } else { 0.0 },
        },
        "gil_found": gil.is_some(),
        "gil_handoffs_per_s": rec.handoffs_per_s().map(|h| round(h, 1)),
        "threads": threads,
    })
}
