//! Drawing shared by the `pool` and `processes` views: one lane per worker (a Gantt strip
//! of its activity over time, resampled from its [`Timeline`] to the width at hand), the
//! time axis under the lanes, their legend, and compact per-core load meters.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::sims::cores::CoreReading;
use crate::sims::pool::WorkerLane;
use crate::sims::timeline::{Activity, Timeline, seconds_of};
use crate::theme::{RunState, Theme};
use crate::ui::text::format_seconds;
use crate::ui::widgets;

/// A cell is drawn busy when at least this share of its time was busy.
const BUSY_CELL_SHARE: f64 = 0.5;
/// The most rows one lane gets on a tall view (thicker lanes read from the back of a room).
pub const MAX_LANE_ROWS: usize = 3;

/// Rows `text` takes when word-wrapped at `width` (as the views' paragraphs wrap it),
/// counting the caption marker in front.
pub fn wrapped_rows(text: &str, width: usize) -> usize {
    let width = width.max(1);
    let mut rows = 1;
    let mut used = 2; // "» "
    let mut row_start = true;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        let need = if row_start { len } else { len + 1 };
        row_start = false;
        if used + need <= width {
            used += need;
        } else if len <= width {
            rows += 1;
            used = len;
        } else {
            // A word longer than a row is broken across rows.
            rows += (used + need).div_ceil(width) - 1;
            used = (used + need) % width;
        }
    }
    rows
}

/// Rows per lane when `spare_rows` rows are left over after one row per lane.
pub fn rows_per_lane(spare_rows: usize, lanes: usize) -> usize {
    (1 + spare_rows / lanes.max(1)).clamp(1, MAX_LANE_ROWS)
}

/// How many of `lanes` worker lanes to draw in `height` rows when `fixed` rows go to the
/// rest of the view and one to the sequential lane. When not all fit, one more row goes
/// to the "… and N more" line; at least one worker lane is always drawn.
pub fn lanes_shown(lanes: usize, height: usize, fixed: usize) -> usize {
    let room = height.saturating_sub(fixed + 1).max(1);
    if lanes <= room {
        lanes
    } else {
        room.saturating_sub(1).max(1)
    }
}

/// The geometry every lane of one view shares.
#[derive(Debug, Clone, Copy)]
pub struct LaneGrid {
    /// Cells for the label column.
    pub label_width: usize,
    /// Cells for the time strip.
    pub strip: usize,
    /// Seconds the strip spans.
    pub scale_s: f64,
    /// Rows per lane (see [`rows_per_lane`]).
    pub rows: usize,
}

/// One lane to draw: its label, its activity over time and what follows the strip.
pub struct Lane<'a> {
    /// The label in front of the strip.
    pub label: Span<'a>,
    /// The activity the strip shows.
    pub timeline: &'a Timeline,
    /// Figures after the strip.
    pub suffix: Vec<Span<'a>>,
}

/// The lanes part of a pool view: the worker lanes given (the first of `total`), "… and N
/// more" for the workers that did not fit, the sequential baseline's lane on the same
/// scale, and the time axis under them all.
pub fn worker_lanes<'a>(
    workers: impl IntoIterator<Item = Lane<'a>>,
    total: usize,
    baseline: Lane<'a>,
    grid: LaneGrid,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let mut shown = 0;
    for lane in workers {
        lines.extend(lane_block(lane, grid, theme));
        shown += 1;
    }
    if shown < total {
        lines.push(Line::styled(
            format!("… and {} more", total - shown),
            theme.muted,
        ));
    }
    lines.extend(lane_block(baseline, grid, theme));
    lines.push(time_axis(grid.label_width, grid.strip, grid.scale_s, theme));
    lines
}

/// How many of `lane_count` lanes show, and the grid they are drawn on, in a view
/// `height` rows tall with `fixed` rows besides the lanes and `core_rows` of core meters
/// (the lanes plus one baseline lane share what is left).
pub fn fit_grid(
    lane_count: usize,
    height: usize,
    fixed: usize,
    core_rows: usize,
    label_width: usize,
    strip: usize,
    scale_s: f64,
) -> (usize, LaneGrid) {
    let shown = lanes_shown(lane_count, height, fixed);
    let spare = height.saturating_sub(fixed + core_rows + shown + 1);
    let grid = LaneGrid {
        label_width,
        strip,
        scale_s,
        rows: rows_per_lane(spare, shown + 1),
    };
    (shown, grid)
}

/// The body the pool and processes views share: the worker lanes over the baseline, a
/// legend of `activities` (the figures follow, from [`figure_rows`]).
pub fn lanes_with_legend<'a>(
    workers: impl IntoIterator<Item = Lane<'a>>,
    total: usize,
    baseline: Lane<'a>,
    grid: LaneGrid,
    activities: &[(Activity, &str)],
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = worker_lanes(workers, total, baseline, grid, theme);
    lines.push(legend(activities, theme));
    lines
}

/// One stats line per group of `figures`, each at most `width` wide (whole figures only).
pub fn figure_rows<'a>(
    figures: Vec<Vec<(&'static str, String)>>,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    figures
        .iter()
        .map(|group| widgets::figures(group, width, theme))
        .collect()
}

/// The sequential baseline's lane: "seq" and its task count on a small view; on a wide one
/// `wide_label`, and `wide_note` after the task count.
pub fn baseline_lane<'a>(
    lane: &'a WorkerLane,
    wide: bool,
    wide_label: &'a str,
    wide_note: &str,
    theme: &Theme,
) -> Lane<'a> {
    let (label, suffix) = if wide {
        (wide_label, format!(" {:>5} tasks{wide_note}", lane.tasks))
    } else {
        ("seq", format!(" {:>5} t", lane.tasks))
    };
    Lane {
        label: Span::styled(label, theme.text),
        timeline: &lane.timeline,
        suffix: vec![Span::styled(suffix, theme.muted)],
    }
}

/// Speedup ("1.79x") and efficiency ("89%") as the figures show them; "?" until measured.
pub fn speedup_figures(speedup: Option<f64>, efficiency: Option<f64>) -> (String, String) {
    match (speedup, efficiency) {
        (Some(s), Some(e)) => (format!("{s:.2}x"), format!("{:.0}%", e * 100.0)),
        _ => ("?".to_string(), "?".to_string()),
    }
}

/// A lane `grid.rows` rows high: the label and suffix on the first row, the strip on
/// every row.
pub fn lane_block<'a>(lane: Lane<'a>, grid: LaneGrid, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![lane_line(
        lane.label,
        grid.label_width,
        lane.timeline,
        grid.scale_s,
        grid.strip,
        lane.suffix,
        theme,
    )];
    for _ in 1..grid.rows {
        lines.push(lane_line(
            Span::raw(""),
            grid.label_width,
            lane.timeline,
            grid.scale_s,
            grid.strip,
            Vec::new(),
            theme,
        ));
    }
    lines
}

/// The glyph and style of an activity in a lane.
pub fn activity_look(activity: Activity, theme: &Theme) -> (char, Style) {
    match activity {
        Activity::Work => (RunState::Running.glyph(), theme.state(RunState::Running)),
        Activity::Stolen => ('▓', theme.series(1)),
        Activity::Ipc => (RunState::Io.glyph(), theme.state(RunState::Io)),
        Activity::Startup => (RunState::Ready.glyph(), theme.state(RunState::Ready)),
        Activity::Crashed => (RunState::Failed.glyph(), theme.state(RunState::Failed)),
    }
}

/// The activity a cell spanning `from_s..to_s` shows, if it was busy enough to show one.
/// A crash shows however short it was; otherwise the activity with the most time wins.
pub fn cell_activity(timeline: &Timeline, from_s: f64, to_s: f64) -> Option<Activity> {
    let span = timeline.activity_in(from_s, to_s);
    if seconds_of(&span, Activity::Crashed) > 0.0 {
        return Some(Activity::Crashed);
    }
    let busy: f64 = Activity::ALL.iter().map(|a| seconds_of(&span, *a)).sum();
    if busy < (to_s - from_s) * BUSY_CELL_SHARE {
        return None;
    }
    Activity::ALL
        .iter()
        .copied()
        .max_by(|a, b| seconds_of(&span, *a).total_cmp(&seconds_of(&span, *b)))
}

/// One lane: `label` (padded to `label_width`), the strip `width` cells wide with the
/// whole width standing for `scale_s` seconds, then `suffix`.
pub fn lane_line<'a>(
    label: Span<'a>,
    label_width: usize,
    timeline: &Timeline,
    scale_s: f64,
    width: usize,
    suffix: Vec<Span<'a>>,
    theme: &Theme,
) -> Line<'a> {
    let mut spans = vec![pad_span(label, label_width)];
    let cell_s = if scale_s > 0.0 && width > 0 {
        scale_s / width as f64
    } else {
        0.0
    };
    let mut run: Option<(Option<Activity>, usize)> = None;
    let flush = |spans: &mut Vec<Span<'a>>, activity: Option<Activity>, n: usize| match activity {
        Some(a) => {
            let (glyph, style) = activity_look(a, theme);
            spans.push(Span::styled(glyph.to_string().repeat(n), style));
        }
        None => spans.push(Span::styled("·".repeat(n), theme.muted)),
    };
    for c in 0..width {
        let from = c as f64 * cell_s;
        let activity = if cell_s > 0.0 && from < timeline.end_s() {
            cell_activity(timeline, from, from + cell_s)
        } else {
            None
        };
        let blank = cell_s <= 0.0 || from >= timeline.end_s();
        // Time after the lane's last activity stays empty; idle time inside it is dotted.
        let key = if blank && activity.is_none() {
            None
        } else {
            Some(activity)
        };
        match (&mut run, key) {
            (Some((k, n)), Some(a)) if *k == a => *n += 1,
            (_, Some(a)) => {
                if let Some((k, n)) = run.take() {
                    flush(&mut spans, k, n);
                }
                run = Some((a, 1));
            }
            (_, None) => {
                if let Some((k, n)) = run.take() {
                    flush(&mut spans, k, n);
                }
                spans.push(Span::raw(" "));
            }
        }
    }
    if let Some((k, n)) = run {
        flush(&mut spans, k, n);
    }
    spans.extend(suffix);
    Line::from(spans)
}

/// The time axis under lanes: `0` under the first cell, `scale_s` at the end.
pub fn time_axis<'a>(label_width: usize, width: usize, scale_s: f64, theme: &Theme) -> Line<'a> {
    let end = format_seconds(scale_s);
    let inner = width.saturating_sub(end.chars().count() + 2);
    Line::from(vec![
        Span::raw(" ".repeat(label_width)),
        Span::styled(format!("0{}{end}", "─".repeat(inner + 1)), theme.muted),
    ])
}

/// A legend of lane glyphs: (activity, what it means here).
pub fn legend<'a>(items: &[(Activity, &str)], theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, (activity, label)) in items.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        let (glyph, style) = activity_look(*activity, theme);
        spans.push(Span::styled(glyph.to_string(), style));
        spans.push(Span::styled(format!(" {label}"), theme.muted));
    }
    spans.push(Span::styled("  · idle", theme.muted));
    Line::from(spans)
}

/// Per-core load as the OS reports it: one row per core with a history sparkline when
/// `roomy`, else compact meters several to a row.
pub fn core_meters<'a>(
    cores: &[CoreReading],
    width: usize,
    roomy: bool,
    theme: &Theme,
) -> Vec<Line<'a>> {
    if cores.is_empty() {
        return vec![Line::styled("core load: no readings yet", theme.muted)];
    }
    let style = |pct: f32| {
        if pct >= 50.0 { theme.good } else { theme.muted }
    };
    if roomy {
        let bar_width = (width / 4).clamp(6, 30);
        let spark_width = width.saturating_sub(bar_width + 16).min(100);
        return cores
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let history: Vec<f64> = c.history.iter().map(|v| f64::from(*v)).collect();
                Line::from(vec![
                    Span::styled(format!("core {i:<2} "), theme.text),
                    Span::styled(
                        widgets::bar(f64::from(c.load_pct) / 100.0, bar_width),
                        style(c.load_pct),
                    ),
                    Span::styled(format!(" {:>3.0}% ", c.load_pct), theme.accent),
                    Span::styled(
                        widgets::sparkline(&history, 100.0, spark_width),
                        theme.series(i),
                    ),
                ])
            })
            .collect();
    }
    // "c0 █████ 98%  " is 14 cells.
    const METER_CELLS: usize = 14;
    let per_row = (width / METER_CELLS).max(1);
    cores
        .chunks(per_row)
        .enumerate()
        .map(|(row, chunk)| {
            let mut spans = Vec::new();
            for (j, c) in chunk.iter().enumerate() {
                let i = row * per_row + j;
                spans.push(Span::styled(format!("c{i:<2}"), theme.text));
                spans.push(Span::styled(
                    widgets::bar(f64::from(c.load_pct) / 100.0, 5),
                    style(c.load_pct),
                ));
                spans.push(Span::styled(format!("{:>4.0}% ", c.load_pct), theme.accent));
            }
            Line::from(spans)
        })
        .collect()
}

fn pad_span<'a>(span: Span<'a>, width: usize) -> Span<'a> {
    let text: String = span.content.chars().take(width).collect();
    let pad = width.saturating_sub(text.chars().count());
    Span::styled(format!("{text}{}", " ".repeat(pad)), span.style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::ThemeName;

    #[test]
    fn a_lane_is_as_wide_as_asked_and_shows_its_activities() {
        let theme = Theme::new(ThemeName::Dark, false);
        let mut t = Timeline::new();
        t.add(0.0, 0.5, Activity::Work);
        t.add(0.5, 1.0, Activity::Stolen);
        t.add(1.5, 2.0, Activity::Ipc);
        let line = lane_line(
            Span::raw("w1"),
            4,
            &t,
            4.0,
            8,
            vec![Span::raw(" end")],
            &theme,
        );
        assert_eq!(line.to_string(), "w1  █▓·≈     end");
    }

    #[test]
    fn wrapped_rows_follow_word_wrap() {
        assert_eq!(wrapped_rows("short", 54), 1);
        assert_eq!(wrapped_rows("aaaa bbbb", 8), 2);
        assert_eq!(
            wrapped_rows("aa bbb", 8),
            1,
            "the caption marker takes two cells"
        );
        assert!(wrapped_rows(&"x".repeat(60), 54) >= 2);
    }

    #[test]
    fn tall_views_get_thicker_lanes_up_to_a_limit() {
        assert_eq!(rows_per_lane(0, 3), 1);
        assert_eq!(rows_per_lane(3, 3), 2);
        assert_eq!(rows_per_lane(100, 3), MAX_LANE_ROWS);
        assert_eq!(rows_per_lane(5, 0), MAX_LANE_ROWS);
        let theme = Theme::new(ThemeName::Dark, false);
        let mut t = Timeline::new();
        t.add(0.0, 1.0, Activity::Work);
        let lane = Lane {
            label: Span::raw("w1"),
            timeline: &t,
            suffix: vec![Span::raw(" x")],
        };
        let grid = LaneGrid {
            label_width: 3,
            strip: 4,
            scale_s: 1.0,
            rows: 2,
        };
        let block = lane_block(lane, grid, &theme);
        assert_eq!(block.len(), 2);
        assert_eq!(block[0].to_string(), "w1 ████ x");
        assert_eq!(block[1].to_string(), "   ████");
    }

    #[test]
    fn a_crash_shows_even_when_short() {
        let mut t = Timeline::new();
        t.add(0.0, 1.0, Activity::Work);
        t.add(0.2, 0.21, Activity::Crashed);
        assert_eq!(cell_activity(&t, 0.0, 0.5), Some(Activity::Crashed));
        assert_eq!(cell_activity(&t, 0.5, 1.0), Some(Activity::Work));
        assert_eq!(cell_activity(&t, 1.0, 1.5), None);
    }

    #[test]
    fn the_axis_spans_the_lane() {
        let theme = Theme::new(ThemeName::Dark, false);
        let axis = time_axis(3, 12, 1.5, &theme).to_string();
        assert_eq!(axis.chars().count(), 3 + 12);
        assert!(axis.ends_with("1.50 s"));
    }
}
