//! The `gil` view: Beazley's GIL charts, alive. One row per thread over a scrolling time
//! window (holding the GIL and running, waiting for it, in I/O, done), the core each thread
//! is on, the counters (speedup, switches, drop requests, I/O latency, per-thread shares), a
//! legend, the model's last step, and a caption saying in words what the picture shows.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::sims::gil::{EngineKind, GilSnapshot, Mode, ThreadRow, ThreadState, Workload};
use crate::theme::{RunState, Theme};
use crate::ui::text::{compact, format_ms, wrap_words};
use crate::ui::text::{count, count_of};
use crate::ui::widgets;

/// "T16 cpu c15 ": thread, workload, core.
const LABEL_WIDTH: usize = 12;
/// " held wait  I/O" shares after the strip.
const SHARES_WIDTH: usize = 16;
/// Below this share of a core for one thread alone, the view says the machine is busy.
const BUSY_CORE_SHARE: f64 = 0.8;
/// Below this width the shares are left out so the strip keeps some room.
const MIN_WIDTH_FOR_SHARES: usize = 44;

/// The tallest a thread's strip gets on a big screen, in lines.
const MAX_STRIP_LINES: usize = 4;
/// The fewest lines the model's step explanation gets (more where the threads leave room).
const MIN_STEP_LINES: usize = 2;
/// From this height on, the caption may take a third line rather than be cut.
const MIN_HEIGHT_FOR_LONG_CAPTION: usize = 16;
/// From this width on, the view is on a big screen and strips may grow past two lines.
const BIG_SCREEN_WIDTH: u16 = 100;

/// Draws the `gil` demo into `area`.
pub fn render(snap: &GilSnapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let height = area.height as usize;
    let shares = width >= MIN_WIDTH_FOR_SHARES;
    let strip_width = width
        .saturating_sub(LABEL_WIDTH + if shares { SHARES_WIDTH } else { 0 })
        .max(1);

    // The caption is the demo's claim: never cut it where a third line fits.
    let caption_lines = if height >= MIN_HEIGHT_FOR_LONG_CAPTION {
        3
    } else {
        2
    };
    let mut top: Vec<Line> = wrap_words(&caption(snap), width.saturating_sub(2), caption_lines)
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            if i == 0 {
                widgets::caption(text, theme)
            } else {
                Line::styled(format!("  {text}"), theme.strong)
            }
        })
        .collect();
    top.push(time_axis(snap, strip_width, shares, theme));

    let narrow = width < 64;
    let mut bottom = vec![
        speed_figures(snap, narrow, width, theme),
        second_figures(snap, width, theme),
    ];
    if let Some(share) = snap.reference_core_share.filter(|s| *s < BUSY_CORE_SHARE) {
        bottom.push(Line::styled(
            format!(
                "busy machine: one thread alone got {:.0}% of a core",
                share * 100.0
            ),
            theme.warn,
        ));
    }
    bottom.push(legend(snap, theme));
    let n = snap.threads.len();
    if snap.setup.engine == EngineKind::Model && !snap.last_event.is_empty() {
        let style = if snap.paused {
            theme.accent
        } else {
            theme.muted
        };
        // The step's explanation takes the rows the threads leave free (two strip lines
        // and a gap each), and never fewer than MIN_STEP_LINES.
        let text_width = width.saturating_sub(5);
        let whole = wrap_words(&snap.last_event, text_width, usize::MAX).len();
        let room = height.saturating_sub(top.len() + bottom.len() + 1);
        let spare = room.saturating_sub(3 * n);
        let step_lines = spare.clamp(MIN_STEP_LINES.min(whole), whole.max(1));
        for (i, text) in wrap_words(&snap.last_event, text_width, step_lines)
            .into_iter()
            .enumerate()
        {
            let label = if i == 0 { "step " } else { "     " };
            bottom.push(Line::from(vec![
                Span::styled(label, theme.muted),
                Span::styled(text, style),
            ]));
        }
    }

    let room = height.saturating_sub(top.len() + bottom.len() + 1);
    // On a big screen (a projector) each thread gets a taller strip, up to
    // MAX_STRIP_LINES, and some air between threads.
    let (strip_lines, gap) = if n > 0 && room >= 3 * n {
        let tallest = if area.width >= BIG_SCREEN_WIDTH {
            MAX_STRIP_LINES
        } else {
            2
        };
        ((room / n - 1).clamp(2, tallest), 1)
    } else if n > 0 && room >= 2 * n {
        (2, 0)
    } else {
        (1, 0)
    };
    let per_thread = strip_lines + gap;
    let fits = room / per_thread;
    let shown = if n <= fits {
        n
    } else {
        room.saturating_sub(1) / per_thread
    };
    let mut rows: Vec<Line> = Vec::new();
    for t in snap.threads.iter().take(shown) {
        rows.push(thread_row(snap.setup.mode, t, strip_width, shares, theme));
        for _ in 1..strip_lines {
            rows.push(strip_only(t, strip_width, theme));
        }
        if gap == 1 {
            rows.push(Line::default());
        }
    }
    if shown < n && room > 0 {
        rows.push(Line::styled(
            format!(
                "… {}: a taller window shows them",
                count(n - shown, "more thread")
            ),
            theme.muted,
        ));
    }

    let mut lines = top;
    lines.extend(rows);
    // A blank line before the counters when there is room for it (and none yet).
    if gap == 0 && lines.len() + bottom.len() < height {
        lines.push(Line::default());
    }
    lines.extend(bottom);
    Paragraph::new(lines).render(area, buf);
}

/// The picture in words.
pub fn caption(snap: &GilSnapshot) -> String {
    let cpu = snap
        .threads
        .iter()
        .filter(|t| t.workload == Workload::Cpu)
        .count();
    let io = snap.threads.len() - cpu;
    let cores = snap.setup.cores;
    let alone = snap.threads.len() == 1;
    match snap.setup.mode {
        Mode::FreeThreaded if alone => {
            "no GIL: 1 thread runs alone on one core, a little slower than with a GIL".to_string()
        }
        Mode::Processes if alone => {
            "1 process with its own GIL: it runs alone on one core, as one thread would".to_string()
        }
        Mode::FreeThreaded if cpu > cores => format!(
            "no GIL: {cpu} CPU threads on {}: {cores} run at a time, the others wait for a \
             core",
            count(cores, "core")
        ),
        Mode::Processes if cpu > cores => format!(
            "{cpu} CPU processes, each with its own GIL, on {}: {cores} run at a time, the \
             others wait for a core",
            count(cores, "core")
        ),
        Mode::FreeThreaded => format!(
            "no GIL: {} run in parallel on {}, each a little slower",
            count(snap.threads.len(), "thread"),
            count(cores, "core")
        ),
        Mode::Processes => format!(
            "{}, each with its own GIL: they run in parallel on {}",
            count_of(snap.threads.len(), "process", "processes"),
            count(cores, "core")
        ),
        Mode::GilLegacy if cpu >= 2 => {
            "Python 2's GIL: the holder lets go every 100 ticks and grabs it straight back"
                .to_string()
        }
        _ if cpu == 0 && alone => {
            "1 I/O thread alone: it lets go of the GIL while it waits; nobody else wants it"
                .to_string()
        }
        _ if cpu == 0 => format!(
            "{}: each lets go of the GIL while it waits, so the waits overlap",
            count(io, "I/O thread")
        ),
        _ if io > 0 => format!(
            "{cpu} CPU + {io} I/O: after each I/O, the I/O thread waits about one switch \
             interval for the GIL (convoy effect)"
        ),
        _ if cpu == 1 => "1 CPU thread alone: it keeps the GIL, nobody asks for it".to_string(),
        _ => format!("{cpu} CPU threads, 1 core's worth of work: the GIL lets one run at a time"),
    }
}

fn run_state(state: ThreadState) -> RunState {
    match state {
        ThreadState::Running => RunState::Running,
        ThreadState::Waiting => RunState::Ready,
        ThreadState::Io => RunState::Io,
        ThreadState::Done => RunState::Done,
        ThreadState::Parked => RunState::Idle,
    }
}

fn time_axis<'a>(snap: &GilSnapshot, strip_width: usize, shares: bool, theme: &Theme) -> Line<'a> {
    let span_ms = snap.cell_ms * strip_width as f64;
    let left = format!("◂ {} ", format_ms(span_ms));
    let right = " now";
    let fill = strip_width.saturating_sub(left.chars().count() + right.len());
    let who = if snap.setup.mode == Mode::Processes {
        "proc core"
    } else {
        "thread core"
    };
    let mut spans = vec![
        Span::styled(format!("{who:<LABEL_WIDTH$}"), theme.muted),
        Span::styled(
            if fill > 0 {
                format!("{left}{}{right}", "─".repeat(fill))
            } else {
                " ".repeat(strip_width)
            },
            theme.muted,
        ),
    ];
    if shares {
        let header = if snap.setup.mode.shares_one_gil() {
            "  held wait  I/O"
        } else {
            "   run wait  I/O"
        };
        spans.push(Span::styled(header, theme.muted));
    }
    Line::from(spans)
}

/// `T3` for a thread, `P3` for a process.
fn row_name(mode: Mode, id: usize) -> String {
    let letter = if mode == Mode::Processes { 'P' } else { 'T' };
    format!("{letter}{id}")
}

/// The three shares after a strip: held / waiting for the GIL / I/O under a shared GIL;
/// on a core / waiting for a core / I/O without one (`—` where the engine cannot tell).
fn shares_text(mode: Mode, t: &ThreadRow) -> String {
    let pct = |v: f64| format!("{:>4.0}%", (v * 100.0).clamp(0.0, 100.0));
    if mode.shares_one_gil() {
        return format!(
            " {}{}{}",
            pct(t.held_share),
            pct(t.waiting_share),
            pct(t.io_share)
        );
    }
    match t.on_core_share {
        Some(on_core) => format!(
            " {}{}{}",
            pct(on_core),
            pct((t.held_share - on_core).max(0.0)),
            pct(t.io_share)
        ),
        None => format!(" {}    —{}", pct(t.held_share), pct(t.io_share)),
    }
}

fn thread_row<'a>(
    mode: Mode,
    t: &ThreadRow,
    strip_width: usize,
    shares: bool,
    theme: &Theme,
) -> Line<'a> {
    let core = t.core.map_or_else(|| "?".to_string(), |c| c.to_string());
    let label = format!(
        "{:<3} {:<3} c{:<3}",
        row_name(mode, t.id),
        t.workload.name(),
        core
    );
    let states: Vec<RunState> = t.strip.iter().map(|s| run_state(*s)).collect();
    let mut spans = vec![Span::styled(
        format!("{label:<LABEL_WIDTH$}"),
        theme.series(t.id.saturating_sub(1)),
    )];
    spans.extend(widgets::state_strip(&states, strip_width, theme).spans);
    if shares {
        spans.push(Span::styled(shares_text(mode, t), theme.text));
    }
    Line::from(spans)
}

/// A second line under a thread's row: the same strip, so it reads from the back of a room.
fn strip_only<'a>(t: &ThreadRow, strip_width: usize, theme: &Theme) -> Line<'a> {
    let states: Vec<RunState> = t.strip.iter().map(|s| run_state(*s)).collect();
    let mut spans = vec![Span::raw(" ".repeat(LABEL_WIDTH))];
    spans.extend(widgets::state_strip(&states, strip_width, theme).spans);
    Line::from(spans)
}

fn speed_figures<'a>(snap: &GilSnapshot, narrow: bool, width: usize, theme: &Theme) -> Line<'a> {
    let speedup = snap.speedup.map_or_else(
        || "measuring…".to_string(),
        |s| {
            if narrow {
                format!("{s:.2}×")
            } else {
                let who = if snap.setup.mode == Mode::Processes {
                    "processes"
                } else {
                    "threads"
                };
                format!("{s:.2}× ({} {who})", snap.speedup_kind.name())
            }
        },
    );
    if !snap.setup.mode.shares_one_gil() {
        return widgets::figures(&[("speedup", speedup)], width, theme);
    }
    widgets::figures(
        &[
            ("speedup", speedup),
            ("switches/s", format!("{:.0}", snap.counts.switches_per_s)),
            ("drop requests", compact(snap.counts.drop_requests)),
        ],
        width,
        theme,
    )
}

fn second_figures<'a>(snap: &GilSnapshot, width: usize, theme: &Theme) -> Line<'a> {
    if snap.threads.iter().any(|t| t.workload == Workload::Io) {
        let latency = snap.io_latency.map_or_else(
            || "—".to_string(),
            |l| format!("{} / {}", format_ms(l.p50_ms), format_ms(l.p99_ms)),
        );
        return widgets::figures(
            &[
                ("I/O ops/s", format!("{:.0}", snap.counts.io_ops_per_s)),
                ("latency p50/p99", latency),
            ],
            width,
            theme,
        );
    }
    if snap.setup.mode == Mode::GilLegacy && snap.counts.contended_releases > 0 {
        let back =
            snap.counts.self_reacquires as f64 / snap.counts.contended_releases as f64 * 100.0;
        return widgets::figures(
            &[
                ("releases", compact(snap.counts.releases)),
                ("taken back despite a waiter", format!("{back:.0}%")),
            ],
            width,
            theme,
        );
    }
    if !snap.setup.mode.shares_one_gil() {
        // No GIL to hand off: what the threads share is the cores.
        let known: Vec<f64> = snap
            .threads
            .iter()
            .filter(|t| t.held_share > 0.0)
            .filter_map(|t| t.on_core_share.map(|c| c / t.held_share))
            .collect();
        let on_core = if known.is_empty() {
            "—".to_string()
        } else {
            format!(
                "{:.0}%",
                known.iter().sum::<f64>() / known.len() as f64 * 100.0
            )
        };
        return widgets::figures(
            &[
                ("cores", snap.setup.cores.to_string()),
                ("running time on a core", on_core),
            ],
            width,
            theme,
        );
    }
    widgets::figures(
        &[
            ("interval", format_ms(snap.setup.switch_interval_ms)),
            ("hand-offs", compact(snap.counts.gil_switches)),
        ],
        width,
        theme,
    )
}

fn legend<'a>(snap: &GilSnapshot, theme: &Theme) -> Line<'a> {
    let items: &[(RunState, &str)] = if snap.setup.mode.shares_one_gil() {
        &[
            (RunState::Running, "holds GIL"),
            (RunState::Ready, "waits for GIL"),
            (RunState::Io, "I/O"),
            (RunState::Done, "done"),
        ]
    } else {
        &[
            (RunState::Running, "runs or waits for a core"),
            (RunState::Io, "I/O"),
            (RunState::Done, "done"),
        ]
    };
    let mut spans = Vec::new();
    for (i, (state, label)) in items.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(state.glyph().to_string(), theme.state(*state)));
        spans.push(Span::styled(format!(" {label}"), theme.muted));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests;
