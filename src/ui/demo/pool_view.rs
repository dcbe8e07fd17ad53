//! The layout the `pool` and `processes` views share, top to bottom: the caption, the
//! worker lanes over the sequential baseline's lane and a legend, the figures, a report
//! when something broke, and per-core load. Each view says what goes in ([`PoolView`]);
//! this decides how many lanes fit and how tall they are.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::sims::cores::CoreReading;
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
    /// Where the blank row before the meters goes.
    pub gap: MeterGap,
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
    lines.extend(lanes::core_meters(view.cores, width, roomy, theme));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}
