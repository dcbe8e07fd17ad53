//! The recorder on scripted timelines: cells, late entries, one time axis, one holder.

use super::*;
use crate::sims::gil::HISTORY_CELLS;
use ThreadState::{Io, Running, Waiting};

fn frame(mode: Mode) -> Frame {
    Frame {
        setup: GilSetup {
            engine: EngineKind::Model,
            mode,
            cores: 2,
            switch_interval_ms: 5.0,
            io_ms: 1.0,
            slow_motion: 1.0,
        },
        elapsed_ns: 5_000,
        speedup: None,
        speedup_kind: Workload::Io,
        paused: false,
        calibrating: false,
        last_event: String::new(),
    }
}

fn strips(r: &Recorder, mode: Mode) -> Vec<Vec<ThreadState>> {
    r.snapshot(frame(mode))
        .threads
        .into_iter()
        .map(|t| t.strip)
        .collect()
}

/// How many threads hold the GIL in each column; panics if the strips differ in length.
fn holders_per_column(strips: &[Vec<ThreadState>]) -> Vec<usize> {
    let len = strips[0].len();
    assert!(
        strips.iter().all(|s| s.len() == len),
        "strips of different lengths"
    );
    (0..len)
        .map(|c| strips.iter().filter(|s| s[c] == Running).count())
        .collect()
}

/// Two CPU-bound threads in cells of 10 ns, in `first` and `second` from time 0.
fn two_threads(first: ThreadState, second: ThreadState) -> Recorder {
    let mut r = Recorder::new(&[Workload::Cpu, Workload::Cpu], 10, 0);
    r.set_state(0, 0, first);
    r.set_state(1, 0, second);
    r
}

#[test]
fn cells_show_the_dominant_state_and_stay_bounded() {
    let mut r = Recorder::new(&[Workload::Cpu], 10, 0);
    r.set_state(0, 0, Running);
    r.set_state(0, 7, Waiting); // cell 0: 7 running, 3 waiting
    r.set_state(0, 14, Running); // cell 1: 4 waiting, 6 running
    r.set_state(0, 25, Waiting); // cell 2: 5 running, 5 waiting: running wins the tie
    r.advance_all(40);
    assert_eq!(
        strips(&r, Mode::FreeThreaded)[0],
        vec![Running, Running, Running, Waiting, Waiting]
    );
    r.set_state(0, 40, Io);
    r.advance_all(40 + 10 * (HISTORY_CELLS as u64 + 50));
    let strip = &strips(&r, Mode::FreeThreaded)[0];
    assert_eq!(strip.len(), HISTORY_CELLS + 1);
    assert!(strip.iter().all(|s| *s == Io));
}

#[test]
fn a_late_entry_moves_its_time_to_the_new_state_in_totals_and_cells() {
    let mut r = two_threads(Running, Waiting);
    r.set_state(1, 40, Running);
    r.advance_all(100);
    // Thread 1 released at 40 but could only log it now, after the accounting.
    r.set_state(0, 40, Waiting);
    r.advance_all(120);
    let held = |w: usize| r.tracks[w].total(Running);
    let waiting = |w: usize| r.tracks[w].total(Waiting);
    assert_eq!((held(0), waiting(0)), (40, 80));
    assert_eq!((held(1), waiting(1)), (80, 40));
    // Drawn without the one-holder rule, the cells say the same: no overlap to hide.
    let s = strips(&r, Mode::FreeThreaded);
    assert_eq!(&s[0][..4], &[Running; 4]);
    assert!(s[0][4..].iter().all(|c| *c == Waiting), "{:?}", s[0]);
    assert!(s[1][4..].iter().all(|c| *c == Running), "{:?}", s[1]);
}

/// Three threads hand the GIL over mid-cell: drawn each by its own majority, columns
/// showed two holders (two half-cell holds tie) or none (three thirds). On one axis with
/// the one-holder rule, every column shows exactly one.
#[test]
fn hand_offs_mid_cell_show_exactly_one_holder_per_column() {
    for threads in [2usize, 4, 16] {
        let mut r = Recorder::new(&vec![Workload::Cpu; threads], 30, 0);
        for w in 0..threads {
            r.set_state(w, 0, Waiting);
        }
        // Holds of 15, 15 (two halves of a cell: a tie each) then 10, 10, 10 (three thirds).
        let mut t = 0;
        let mut k = 0;
        while t < 3_000 {
            let w = k % threads;
            let hold = [15, 15, 10, 10, 10][k % 5];
            r.set_state(w, t, Running);
            r.set_state(w, t + hold, Waiting);
            t += hold;
            k += 1;
        }
        r.set_state(k % threads, t, Running); // and someone holds it now
        r.advance_all(t + 7);
        let holders = holders_per_column(&strips(&r, Mode::Gil));
        assert!(holders.iter().all(|h| *h == 1), "{threads}: {holders:?}");
        let legacy = holders_per_column(&strips(&r, Mode::GilLegacy));
        assert!(legacy.iter().all(|h| *h == 1), "{threads}: {legacy:?}");
    }
}

/// A thread whose entries run ahead of the others (logged later than the accounting
/// point) no longer shifts its strip: all strips end at the same cell.
#[test]
fn a_thread_ahead_does_not_shift_the_others() {
    let mut r = two_threads(Running, Waiting);
    r.advance_all(50);
    r.set_state(0, 80, Waiting); // thread 1 ran until 80, logged at once
    r.set_state(1, 80, Running);
    let s = strips(&r, Mode::Gil);
    assert_eq!(s[0].len(), s[1].len());
    assert_eq!(
        s[0],
        vec![Running; 8]
            .into_iter()
            .chain([Waiting])
            .collect::<Vec<_>>()
    );
    assert_eq!(
        s[1],
        vec![Waiting; 8]
            .into_iter()
            .chain([Running])
            .collect::<Vec<_>>()
    );
}

#[test]
fn without_a_shared_gil_threads_run_together() {
    let mut r = two_threads(Running, Running);
    r.advance_all(50);
    assert!(
        holders_per_column(&strips(&r, Mode::Processes))
            .iter()
            .all(|h| *h == 2)
    );
}

/// The percentiles by selection are the ones a sort gives, on shuffled samples of every
/// small size (so p50 and p99 coincide, touch, and stand apart).
#[test]
fn selected_percentiles_are_the_sorted_ones() {
    for n in 1..=300u64 {
        let mut r = Recorder::new(&[Workload::Io], 1_000, 0);
        let mut x = n;
        let mut samples = Vec::new();
        for _ in 0..n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let ns = (x >> 33) % 1_000 * 1_000;
            samples.push(ns);
            r.io_latency(ns);
        }
        samples.sort_unstable();
        let pick = |q: f64| samples[((n as f64 - 1.0) * q).round() as usize] as f64 / 1e6;
        let lat = r.snapshot(frame(Mode::Gil)).io_latency.unwrap();
        assert_eq!((lat.p50_ms, lat.p99_ms), (pick(0.5), pick(0.99)), "n {n}");
        assert_eq!(lat.samples, n as usize);
    }
}

#[test]
fn shares_and_latency_percentiles() {
    let mut r = Recorder::new(&[Workload::Io], 1_000, 0);
    r.set_state(0, 0, Running);
    r.set_state(0, 1_000, Io);
    r.set_state(0, 4_000, Waiting);
    r.advance_all(5_000);
    for ms in 1..=100 {
        r.io_latency(ms * 1_000_000);
    }
    r.add_measured(1_000_000_000);
    r.add_units(0, 50.0);
    let snap = r.snapshot(frame(Mode::Gil));
    let row = &snap.threads[0];
    assert!((row.held_share - 0.2).abs() < 1e-9);
    assert!((row.io_share - 0.6).abs() < 1e-9);
    assert!((row.waiting_share - 0.2).abs() < 1e-9);
    let lat = snap.io_latency.unwrap();
    assert_eq!((lat.p50_ms, lat.p99_ms, lat.max_ms), (51.0, 99.0, 100.0));
    assert_eq!(snap.counts.io_ops, 50);
    assert!((snap.counts.io_ops_per_s - 50.0).abs() < 1e-9);
    let m = GilFigures::new(&snap, &r, Some(10.0)).to_value();
    assert_eq!(m["threads"][0]["io_ms"], 0.003);
    assert_eq!(m["io_latency_ms"]["max"], 100.0);
    assert!(m.get("reference_core_share").is_none());
    let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "engine",
            "mode",
            "cores",
            "speedup",
            "speedup_over",
            "reference_units_per_s",
            "measured_s",
            "gil_switches",
            "switches_per_s",
            "drop_requests",
            "releases",
            "contended_releases",
            "self_reacquires",
            "io_ops",
            "io_ops_per_s",
            "io_latency_ms",
            "threads"
        ]
    );
}

#[test]
fn a_snapshot_keeps_its_json_keys_and_round_trips() {
    let mut r = Recorder::new(&[Workload::Cpu, Workload::Io], 1_000, 0);
    r.set_state(0, 0, Running);
    r.io_latency(2_000);
    let keys = "engine mode cores switch_interval_ms io_ms slow_motion cell_ms elapsed_s threads \
                speedup speedup_kind gil_switches switches_per_s drop_requests releases \
                contended_releases self_reacquires io_ops io_ops_per_s io_latency paused \
                calibrating reference_core_share last_event";
    let snap = r.snapshot(frame(Mode::Gil));
    crate::sims::test_support::assert_json_keys(&snap, keys, &[]);
}
