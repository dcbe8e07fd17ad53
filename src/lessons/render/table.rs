//! Tables: columns fitted to the pane (narrow ones keep their width, wide ones share the
//! rest and wrap), a rule under the header, alignment per column.

use super::wrap::truncate_runs;
use super::*;

/// Between table columns.
const TABLE_SEPARATOR: &str = " │ ";
/// Below a table's header.
const TABLE_HEADER_CROSS: &str = "─┼─";
/// A table column narrower than this is truncated with '…' instead of wrapped.
const TABLE_MIN_WRAP_COLUMNS: usize = 4;

impl Renderer<'_, '_> {
    pub(super) fn table(
        &mut self,
        alignments: &[Align],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
    ) {
        let theme = self.theme;
        let columns = rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(header.len()))
            .max()
            .unwrap_or(0);
        if columns == 0 {
            return;
        }
        let header_runs: Vec<Vec<Run>> = (0..columns)
            .map(|c| {
                header
                    .get(c)
                    .map(|cell| self.inline_runs(cell, theme.table_header))
                    .unwrap_or_default()
            })
            .collect();
        let row_runs: Vec<Vec<Vec<Run>>> = rows
            .iter()
            .map(|row| {
                (0..columns)
                    .map(|c| {
                        row.get(c)
                            .map(|cell| self.inline_runs(cell, self.base))
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        let natural: Vec<usize> = (0..columns)
            .map(|c| {
                std::iter::once(&header_runs[c])
                    .chain(row_runs.iter().map(|r| &r[c]))
                    .map(|cell| run_width(cell))
                    .max()
                    .unwrap_or(0)
                    .max(1)
            })
            .collect();
        let width = self.width();
        let separators = display_width(TABLE_SEPARATOR) * (columns - 1);
        let room = width.saturating_sub(separators);
        let widths = fit_columns(&natural, room.max(columns));
        let truncate = widths
            .iter()
            .zip(&natural)
            .any(|(w, n)| w < n && *w < TABLE_MIN_WRAP_COLUMNS);
        let align = |c: usize| alignments.get(c).copied().unwrap_or_default();

        let draw_row = |r: &mut Self, cells: &[Vec<Run>]| {
            let wrapped: Vec<Vec<Vec<Run>>> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, w)| {
                    if truncate {
                        vec![truncate_runs(cell, *w)]
                    } else {
                        wrap(cell, *w)
                    }
                })
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            for line_no in 0..height {
                let mut out: Vec<Run> = Vec::new();
                for (c, lines) in wrapped.iter().enumerate() {
                    if c > 0 {
                        out.push((theme.marker, TABLE_SEPARATOR.to_string()));
                    }
                    let line = lines.get(line_no).cloned().unwrap_or_default();
                    let pad = widths[c].saturating_sub(run_width(&line));
                    let (left, right) = match align(c) {
                        Align::Left => (0, pad),
                        Align::Right => (pad, 0),
                        Align::Center => (pad / 2, pad - pad / 2),
                    };
                    let last = c + 1 == columns;
                    if left > 0 {
                        out.push((Style::new(), " ".repeat(left)));
                    }
                    out.extend(line);
                    if right > 0 && !last {
                        out.push((Style::new(), " ".repeat(right)));
                    }
                }
                r.push(clip_line(out, r.width()));
            }
        };
        draw_row(self, &header_runs);
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        let rule = rule.join(TABLE_HEADER_CROSS);
        let rule = clip_line(vec![(theme.marker, rule)], self.width());
        self.push(rule);
        for row in &row_runs {
            draw_row(self, row);
        }
    }
}

/// Column widths for a table: each column gets its natural width if all fit in `room`,
/// else narrow columns keep theirs and wide ones share what is left evenly.
pub(super) fn fit_columns(natural: &[usize], room: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= room {
        return natural.to_vec();
    }
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by_key(|&c| natural[c]);
    let mut widths = vec![0; natural.len()];
    let mut left = room;
    let mut columns_left = natural.len();
    for c in order {
        let share = (left / columns_left).max(1);
        let w = natural[c].min(share);
        widths[c] = w;
        left = left.saturating_sub(w);
        columns_left -= 1;
    }
    widths
}
