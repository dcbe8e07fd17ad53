//! The layout the `pool` and `processes` views share, top to bottom: the caption, the
//! worker lanes over the sequential baseline's lane and a legend, the figures, a report
//! when something broke, and per-core load. Each view says what goes in ([`PoolView`]);
//! this decides how many lanes fit and how tall they are.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::sims::cores::CoreReading;
use crate::sims::kit::cpu_load::CPU_SAMPLE_INTERVAL;
use crate::sims::timeline::Activity;
use crate::theme::Theme;
use crate::ui::demo::lanes::{self, Lane};
use crate::ui::widgets;

/// Where a pool view leaves a blank row before its core meters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterGap {
    /// Always (the row is kept free when the lanes are fitted).
    Always,
    /// Only when the meters get one row per core.
    WhenRoomy,
}

/// What one pool view shows; [`render`] lays it out.
pub struct PoolView<'a> {
    /// The picture in words, on top.
    pub caption: String,
    /// True on a wide view: the meters may get one row per core.
    pub wide: bool,
    /// Cells for the lane labels.
    pub label_width: usize,
    /// Cells for the figures after each strip.
    pub suffix_width: usize,
    /// Every worker's lane, in order (as many as fit are drawn).
    pub workers: Vec<Lane<'a>>,
    /// The sequential baseline's lane, under the workers.
    pub baseline: Lane<'a>,
    /// Seconds the strips span.
    pub scale_s: f64,
    /// The legend: each activity the lanes show, with what it means here.
    pub legend: &'a [(Activity, &'a str)],
    /// The figures, one row per group.
    pub figures: Vec<Vec<(&'static str, String)>>,
    /// A report drawn in the alarm style under the figures (why the pool broke), if any.
    pub report: Option<&'a str>,
    /// Per-core load, last.
    pub cores: &'a [CoreReading],
    /// The run is over (finished, stopped or failed).
    pub run_over: bool,
    /// Seconds the run has gone on (both parts), to tell a run too short for a reading
    /// from a system that gives none.
    pub run_s: f64,
    /// Where the blank row before the meters goes.
    pub gap: MeterGap,
}

/// Why there is no core reading to draw, if there is none: the monitor reads the cores
/// every [`CPU_SAMPLE_INTERVAL`], so a run shorter than that has none, and one twice as
/// long with none is on a system that gives none (`None`: draw the meters).
fn no_reading(cores: &[CoreReading], run_over: bool, run_s: f64) -> Option<String> {
    if !cores.is_empty() {
        return None;
    }
    let interval_s = CPU_SAMPLE_INTERVAL.as_secs_f64();
    Some(if run_s >= 2.0 * interval_s {
        "core load: this system gives no per-core readings".to_string()
    } else if run_over {
        format!(
            "core load: none read (the run took under {} ms)",
            CPU_SAMPLE_INTERVAL.as_millis()
        )
    } else {
        "core load: no readings yet".to_string()
    })
}

/// Draws `view` into `area`. Fixed rows: the caption, a blank row, the time axis, the
/// legend, the figures and the report; then one row per lane and the sequential lane.
/// Core meters come last and are the first to be clipped on a short view: the lanes
/// matter most.
pub fn render(view: PoolView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let height = area.height as usize;
    let report_rows = view.report.map_or(0, |r| lanes::wrapped_rows(r, width));
    let fixed = lanes::wrapped_rows(&view.caption, width) + 3 + view.figures.len() + report_rows;
    let meter_rows = if view.wide { view.cores.len() + 1 } else { 1 };
    let core_rows = meter_rows + usize::from(view.gap == MeterGap::Always);
    let strip = width
        .saturating_sub(view.label_width + view.suffix_width)
        .max(4);
    let total = view.workers.len();
    let (shown, grid) = lanes::fit_grid(
        total,
        height,
        fixed,
        core_rows,
        view.label_width,
        strip,
        view.scale_s,
    );

    let mut lines: Vec<Line> = vec![widgets::caption(view.caption, theme), Line::default()];
    let workers = view.workers.into_iter().take(shown);
    lines.extend(lanes::lanes_with_legend(
        workers,
        total,
        view.baseline,
        grid,
        view.legend,
        theme,
    ));
    lines.extend(lanes::figure_rows(view.figures, width, theme));
    if let Some(report) = view.report {
        lines.push(Line::styled(report.to_string(), theme.bad));
    }
    if view.gap == MeterGap::Always {
        lines.push(Line::default());
    }
    let used = lines.len() + 1;
    let roomy = view.wide && height > used + view.cores.len();
    if roomy && view.gap == MeterGap::WhenRoomy {
        lines.push(Line::default());
    }
    match no_reading(view.cores, view.run_over, view.run_s) {
        Some(why) => lines.push(Line::styled(why, theme.muted)),
        None => lines.extend(lanes::core_meters(view.cores, width, roomy, theme)),
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_reading_says_why() {
        let reading = CoreReading {
            load_pct: 50.0,
            history: vec![50.0],
        };
        assert_eq!(no_reading(&[reading], true, 0.1), None);
        let why = |over, run_s| no_reading(&[], over, run_s).unwrap();
        assert_eq!(why(false, 0.1), "core load: no readings yet");
        assert_eq!(
            why(true, 0.1),
            "core load: none read (the run took under 250 ms)"
        );
        assert_eq!(
            why(false, 0.6),
            "core load: this system gives no per-core readings"
        );
        assert_eq!(
            why(true, 3.0),
            "core load: this system gives no per-core readings"
        );
    }
}
