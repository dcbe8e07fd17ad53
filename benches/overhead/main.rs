//! What pyconc's instrumentation costs (a plain program, not a timed test): each engine's
//! work run bare and instrumented, alternately in one process, medians of the rounds, and
//! the overhead as a share of the work rate, in one table; the asyncio per-task cost from
//! 1,000 to 1,000,000 tasks beside CPython 3.14's asyncio when a 3.14 is found; the cost
//! of a snapshot at 16 threads; and, where valgrind is installed and asked for,
//! deterministic instruction counts of the single-worker pieces.
//!
//! ```text
//! cargo bench --bench overhead                 # everything (a few minutes)
//! cargo bench --bench overhead -- quick        # fewer rounds, shorter runs, no 1,000,000 row
//! cargo bench --bench overhead -- callgrind    # only the instruction counts (valgrind)
//! cargo bench --bench overhead -- snapshots    # only the snapshots at 16 threads
//! cargo bench --bench overhead -- only=queue   # one engine's rows (any engine but asyncio)
//! ```
//!
//! The bare side is always the engine's own code with its instrumentation switched off
//! (see [`engines`]); asyncio's bare side is tokio itself spawning the same sleeps.
//! Figures from a shared, noisy machine: read the ratios with their noise column and
//! quote the load average printed with them.

mod asyncio;
mod callgrind;
mod engines;
mod snapshots;
mod table;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, piece, side, ..] = &args[..]
        && cmd == "callgrind-one"
    {
        callgrind::run_one(piece, side == "instrumented");
        return;
    }
    println!("pyconc overhead bench ({})", table::machine());
    println!();
    if args.iter().any(|a| a == "callgrind") {
        callgrind::table();
        return;
    }
    let quick = args.iter().any(|a| a == "quick");
    if args.iter().any(|a| a == "snapshots") {
        println!("snapshots at 16 threads");
        snapshots::table(None, 0, quick);
        return;
    }
    let rounds = if quick { 3 } else { 5 };
    // First, so the process's peak memory is the engine's own at its largest size.
    // `only=ENGINE`: that engine's rows alone (while working on one engine).
    if let Some(only) = args.iter().find_map(|a| a.strip_prefix("only=")) {
        table::print(&engines::rows(rounds, quick, Some(only)));
        return;
    }
    let scale_tasks = if quick { 100_000 } else { 1_000_000 };
    let asyncio_snapshot_ms = asyncio::engine_at_scale(scale_tasks);
    let mut rows = vec![asyncio::asyncio_rows(rounds, quick)];
    rows.extend(engines::rows(rounds, quick, None));
    println!(
        "bare vs instrumented, medians of {rounds} alternate rounds ({} for the pool's tiny tasks)",
        rounds * engines::SHORT_RUN_ROUNDS
    );
    table::print(&rows);
    println!();
    println!("snapshots at 16 threads");
    snapshots::table(asyncio_snapshot_ms, scale_tasks, quick);
    println!("done ({})", table::machine());
}
