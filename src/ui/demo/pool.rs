//! The `pool` view: one lane per pool worker (which tasks it ran over time, and which
//! reached it by stealing), the sequential baseline's lane on the same time scale, the
//! speedup and efficiency, per-core load from the OS, and a caption in words.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;

use crate::sims::pool::{PoolPhase, PoolSnapshot};
use crate::sims::timeline::Activity;
use crate::sims::workload::Workload;
use crate::theme::Theme;
use crate::ui::demo::lanes;
use crate::ui::demo::pool_view::{self, MeterGap, PoolView};
use crate::ui::text::format_seconds;
use crate::ui::text::{count, count_of};

/// Draws the `pool` demo into `area`.
pub fn render(snap: &PoolSnapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let wide = area.width >= 90;
    let workers = snap.lanes.iter().enumerate().map(|(i, lane)| {
        let label = if wide {
            format!("worker {}", i + 1)
        } else {
            format!("w{}", i + 1)
        };
        let suffix = if wide {
            format!(" {:>5} tasks {:>5} stolen", lane.tasks, lane.stolen)
        } else {
            format!(" {:>5} t", lane.tasks)
        };
        lanes::Lane {
            label: Span::styled(label, theme.series(i)),
            timeline: &lane.timeline,
            suffix: vec![Span::styled(suffix, theme.muted)],
        }
    });
    let sequential = &snap.parts.sequential;
    let lanes_end_s = snap.lanes.iter().map(|l| l.end_s).fold(0.0, f64::max);
    let view = PoolView {
        caption: caption(snap),
        wide,
        label_width: if wide { 10 } else { 4 },
        suffix_width: if wide { 26 } else { 9 },
        workers: workers.collect(),
        baseline: lanes::baseline_lane(sequential, wide, "1 thread", " sequential", theme),
        scale_s: snap.parts.span_s().max(lanes_end_s),
        legend: &[
            (Activity::Work, "own work"),
            (Activity::Stolen, "stolen work"),
        ],
        figures: figure_lines(snap),
        report: None,
        cores: &snap.load.cores,
        run_over: matches!(snap.phase, PoolPhase::Done | PoolPhase::Stopped),
        run_s: snap.parts.parallel_s + snap.parts.sequential_s,
        gap: MeterGap::Always,
    };
    pool_view::render(view, theme, area, buf);
}

/// The figures, in lines that fit the small view: times and speedup, then the work.
fn figure_lines(snap: &PoolSnapshot) -> Vec<Vec<(&'static str, String)>> {
    let sequential = if snap.phase == PoolPhase::Parallel {
        "next".to_string()
    } else {
        format_seconds(snap.parts.sequential_s)
    };
    let (speedup, efficiency) = lanes::speedup_figures(snap.speedup(), snap.efficiency());
    vec![
        vec![
            ("pool", format_seconds(snap.parts.parallel_s)),
            ("1 thread", sequential),
            ("speedup", speedup),
        ],
        vec![
            ("efficiency", efficiency),
            (
                "tasks",
                format!("{}/{}", snap.tasks_done(), snap.config.work.tasks),
            ),
            ("steals", snap.steals.to_string()),
        ],
        vec![
            ("workers", snap.config.work.workers.to_string()),
            ("min_len", snap.config.min_len.to_string()),
            ("workload", snap.config.work.workload.name().to_string()),
        ],
    ]
}

/// The picture in words.
pub fn caption(snap: &PoolSnapshot) -> String {
    let c = &snap.config;
    if snap.paused {
        return "paused: the workers are parked (the speedup leaves the pause out; the lanes show it)".to_string();
    }
    match snap.phase {
        PoolPhase::Parallel => format!(
            "{} share {} {} tasks: {} done, {} by idle workers",
            count(c.work.workers, "worker"),
            c.work.tasks,
            c.work.workload.name(),
            snap.tasks_done(),
            count_of(snap.steals, "job stolen", "jobs stolen")
        ),
        PoolPhase::Sequential => format!(
            "the pool took {}; now one thread runs the same tasks, for the baseline",
            format_seconds(snap.parts.parallel_s)
        ),
        PoolPhase::Stopped => "stopped before the end: no speedup to report".to_string(),
        PoolPhase::Done => done_caption(snap),
    }
}

fn done_caption(snap: &PoolSnapshot) -> String {
    let c = &snap.config;
    let (speedup, efficiency) = match (snap.speedup(), snap.efficiency()) {
        (Some(s), Some(e)) => (s, e),
        _ => return "done".to_string(),
    };
    let head = format!(
        "{}: {:.2}x faster than 1 thread ({:.0}% efficient)",
        count(c.work.workers, "worker"),
        speedup,
        efficiency * 100.0
    );
    let ends: Vec<f64> = snap
        .lanes
        .iter()
        .filter(|l| l.tasks > 0)
        .map(|l| l.end_s)
        .collect();
    let spread =
        ends.iter().copied().fold(0.0, f64::max) - ends.iter().copied().fold(f64::MAX, f64::min);
    let tail = match c.work.workload {
        Workload::Skewed if snap.steals > 0 => format!(
            "; stealing evened the lanes: they end {} apart",
            format_seconds(spread.max(0.0))
        ),
        Workload::Tiny if efficiency < 0.5 => {
            "; tasks this small cost more to hand out than to run: raise min_len".to_string()
        }
        Workload::Tiny => format!("; min_len {} keeps the splitting cheap", c.min_len),
        _ if c.work.workers > 1 && efficiency >= 0.85 => "; close to the limit".to_string(),
        _ => String::new(),
    };
    format!("{head}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::pool::{PoolConfig, WorkerLane};
    use crate::sims::timeline::Timeline;
    use crate::sims::workload::WorkConfig;
    use crate::ui::demo::test_support;

    fn lane(spans: &[(f64, f64, Activity)], tasks: usize, stolen: usize) -> WorkerLane {
        let mut timeline = Timeline::new();
        for (s, e, a) in spans {
            timeline.add(*s, *e, *a);
        }
        WorkerLane {
            tasks,
            stolen,
            busy_s: spans.iter().map(|(s, e, _)| e - s).sum(),
            end_s: timeline.end_s(),
            timeline,
        }
    }

    /// A finished skewed run on 2 workers, built by hand.
    fn skewed_done() -> PoolSnapshot {
        let config = PoolConfig {
            work: WorkConfig {
                workers: 2,
                workload: Workload::Skewed,
                tasks: 64,
            },
            min_len: 1,
        };
        let mut snap = PoolSnapshot::empty(config);
        snap.lanes = vec![
            lane(
                &[(0.0, 0.4, Activity::Work), (0.42, 0.55, Activity::Work)],
                10,
                0,
            ),
            lane(&[(0.01, 0.56, Activity::Stolen)], 54, 54),
        ];
        snap.parts.sequential = lane(&[(0.0, 1.0, Activity::Work)], 64, 0);
        snap.parts.parallel_s = 0.56;
        snap.parts.sequential_s = 1.0;
        snap.steals = 7;
        snap.phase = PoolPhase::Done;
        snap.load.cores = vec![
            crate::sims::cores::CoreReading {
                load_pct: 98.0,
                history: vec![50.0, 98.0],
            },
            crate::sims::cores::CoreReading {
                load_pct: 12.0,
                history: vec![97.0, 12.0],
            },
        ];
        snap
    }

    fn draw(snap: &PoolSnapshot, w: u16, h: u16) -> String {
        test_support::draw(render, snap, w, h)
    }

    #[test]
    fn small_view_of_a_finished_skewed_run() {
        insta::assert_snapshot!(draw(&skewed_done(), 54, 18));
    }

    #[test]
    fn large_view_of_a_finished_skewed_run() {
        insta::assert_snapshot!(draw(&skewed_done(), 100, 24));
    }

    #[test]
    fn many_workers_still_fit_the_small_view() {
        let config = PoolConfig {
            work: WorkConfig {
                workers: 16,
                workload: Workload::Uniform,
                tasks: 64,
            },
            min_len: 1,
        };
        let text = draw(&PoolSnapshot::empty(config), 54, 18);
        assert!(text.contains("… and "), "{text}");
        assert!(text.contains("seq"), "{text}");
    }

    #[test]
    fn captions_follow_the_run() {
        let mut snap = skewed_done();
        assert!(
            caption(&snap).contains("1.79x faster"),
            "{}",
            caption(&snap)
        );
        assert!(caption(&snap).contains("stealing evened"));
        snap.phase = PoolPhase::Sequential;
        assert!(caption(&snap).contains("one thread runs the same tasks"));
        snap.paused = true;
        assert!(caption(&snap).starts_with("paused"));
    }
}
