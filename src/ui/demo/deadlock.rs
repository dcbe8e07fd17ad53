//! The `deadlock` view: who holds which lock, who waits for which, the wait-for graph with
//! its cycle named, the counts of acquisitions and timeouts, and (step model) the challenge
//! and what the last move did.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::sims::deadlock::{DeadlockSnapshot, LockOrder};
use crate::theme::Theme;
use crate::ui::widgets;

/// From this width on, each thread's row also shows how often it ate.
const WIDE_COLUMNS: u16 = 70;

/// Draws the `deadlock` demo into `area`.
pub fn render(snap: &DeadlockSnapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<Line> = vec![widgets::caption(caption(snap), theme)];
    let timeout = if snap.timeout_ms == 0 {
        "wait forever".to_string()
    } else {
        format!("timeout {} ms", snap.timeout_ms)
    };
    let totals = snap.totals();
    lines.push(Line::from(vec![
        Span::styled(format!("{} · {timeout} · ", snap.order.name()), theme.muted),
        Span::styled("acquired ", theme.muted),
        Span::styled(totals.acquisitions.to_string(), theme.accent),
        Span::styled(" · timeouts ", theme.muted),
        Span::styled(totals.timeouts.to_string(), theme.accent),
    ]));
    if let Some(goal) = snap.challenge.as_deref() {
        lines.push(widgets::challenge(goal, snap.challenge_won, theme));
    }
    lines.push(Line::default());

    let mut locks = vec![Span::styled("locks held  ", theme.muted)];
    for (l, owner) in snap.owners.iter().enumerate() {
        locks.push(Span::styled(snap.lock_name(l), theme.accent));
        match owner {
            Some(t) => locks.push(Span::styled(format!(": T{}   ", t + 1), theme.series(*t))),
            None => locks.push(Span::styled(": free   ", theme.muted)),
        }
    }
    lines.push(Line::from(locks));
    lines.push(Line::default());

    for t in &snap.threads {
        let holds = if t.holding.is_empty() {
            "–".to_string()
        } else {
            t.holding
                .iter()
                .map(|l| snap.lock_name(*l))
                .collect::<Vec<_>>()
                .join("+")
        };
        let mut spans = vec![
            Span::styled(format!("thread {} ", t.id), theme.series(t.id - 1)),
            Span::styled(t.state.glyph().to_string(), theme.state(t.state)),
            Span::styled(
                format!(
                    " {}→{}  ",
                    snap.lock_name(t.plan[0]),
                    snap.lock_name(t.plan[1])
                ),
                theme.muted,
            ),
            Span::styled("holds ", theme.muted),
            Span::styled(format!("{holds:<6}"), theme.text),
        ];
        if let Some(l) = t.waiting_for {
            let holder = snap.owners.get(l).copied().flatten();
            let text = match holder {
                Some(h) => format!(" waits for {} (T{})", snap.lock_name(l), h + 1),
                None => format!(" waits for {}", snap.lock_name(l)),
            };
            spans.push(Span::styled(text, theme.warn));
        } else {
            spans.push(Span::styled(
                format!(" {}", t.state.label()),
                theme.state(t.state),
            ));
        }
        if area.width >= WIDE_COLUMNS {
            spans.push(Span::styled(
                format!("  ate {}", t.counts.meals),
                theme.muted,
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    lines.push(graph_line(snap, theme));
    if let Some(e) = &snap.last_event {
        lines.push(Line::from(vec![
            Span::styled("last: ", theme.muted),
            Span::styled(e.clone(), theme.text),
        ]));
    }
    lines.push(Line::styled(explain(snap), theme.muted));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

/// The wait-for graph: the cycle if there is one, else every edge.
fn graph_line<'a>(snap: &DeadlockSnapshot, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled("wait-for: ", theme.muted)];
    let cycle = snap.cycle.as_ref().or(snap.deadlock_cycle.as_ref());
    let edge = |from: usize| -> Option<(String, usize)> {
        let t = snap.threads.get(from.checked_sub(1)?)?;
        let l = t.waiting_for?;
        let owner = snap.owners.get(l).copied().flatten()?;
        Some((snap.lock_name(l), owner + 1))
    };
    match cycle {
        Some(c) if !c.is_empty() => {
            let style = if snap.deadlocked {
                theme.bad
            } else {
                theme.warn
            };
            for &t in c {
                spans.push(Span::styled(format!("T{t}"), theme.series(t - 1)));
                let lock = edge(t).map_or_else(|| "?".to_string(), |(l, _)| l);
                spans.push(Span::styled(format!(" ─{lock}→ "), style));
            }
            spans.push(Span::styled(format!("T{}", c[0]), theme.series(c[0] - 1)));
            spans.push(Span::styled("  ⟲ cycle", style));
        }
        _ => {
            let edges: Vec<(usize, String, usize)> = snap
                .threads
                .iter()
                .filter_map(|t| edge(t.id).map(|(l, o)| (t.id, l, o)))
                .collect();
            if edges.is_empty() {
                spans.push(Span::styled("no thread waits", theme.muted));
            }
            for (i, (from, lock, to)) in edges.into_iter().enumerate() {
                if i > 0 {
                    spans.push(Span::styled(",  ", theme.muted));
                }
                spans.push(Span::styled(format!("T{from}"), theme.series(from - 1)));
                spans.push(Span::styled(format!(" ─{lock}→ "), theme.muted));
                spans.push(Span::styled(format!("T{to}"), theme.series(to - 1)));
            }
            if snap.threads.iter().any(|t| t.waiting_for.is_some()) {
                spans.push(Span::styled("  (no cycle)", theme.good));
            }
        }
    }
    Line::from(spans)
}

/// The picture in words.
pub fn caption(snap: &DeadlockSnapshot) -> String {
    let names = |c: &[usize]| -> String {
        let ids: Vec<String> = c.iter().map(usize::to_string).collect();
        match ids.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                format!("threads {} and {last}", rest.join(", "))
            }
            Some((last, _)) => format!("thread {last}"),
            None => "no thread".to_string(),
        }
    };
    if let Some(c) = &snap.deadlock_cycle {
        let after = snap
            .detected_after_ms
            .map_or_else(String::new, |ms| format!(", found after {ms} ms"));
        return format!(
            "deadlock: {} each hold a lock the next one waits for{after}",
            names(c)
        );
    }
    if let Some(c) = &snap.cycle {
        return format!(
            "a cycle: {} wait on each other until a timeout makes one back off",
            names(c)
        );
    }
    match (snap.model, snap.order) {
        (true, LockOrder::Opposite) if snap.timeout_ms == 0 => format!(
            "be the scheduler: press 1-{} to move a thread, and make them deadlock",
            snap.threads.len()
        ),
        (true, _) => format!(
            "be the scheduler: press 1-{} to move a thread; can you make them deadlock?",
            snap.threads.len()
        ),
        (false, LockOrder::Consistent) => {
            "every thread takes the lower lock first: no cycle can form".to_string()
        }
        (false, LockOrder::Opposite) if snap.timeout_ms > 0 => {
            "threads give up after the timeout, release, and back off".to_string()
        }
        (false, LockOrder::Opposite) => {
            "each thread takes its own lock first: watch for the cycle".to_string()
        }
    }
}

fn explain(snap: &DeadlockSnapshot) -> &'static str {
    if snap.deadlocked {
        "No thread can go on: each holds what another needs. Python would hang here; \
         a consistent lock order (lowest first) makes this cycle impossible."
    } else {
        match (snap.order, snap.timeout_ms) {
            (LockOrder::Consistent, _) => {
                "A waiting thread always waits for a higher lock than it holds, so the \
                 waits can never close into a circle."
            }
            (LockOrder::Opposite, 0) => {
                "Threads take the same locks in opposite orders: if each gets its first, \
                 each waits forever for its second."
            }
            (LockOrder::Opposite, _) => {
                "acquire(timeout=...) turns a deadlock into a retry: the thread releases \
                 what it holds and tries again later."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::deadlock::DeadlockSetup;
    use crate::sims::deadlock::model::DeadlockModel;
    use crate::sims::kit::step_model::StepModel;
    use crate::ui::demo::test_support;

    fn draw(snap: &DeadlockSnapshot, width: u16, height: u16) -> String {
        test_support::draw(render, snap, width, height)
    }

    fn model(
        order: LockOrder,
        threads: usize,
        timeout_ms: u64,
        moves: &[usize],
    ) -> DeadlockSnapshot {
        let mut m = DeadlockModel::new(DeadlockSetup {
            order,
            threads,
            timeout_ms,
            hold_ms: 0,
            seed: 1,
        });
        for n in moves {
            assert!(m.run(n - 1));
        }
        m.snapshot()
    }

    #[test]
    fn two_threads_deadlocked() {
        test_support::assert_view_at_both_sizes!(
            "deadlock_two",
            draw,
            model(LockOrder::Opposite, 2, 0, &[1, 2, 1, 2])
        );
    }

    #[test]
    fn philosophers_one_waiting() {
        let snap = model(LockOrder::Opposite, 5, 0, &[1, 2, 1]);
        insta::assert_snapshot!("deadlock_five_54x18", draw(&snap, 54, 18));
    }

    #[test]
    fn eight_philosophers_on_a_projector() {
        let snap = model(
            LockOrder::Opposite,
            8,
            0,
            &[1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8],
        );
        insta::assert_snapshot!("deadlock_eight_150x50", draw(&snap, 150, 50));
    }

    #[test]
    fn consistent_with_a_waiter() {
        let snap = model(LockOrder::Consistent, 2, 0, &[1, 2]);
        insta::assert_snapshot!("deadlock_consistent_54x18", draw(&snap, 54, 18));
    }
}
