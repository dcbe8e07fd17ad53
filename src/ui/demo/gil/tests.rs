//! The view drawn from deterministic model snapshots, at the small and the projector size.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::ui::demo::test_support;

use super::*;
use crate::sims::gil::{model, test_config};

const MS: u64 = 1_000_000;

fn snapshot(pairs: &[(&str, &str)], virtual_ms: u64) -> GilSnapshot {
    model::preview(&test_config(pairs), 2, virtual_ms * MS)
}

fn draw(snap: &GilSnapshot, width: u16, height: u16) -> Terminal<TestBackend> {
    test_support::terminal(render, snap, width, height)
}

/// One CPU-bound thread and one I/O-bound thread: the convoy effect.
const CONVOY: &[(&str, &str)] = &[("workload", "cpu,io"), ("io_ms", "0.05")];

/// A snapshotted scene: the snapshot's name, the parameters, the virtual milliseconds run,
/// the width and height it is drawn at.
type Scene = (
    &'static str,
    &'static [(&'static str, &'static str)],
    u64,
    u16,
    u16,
);

/// Every snapshotted scene.
const SCENES: [Scene; 4] = [
    ("two_cpu_threads_small", &[], 200, 54, 18),
    ("convoy_effect_medium", CONVOY, 300, 80, 20),
    (
        "legacy_small",
        &[("mode", "gil-legacy"), ("switch_interval_ms", "0.1")],
        20,
        54,
        18,
    ),
    (
        "projector_size_uses_the_room",
        &[
            ("threads", "4"),
            ("workload", "cpu,io,io,cpu"),
            ("io_ms", "2"),
            ("switch_interval_ms", "2"),
        ],
        400,
        150,
        50,
    ),
];

#[test]
fn every_scene_at_its_size() {
    for (name, pairs, virtual_ms, width, height) in SCENES {
        let snap = snapshot(pairs, virtual_ms);
        insta::assert_snapshot!(name, draw(&snap, width, height).backend());
    }
}

#[test]
fn the_convoy_caption_is_whole_in_the_demo_pane_of_an_80x24_terminal() {
    let snap = snapshot(CONVOY, 300);
    let text: String = draw(&snap, 54, 18)
        .backend()
        .buffer()
        .content()
        .chunks(54)
        .take(4)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ");
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("for the GIL (convoy effect)"), "{words}");
    assert!(!words.contains('…'), "{words}");
}

#[test]
fn sixteen_threads_do_not_fit_small_and_say_so() {
    let snap = snapshot(&[("threads", "16"), ("workload", "io,cpu")], 100);
    let terminal = draw(&snap, 54, 18);
    insta::assert_snapshot!(terminal.backend());
    assert!(terminal.backend().to_string().contains("9 more threads"));
}

#[test]
fn cores_show_where_known_and_captions_follow_the_mode() {
    let mut snap = snapshot(&[], 20);
    snap.threads[0].core = Some(1);
    snap.threads[1].core = None;
    let text = draw(&snap, 80, 20).backend().to_string();
    assert!(text.contains("T1  cpu c1"), "{text}");
    assert!(text.contains("T2  cpu c?"), "{text}");
    assert_eq!(
        caption(&snap),
        "2 CPU threads, 1 core's worth of work: the GIL lets one run at a time"
    );
    snap.setup.mode = Mode::FreeThreaded;
    assert!(caption(&snap).starts_with("no GIL: 2 threads run in parallel on 2 cores"));
    // Nothing panics in a tiny area.
    draw(&snap, 10, 3);
    draw(&snap, 1, 1);
}

/// With one thread nothing runs in parallel and nothing overlaps, in any mode.
#[test]
fn captions_for_one_thread_in_every_mode() {
    for workload in ["cpu", "io"] {
        for mode in crate::sims::gil::MODE_NAMES {
            let snap = snapshot(
                &[("threads", "1"), ("workload", workload), ("mode", mode)],
                20,
            );
            let text = caption(&snap);
            assert!(text.contains("1 "), "{mode} {workload}: {text}");
            for wrong in [
                "parallel",
                "overlap",
                "threads",
                "processes",
                "one at a time",
            ] {
                assert!(!text.contains(wrong), "{mode} {workload}: {text}");
            }
        }
    }
}

/// The model's step explanation uses the rows the threads leave free instead of being
/// cut to two lines (80x24 gives the view about 54x22).
#[test]
fn a_long_step_explanation_uses_the_free_rows() {
    let mut snap = snapshot(&[], 200);
    snap.last_event = "195.234 ms: thread 1 sees the drop request between two bytecodes and \
                       drops the GIL; it waits until another thread has it (forced switching)"
        .to_string();
    let terminal = draw(&snap, 54, 22);
    let text = terminal.backend().to_string();
    assert!(!text.contains('…'), "{text}");
    assert!(text.contains("(forced switching)"), "{text}");
    insta::assert_snapshot!(terminal.backend());
    // Where the threads need the rows, it still gets two.
    let small = draw(&snap, 54, 14).backend().to_string();
    assert!(small.contains("step 195.234 ms"), "{small}");
}

/// The strip cells of every thread's first row at `width` x `height`, by screen column.
fn strip_rows(snap: &GilSnapshot, width: u16, height: u16) -> Vec<Vec<char>> {
    let terminal = draw(snap, width, height);
    let buffer = terminal.backend().buffer();
    let strip_end = (width as usize).saturating_sub(SHARES_WIDTH);
    (0..height)
        .filter(|y| {
            let label: String = (0..3).map(|x| buffer[(x, *y)].symbol()).collect();
            label.starts_with('T') && label[1..].trim().parse::<usize>().is_ok()
        })
        .map(|y| {
            (LABEL_WIDTH..strip_end)
                .map(|x| buffer[(x as u16, y)].symbol().chars().next().unwrap_or(' '))
                .collect()
        })
        .collect()
}

/// Issue 11 item 2: `demo gil --set threads=4` at 120x40 showed 25 of 69 columns with two
/// holders and 27 with none. Every drawn column now has exactly one holder.
#[test]
fn four_threads_at_120x40_show_one_gil_holder_per_column() {
    for threads in ["2", "4", "16"] {
        let snap = snapshot(&[("threads", threads)], 400);
        let rows = strip_rows(&snap, 120, 40);
        assert!(rows.len() >= 2, "{threads}: rows {}", rows.len());
        let held = RunState::Running.glyph();
        for x in 0..rows[0].len() {
            let holders = rows.iter().filter(|r| r[x] == held).count();
            assert_eq!(holders, 1, "{threads} threads, column {x}");
        }
    }
}

/// Issue 11 item 17: without a shared GIL, 4 workers on 2 cores are labelled by mode and
/// their shares say running / waiting for a core, not held / waiting for a GIL.
#[test]
fn processes_and_free_threaded_are_labelled_by_mode() {
    let pairs = |mode| [("threads", "4"), ("mode", mode)];
    let snap = snapshot(&pairs("processes"), 200);
    let terminal = draw(&snap, 120, 40);
    let text = terminal.backend().to_string();
    for want in [
        "P1  cpu",
        "P4  cpu",
        "proc core",
        "run wait",
        "wait for a core",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    for wrong in [
        "T1 ",
        "held",
        "hand-offs",
        "switches",
        "holds GIL",
        "waits for GIL",
    ] {
        assert!(!text.contains(wrong), "{wrong}: {text}");
    }
    // Four runnable on two cores: each ran half its time, and waited for a core the rest.
    assert!(text.contains("  50%  50%   0%"), "{text}");
    insta::assert_snapshot!(terminal.backend());
    let free = draw(&snapshot(&pairs("free-threaded"), 200), 120, 40)
        .backend()
        .to_string();
    assert!(
        free.contains("T1  cpu") && free.contains("run wait"),
        "{free}"
    );
    assert!(
        !free.contains("held") && !free.contains("GIL column"),
        "{free}"
    );
}
