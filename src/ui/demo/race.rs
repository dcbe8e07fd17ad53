//! The `race` view. On real threads: each thread's progress, the counter against what it
//! should be, and the updates lost in every round. In the step model, a small debugger: per
//! thread its bytecode listing with a program-counter arrow and the value on its stack, the
//! shared counter, the challenge and why an update was lost.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::sims::race::{RaceEngineKind, RaceMode, RaceSnapshot, RaceThread};
use crate::theme::Theme;
use crate::ui::text::{count, signed_thousands};
use crate::ui::widgets;

/// The width of one thread's column in the debugger.
const COLUMN_WIDTH: usize = 27;

/// Draws the `race` demo into `area`.
pub fn render(snap: &RaceSnapshot, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let lines = match snap.engine {
        RaceEngineKind::Model => debugger(snap, theme, area.width as usize),
        RaceEngineKind::Threads => live(snap, theme, area.width as usize),
    };
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

/// The picture in words.
pub fn caption(snap: &RaceSnapshot) -> String {
    let n = snap.threads.len();
    match snap.engine {
        RaceEngineKind::Model => {
            if let Some(c) = snap.challenge.as_ref().filter(|c| c.won) {
                return format!(
                    "won: the counter ended at {}, not {}: an update was lost",
                    c.target, snap.expected
                );
            }
            if snap.finished {
                return match snap.mode {
                    RaceMode::Unsafe if snap.lost() > 0 => format!(
                        "done: {} of {} updates lost; restart and try for the lowest value",
                        snap.lost(),
                        snap.expected
                    ),
                    RaceMode::Unsafe => "done, nothing lost: switch threads between a LOAD \
                                         and its STORE to lose an update"
                        .to_string(),
                    RaceMode::Lock => {
                        "done and exact: the lock lets only one thread between LOAD and STORE"
                            .to_string()
                    }
                    RaceMode::Local => {
                        "done and exact: no thread ever touched another's count".to_string()
                    }
                };
            }
            format!("you are the scheduler: press 1-{n} to run that thread's next instruction")
        }
        RaceEngineKind::Threads => {
            let lost = snap.results.last().map_or(0, |r| r.lost);
            if !snap.finished {
                return format!(
                    "{} running “{}” at the same time",
                    count(n, "thread"),
                    snap.mode.source()
                );
            }
            match snap.mode {
                RaceMode::Unsafe if lost > 0 => format!(
                    "{} updates lost: threads loaded the same value and overwrote each other. \
                     These threads run truly in parallel, as on a free-threaded build; under \
                     the GIL fewer are lost, but never reliably none",
                    signed_thousands(lost)
                ),
                RaceMode::Unsafe => {
                    "no update lost this time: run it again, the race is a matter of luck"
                        .to_string()
                }
                RaceMode::Lock => "exact: the lock makes load, add and store one step".to_string(),
                RaceMode::Local => {
                    "exact: each thread counted alone and the sums were added at the end"
                        .to_string()
                }
            }
        }
    }
}

fn counter_line<'a>(snap: &RaceSnapshot, theme: &Theme) -> Line<'a> {
    let lost = snap.lost();
    let lost_style = if lost > 0 { theme.bad } else { theme.good };
    let mut spans = vec![
        Span::styled("counter ", theme.muted),
        Span::styled(signed_thousands(snap.counter), theme.accent),
        Span::styled("   expected ", theme.muted),
        Span::styled(signed_thousands(snap.expected), theme.text),
    ];
    if snap.finished || snap.mode != RaceMode::Local {
        spans.push(Span::styled("   lost ", theme.muted));
        spans.push(Span::styled(signed_thousands(lost.max(0)), lost_style));
    }
    Line::from(spans)
}

fn debugger<'a>(snap: &RaceSnapshot, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let mut lines = vec![
        widgets::caption(caption(snap), theme),
        counter_line(snap, theme),
    ];
    if let Some(c) = &snap.challenge {
        lines.push(widgets::challenge(&c.goal, c.won, theme));
    }
    if snap.mode == RaceMode::Lock {
        let holder = snap
            .lock_holder
            .map_or_else(|| "free".to_string(), |h| format!("held by thread {h}"));
        lines.push(Line::from(vec![
            Span::styled("lock ", theme.muted),
            Span::styled(holder, theme.accent),
        ]));
    }
    lines.push(Line::default());
    let blocks: Vec<Vec<Line>> = snap
        .threads
        .iter()
        .map(|t| thread_block(snap.mode, t, theme))
        .collect();
    let per_row = (width / COLUMN_WIDTH).max(1);
    for row in blocks.chunks(per_row) {
        lines.extend(side_by_side(row));
    }
    if let Some(e) = &snap.last_event {
        lines.push(Line::from(vec![
            Span::styled("last: ", theme.muted),
            Span::styled(e.clone(), theme.text),
        ]));
    }
    for reason in &snap.lost_reasons {
        lines.push(Line::from(vec![
            Span::styled("lost: ", theme.bad),
            Span::styled(reason.clone(), theme.text),
        ]));
    }
    lines
}

fn thread_block<'a>(mode: RaceMode, t: &RaceThread, theme: &Theme) -> Vec<Line<'a>> {
    let style = theme.series(t.id - 1);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("thread {} ", t.id), style.patch(theme.strong)),
        Span::styled(t.state.glyph().to_string(), theme.state(t.state)),
        Span::styled(format!(" {}", t.state.label()), theme.muted),
    ])];
    for (i, op) in mode.program().iter().enumerate() {
        let here = t.pc == Some(i);
        let (arrow, text_style) = if here {
            ("▶ ", theme.accent)
        } else {
            ("  ", theme.muted)
        };
        lines.push(Line::from(vec![
            Span::styled(arrow, theme.accent),
            Span::styled(op.bytecode(mode).to_string(), text_style),
        ]));
    }
    let stack = t.stack.map_or_else(|| "–".to_string(), |v| v.to_string());
    let mut last = vec![
        Span::styled("stack ", theme.muted),
        Span::styled(stack, theme.accent),
    ];
    if mode == RaceMode::Local {
        last.push(Span::styled(" count ", theme.muted));
        last.push(Span::styled(t.local_count.to_string(), theme.accent));
    }
    last.push(Span::styled(
        format!("  done {}/{}", t.done, t.target),
        theme.muted,
    ));
    lines.push(Line::from(last));
    lines
}

/// Lays blocks of lines next to each other, each padded to [`COLUMN_WIDTH`].
fn side_by_side<'a>(blocks: &[Vec<Line<'a>>]) -> Vec<Line<'a>> {
    let height = blocks.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::with_capacity(height + 1);
    for row in 0..height {
        let mut spans: Vec<Span<'a>> = Vec::new();
        for (b, block) in blocks.iter().enumerate() {
            let line = block.get(row).cloned().unwrap_or_default();
            let w = line.width();
            spans.extend(line.spans);
            if b + 1 < blocks.len() {
                spans.push(Span::raw(" ".repeat(COLUMN_WIDTH.saturating_sub(w))));
            }
        }
        out.push(Line::from(spans));
    }
    out.push(Line::default());
    out
}

fn live<'a>(snap: &RaceSnapshot, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let mut lines = vec![
        widgets::caption(caption(snap), theme),
        Line::from(vec![
            Span::styled(
                format!("round {}/{}   ", snap.round, snap.rounds),
                theme.muted,
            ),
            Span::styled("each thread runs ", theme.muted),
            Span::styled(snap.mode.source(), theme.inline_code),
        ]),
        counter_line(snap, theme),
        Line::default(),
    ];
    let count_width = signed_thousands(snap.threads.first().map_or(0, |t| t.target as i64)).len();
    let bar_width = width.saturating_sub(14 + 2 * count_width + 4).clamp(4, 60);
    for t in &snap.threads {
        let fraction = t.done as f64 / t.target.max(1) as f64;
        let state_style = theme.state(t.state);
        lines.push(Line::from(vec![
            Span::styled(format!("thread {:<2} ", t.id), theme.series(t.id - 1)),
            Span::styled(widgets::bar(fraction, bar_width), state_style),
            Span::styled(
                format!(
                    " {:>w$}/{} ",
                    signed_thousands(t.done as i64),
                    signed_thousands(t.target as i64),
                    w = count_width
                ),
                theme.muted,
            ),
            Span::styled(t.state.glyph().to_string(), state_style),
        ]));
    }
    if !snap.results.is_empty() {
        lines.push(Line::default());
        let mut spans = vec![Span::styled("lost per round: ", theme.muted)];
        for (i, r) in snap.results.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" · ", theme.muted));
            }
            let style = if r.lost > 0 { theme.bad } else { theme.good };
            spans.push(Span::styled(signed_thousands(r.lost), style));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    lines.push(Line::styled(explain(snap.mode), theme.muted));
    lines
}

fn explain(mode: RaceMode) -> &'static str {
    match mode {
        RaceMode::Unsafe => {
            "counter += 1 is LOAD_GLOBAL, BINARY_OP, STORE_GLOBAL: a thread that loads, \
             then stores after another thread's store, overwrites it."
        }
        RaceMode::Lock => {
            "with lock: only one thread at a time runs LOAD, ADD and STORE, so no store \
             is ever overwritten; the price is that the threads take turns."
        }
        RaceMode::Local => {
            "each thread adds to its own local count (LOAD_FAST, STORE_FAST), shared by \
             no one; the main thread adds the counts up after join()."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::kit::step_model::StepModel;
    use crate::sims::race::model::RaceModel;
    use crate::sims::race::{RaceSetup, RoundResult};
    use crate::theme::RunState;
    use crate::ui::demo::test_support;

    fn draw(snap: &RaceSnapshot, width: u16, height: u16) -> String {
        test_support::draw(render, snap, width, height)
    }

    fn won_model() -> RaceSnapshot {
        let mut m = RaceModel::new(
            RaceSetup {
                mode: RaceMode::Unsafe,
                threads: 2,
                increments: 1,
            },
            1,
        );
        for n in [1, 2, 1, 1, 2] {
            assert!(m.run(n - 1));
        }
        assert!(m.run(1));
        m.snapshot()
    }

    #[test]
    fn debugger_mid_challenge() {
        let mut m = RaceModel::new(
            RaceSetup {
                mode: RaceMode::Unsafe,
                threads: 2,
                increments: 1,
            },
            1,
        );
        for n in [1, 2, 1] {
            assert!(m.run(n - 1));
        }
        insta::assert_snapshot!("race_debugger_54x18", draw(&m.snapshot(), 54, 18));
    }

    #[test]
    fn debugger_challenge_won() {
        test_support::assert_view_at_both_sizes!("race_debugger_won", draw, won_model());
    }

    #[test]
    fn debugger_lock_mode() {
        let mut m = RaceModel::new(
            RaceSetup {
                mode: RaceMode::Lock,
                threads: 2,
                increments: 1,
            },
            1,
        );
        assert!(m.run(0));
        assert!(m.run(0));
        assert!(!m.run(1));
        insta::assert_snapshot!("race_debugger_lock_54x18", draw(&m.snapshot(), 54, 18));
    }

    #[test]
    fn live_rounds() {
        let snap = RaceSnapshot {
            engine: RaceEngineKind::Threads,
            mode: RaceMode::Unsafe,
            threads: (1..=4)
                .map(|id| RaceThread {
                    id,
                    pc: None,
                    stack: None,
                    local_count: 0,
                    done: 100_000,
                    target: 100_000,
                    state: RunState::Done,
                })
                .collect(),
            counter: 387_655,
            expected: 400_000,
            lock_holder: None,
            round: 3,
            rounds: 3,
            results: vec![
                RoundResult {
                    expected: 400_000,
                    actual: 391_002,
                    lost: 8_998,
                },
                RoundResult {
                    expected: 400_000,
                    actual: 395_120,
                    lost: 4_880,
                },
                RoundResult {
                    expected: 400_000,
                    actual: 387_655,
                    lost: 12_345,
                },
            ],
            challenge: None,
            lost_reasons: Vec::new(),
            last_event: None,
            finished: true,
        };
        test_support::assert_view_at_both_sizes!("race_live", draw, snap);
    }

    #[test]
    fn debugger_on_a_projector() {
        let mut m = RaceModel::new(
            RaceSetup {
                mode: RaceMode::Unsafe,
                threads: 6,
                increments: 3,
            },
            3,
        );
        for _ in 0..40 {
            assert!(m.step_random());
        }
        insta::assert_snapshot!("race_debugger_150x50", draw(&m.snapshot(), 150, 50));
    }
}
