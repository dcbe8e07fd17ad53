//! The `pyconc xray` view: one strip per thread of a real Python program on one time axis
//! (running, waiting for the GIL, on a lock, in I/O), each with its name, core and shares,
//! the run's figures above, what cannot be seen on this system in one plain line, the last
//! lines of the program's output (sanitised) and the keys. Reads an [`XrayFrame`], changes
//! nothing; too small a screen says so.

#[cfg(test)]
mod tests;
pub mod twin;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::lessons::sanitize::sanitize_line;
use crate::theme::{RunState, Theme};
use crate::ui::text::truncate;
use crate::xray::classify::XState;
use crate::xray::recording::{SamplingMode, ThreadView, XrayView};
use crate::xray::screen::{KEYS, QUIT_AFTER_EXIT, ScreenAction, XrayScreen};

/// The smallest screen the view draws on.
pub const MIN_SIZE: (u16, u16) = (32, 8);
/// "name________ c12 ": the label before each strip.
const NAME_WIDTH: usize = 14;
const LABEL_WIDTH: usize = NAME_WIDTH + 5;
/// " run gil lck I/O cpu" after the strip.
const SHARES_WIDTH: usize = 21;
/// Below this width the shares are left out.
const MIN_WIDTH_FOR_SHARES: usize = 64;
/// From this height on, each strip is two lines tall.
const TALL_STRIPS_HEIGHT: u16 = 40;
/// At most this many lines of the program's output.
const MAX_OUTPUT_LINES: usize = 6;

/// Everything one frame draws.
#[derive(Debug, Clone, PartialEq)]
pub struct XrayFrame<'a> {
    /// Pause, window.
    pub screen: &'a XrayScreen,
    /// The run's picture for this frame.
    pub view: &'a XrayView,
    /// The last lines of the program's output (raw: sanitised here).
    pub output: &'a [String],
}

/// How many strip cells the view has at `width` (what to ask the recording for).
pub fn strip_cells(width: u16) -> usize {
    let width = width as usize;
    let shares = if width >= MIN_WIDTH_FOR_SHARES {
        SHARES_WIDTH
    } else {
        0
    };
    width.saturating_sub(LABEL_WIDTH + shares + 2).max(1)
}

/// The glyph and style of a state in a strip.
fn glyph(state: Option<XState>, theme: &Theme) -> (char, Style) {
    match state {
        None | Some(XState::Done) => (' ', Style::new()),
        Some(XState::Running) => ('█', theme.state(RunState::Running)),
        Some(XState::GilWait) => ('░', theme.state(RunState::Ready)),
        Some(XState::LockWait) => ('·', theme.state(RunState::Waiting)),
        Some(XState::Io) => ('≈', theme.state(RunState::Io)),
        Some(XState::Blocked) => ('▒', theme.state(RunState::Waiting)),
        Some(XState::Alive) => ('─', theme.muted),
    }
}

/// Draws a frame into `area`.
pub fn render(frame: &XrayFrame<'_>, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!("too small: x-ray needs {}x{}", MIN_SIZE.0, MIN_SIZE.1);
        Paragraph::new(Line::styled(text, theme.warn))
            .wrap(Wrap { trim: true })
            .render(area, buf);
        return;
    }
    let view = frame.view;
    let width = area.width as usize;
    let height = area.height as usize;
    let shares = width >= MIN_WIDTH_FOR_SHARES;
    let cells = strip_cells(area.width);

    let mut top = vec![title(frame, width, theme), figures(view, width, theme)];
    top.push(status(frame, theme));
    if let Some(reason) = limitation(view) {
        top.push(Line::styled(sanitize_line(&reason), theme.warn));
    }
    if let Some(busy) = busy_machine(view) {
        top.push(Line::styled(busy, theme.warn));
    }
    top.push(axis(view, cells, shares, theme));

    let mut bottom = vec![legend(view, theme)];
    let keys = key_line(view.run.exit.is_some(), width, theme);
    let room = height.saturating_sub(top.len() + bottom.len() + 1);
    let tall = area.height >= TALL_STRIPS_HEIGHT;
    let per_thread = if tall { 2 } else { 1 };
    let n = view.threads.len();
    let fit = (room / per_thread).min(n);
    let hidden = n - fit + view.run.untracked_threads;
    let mut lines = top;
    for t in view.threads.iter().take(fit) {
        lines.extend(thread_lines(t, view, cells, shares, per_thread, theme));
    }
    if hidden > 0 {
        bottom.insert(
            0,
            Line::styled(
                format!(
                    "+{} than fit: make the window taller",
                    crate::ui::text::count_of(hidden, "more thread", "more threads")
                ),
                theme.warn,
            ),
        );
    }
    if n == 0 {
        lines.push(Line::styled("  (no thread seen yet)", theme.muted));
    }
    let used = lines.len() + bottom.len() + 1;
    let spare = height.saturating_sub(used);
    let out_lines = spare.min(MAX_OUTPUT_LINES).min(frame.output.len());
    if out_lines > 0 {
        let start = frame.output.len() - out_lines;
        for l in &frame.output[start..] {
            let text: String = sanitize_line(l)
                .chars()
                .take(width.saturating_sub(2))
                .collect();
            bottom.push(Line::from(vec![
                Span::styled("│ ", theme.muted),
                Span::styled(text, theme.text),
            ]));
        }
    }
    let pad = height.saturating_sub(lines.len() + bottom.len() + 1);
    lines.extend(std::iter::repeat_n(Line::raw(""), pad));
    lines.extend(bottom);
    lines.push(keys);
    Paragraph::new(lines).render(area, buf);
}

/// "x-ray SCRIPT  interpreter · path", cut with '…' to `width`.
fn title<'a>(frame: &XrayFrame<'_>, width: usize, theme: &Theme) -> Line<'a> {
    let view = frame.view;
    let interp = match &view.run.facts {
        Some(f) => {
            let gil = if f.has_gil() { "GIL on" } else { "GIL off" };
            format!(
                "{} ({gil}, switch interval {:.1} ms)",
                sanitize_line(&f.short_name()),
                f.switch_interval_s * 1000.0
            )
        }
        None => "waiting for the interpreter…".to_string(),
    };
    let interp = match &frame.screen.python {
        Some(path) => format!("{interp} · {path}"),
        None => interp,
    };
    const LEAD: &str = "x-ray ";
    let script = truncate(&frame.screen.script, width.saturating_sub(LEAD.len()));
    let room = width.saturating_sub(LEAD.len() + script.width());
    Line::from(vec![
        Span::styled(LEAD, theme.title),
        Span::styled(script, theme.strong),
        Span::styled(truncate(&format!("  {interp}"), room), theme.muted),
    ])
}

fn figures<'a>(view: &XrayView, width: usize, theme: &Theme) -> Line<'a> {
    let mut pairs: Vec<(&str, String)> = vec![
        ("elapsed", format!("{:.1} s", view.elapsed_s)),
        ("CPU", format!("{:.2} s", view.cpu_s)),
    ];
    if view.run.mode != SamplingMode::Portable {
        pairs.push(("sampling", format!("{:.0} Hz", view.rate_hz)));
    }
    match view.handoffs_per_s {
        Some(h) => pairs.push(("GIL hand-offs", format!("{h:.0}/s"))),
        None if view.run.mode == SamplingMode::Full
            && view.run.facts.as_ref().is_some_and(|f| f.has_gil()) =>
        {
            pairs.push(("GIL hand-offs", "none seen".to_string()))
        }
        None => {}
    }
    crate::ui::widgets::figures(&pairs, width, theme)
}

fn status<'a>(frame: &XrayFrame<'_>, theme: &Theme) -> Line<'a> {
    let view = frame.view;
    let run = match &view.run.exit {
        Some(e) => format!("finished: {}", e.describe()),
        None => "running".to_string(),
    };
    match frame.screen.frozen_at {
        Some(at) => {
            let on = if view.run.exit.is_none() {
                " — the program runs on"
            } else {
                ""
            };
            Line::styled(
                format!(
                    "paused at {at:.1} s{on} ({run}, {:.1} s); ←/→ scrub, end: live",
                    view.elapsed_s
                ),
                theme.accent,
            )
        }
        None => Line::styled(
            run,
            if view.run.exit.is_some() {
                theme.accent
            } else {
                theme.muted
            },
        ),
    }
}

/// Below this share of their runnable time on a core, the view says the machine is busy.
const BUSY_ON_CORE_SHARE: f64 = 0.8;
/// Only past this much runnable time (thread-seconds) is the share worth a word.
const BUSY_MIN_RUNNABLE_S: f64 = 0.5;

/// "Running" in /proc means runnable: on a core or queued for one. When the threads got a
/// core for much less than their runnable time, other programs held the cores: say so.
fn busy_machine(view: &XrayView) -> Option<String> {
    if view.run.mode == SamplingMode::Portable {
        return None;
    }
    let runnable: f64 = view.threads.iter().map(|t| t.runnable_s).sum();
    let cpu: f64 = view.threads.iter().filter_map(|t| t.cpu_s).sum();
    (runnable > BUSY_MIN_RUNNABLE_S && cpu / runnable < BUSY_ON_CORE_SHARE).then(|| {
        format!(
            "busy machine: runnable threads were on a core only {:.0}% of the time",
            100.0 * cpu / runnable
        )
    })
}

fn limitation(view: &XrayView) -> Option<String> {
    let line = view.run.mode.limitation()?;
    Some(match &view.run.mode_reason {
        Some(r) => format!("{line} ({r})"),
        None => line.to_string(),
    })
}

fn axis<'a>(view: &XrayView, cells: usize, shares: bool, theme: &Theme) -> Line<'a> {
    let start = (view.window_end_s - view.window_s).max(0.0);
    let left = format!("{start:.1}s");
    let right = format!("{:.1}s", view.window_end_s);
    let gap = cells.saturating_sub(left.len() + right.len());
    let mut text = format!(
        "{:<w$}│{left}{}{right}│",
        "",
        " ".repeat(gap),
        w = LABEL_WIDTH
    );
    if shares {
        text.push_str(if view.run.mode == SamplingMode::Full {
            " run gil lck I/O cpu"
        } else {
            " run  asleep    cpu"
        });
    }
    Line::styled(text, theme.muted)
}

pub(crate) fn thread_lines<'a>(
    t: &ThreadView,
    view: &XrayView,
    cells: usize,
    shares: bool,
    per_thread: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let name: String = sanitize_line(&t.name).chars().take(NAME_WIDTH).collect();
    let core = t.core.map_or("  ".to_string(), |c| format!("c{c}"));
    let label_style = if t.main { theme.strong } else { theme.text };
    let mut strip: Vec<Span<'a>> = Vec::new();
    let mut run: Option<(char, Style, usize)> = None;
    for state in t.cells.iter().take(cells) {
        let (g, s) = glyph(*state, theme);
        match &mut run {
            Some((rg, rs, n)) if *rg == g && *rs == s => *n += 1,
            _ => {
                if let Some((rg, rs, n)) = run.take() {
                    strip.push(Span::styled(rg.to_string().repeat(n), rs));
                }
                run = Some((g, s, 1));
            }
        }
    }
    if let Some((rg, rs, n)) = run {
        strip.push(Span::styled(rg.to_string().repeat(n), rs));
    }
    let mut out = Vec::new();
    for line in 0..per_thread {
        let mut spans = vec![if line == 0 {
            Span::styled(format!("{name:<NAME_WIDTH$} {core:>3} "), label_style)
        } else {
            Span::raw(" ".repeat(LABEL_WIDTH))
        }];
        spans.push(Span::styled("│", theme.muted));
        spans.extend(strip.iter().cloned());
        spans.push(Span::styled("│", theme.muted));
        if shares && line == 0 {
            spans.push(Span::styled(share_text(t, view), theme.accent));
        }
        out.push(Line::from(spans));
    }
    out
}

fn share_text(t: &ThreadView, view: &XrayView) -> String {
    let s = |st: XState| t.shares.get(&st).copied().unwrap_or(0.0);
    let p = |v: f64| format!("{:>3.0}", v * 100.0);
    let cpu = t.cpu_share.map_or("  -".to_string(), |c| p(c.min(9.99)));
    match view.run.mode {
        SamplingMode::Full => format!(
            " {} {} {} {} {cpu}",
            p(s(XState::Running)),
            p(s(XState::GilWait)),
            p(s(XState::LockWait)),
            p(s(XState::Io))
        ),
        SamplingMode::StatOnly => format!(
            " {}  {}    {cpu}",
            p(s(XState::Running)),
            p(s(XState::Blocked))
        ),
        SamplingMode::Portable => match t.cpu_s {
            Some(c) => format!(" cpu {c:.2} s"),
            None => " cpu not reported".to_string(),
        },
    }
}

pub(crate) fn legend<'a>(view: &XrayView, theme: &Theme) -> Line<'a> {
    let states: &[XState] = match view.run.mode {
        SamplingMode::Full => &[
            XState::Running,
            XState::GilWait,
            XState::LockWait,
            XState::Io,
        ],
        SamplingMode::StatOnly => &[XState::Running, XState::Blocked],
        SamplingMode::Portable => &[XState::Alive],
    };
    let mut spans = Vec::new();
    for (i, st) in states.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        let (g, style) = glyph(Some(*st), theme);
        spans.push(Span::styled(g.to_string(), style));
        spans.push(Span::styled(format!(" {}", st.label()), theme.muted));
    }
    if view.run.mode == SamplingMode::Full
        && !view.gil_found
        && view.run.facts.as_ref().is_some_and(|f| f.has_gil())
    {
        spans.push(Span::styled("  (no GIL contention seen yet)", theme.muted));
    }
    Line::from(spans)
}

/// The keys that fit in `width`, most important first; once the program has `ended`, `q`
/// only quits.
fn key_line<'a>(ended: bool, width: usize, theme: &Theme) -> Line<'a> {
    let hints: Vec<(&str, &str)> = KEYS
        .iter()
        .map(|(key, what, actions)| match actions {
            [ScreenAction::Quit] if ended => (*key, QUIT_AFTER_EXIT),
            _ => (*key, *what),
        })
        .collect();
    let mut spans = Vec::new();
    for (i, (key, what)) in crate::ui::status::hints_that_fit(&hints, width)
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key.to_string(), theme.key));
        spans.push(Span::styled(format!(" {what}"), theme.muted));
    }
    Line::from(spans)
}
