//! The `threadpool` view: wall time against sequential time (the speedup), the submit order
//! against the `as_completed` order, every task's state, and each worker busy or idle over
//! time.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::sims::threadpool::PoolSnapshot;
use crate::theme::{RunState, Theme};
use crate::ui::text::count;
use crate::ui::widgets;

/// The label column: "as_completed ".
const LABEL_WIDTH: usize = 13;

/// Draws the `threadpool` demo into `area`.
pub fn render(snap: &PoolSnapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    lines.push(widgets::caption(caption(snap), theme));
    let mut figures = vec![
        ("wall", seconds(snap.elapsed_ms)),
        ("one thread", seconds(snap.sequential_ms)),
    ];
    if snap.finished {
        figures.push(("speedup", format!("{:.1}×", snap.speedup())));
    }
    lines.push(widgets::figures(&figures, width, theme));
    lines.push(Line::default());

    let submitted: Vec<usize> = snap.tasks.iter().map(|t| t.id).collect();
    lines.push(order_line("submitted", &submitted, width, theme));
    lines.push(order_line(
        "as_completed",
        &snap.completion_order,
        width,
        theme,
    ));
    let mut strip = vec![Span::styled(
        format!("{:<LABEL_WIDTH$}", "tasks"),
        theme.muted,
    )];
    for t in snap
        .tasks
        .iter()
        .take(width.saturating_sub(LABEL_WIDTH).max(1))
    {
        strip.push(Span::styled(
            t.state.glyph().to_string(),
            theme.state(t.state),
        ));
    }
    lines.push(Line::from(strip));
    lines.push(widgets::legend(
        &[
            RunState::Ready,
            RunState::Io,
            RunState::Done,
            RunState::Cancelled,
        ],
        theme,
    ));
    lines.push(Line::default());

    let strip_width = width.saturating_sub(LABEL_WIDTH + 9).max(4);
    for w in &snap.workers {
        let task = w
            .task
            .map_or_else(|| "idle".to_string(), |t| format!("task {t}"));
        let mut spans = vec![Span::styled(
            format!("{:<LABEL_WIDTH$}", format!("worker {}", w.id)),
            theme.series(w.id - 1),
        )];
        spans.extend(widgets::state_strip(&w.history, strip_width, theme).spans);
        let style = if w.task.is_some() {
            theme.state(RunState::Io)
        } else {
            theme.muted
        };
        spans.push(Span::styled(format!(" {task}"), style));
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

/// `label  3 1 4 ...`, cut with `…` where it does not fit.
fn order_line<'a>(label: &str, ids: &[usize], width: usize, theme: &Theme) -> Line<'a> {
    let room = width.saturating_sub(LABEL_WIDTH);
    let mut text = String::new();
    for (i, id) in ids.iter().enumerate() {
        let word = if i == 0 {
            id.to_string()
        } else {
            format!(" {id}")
        };
        if text.len() + word.len() > room.saturating_sub(2) && i + 1 < ids.len() {
            text.push_str(" …");
            break;
        }
        text.push_str(&word);
    }
    Line::from(vec![
        Span::styled(format!("{label:<LABEL_WIDTH$}"), theme.muted),
        Span::styled(text, theme.accent),
    ])
}

/// The picture in words.
pub fn caption(snap: &PoolSnapshot) -> String {
    let n = snap.max_workers;
    if snap.finished {
        return format!(
            "{} in {} instead of {}: {} blocked at once, {:.1}× faster",
            count(snap.tasks.len(), "task"),
            seconds(snap.elapsed_ms),
            seconds(snap.sequential_ms),
            count(n, "thread"),
            snap.speedup()
        );
    }
    if snap.tasks.iter().any(|t| t.state == RunState::Cancelled) {
        return "stopped: the tasks not yet done were cancelled".to_string();
    }
    let out_of_order = snap
        .completion_order
        .windows(2)
        .any(|pair| pair[0] > pair[1]);
    if out_of_order {
        return "as_completed yields each task when its I/O ends, not in submit order".to_string();
    }
    let busy = snap.workers.iter().filter(|w| w.task.is_some()).count();
    format!(
        "{busy} of {} blocked in I/O; the other tasks wait in the queue",
        count(n, "worker")
    )
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::threadpool::{PoolTask, PoolWorker};
    use crate::ui::demo::test_support;

    fn draw(snap: &PoolSnapshot, width: u16, height: u16) -> String {
        test_support::draw(render, snap, width, height)
    }

    fn running() -> PoolSnapshot {
        let states = [
            RunState::Done,
            RunState::Io,
            RunState::Done,
            RunState::Io,
            RunState::Io,
            RunState::Io,
            RunState::Ready,
            RunState::Ready,
        ];
        let busy = |pattern: &str| -> Vec<RunState> {
            pattern
                .chars()
                .map(|c| {
                    if c == '#' {
                        RunState::Io
                    } else {
                        RunState::Idle
                    }
                })
                .collect()
        };
        PoolSnapshot {
            max_workers: 4,
            tasks: states
                .iter()
                .enumerate()
                .map(|(i, s)| PoolTask {
                    id: i + 1,
                    duration_ms: 100 * (i as u64 + 1),
                    state: *s,
                    worker: None,
                })
                .collect(),
            workers: vec![
                PoolWorker {
                    id: 1,
                    task: Some(5),
                    history: busy("######.#####"),
                    finished: 1,
                },
                PoolWorker {
                    id: 2,
                    task: Some(2),
                    history: busy("############"),
                    finished: 0,
                },
                PoolWorker {
                    id: 3,
                    task: Some(6),
                    history: busy("####.#######"),
                    finished: 1,
                },
                PoolWorker {
                    id: 4,
                    task: Some(4),
                    history: busy("############"),
                    finished: 0,
                },
            ],
            completion_order: vec![3, 1],
            elapsed_ms: 600,
            sequential_ms: 3600,
            busy_ms: 400,
            finished: false,
        }
    }

    #[test]
    fn tasks_complete_out_of_order() {
        let snap = running();
        insta::assert_snapshot!("threadpool_running_80x20", draw(&snap, 80, 20));
        insta::assert_snapshot!("threadpool_running_54x18", draw(&snap, 54, 18));
    }

    #[test]
    fn finished_with_speedup() {
        let mut snap = running();
        for t in &mut snap.tasks {
            t.state = RunState::Done;
        }
        for w in &mut snap.workers {
            w.task = None;
            w.history.push(RunState::Idle);
        }
        snap.completion_order = vec![3, 1, 2, 5, 4, 7, 6, 8];
        snap.elapsed_ms = 1200;
        snap.busy_ms = 3612;
        snap.finished = true;
        insta::assert_snapshot!("threadpool_finished_54x18", draw(&snap, 54, 18));
    }
}
