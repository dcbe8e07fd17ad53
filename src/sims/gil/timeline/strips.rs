//! The strips' one time axis: every thread's time per state is cut into the same cells
//! (cell `c` is `origin + c * cell_ns .. + cell_ns` for every thread), and a column of
//! cells is drawn by one rule. Under a shared GIL at most one thread holds it per column:
//! the one that held it longest in that cell; the others show what else they did there.
//! (Each thread once cut its own timeline into cells on its own, and drew each cell by its
//! own majority: with 3 or more threads handing over mid-cell, columns showed two holders
//! or none, and a thread whose entries ran ahead drew its strip shifted.)

use std::collections::VecDeque;

use super::ThreadState;
use crate::sims::gil::HISTORY_CELLS;

/// How many states a cell accounts.
pub(super) const STATES: usize = 5;
/// Cells kept per thread: the history plus the cell still filling.
const KEPT: usize = HISTORY_CELLS + 1;

/// Time per state within one cell, demo ns, indexed by [`ThreadState::index`].
pub(super) type CellTimes = [u64; STATES];

impl ThreadState {
    /// The state's slot in a [`CellTimes`].
    pub(super) fn index(self) -> usize {
        match self {
            ThreadState::Running => 0,
            ThreadState::Waiting => 1,
            ThreadState::Io => 2,
            ThreadState::Done => 3,
            ThreadState::Parked => 4,
        }
    }

    fn from_index(i: usize) -> ThreadState {
        [
            ThreadState::Running,
            ThreadState::Waiting,
            ThreadState::Io,
            ThreadState::Done,
            ThreadState::Parked,
        ][i.min(STATES - 1)]
    }
}

/// Where cell 0 starts and how wide cells are, shared by every thread of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Axis {
    /// Demo ns where cell 0 starts.
    pub origin_ns: u64,
    /// Demo ns per cell (at least 1).
    pub cell_ns: u64,
}

impl Axis {
    /// The cell holding demo time `t` (times before the origin fall in cell 0).
    pub fn cell_of(&self, t: u64) -> u64 {
        t.saturating_sub(self.origin_ns) / self.cell_ns
    }

    fn start_of(&self, cell: u64) -> u64 {
        self.origin_ns + cell * self.cell_ns
    }

    /// How much of `from..to` lies in `cell`.
    fn overlap(&self, cell: u64, from: u64, to: u64) -> u64 {
        let start = self.start_of(cell);
        let end = start + self.cell_ns;
        to.min(end).saturating_sub(from.max(start))
    }

    /// Each cell `from..to` touches (no more than the kept history's newest), with how
    /// much of `from..to` lies in it; time before the origin is not on the axis.
    fn pieces(&self, from: u64, to: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        let from = from.max(self.origin_ns);
        let cells = (to > from).then(|| {
            let last = self.cell_of(to - 1);
            self.cell_of(from).max(last.saturating_sub(KEPT as u64 - 1))..=last
        });
        let cells = cells.into_iter().flatten();
        cells.map(move |cell| (cell, self.overlap(cell, from, to)))
    }
}

/// One thread's time per state in its recent cells on the shared axis.
#[derive(Debug, Clone, Default)]
pub(super) struct CellHistory {
    /// The axis cell of `cells[0]`.
    first: u64,
    cells: VecDeque<CellTimes>,
}

impl CellHistory {
    /// The cell after the newest one recorded.
    fn end(&self) -> u64 {
        self.first + self.cells.len() as u64
    }

    /// The times of `cell`, if it is recorded.
    pub fn get(&self, cell: u64) -> Option<&CellTimes> {
        let i = cell.checked_sub(self.first)?;
        self.cells.get(usize::try_from(i).ok()?)
    }

    fn get_mut(&mut self, cell: u64) -> Option<&mut CellTimes> {
        let i = cell.checked_sub(self.first)?;
        self.cells.get_mut(usize::try_from(i).ok()?)
    }

    /// The times of `cell`, made (and the oldest dropped) if it is newer than any.
    fn slot(&mut self, cell: u64) -> Option<&mut CellTimes> {
        if self.cells.is_empty() || cell >= self.end() + KEPT as u64 {
            self.cells.clear();
            self.first = cell;
        }
        while self.end() <= cell {
            self.cells.push_back([0; STATES]);
        }
        while self.cells.len() > KEPT {
            self.cells.pop_front();
            self.first += 1;
        }
        self.get_mut(cell)
    }

    /// Adds `from..to` in `state` (time before the axis origin is not drawn).
    pub fn add(&mut self, axis: &Axis, from: u64, to: u64, state: ThreadState) {
        for (cell, ns) in axis.pieces(from, to) {
            if let Some(times) = self.slot(cell) {
                times[state.index()] += ns;
            }
        }
    }

    /// Moves `from..to` from `old` to `new` in the cells already recorded (an entry that
    /// came after its time was accounted to the old state).
    pub fn shift(&mut self, axis: &Axis, from: u64, to: u64, old: ThreadState, new: ThreadState) {
        for (cell, ns) in axis.pieces(from, to) {
            if let Some(times) = self.get_mut(cell) {
                let moved = ns.min(times[old.index()]);
                times[old.index()] -= moved;
                times[new.index()] += moved;
            }
        }
    }

    /// Forgets every cell (the axis changed).
    pub fn clear(&mut self) {
        self.cells.clear();
    }
}

/// What one thread contributes to a column: its times in that cell, or, past its newest
/// entry, its current state (it stays there until it logs otherwise).
fn times_at(history: &CellHistory, state: ThreadState, cell: u64, now_cell: u64) -> CellTimes {
    let mut times = match history.get(cell) {
        Some(t) => *t,
        None if cell >= history.end() => {
            let mut t = [0; STATES];
            t[state.index()] = 1;
            t
        }
        None => {
            let mut t = [0; STATES];
            t[ThreadState::Parked.index()] = 1;
            t
        }
    };
    if cell == now_cell {
        times[state.index()] += 1; // an empty current cell shows the current state
    }
    times
}

/// The state with the most time, earliest in [`ThreadState::index`] order on a tie
/// (so Running wins ties and a short hold stays visible); `None` if all are zero.
fn dominant(times: &CellTimes, skip_running: bool) -> Option<ThreadState> {
    let from = usize::from(skip_running);
    let best = (from..STATES).fold(
        from,
        |best, i| if times[i] > times[best] { i } else { best },
    );
    (times[best] > 0).then(|| ThreadState::from_index(best))
}

/// Every thread's strip over the cells `now_cell - HISTORY_CELLS ..= now_cell` (fewer
/// near the start), all the same length and on the same axis. With `one_holder` (threads
/// sharing one GIL) each column shows at most one holder: the thread that held longest
/// in that cell (the first such on a tie).
pub(super) fn strips(
    threads: &[(&CellHistory, ThreadState)],
    now_cell: u64,
    one_holder: bool,
) -> Vec<Vec<ThreadState>> {
    let first = now_cell.saturating_sub(HISTORY_CELLS as u64);
    let mut out: Vec<Vec<ThreadState>> = threads
        .iter()
        .map(|_| Vec::with_capacity((now_cell - first + 1) as usize))
        .collect();
    for cell in first..=now_cell {
        let column: Vec<CellTimes> = threads
            .iter()
            .map(|(h, s)| times_at(h, *s, cell, now_cell))
            .collect();
        let running = ThreadState::Running.index();
        let holder = one_holder
            .then(|| {
                column
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t[running] > 0)
                    .fold(None, |best: Option<(usize, u64)>, (i, t)| match best {
                        Some((_, most)) if most >= t[running] => best,
                        _ => Some((i, t[running])),
                    })
                    .map(|(i, _)| i)
            })
            .flatten();
        for (i, times) in column.iter().enumerate() {
            let state = if !one_holder {
                dominant(times, false)
            } else if holder == Some(i) {
                Some(ThreadState::Running)
            } else {
                // Held less than the holder here: it waited for the GIL the rest.
                dominant(times, true).or(Some(ThreadState::Waiting))
            };
            out[i].push(state.unwrap_or(ThreadState::Parked));
        }
    }
    out
}
