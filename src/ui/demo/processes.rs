//! The `processes` view: one lane per worker process (start-up, IPC and computing over
//! time, and where a worker died), the sequential baseline on the same time scale, the
//! costs (start-up, IPC against compute, bytes), speedup, a BrokenProcessPool report
//! when the pool broke, per-core load, and a caption in words.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;

use crate::sims::processes::{ProcPhase, ProcessesSnapshot, WorkerState, WorkerView};
use crate::sims::timeline::Activity;
use crate::theme::Theme;
use crate::ui::demo::lanes;
use crate::ui::demo::pool_view::{self, MeterGap, PoolView};
use crate::ui::text::{count, count_of};
use crate::ui::text::{format_bytes, format_seconds};

/// Views at least this wide get long labels and per-worker details.
const WIDE_COLUMNS: usize = 110;

/// Draws the `processes` demo into `area`.
pub fn render(snap: &ProcessesSnapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let wide = area.width as usize >= WIDE_COLUMNS;
    let label_width = if wide {
        19
    } else {
        snap.workers
            .iter()
            .enumerate()
            .map(|(i, w)| label(i, w, false).chars().count() + 1)
            .max()
            .unwrap_or(0)
            .max(4)
    };
    let workers = snap.workers.iter().enumerate().map(|(i, w)| lanes::Lane {
        label: Span::styled(label(i, w, wide), theme.series(i)),
        timeline: &w.timeline,
        suffix: suffix(w, wide, theme),
    });
    let sequential = &snap.parts.sequential;
    let lanes_end_s = snap
        .workers
        .iter()
        .map(|w| w.timeline.end_s())
        .fold(0.0, f64::max);
    let view = PoolView {
        caption: caption(snap),
        wide,
        label_width,
        suffix_width: if wide { 50 } else { 9 },
        workers: workers.collect(),
        baseline: lanes::baseline_lane(sequential, wide, "pyconc alone", ", no IPC", theme),
        scale_s: snap.parts.span_s().max(lanes_end_s),
        legend: &[
            (Activity::Startup, "start-up"),
            (Activity::Ipc, "IPC"),
            (Activity::Work, "compute"),
            (Activity::Crashed, "lost"),
        ],
        figures: figure_lines(snap),
        report: snap.breakage.report(),
        cores: &snap.load.cores,
        run_over: matches!(
            snap.phase,
            ProcPhase::Done | ProcPhase::Stopped | ProcPhase::Failed
        ),
        run_s: snap.parts.parallel_s + snap.parts.sequential_s,
        gap: MeterGap::WhenRoomy,
    };
    pool_view::render(view, theme, area, buf);
}

fn label(i: usize, w: &WorkerView, wide: bool) -> String {
    match (w.pid, wide) {
        (Some(pid), true) => format!("worker {} pid {pid}", i + 1),
        (None, true) => format!("worker {}", i + 1),
        (Some(pid), false) => format!("pid {pid}"),
        (None, false) => format!("w{}", i + 1),
    }
}

fn state_word(state: WorkerState) -> &'static str {
    match state {
        WorkerState::Starting => "starting",
        WorkerState::Running => "running",
        WorkerState::Exited => "exited",
        WorkerState::Crashed => "crashed ✗",
        WorkerState::Terminated => "terminated",
    }
}

fn suffix<'a>(w: &WorkerView, wide: bool, theme: &Theme) -> Vec<Span<'a>> {
    if !wide {
        return vec![Span::styled(
            format!(" {:>5} t", w.counts.tasks),
            theme.muted,
        )];
    }
    let startup = w
        .startup_ms
        .map_or_else(|| "?".to_string(), |m| format!("{m:.1} ms"));
    let state_style = match w.state {
        WorkerState::Crashed | WorkerState::Terminated => theme.bad,
        _ => theme.muted,
    };
    vec![
        Span::styled(
            format!(
                " {:>5} tasks {:>8} out  up {:>8}  ",
                w.counts.tasks,
                format_bytes(w.counts.bytes_sent),
                startup
            ),
            theme.muted,
        ),
        Span::styled(state_word(w.state), state_style),
    ]
}

/// The figures, in lines that fit the small view.
fn figure_lines(snap: &ProcessesSnapshot) -> Vec<Vec<(&'static str, String)>> {
    let startup = snap
        .costs
        .startup_ms
        .map_or_else(|| "…".to_string(), |m| format!("{m:.1} ms"));
    let share = snap.costs.ipc_share();
    let sequential = match snap.phase {
        ProcPhase::Parallel => "next".to_string(),
        _ => format_seconds(snap.parts.sequential_s),
    };
    let (speedup, efficiency) = lanes::speedup_figures(snap.speedup(), snap.efficiency());
    vec![
        vec![
            ("start-up", startup),
            ("IPC", format!("{:.0}%", share * 100.0)),
            ("compute", format!("{:.0}%", (1.0 - share) * 100.0)),
        ],
        vec![
            ("pool", format_seconds(snap.parts.parallel_s)),
            ("alone", sequential),
            ("speedup", speedup),
        ],
        vec![
            ("sent", format_bytes(snap.bytes_sent)),
            ("received", format_bytes(snap.bytes_received)),
            ("chunks", snap.chunks.to_string()),
        ],
        vec![
            ("efficiency", efficiency),
            (
                "tasks",
                format!("{}/{}", snap.tasks_done, snap.config.work.tasks),
            ),
            ("crashed", snap.breakage.workers_crashed.to_string()),
        ],
    ]
}

/// The picture in words.
pub fn caption(snap: &ProcessesSnapshot) -> String {
    let c = &snap.config;
    if snap.breakage.error.is_some() {
        return "the worker processes could not run (the reason is below)".to_string();
    }
    if snap.paused {
        return "paused: no new chunks go out (the speedup leaves the pause out; the lanes show it)".to_string();
    }
    match snap.phase {
        ProcPhase::Parallel
            if snap.costs.startup_ms.is_none() && snap.breakage.pools_started <= 1 =>
        {
            format!(
                "starting {}, each a fresh copy of pyconc…",
                count_of(c.work.workers, "worker process", "worker processes")
            )
        }
        ProcPhase::Parallel if snap.breakage.workers_crashed > 0 => {
            "a worker died mid-task: the pool broke (BrokenProcessPool); a fresh pool \
             finishes the unfinished tasks"
                .to_string()
        }
        ProcPhase::Parallel => format!(
            "{} get chunks of {} over pipes: {}/{} done, {:.0}% of chunk time is IPC",
            count_of(c.work.workers, "process", "processes"),
            count(c.chunksize, "task"),
            snap.tasks_done,
            c.work.tasks,
            snap.costs.ipc_share() * 100.0
        ),
        ProcPhase::Sequential => format!(
            "the pool took {}; now pyconc runs the same tasks itself, one after another",
            format_seconds(snap.parts.parallel_s)
        ),
        ProcPhase::Stopped => {
            "stopped before the end: every worker was killed and reaped".to_string()
        }
        ProcPhase::Failed => "the run failed".to_string(),
        ProcPhase::Done => done_caption(snap),
    }
}

fn done_caption(snap: &ProcessesSnapshot) -> String {
    let (speedup, efficiency) = match (snap.speedup(), snap.efficiency()) {
        (Some(s), Some(e)) => (s, e),
        _ => return "done".to_string(),
    };
    let head = format!(
        "{}: {:.2}x the speed of pyconc alone ({:.0}% efficient)",
        count_of(snap.config.work.workers, "process", "processes"),
        speedup,
        efficiency * 100.0
    );
    let tail = if snap.breakage.workers_crashed > 0 {
        "; a worker crashed, the pool broke and a fresh pool finished the work".to_string()
    } else if snap.costs.ipc_share() > 0.5 {
        format!(
            "; {:.0}% of the time went to IPC: raise chunksize",
            snap.costs.ipc_share() * 100.0
        )
    } else {
        format!(
            "; start-up cost {}",
            snap.costs
                .startup_ms
                .map_or_else(|| "?".to_string(), |m| format!("{m:.0} ms"))
        )
    };
    format!("{head}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::processes::{ProcConfig, WorkerCounts};
    use crate::sims::timeline::Timeline;
    use crate::sims::workload::{WorkConfig, Workload};
    use crate::ui::demo::test_support;

    fn worker(pid: u32, crashed: bool) -> WorkerView {
        let mut timeline = Timeline::new();
        timeline.add(0.0, 0.02, Activity::Startup);
        let mut t = 0.02;
        for _ in 0..6 {
            timeline.add(t, t + 0.01, Activity::Ipc);
            timeline.add(t + 0.01, t + 0.08, Activity::Work);
            t += 0.08;
        }
        if crashed {
            timeline.add(t, t + 0.05, Activity::Crashed);
        }
        WorkerView {
            pid: Some(pid),
            startup_ms: Some(4.2),
            state: if crashed {
                WorkerState::Crashed
            } else {
                WorkerState::Exited
            },
            counts: WorkerCounts {
                tasks: 6,
                chunks: 6,
                bytes_sent: 6 * 16 * 1024,
                bytes_received: 6 * 40,
            },
            timeline,
        }
    }

    fn done(crashed: bool) -> ProcessesSnapshot {
        let config = ProcConfig {
            work: WorkConfig {
                workers: 2,
                workload: Workload::Uniform,
                tasks: 12,
            },
            chunksize: 1,
            payload_kb: 16,
            crash: crashed,
        };
        let mut snap = ProcessesSnapshot::empty(config);
        snap.workers = vec![worker(4121, crashed), worker(4122, false)];
        let mut seq = Timeline::new();
        seq.add(0.0, 0.9, Activity::Work);
        snap.parts.sequential.timeline = seq;
        snap.parts.sequential.tasks = 12;
        snap.parts.sequential.end_s = 0.9;
        snap.parts.parallel_s = 0.55;
        snap.parts.sequential_s = 0.9;
        snap.costs.startup_ms = Some(5.0);
        snap.costs.ipc_ms = 120.0;
        snap.costs.compute_ms = 840.0;
        snap.bytes_sent = 12 * 16 * 1024;
        snap.bytes_received = 480;
        snap.chunks = 12;
        snap.tasks_done = 12;
        snap.breakage.pools_started = 1;
        snap.phase = ProcPhase::Done;
        if crashed {
            snap.breakage.workers_crashed = 1;
            snap.breakage.pools_started = 2;
            snap.breakage.broken = Some(
                "BrokenProcessPool: A process in the process pool was terminated abruptly \
                 (worker 1 pid 4121 died during task 6: exit status: 70)"
                    .to_string(),
            );
        }
        snap
    }

    fn draw(snap: &ProcessesSnapshot, w: u16, h: u16) -> String {
        test_support::draw(render, snap, w, h)
    }

    #[test]
    fn small_view_of_a_finished_run() {
        insta::assert_snapshot!(draw(&done(false), 54, 18));
    }

    #[test]
    fn small_view_of_a_crashed_and_recovered_run() {
        insta::assert_snapshot!(draw(&done(true), 54, 18));
    }

    #[test]
    fn large_view_of_a_crashed_and_recovered_run() {
        insta::assert_snapshot!(draw(&done(true), 150, 30));
    }

    #[test]
    fn captions_follow_the_run() {
        let mut snap = done(false);
        assert!(caption(&snap).contains("1.64x"), "{}", caption(&snap));
        snap.costs.ipc_ms = 5000.0;
        assert!(caption(&snap).contains("raise chunksize"));
        snap.phase = ProcPhase::Parallel;
        snap.costs.startup_ms = None;
        assert!(caption(&snap).starts_with("starting 2 worker processes"));
        snap.breakage.error = Some("no such program".into());
        assert!(caption(&snap).contains("could not run"));
        assert!(draw(&snap, 54, 18).contains("no such program"));
    }
}
