//! The `queue` view: the queue's fill against `maxsize`, its depth over time, the memory its
//! items hold, what every producer and consumer is doing (blocked producers are the
//! backpressure), and the sentinel shutdown with its final count.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::sims::queue::{QueueSnapshot, QueueWorker};
use crate::theme::{RunState, Theme};
use crate::ui::text::{count, count_of, tenths_of_seconds};
use crate::ui::widgets;

/// Up to this many workers in all, each gets its own row; more are drawn one row per kind.
const ROWS_FOR_WORKERS: usize = 6;

/// Draws the `queue` demo into `area`.
pub fn render(snap: &QueueSnapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let mut lines: Vec<Line> = vec![widgets::caption(caption(snap), theme)];

    let scale = if snap.maxsize > 0 {
        snap.maxsize
    } else {
        snap.max_depth.max(1)
    };
    let bound = if snap.maxsize > 0 {
        format!("{}/{}", snap.depth, snap.maxsize)
    } else {
        format!("{} (no bound)", snap.depth)
    };
    let full = snap.maxsize > 0 && snap.depth >= snap.maxsize;
    let bar_width = width.saturating_sub(8 + bound.len() + 1).clamp(4, 60);
    lines.push(Line::from(vec![
        Span::styled("queue  ", theme.muted),
        Span::styled(
            widgets::bar(snap.depth as f64 / scale as f64, bar_width),
            if full { theme.warn } else { theme.accent },
        ),
        Span::styled(format!(" {bound}"), theme.text),
    ]));
    let history: Vec<f64> = snap.depth_history.iter().map(|d| *d as f64).collect();
    // As wide as the bar above, less what " max N" needs beyond " 3/10", so it never wraps.
    let max_label = format!(" max {}", snap.max_depth);
    let spark_width = width
        .saturating_sub(7 + max_label.len())
        .clamp(4, bar_width);
    lines.push(Line::from(vec![
        Span::styled("depth  ", theme.muted),
        Span::styled(
            widgets::sparkline(&history, scale as f64, spark_width),
            theme.series(1),
        ),
        Span::styled(max_label, theme.muted),
    ]));
    lines.push(widgets::figures(
        &[
            ("memory", kib(snap.memory_bytes)),
            ("max", kib(snap.max_memory_bytes)),
        ],
        width,
        theme,
    ));
    lines.push(widgets::figures(
        &[
            (
                "made",
                format!("{}/{}", snap.items.produced, snap.total_items),
            ),
            ("done", snap.items.consumed.to_string()),
            ("in flight", snap.in_flight.to_string()),
        ],
        width,
        theme,
    ));
    lines.push(Line::default());

    if snap.producers.len() + snap.consumers.len() <= ROWS_FOR_WORKERS {
        for p in &snap.producers {
            lines.push(worker_row("producer", p, "put", "blocked", theme));
        }
        for c in &snap.consumers {
            lines.push(worker_row("consumer", c, "got", "idle", theme));
        }
    } else {
        lines.push(kind_row("producers", &snap.producers, "blocked", theme));
        lines.push(kind_row("consumers", &snap.consumers, "idle", theme));
    }
    lines.push(widgets::legend(
        &[RunState::Running, RunState::Waiting, RunState::Done],
        theme,
    ));
    lines.push(Line::default());
    lines.push(shutdown_line(snap, theme));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

fn worker_row<'a>(
    kind: &str,
    w: &QueueWorker,
    verb: &str,
    waited: &str,
    theme: &Theme,
) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{kind} {} ", w.id), theme.series(w.id - 1)),
        Span::styled(w.state.glyph().to_string(), theme.state(w.state)),
        Span::styled(format!(" {:<8}", w.state.label()), theme.state(w.state)),
        Span::styled(format!("{verb} "), theme.muted),
        Span::styled(format!("{:<5}", w.items), theme.accent),
        Span::styled(format!("{waited} "), theme.muted),
        Span::styled(tenths_of_seconds(w.waited_ms), theme.text),
    ])
}

fn kind_row<'a>(kind: &str, workers: &[QueueWorker], waited: &str, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("{kind:<10}"), theme.muted)];
    for w in workers {
        spans.push(Span::styled(
            w.state.glyph().to_string(),
            theme.state(w.state),
        ));
    }
    let items: u64 = workers.iter().map(|w| w.items).sum();
    let ms: u64 = workers.iter().map(|w| w.waited_ms).sum();
    spans.push(Span::styled(
        format!("  {}  {waited} ", count(items, "item")),
        theme.muted,
    ));
    spans.push(Span::styled(tenths_of_seconds(ms), theme.text));
    Line::from(spans)
}

fn shutdown_line<'a>(snap: &QueueSnapshot, theme: &Theme) -> Line<'a> {
    if !snap.finished {
        let text = if snap.sentinels > 0 {
            format!(
                "shutdown: {} of {} (None) put",
                snap.sentinels,
                count(snap.consumers.len(), "sentinel")
            )
        } else {
            "shutdown: after the producers, one None per consumer".to_string()
        };
        return Line::styled(text, theme.muted);
    }
    let items = snap.items;
    let (mark, style) = if items.lost() == 0 {
        ("✓", theme.good)
    } else {
        ("✗", theme.bad)
    };
    let sum = if items.drained > 0 {
        format!("consumed {} + drained {}", items.consumed, items.drained)
    } else {
        format!("consumed {}", items.consumed)
    };
    Line::from(vec![
        Span::styled(format!("{mark} "), style),
        Span::styled(
            format!(
                "shut down by {}: produced {} = {sum}",
                count(snap.sentinels, "sentinel"),
                items.produced,
            ),
            theme.text,
        ),
    ])
}

/// The picture in words.
pub fn caption(snap: &QueueSnapshot) -> String {
    if snap.finished {
        let items = snap.items;
        return if items.produced == items.consumed {
            format!(
                "done: all {} consumed, nothing lost",
                count(items.consumed, "item")
            )
        } else if items.lost() == 0 {
            format!(
                "stopped early: {} handled, {} drained unhandled before the sentinels",
                count(items.consumed, "item"),
                items.drained
            )
        } else {
            format!(
                "done: {} produced but {} consumed",
                items.produced, items.consumed
            )
        };
    }
    let blocked = snap
        .producers
        .iter()
        .filter(|p| p.state == RunState::Waiting)
        .count();
    if snap.maxsize == 0 {
        if snap.depth > 2 * snap.consumers.len() {
            return format!(
                "unbounded: {} pile up holding {}; nothing slows the producers",
                count(snap.depth, "item"),
                kib(snap.memory_bytes)
            );
        }
        return "unbounded queue: put() never waits".to_string();
    }
    if snap.depth >= snap.maxsize && blocked > 0 {
        return format!(
            "full at maxsize {}: {} in put() (backpressure)",
            snap.maxsize,
            count_of(blocked, "producer waits", "producers wait")
        );
    }
    if snap.depth == 0 {
        return "the queue is empty: consumers wait in get()".to_string();
    }
    format!(
        "{} of {} places used: consumers keep up for now",
        snap.depth, snap.maxsize
    )
}

fn kib(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::queue::ItemCounts;
    use crate::ui::demo::test_support;

    fn draw(snap: &QueueSnapshot, width: u16, height: u16) -> String {
        test_support::draw(render, snap, width, height)
    }

    fn worker(id: usize, state: RunState, items: u64, waited_ms: u64) -> QueueWorker {
        QueueWorker {
            id,
            state,
            items,
            waited_ms,
        }
    }

    fn backpressure() -> QueueSnapshot {
        QueueSnapshot {
            maxsize: 10,
            depth: 10,
            max_depth: 10,
            depth_history: vec![0, 2, 4, 6, 8, 10, 10, 10, 9, 10, 10],
            memory_bytes: 40 * 1024,
            max_memory_bytes: 40 * 1024,
            items: ItemCounts {
                produced: 120,
                consumed: 110,
                drained: 0,
            },
            in_flight: 11,
            total_items: 400,
            producers: vec![
                worker(1, RunState::Waiting, 61, 2300),
                worker(2, RunState::Running, 59, 2100),
            ],
            consumers: vec![worker(1, RunState::Running, 110, 40)],
            sentinels: 0,
            finished: false,
            elapsed_s: 2.4,
        }
    }

    #[test]
    fn the_depth_line_keeps_its_max_on_the_same_row() {
        // An empty queue's "0/10" is shorter than "10/10": the sparkline used the bar's
        // width and pushed " max 10" onto a row of its own at 54 columns.
        let snap = QueueSnapshot {
            depth: 0,
            ..backpressure()
        };
        for width in [40, 54, 80] {
            let drawn = draw(&snap, width, 20);
            let row = |l: &str| l.trim_matches('"').trim_end().to_string();
            let depth = drawn.lines().map(row).find(|l| l.starts_with("depth"));
            assert!(
                depth.is_some_and(|l| l.ends_with("max 10")),
                "{width}:\n{drawn}"
            );
        }
    }

    #[test]
    fn bounded_queue_with_backpressure() {
        test_support::assert_view_at_both_sizes!("queue_backpressure", draw, backpressure());
    }

    #[test]
    fn unbounded_many_workers_finished() {
        let snap = QueueSnapshot {
            maxsize: 0,
            depth: 0,
            max_depth: 734,
            depth_history: (0..60).map(|i| (i * 12).min(734)).chain([300, 0]).collect(),
            memory_bytes: 0,
            max_memory_bytes: 734 * 4096,
            items: ItemCounts {
                produced: 800,
                consumed: 800,
                drained: 0,
            },
            in_flight: 0,
            total_items: 800,
            producers: (1..=4).map(|i| worker(i, RunState::Done, 200, 0)).collect(),
            consumers: (1..=4)
                .map(|i| worker(i, RunState::Done, 200, 15))
                .collect(),
            sentinels: 4,
            finished: true,
            elapsed_s: 9.0,
        };
        insta::assert_snapshot!("queue_unbounded_done_54x18", draw(&snap, 54, 18));
    }
}
