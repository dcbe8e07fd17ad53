//! The `asyncio` view: the event loop as a picture (the task polled now, the ready queue,
//! the waiting groups with their counts, the finished totals), the loop's lag as a
//! sparkline, the scenario's own figures, and a task table that switches to aggregates
//! (counts per state, a scheduling-delay histogram) when there are many tasks. A caption
//! says in words what is happening. Narrow areas stack it all; wide ones put the table
//! beside the picture.
//!
//! Over 500 lines as one piece: the captions of every scenario, running and finished,
//! sit beside the one picture they describe.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::sims::asyncio::AsyncioSnapshot;
use crate::sims::asyncio::settings::{Flavor, Scenario, SortBy};
use crate::sims::asyncio::tracker::{DELAY_BUCKET_BOUNDS_US, TaskFacts, TaskState, WaitKind};
use crate::theme::{RunState, Theme};
use crate::ui::text::{thousands, truncate as clip};
use crate::ui::widgets;

/// From this width on, the task table goes beside the picture instead of below it.
pub const SIDE_BY_SIDE_MIN_WIDTH: u16 = 100;
/// From this height on, the picture also shows the Python the scenario mirrors.
pub const PYTHON_LINE_MIN_HEIGHT: u16 = 24;
/// A poll longer than this means a task is blocking the loop (asyncio's debug mode warns
/// from 100 ms; a tenth of that is already visible lag).
pub const BLOCKING_POLL_MS: f64 = 20.0;
/// Lag above this is drawn as a warning.
pub const LAG_WARN_MS: f64 = 50.0;
/// The sparkline's smallest full scale, so timer jitter of a millisecond stays low.
const LAG_SCALE_FLOOR_MS: f64 = 10.0;
/// Width of the label column of the loop picture.
const LABEL_WIDTH: usize = 10;

/// Draws the `asyncio` demo into `area`.
pub fn render(snap: &AsyncioSnapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let text = caption(snap);
    let caption_height = (text.width() as u16 + 2)
        .div_ceil(area.width.max(1))
        .clamp(1, 3)
        .min(area.height);
    let [caption_area, body] =
        Layout::vertical([Constraint::Length(caption_height), Constraint::Fill(1)]).areas(area);
    Paragraph::new(widgets::caption(text, theme))
        .wrap(Wrap { trim: true })
        .render(caption_area, buf);

    if area.width >= SIDE_BY_SIDE_MIN_WIDTH {
        let [left, _, right] = Layout::horizontal([
            Constraint::Percentage(50),
            Constraint::Length(2),
            Constraint::Fill(1),
        ])
        .areas(body);
        let picture = picture_lines(snap, theme, left.width as usize, area.height);
        Paragraph::new(picture).render(left, buf);
        Paragraph::new(table_lines(
            snap,
            theme,
            right.width as usize,
            right.height as usize,
        ))
        .render(right, buf);
    } else {
        let picture = picture_lines(snap, theme, body.width as usize, area.height);
        let picture_height = (picture.len() as u16).min(body.height);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(picture_height), Constraint::Fill(1)]).areas(body);
        Paragraph::new(picture).render(top, buf);
        if bottom.height >= 2 {
            Paragraph::new(table_lines(
                snap,
                theme,
                bottom.width as usize,
                bottom.height as usize,
            ))
            .render(bottom, buf);
        }
    }
}

/// The state's theme counterpart (glyph and style).
pub fn run_state(state: TaskState) -> RunState {
    match state {
        TaskState::Running => RunState::Running,
        TaskState::Ready => RunState::Ready,
        TaskState::Waiting(WaitKind::Io) => RunState::Io,
        TaskState::Waiting(_) => RunState::Waiting,
        TaskState::Done => RunState::Done,
        TaskState::Failed => RunState::Failed,
        TaskState::Cancelled => RunState::Cancelled,
    }
}

/// The loop picture, one line per group, then lag and the scenario's figures.
fn picture_lines<'a>(
    snap: &AsyncioSnapshot,
    theme: &Theme,
    width: usize,
    full_height: u16,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if full_height >= PYTHON_LINE_MIN_HEIGHT {
        lines.push(Line::from(vec![
            Span::styled("python  ", theme.muted),
            Span::styled(
                clip(snap.scenario.python(), width.saturating_sub(8)),
                theme.inline_code,
            ),
        ]));
    }
    lines.push(loop_line(snap, theme, width));

    let total = snap.spawned.max(1) as f64;
    // Half the room after the label and count, so the ready queue's names fit beside it.
    let bar_width = (width.saturating_sub(LABEL_WIDTH + 8) / 2).clamp(4, 30);
    let group = |state: TaskState, label: &str, count: u64, extra: Option<String>| {
        let rs = run_state(state);
        let mut spans = vec![
            Span::styled(format!("{} ", rs.glyph()), theme.state(rs)),
            Span::styled(format!("{label:<w$}", w = LABEL_WIDTH - 2), theme.text),
            Span::styled(format!("{count:>6} "), theme.accent),
            Span::styled(
                widgets::bar(count as f64 / total, bar_width),
                theme.state(rs),
            ),
        ];
        if let Some(extra) = extra {
            let room = width.saturating_sub(LABEL_WIDTH + 8 + bar_width);
            if room > 4 {
                spans.push(Span::styled(
                    format!(" {}", clip(&extra, room - 1)),
                    theme.muted,
                ));
            }
        }
        Line::from(spans)
    };
    let c = &snap.counts;
    let ready_names = (!snap.ready_queue.is_empty()).then(|| snap.ready_queue.join(" "));
    lines.push(group(TaskState::Ready, "ready", c.ready, ready_names));
    for kind in WaitKind::ALL {
        let n = c.waiting_on(kind);
        if n > 0 {
            lines.push(group(TaskState::Waiting(kind), kind.label(), n, None));
        }
    }
    if c.waiting_total() == 0 && c.ready == 0 && c.running == 0 {
        lines.push(Line::styled(
            "  nothing waits: the loop has no work left",
            theme.muted,
        ));
    }
    let mut ends = vec![Span::styled(" ".repeat(2), theme.text)];
    for (state, n) in [
        (TaskState::Done, c.done),
        (TaskState::Failed, c.failed),
        (TaskState::Cancelled, c.cancelled),
    ] {
        let rs = run_state(state);
        ends.push(Span::styled(format!("{} ", rs.glyph()), theme.state(rs)));
        ends.push(Span::styled(format!("{n} "), theme.accent));
        ends.push(Span::styled(format!("{}  ", state.label()), theme.muted));
    }
    lines.push(Line::from(ends));
    lines.push(lag_line(snap, theme, width));
    lines.push(figures_line(snap, width, theme));
    if full_height >= PYTHON_LINE_MIN_HEIGHT {
        lines.push(Line::default());
        lines.push(widgets::legend(
            &[
                RunState::Running,
                RunState::Ready,
                RunState::Waiting,
                RunState::Io,
            ],
            theme,
        ));
        lines.push(widgets::legend(
            &[RunState::Done, RunState::Failed, RunState::Cancelled],
            theme,
        ));
    }
    lines
}

/// What the loop is doing this instant.
fn loop_line<'a>(snap: &AsyncioSnapshot, theme: &Theme, width: usize) -> Line<'a> {
    let running = theme.state(RunState::Running);
    let (glyph, style, text) = if snap.finished {
        (
            RunState::Done.glyph(),
            theme.state(RunState::Done),
            "loop closed: every task has ended".to_string(),
        )
    } else if snap.paused {
        let next = snap.next_at_gate.as_deref().unwrap_or("(none ready)");
        let last = snap.last_polled.as_deref().unwrap_or("-");
        (
            '‖',
            theme.warn,
            format!("paused between polls · next {next} · last {last}"),
        )
    } else if let Some(first) = snap.polling_now.first() {
        let also = if snap.polling_now.len() > 1 {
            format!(" + {}", snap.polling_now[1..].join(" "))
        } else {
            String::new()
        };
        let long = if snap.polling_for_ms >= BLOCKING_POLL_MS {
            format!(" for {:.0} ms, not awaiting", snap.polling_for_ms)
        } else {
            String::new()
        };
        (
            RunState::Running.glyph(),
            running,
            format!("polling {first}{also}{long}"),
        )
    } else {
        let last = snap.last_polled.as_deref().unwrap_or("-");
        (
            RunState::Idle.glyph(),
            theme.muted,
            format!("idle, waiting for a timer or socket · last polled {last}"),
        )
    };
    Line::from(vec![
        Span::styled(format!("{glyph} "), style),
        Span::styled(format!("{:<w$}", "loop", w = LABEL_WIDTH - 2), theme.strong),
        Span::styled(clip(&text, width.saturating_sub(LABEL_WIDTH)), style),
    ])
}

fn lag_line<'a>(snap: &AsyncioSnapshot, theme: &Theme, width: usize) -> Line<'a> {
    let tail = format!(" now {} max {}", ms(snap.lag_now_ms), ms(snap.lag_max_ms));
    let spark_width = width.saturating_sub(LABEL_WIDTH + tail.width()).min(120);
    let start = snap.lag_history_ms.len().saturating_sub(spark_width);
    let visible = &snap.lag_history_ms[start..];
    let scale = visible.iter().copied().fold(LAG_SCALE_FLOOR_MS, f64::max);
    let style = if snap.lag_now_ms >= LAG_WARN_MS {
        theme.bad
    } else if snap.lag_max_ms >= LAG_WARN_MS {
        theme.warn
    } else {
        theme.good
    };
    Line::from(vec![
        Span::styled(format!("{:<w$}", "lag", w = LABEL_WIDTH), theme.text),
        Span::styled(widgets::sparkline(visible, scale, spark_width), style),
        Span::styled(tail, theme.muted),
    ])
}

fn figures_line<'a>(snap: &AsyncioSnapshot, width: usize, theme: &Theme) -> Line<'a> {
    let f = &snap.figures;
    let time = match snap.scenario_s {
        Some(took) => format!("{took:.2}/{:.2} s", snap.ideal_s),
        None => format!("{:.1} s", snap.elapsed_s),
    };
    let mut pairs: Vec<(&str, String)> = vec![("t", time)];
    match snap.scenario {
        Scenario::Gather => pairs.push(("results", f.results_collected.to_string())),
        Scenario::TaskGroup => {
            pairs.push(("TG cancelled", f.taskgroup.cancelled.to_string()));
            pairs.push((
                "gather ran on",
                f.gather.completed_after_failure.to_string(),
            ));
        }
        Scenario::Blocking | Scenario::Offload => {
            pairs.push(("call", format!("{} ms", f.block_ms)));
        }
        Scenario::Semaphore => {
            pairs.push(("inside", format!("{}/{}", f.inside, f.limit)));
            pairs.push(("peak", f.peak_inside.to_string()));
        }
        Scenario::Timeout => {
            pairs.push(("deadline", format!("{} ms", f.timeout_ms)));
            pairs.push(("cleanups", f.cleanups_run.to_string()));
        }
        Scenario::Queue => {
            let spark = widgets::sparkline(&f.depth_history, f64::from(f.maxsize), 12);
            pairs.push(("queue", format!("{}/{} {spark}", f.queue_depth, f.maxsize)));
            pairs.push(("blocked", ms(f.producer_blocked_ms)));
        }
        Scenario::Io => {
            pairs.push((
                "open",
                format!("{} (peak {})", f.connections_open, f.peak_connections),
            ));
            pairs.push(("round trips", f.requests.to_string()));
        }
        Scenario::Scale => pairs.push(("spawned", thousands(snap.scenario_tasks()))),
    }
    pairs.push(("polls", thousands(snap.polls)));
    widgets::figures(&pairs, width, theme)
}

/// `0.42 ms`, `12 ms`, `1.2 s`.
fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.1} s", v / 1000.0)
    } else if v >= 10.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}

/// A table number of milliseconds, short.
fn num(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// `10µs`, `1ms`, `100ms`.
fn us(v: u64) -> String {
    if v >= 1_000 {
        format!("{}ms", v / 1_000)
    } else {
        format!("{v}µs")
    }
}

mod caption;
mod table;

pub use caption::caption;
use table::table_lines;

#[cfg(test)]
mod tests;
