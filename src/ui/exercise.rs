//! The exercise screen: what the exercise asks, the learner's file and the interpreter
//! grading it, each check's verdict (✓ / ✗ and its message), the first failure explained,
//! the hints asked for, the program's output (scrollable) or the solution, and a key bar.
//! All text from the pack and from the child is sanitised before it gets here.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use super::status;
use crate::app::App;
use crate::app::exercise::{ExerciseScreen, Pythons};
use crate::exercises::protocol::Verdict;
use crate::lessons::sanitize;
use crate::progress::ExerciseState;
use crate::theme::Theme;

/// The most of the rows left the verdict, hints and checks take (the rest: the output).
const MAX_CHECKS_SHARE: f32 = 0.6;

/// Draws the exercise screen over `area`.
pub fn render(app: &App, screen: &ExerciseScreen, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let width = area.width;
    let entry = app.progress.exercises.get(&screen.exercise.id);
    let state = entry.map(|e| e.state).unwrap_or_default();
    let hints_seen = entry.map_or(0, |e| e.hints_seen as usize);
    let tries = entry.map_or(0, |e| e.failed_tries);

    let mut head = vec![title_line(screen, state, width, theme)];
    head.push(Line::from(vec![
        Span::styled("practises ", theme.muted),
        Span::styled(screen.exercise.practises.clone(), theme.text),
    ]));
    let file = match &screen.file {
        Ok(path) => Span::styled(sanitize::sanitize_path(path), theme.accent),
        Err(e) => Span::styled(e.clone(), theme.bad),
    };
    head.push(Line::from(vec![
        Span::styled("your file ", theme.muted),
        file,
    ]));
    head.push(python_line(screen, tries, theme));

    let mut middle: Vec<Line> = Vec::new();
    if let Some(notice) = &screen.notice {
        middle.push(Line::styled(notice.clone(), theme.accent));
    }
    let checks = verdict_lines(screen, &mut middle, theme);
    for (k, hint) in screen.exercise.hints.iter().take(hints_seen).enumerate() {
        middle.push(Line::from(vec![
            Span::styled(
                format!("hint {}/{}: ", k + 1, screen.exercise.hints.len()),
                theme.warn,
            ),
            Span::styled(hint.clone(), theme.text),
        ]));
    }
    middle.extend(checks);

    let head_h = wrapped_height(&head, width).min(area.height);
    let bar_h = u16::from(area.height > head_h);
    let left = area.height - head_h - bar_h;
    let wanted = wrapped_height(&middle, width);
    let middle_h = wanted
        .min((f32::from(left) * MAX_CHECKS_SHARE) as u16)
        .min(left);
    let output_h = left - middle_h;
    let mut y = area.y;
    let mut next = |h: u16| {
        let r = Rect::new(area.x, y, width, h);
        y += h;
        r
    };
    Paragraph::new(head)
        .wrap(Wrap { trim: false })
        .render(next(head_h), buf);
    Paragraph::new(middle)
        .wrap(Wrap { trim: false })
        .render(next(middle_h), buf);
    output_box(screen, next(output_h), buf, theme);
    if bar_h > 0 {
        key_bar(app, screen, next(1), buf, theme);
    }
}

fn title_line(
    screen: &ExerciseScreen,
    state: ExerciseState,
    width: u16,
    theme: &Theme,
) -> Line<'static> {
    let (mark, style) = match state {
        ExerciseState::Passed => ("✓ passed", theme.good),
        ExerciseState::Attempted => ("attempted", theme.warn),
        ExerciseState::NotStarted => ("not started", theme.muted),
    };
    let left = format!("✎ {}", screen.exercise.title);
    let room = usize::from(width).saturating_sub(left.width() + mark.width() + 1);
    Line::from(vec![
        Span::styled(left, theme.title.add_modifier(Modifier::BOLD)),
        Span::raw(" ".repeat(room.max(1))),
        Span::styled(mark, style),
    ])
}

fn python_line(screen: &ExerciseScreen, tries: u32, theme: &Theme) -> Line<'static> {
    let label = if screen.grader_python().is_some() {
        "graded by "
    } else {
        "Python "
    };
    let mut spans = vec![Span::styled(label, theme.muted)];
    match (&screen.pythons, screen.grader_python()) {
        (Pythons::Looking, _) => spans.push(Span::styled("looking for Python…", theme.muted)),
        (Pythons::Found(_), Some(python)) => {
            spans.push(Span::styled(python.describe(), theme.accent));
            let second = screen
                .found()
                .and_then(|f| f.second_grader(python, screen.exercise.min_python));
            if let Some(free) = second {
                spans.push(Span::styled(", then ", theme.muted));
                spans.push(Span::styled(free.short_name(), theme.accent));
            }
            let others = screen.found().map_or(0, |f| f.usable().count()) - 1;
            if others > 0 {
                spans.push(Span::styled(
                    format!(
                        "  (p: {others} other{})",
                        if others == 1 { "" } else { "s" }
                    ),
                    theme.muted,
                ));
            }
        }
        (Pythons::Found(found), None) => {
            let why = match found.interpreters.first() {
                Some(old) => old.unusable_reason().unwrap_or_default(),
                None => "no Python found: install Python 3.8 or newer (or set PYCONC_PYTHON \
                         to one); lessons and demos work without it"
                    .to_string(),
            };
            spans.push(Span::styled(why, theme.bad));
        }
    }
    if tries > 0 {
        let plural = if tries == 1 { "try" } else { "tries" };
        spans.push(Span::styled(
            format!("  · {tries} failed {plural}"),
            theme.muted,
        ));
    }
    Line::from(spans)
}

/// Pushes the verdict (summary, the first failure explained, a note) onto `out` and returns
/// the list of checks, which goes below the hints: when rows are short, what failed and
/// the hint asked for stay on screen.
fn verdict_lines(
    screen: &ExerciseScreen,
    out: &mut Vec<Line<'static>>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut checks = Vec::new();
    if screen.running {
        out.push(Line::styled("grading…", theme.accent));
    }
    let report = match &screen.last {
        None => {
            if !screen.running && screen.grader_python().is_some() {
                out.push(Line::styled(
                    "save your file to grade it (or press Enter)",
                    theme.muted,
                ));
            }
            return checks;
        }
        Some(Err(e)) => {
            out.push(Line::styled(format!("could not grade: {e}"), theme.bad));
            return checks;
        }
        Some(Ok(report)) => report,
    };
    for check in &report.checks {
        let (mark, style) = if check.passed {
            ("✓ ", theme.good)
        } else {
            ("✗ ", theme.bad)
        };
        checks.push(Line::from(vec![
            Span::styled(mark, style),
            Span::styled(check.name.clone(), theme.text),
        ]));
    }
    let (summary, style) = match report.verdict {
        Verdict::Passed if !screen.passed_before.is_empty() => (
            format!(
                "passed on {}: every check is green",
                screen
                    .passed_before
                    .iter()
                    .chain([report])
                    .map(|r| format!("{} ({:.1} s)", r.python_name, r.seconds))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            theme.good,
        ),
        Verdict::Passed => (
            format!(
                "passed on {} in {:.1} s: every check is green",
                report.python_name, report.seconds
            ),
            theme.good,
        ),
        Verdict::Failed => (
            format!(
                "{} of {} checks failed on {}",
                report.checks.iter().filter(|c| !c.passed).count(),
                report.checks.len(),
                report.python_name
            ),
            theme.bad,
        ),
        Verdict::NoChecks => (format!("no check ran on {}", report.python_name), theme.bad),
        Verdict::TimedOut => (format!("timed out on {}", report.python_name), theme.bad),
    };
    out.push(Line::styled(summary, style.add_modifier(Modifier::BOLD)));
    if !report.verdict.passed()
        && let Some(before) = screen.passed_before.last()
    {
        out.push(Line::styled(
            format!(
                "it passed on {}; the checks below are from the run on {}",
                before.python_name, report.python_name
            ),
            theme.warn,
        ));
    }
    if let Some(first) = report.first_failure() {
        let message = if first.message.is_empty() {
            "(the check gave no reason)".to_string()
        } else {
            first.message.replace('\n', " ")
        };
        out.push(Line::from(vec![
            Span::styled(format!("why `{}` failed: ", first.name), theme.warn),
            Span::styled(message, theme.text),
        ]));
    }
    if let Some(note) = &report.note {
        out.push(Line::styled(note.clone(), theme.warn));
    }
    checks
}

fn output_box(screen: &ExerciseScreen, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let (title, lines): (String, Vec<Line>) = if screen.show_solution {
        (
            " solution.py (s hides) ".into(),
            screen
                .exercise
                .solution
                .lines()
                .map(|l| Line::styled(sanitize::sanitize_line(l), theme.code))
                .collect(),
        )
    } else {
        let mut lines: Vec<Line> = match &screen.last {
            Some(Ok(report)) => report
                .output
                .iter()
                .map(|l| Line::styled(l.clone(), theme.text))
                .collect(),
            _ => Vec::new(),
        };
        if let Some(Ok(report)) = &screen.last
            && report.dropped_bytes > 0
        {
            lines.push(Line::styled(
                format!(
                    "… {} more bytes of output were dropped",
                    report.dropped_bytes
                ),
                theme.muted,
            ));
        }
        if lines.is_empty() && matches!(screen.last, Some(Ok(_))) {
            lines.push(Line::styled("(the program printed nothing)", theme.muted));
        }
        (" output ".into(), lines)
    };
    let inner_h = usize::from(area.height.saturating_sub(2)).max(1);
    let scroll = screen
        .output_scroll
        .min(lines.len().saturating_sub(inner_h));
    let shown_title = if lines.len() > inner_h {
        format!(
            "{title}{}-{} of {} ",
            scroll + 1,
            (scroll + inner_h).min(lines.len()),
            lines.len()
        )
    } else {
        title
    };
    Paragraph::new(lines)
        .scroll((scroll as u16, 0))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(Span::styled(shown_title, theme.title)),
        )
        .render(area, buf);
}

/// The key bar: the key table's hints for the screen shown (the reset question's own keys
/// while it is asked), as many as fit.
fn key_bar(app: &App, screen: &ExerciseScreen, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let hints = status::table_hints(&app.key_screens(), |_, hint| Some(hint));
    let borrowed: Vec<(&str, &str)> = hints
        .iter()
        .map(|(k, w)| (k.as_str(), w.as_str()))
        .collect();
    let (left, room) = if screen.confirm_reset {
        let question = " put the starter back? your file is kept as a .bak copy ";
        (
            vec![Span::styled(question, theme.status.patch(theme.warn))],
            usize::from(area.width).saturating_sub(question.width()),
        )
    } else {
        (Vec::new(), usize::from(area.width))
    };
    let mut spans = left;
    spans.extend(status::key_spans(
        &status::hints_that_fit(&borrowed, room),
        theme,
    ));
    status::render_bar(spans, Span::raw(""), area, buf, theme);
}

/// Rows `lines` take when wrapped at `width` (close enough: by display width).
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(width))
        .sum::<usize>()
        .min(usize::from(u16::MAX)) as u16
}
