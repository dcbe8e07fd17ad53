//! The `cores` view: one meter and one history sparkline per core, the spinning threads
//! with the core each is on, and a caption saying what the picture shows.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::sims::cores::CoresSnapshot;
use crate::theme::Theme;
use crate::ui::text::count;
use crate::ui::widgets;

/// Draws the `cores` demo into `area`.
pub fn render(snap: &CoresSnapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<Line> = Vec::new();
    lines.push(widgets::caption(caption(snap), theme));
    lines.push(Line::styled(
        "core load of every program, as the system reports it",
        theme.muted,
    ));
    if snap.cores.is_empty() {
        lines.push(Line::styled(
            "(this system gives no per-core load readings; the threads below still run)",
            theme.muted,
        ));
    }
    let width = area.width as usize;
    // "core 12 " + bar + " 100% " + sparkline
    let bar_width = (width.saturating_sub(16) / 2).clamp(6, 40);
    let spark_width = width.saturating_sub(bar_width + 16).min(120);
    for (i, core) in snap.cores.iter().enumerate() {
        let style = if core.load_pct >= 50.0 {
            theme.good
        } else {
            theme.muted
        };
        let history: Vec<f64> = core.history.iter().map(|v| f64::from(*v)).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("core {i:<2} "), theme.text),
            Span::styled(
                widgets::bar(f64::from(core.load_pct) / 100.0, bar_width),
                style,
            ),
            Span::styled(format!(" {:>3.0}% ", core.load_pct), theme.accent),
            Span::styled(
                widgets::sparkline(&history, 100.0, spark_width),
                theme.series(i),
            ),
        ]));
    }
    lines.push(Line::default());
    if snap.spinners.is_empty() {
        lines.push(Line::styled(
            "No spinning threads: select busy and press + to start one.",
            theme.muted,
        ));
    }
    for s in &snap.spinners {
        let core = s
            .core
            .map_or_else(|| "core ?".to_string(), |c| format!("core {c}"));
        let rate = if snap.paused {
            "  parked".to_string()
        } else {
            format!("{:>8.0} batches/s", s.batches_per_s)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("thread {:<2} ", s.id), theme.series(s.id - 1)),
            Span::styled(format!("on {core:<8}"), theme.text),
            Span::styled(rate, theme.muted),
        ]));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

/// The picture in words.
pub fn caption(snap: &CoresSnapshot) -> String {
    let cores = snap.cores.len();
    let busy = snap.spinners.len();
    if snap.paused {
        return "paused: the spinning threads are parked; the meters read the whole machine, \
                so the load left is other programs'"
            .to_string();
    }
    if cores == 0 {
        return format!(
            "{}; this system reports no per-core load",
            count(busy, "spinning thread")
        );
    }
    match busy {
        0 => format!("{cores} cores, no spinning threads: the load you see is everything else"),
        n if n < cores => format!(
            "{} on {cores} cores: about {} busy, the rest free",
            count(n, "spinning thread"),
            count(n, "core")
        ),
        n if n == cores => format!("{n} spinning threads on {cores} cores: every core is busy"),
        n => format!(
            "{n} spinning threads on {cores} cores: more threads than cores, so they take turns"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::cores::{CoreReading, SpinnerReading};

    fn snap(paused: bool) -> CoresSnapshot {
        CoresSnapshot {
            cores: vec![CoreReading {
                load_pct: 100.0,
                history: vec![100.0],
            }],
            spinners: vec![SpinnerReading {
                id: 1,
                core: Some(0),
                batches_per_s: 0.0,
            }],
            elapsed_s: 1.0,
            paused,
        }
    }

    /// Issue 11: paused, the meter may still read 100% (other programs): say whose load
    /// the meter shows, and that the threads are parked.
    #[test]
    fn paused_cores_say_the_meter_reads_the_whole_machine() {
        let text = crate::ui::demo::test_support::draw(render, &snap(true), 100, 12);
        assert!(text.contains("whole machine"), "{text}");
        assert!(text.contains("every program"), "{text}");
        assert!(text.contains("parked"), "{text}");
        assert!(!text.contains("batches/s"), "{text}");
        let running = crate::ui::demo::test_support::draw(render, &snap(false), 100, 12);
        assert!(running.contains("batches/s"), "{running}");
    }
}
