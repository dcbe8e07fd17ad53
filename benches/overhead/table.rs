//! The bench's arithmetic and its one table: alternate rounds, medians and their spread,
//! and the rows `engine | work | unit | bare | instrumented | overhead | noise | goal`.

/// `N cores, load average a b c` (from /proc/loadavg where there is one).
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into());
    format!("{cores} cores, load average {load}")
}

/// The median of `xs` (sorts them).
pub fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// One side's figure over its rounds: the median and how far the rounds spread.
#[derive(Debug, Clone, Copy)]
pub struct Figure {
    /// The median round.
    pub median: f64,
    /// Half the interquartile range of the rounds (how far the middle half spreads), as a
    /// share of the median (0.02: ±2%). Not the whole range: that widens with every round
    /// added, and one round preempted by the host set it alone.
    pub spread: f64,
}

impl Figure {
    /// The figure of `xs` (at least one round).
    pub fn of(xs: &mut [f64]) -> Figure {
        let median = median(xs);
        let last = xs.len() - 1;
        let (lo, hi) = (xs[last / 4], xs[last - last / 4]);
        let spread = if median > 0.0 {
            (hi - lo) / 2.0 / median
        } else {
            0.0
        };
        Figure { median, spread }
    }
}

/// Runs `bare` and `instrumented` alternately `rounds` times (so a change of load hits
/// both alike); their figures.
pub fn alternate(
    rounds: usize,
    mut bare: impl FnMut() -> f64,
    mut instrumented: impl FnMut() -> f64,
) -> (Figure, Figure) {
    let (mut xa, mut xb) = (Vec::new(), Vec::new());
    for _ in 0..rounds.max(1) {
        xa.push(bare());
        xb.push(instrumented());
    }
    (Figure::of(&mut xa), Figure::of(&mut xb))
}

/// Whether a bigger figure is better (a rate) or worse (a cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Work per second.
    Higher,
    /// Time per piece of work.
    Lower,
}

/// One row of the table.
pub struct Row {
    /// The engine's name.
    pub engine: &'static str,
    /// What ran, in a few words.
    pub work: String,
    /// The figures' unit.
    pub unit: &'static str,
    /// Which way is better.
    pub better: Better,
    /// The engine's code with its instrumentation switched off.
    pub bare: Figure,
    /// The demo as it runs.
    pub instrumented: Figure,
    /// The most overhead the goal allows (0.03: 3%), if it has one.
    pub goal: Option<f64>,
}

impl Row {
    /// What the instrumentation costs: the share of work rate lost (for rates) or the
    /// extra time (for costs); 0.05 is 5%.
    pub fn overhead(&self) -> f64 {
        let (b, i) = (self.bare.median, self.instrumented.median);
        match self.better {
            Better::Higher => b / i - 1.0,
            Better::Lower => i / b - 1.0,
        }
    }

    /// The larger spread of the two sides: a difference below it is noise.
    pub fn noise(&self) -> f64 {
        self.bare.spread.max(self.instrumented.spread)
    }

    fn verdict(&self) -> String {
        let Some(goal) = self.goal else {
            return "-".into();
        };
        let (overhead, noise) = (self.overhead(), self.noise());
        let word = if overhead <= goal {
            "met"
        } else if overhead - noise <= goal {
            "noise"
        } else {
            "NOT met"
        };
        format!("<{:.0}% {word}", goal * 100.0)
    }
}

/// Prints `rows` as one table.
pub fn print(rows: &[Row]) {
    println!(
        "{:<9} {:<40} {:<9} {:>11} {:>12} {:>9} {:>7}  goal",
        "engine", "work", "unit", "bare", "instrumented", "overhead", "noise"
    );
    for r in rows {
        println!(
            "{:<9} {:<40} {:<9} {:>11.3} {:>12.3} {:>+8.1}% {:>6.1}%  {}",
            r.engine,
            r.work,
            r.unit,
            r.bare.median,
            r.instrumented.median,
            r.overhead() * 100.0,
            r.noise() * 100.0,
            r.verdict()
        );
    }
    println!(
        "overhead: work rate lost (rates) or time added (costs) by the instrumentation; noise: \
         half the spread of the middle half of the rounds (a difference below it cannot be told apart); goal \
         'noise': over the goal by less than the noise."
    );
}
