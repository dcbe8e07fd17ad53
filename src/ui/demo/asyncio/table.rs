//! The `asyncio` view's task table: one row per task while they fit, else aggregates by
//! state and by what the tasks wait on, with the scheduling-delay histogram.

use super::*;

/// The task table, or the aggregates when there are too many tasks to list.
pub(super) fn table_lines<'a>(
    snap: &AsyncioSnapshot,
    theme: &Theme,
    width: usize,
    height: usize,
) -> Vec<Line<'a>> {
    match &snap.tasks {
        Some(tasks) => task_rows(tasks, snap.sort, theme, width, height),
        None => aggregate_rows(snap, theme, width, height),
    }
}

fn task_rows<'a>(
    tasks: &[TaskFacts],
    sort: SortBy,
    theme: &Theme,
    width: usize,
    height: usize,
) -> Vec<Line<'a>> {
    // state 12 · task 11 · polls 6 · busy, ready, wait 8 each (ms): 53 cells. The last
    // columns go first when the area is narrower.
    let show_wait = width >= 53;
    let show_ready = width >= 45;
    let mark = |col: SortBy, name: &str| {
        if col == sort {
            format!("{name}▾")
        } else {
            name.to_string()
        }
    };
    let mut header = format!(
        "{:<12}{:<11}{:>6}{:>8}",
        mark(SortBy::State, "state"),
        "task",
        mark(SortBy::Polls, "polls"),
        mark(SortBy::Busy, "busy"),
    );
    if show_ready {
        header.push_str(&format!("{:>8}", "ready"));
    }
    if show_wait {
        header.push_str(&format!("{:>8}", "wait"));
    }
    let mut lines = vec![Line::styled(clip(&header, width), theme.table_header)];
    let room = height.saturating_sub(1);
    let shown = if tasks.len() > room {
        room.saturating_sub(1)
    } else {
        tasks.len()
    };
    for t in &tasks[..shown] {
        let rs = run_state(t.state);
        let mut spans = vec![
            Span::styled(format!("{} ", rs.glyph()), theme.state(rs)),
            Span::styled(format!("{:<10}", t.state.label()), theme.state(rs)),
            Span::styled(format!("{:<11}", clip(&t.name, 11)), theme.text),
            Span::styled(format!("{:>6}", t.polls), theme.accent),
            Span::styled(format!("{:>8}", num(t.busy_ms)), theme.text),
        ];
        if show_ready {
            spans.push(Span::styled(format!("{:>8}", num(t.ready_ms)), theme.text));
        }
        if show_wait {
            spans.push(Span::styled(format!("{:>8}", num(t.wait_ms)), theme.muted));
        }
        lines.push(Line::from(spans));
    }
    if shown < tasks.len() {
        lines.push(Line::styled(
            format!("… {} more tasks (times in ms)", tasks.len() - shown),
            theme.muted,
        ));
    } else if lines.len() < height {
        lines.push(Line::styled("times in ms", theme.muted));
    }
    lines
}

fn aggregate_rows<'a>(
    snap: &AsyncioSnapshot,
    theme: &Theme,
    width: usize,
    height: usize,
) -> Vec<Line<'a>> {
    let mut lines = vec![Line::styled(
        clip(
            &format!(
                "{} tasks: too many to list, totals instead",
                thousands(snap.spawned)
            ),
            width,
        ),
        theme.table_header,
    )];
    let polls = snap.polls.max(1) as f64;
    lines.push(widgets::figures(
        &[
            ("busy", format!("{:.2} s", snap.busy_s)),
            ("ready/poll", ms(snap.ready_s * 1000.0 / polls)),
        ],
        width,
        theme,
    ));
    lines.push(Line::styled(
        "scheduling delay (woken → polled):",
        theme.muted,
    ));
    let total = snap.delay_histogram.iter().sum::<u64>().max(1) as f64;
    let bar_width = width.saturating_sub(20).clamp(4, 40);
    for (i, count) in snap.delay_histogram.iter().enumerate() {
        let label = match DELAY_BUCKET_BOUNDS_US.get(i) {
            Some(bound) => format!("< {}", us(*bound)),
            None => format!("≥ {}", us(DELAY_BUCKET_BOUNDS_US[i - 1])),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<8}"), theme.text),
            Span::styled(
                widgets::bar(*count as f64 / total, bar_width),
                theme.state(RunState::Ready),
            ),
            Span::styled(format!(" {}", thousands(*count)), theme.accent),
        ]));
    }
    lines.truncate(height);
    lines
}
