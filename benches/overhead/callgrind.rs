//! Instruction counts (deterministic where time ratios are noise): each single-worker
//! piece runs once, bare and instrumented, under `valgrind --tool=callgrind`, in a child
//! of this bench (`overhead callgrind-one PIECE SIDE`); the table gives the instructions
//! each side executed in the whole process (start-up included, the same for both), the
//! instructions the instrumentation adds per piece of work, and the overhead as a share of
//! the bare count. The processes piece counts pyconc's side only (valgrind does not follow
//! the worker children). The GIL is left out: its work is time-based (batches until the
//! switch interval), and under valgrind's 50x slowdown its time-driven parts (the
//! conductor's frames, the calibration windows) weigh 50x more than they do natively.

use std::process::Command;
use std::time::Duration;

use pyconc::sims::kit::config::EngineConfig;
use pyconc::sims::pool::PoolConfig;
use pyconc::sims::processes::ProcConfig;
use pyconc::sims::race::{RaceMode, RaceSetup};

use crate::engines::{params, pool_rate, processes_rate, queue_params, queue_rate, race_rate};

/// The pieces: name, what runs, the unit of work counted and how many of them.
const PIECES: &[(&str, &str, &str, u64)] = &[
    (
        "pool",
        "1 worker, 2,000 tiny tasks (par + seq)",
        "task",
        4_000,
    ),
    (
        "processes",
        "1 worker process, 500 tiny tasks, chunk 1",
        "chunk",
        500,
    ),
    (
        "race",
        "1 thread, 1,000,000 increments, unsafe",
        "incr",
        1_000_000,
    ),
    (
        "race-local",
        "1 thread, 1,000,000 increments, local",
        "incr",
        1_000_000,
    ),
    (
        "queue",
        "1 producer, 1 consumer, 2,000 items",
        "item",
        2_000,
    ),
];

/// Where the counts start: [`run_one`] calls it once the process is set up, and valgrind
/// zeroes its counters on entering it (`--zero-before`).
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn pyconc_callgrind_zero() {
    std::hint::black_box(());
}

/// Runs one piece in this process (the child under valgrind). The task clock calibrates
/// first: quanta's calibration spins until it converges or 200 ms pass, a number of
/// instructions that depends on time, so the counts start after it.
pub fn run_one(piece: &str, instrumented: bool) {
    let _ = pyconc::sims::kit::monotonic::warm_up().map(|t| t.join());
    pyconc_callgrind_zero();
    match piece {
        "pool" => {
            let p = params(
                &pyconc::sims::pool::INFO,
                &[("workers", "1"), ("workload", "tiny"), ("tasks", "2000")],
            );
            pool_rate(PoolConfig::from_params(&p).expect("pool"), instrumented);
        }
        "processes" => {
            let p = params(
                &pyconc::sims::processes::INFO,
                &[("workers", "1"), ("workload", "tiny"), ("tasks", "500")],
            );
            processes_rate(
                ProcConfig::from_params(&p).expect("processes"),
                instrumented,
            );
        }
        "race" | "race-local" => {
            let setup = RaceSetup {
                mode: if piece == "race" {
                    RaceMode::Unsafe
                } else {
                    RaceMode::Local
                },
                threads: 1,
                increments: 1_000_000,
            };
            race_rate(setup, instrumented);
        }
        "queue" => {
            queue_rate(&queue_params(1, 2_000, 0), 2_000, instrumented);
        }
        // Not a bare/instrumented pair: the GIL's snapshot build at 16 threads, counted
        // (run by hand: `overhead callgrind-one gil-snapshot bare`).
        "gil-snapshot" => {
            let _ = crate::snapshots::gil_build_us();
        }
        other => panic!("no piece {other}"),
    }
}

/// Instructions of one side of `piece` under callgrind, or why not.
fn count(piece: &str, instrumented: bool) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("pyconc-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let side = if instrumented { "instrumented" } else { "bare" };
    let out_file = dir.join(format!("{piece}-{side}.out"));
    let out = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--zero-before=pyconc_callgrind_zero")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(&exe)
        .args(["callgrind-one", piece, side])
        .output()
        .map_err(|e| format!("valgrind did not start: {e}"))?;
    // The dump's totals count from the last zeroing (stderr's total counts from the start).
    let dump = std::fs::read_to_string(&out_file).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    dump.lines()
        .find_map(|l| l.strip_prefix("totals:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            format!("no instruction count from valgrind: {}", tail.join(" | "))
        })
}

/// Prints the instruction-count table.
pub fn table() {
    println!(
        "instruction counts under valgrind --tool=callgrind (the whole process after its set-up, deterministic)"
    );
    println!(
        "{:<10} {:<44} {:>14} {:>14} {:>12} {:>9}",
        "piece", "work", "bare Ir", "instr. Ir", "+Ir per", "overhead"
    );
    for (piece, work, unit, n) in PIECES {
        let started = std::time::Instant::now();
        match (count(piece, false), count(piece, true)) {
            (Ok(bare), Ok(instr)) => {
                let added = (instr as f64 - bare as f64) / *n as f64;
                println!(
                    "{piece:<10} {work:<44} {bare:>14} {instr:>14} {:>12} {:>+8.2}%",
                    format!("{added:.3}/{unit}"),
                    (instr as f64 / bare as f64 - 1.0) * 100.0
                );
            }
            (Err(e), _) | (_, Err(e)) => println!("{piece:<10} {e}"),
        }
        if started.elapsed() > Duration::from_secs(600) {
            println!("(stopping: valgrind runs take over 10 minutes here)");
            break;
        }
    }
    println!();
}
