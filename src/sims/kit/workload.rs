//! The CPU-bound work shared by the `pool` and `processes` demos: the three workloads
//! (`uniform`, `skewed`, `tiny`) as a list of task costs, the spin loop that burns one
//! task's cost, and the parameters both engines declare alike, so the same work can be
//! compared across a thread pool and a process pool; and the speedup both report.

use super::choice::choice_enum;
use super::figures::round3;
use std::sync::OnceLock;

use super::choice::{Choice, choice_spec};
use super::config;
use crate::sims::EngineInfo;
use crate::sims::params::{ParamError, ParamSpec, ParamValue};

/// Iterations of the spin loop in one work unit: about a microsecond on a current laptop
/// core in a release build (a debug build is many times slower).
pub const ITERATIONS_PER_UNIT: u64 = 400;
/// Work units between two looks at "should I stop?": about 100 µs, so a stop or a pause
/// is taken within a fraction of a millisecond even in the middle of a long task.
pub const UNITS_PER_CHECK: u64 = 100;
/// A `uniform` task: about 10 ms of arithmetic in a release build on a laptop core.
pub const UNIFORM_TASK_UNITS: u64 = 20_000;
/// A short `skewed` task: about 10 ms.
pub const SKEWED_SHORT_TASK_UNITS: u64 = 10_000;
/// How much longer the few long `skewed` tasks are.
pub const SKEWED_LONG_FACTOR: u64 = 10;
/// One long task in this many `skewed` tasks (at least one).
pub const SKEWED_LONG_EVERY: usize = 16;
/// A `tiny` task: a couple of microseconds, so per-task overhead dominates.
pub const TINY_TASK_UNITS: u64 = 2;
/// The most tasks one run may have (20,000 tiny items fit with room to spare).
pub const MAX_TASKS: i64 = 100_000;

/// Sequential time over parallel time, once the run is `done` and the parallel part was
/// measured: the speedup both demos report.
pub fn speedup(done: bool, sequential_s: f64, parallel_s: f64) -> Option<f64> {
    (done && parallel_s > 0.0).then(|| sequential_s / parallel_s)
}

/// The figures a run with a parallel part and a sequential baseline reports (the first
/// fields of the `pool` and `processes` demos' JSON).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RunFigures {
    /// True once the parallel and the sequential part both ran.
    pub finished: bool,
    /// Seconds the parallel part took.
    pub parallel_s: f64,
    /// Seconds the sequential baseline took (null unless finished).
    pub sequential_s: Option<f64>,
    /// `sequential_s / parallel_s` (null unless finished).
    pub speedup: Option<f64>,
    /// Speedup per worker, 1.0 being perfect (null unless finished).
    pub efficiency: Option<f64>,
}

impl RunFigures {
    /// The figures of a run on `workers` workers, rounded to three decimals.
    pub fn new(finished: bool, parallel_s: f64, sequential_s: f64, workers: usize) -> Self {
        let speedup = speedup(finished, sequential_s, parallel_s);
        RunFigures {
            finished,
            parallel_s: round3(parallel_s),
            sequential_s: finished.then(|| round3(sequential_s)),
            speedup: speedup.map(round3),
            efficiency: speedup.map(|s| round3(s / workers as f64)),
        }
    }
}

choice_enum! {
    /// Which work a run does.
    #[derive(Default)]
    pub enum Workload {
        /// N equal tasks.
        #[default]
        Uniform,
        /// A few tasks ten times longer than the rest, all at the front of the list, so a
        /// static split would give one worker all of them; work stealing evens the lanes out.
        Skewed,
        /// Many tiny tasks: the cost of handing out each task (splitting, IPC) dominates.
        Tiny,
    }
}

impl Workload {
    /// Its parameter name.
    pub fn name(self) -> &'static str {
        self.word()
    }

    /// The cost in work units of each of `tasks` tasks, in submission order.
    pub fn task_units(self, tasks: usize) -> Vec<u64> {
        match self {
            Workload::Uniform => vec![UNIFORM_TASK_UNITS; tasks],
            Workload::Tiny => vec![TINY_TASK_UNITS; tasks],
            Workload::Skewed => {
                let long = tasks.div_ceil(SKEWED_LONG_EVERY).max(1).min(tasks);
                (0..tasks)
                    .map(|i| {
                        if i < long {
                            SKEWED_SHORT_TASK_UNITS * SKEWED_LONG_FACTOR
                        } else {
                            SKEWED_SHORT_TASK_UNITS
                        }
                    })
                    .collect()
            }
        }
    }
}

/// Burns `units` work units of pure arithmetic (no memory traffic, no system calls), asking
/// `keep_going` every [`UNITS_PER_CHECK`] units. Returns the arithmetic's result (so the
/// optimiser cannot drop the work), or `None` if `keep_going` said stop.
pub fn spin(units: u64, seed: u64, mut keep_going: impl FnMut() -> bool) -> Option<u64> {
    let mut x = seed | 1;
    let mut done = 0;
    while done < units {
        if !keep_going() {
            return None;
        }
        let batch = (units - done).min(UNITS_PER_CHECK);
        for i in 0..batch * ITERATIONS_PER_UNIT {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        done += batch;
    }
    Some(x)
}

/// The `workers` parameter: its default is this machine's core count, so the panel and
/// `--headless` output show the real number.
pub fn workers_spec(max: i64) -> ParamSpec {
    static DEFAULT: OnceLock<&'static str> = OnceLock::new();
    let default = DEFAULT.get_or_init(|| {
        let cores = (super::system::available_cores() as i64).clamp(1, 16);
        Box::leak(cores.to_string().into_boxed_str())
    });
    ParamSpec::int(
        "workers",
        1,
        max,
        default,
        "how many workers run tasks (default: one per core of this machine)",
    )
}

/// The three settings `pool` and `processes` declare alike (`workers`, `workload`,
/// `tasks`): both configurations embed this one, so the same work can be compared across
/// a thread pool and a process pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WorkConfig {
    /// Workers: pool threads or worker processes.
    pub workers: usize,
    /// Which tasks.
    pub workload: Workload,
    /// How many tasks.
    pub tasks: usize,
}

impl WorkConfig {
    /// Takes `workers` (from 1 to `max_workers`), `workload` or `tasks`; any other name is
    /// one `engine` does not declare, and an error naming those it does.
    pub fn apply(
        &mut self,
        name: &str,
        value: &ParamValue,
        max_workers: i64,
        engine: &EngineInfo,
    ) -> Result<(), ParamError> {
        match name {
            "workers" => self.workers = config::count_in(name, value, 1, max_workers)?,
            "workload" => self.workload = value.choice(name)?,
            "tasks" => self.tasks = config::count_in(name, value, 1, MAX_TASKS)?,
            _ => return Err(config::unknown(engine.name, name, engine.params)),
        }
        Ok(())
    }

    /// The cost in work units of each task, in submission order.
    pub fn task_units(&self) -> Vec<u64> {
        self.workload.task_units(self.tasks)
    }
}

/// The parameters of an engine that runs this work: `workers` (1 to `max_workers`),
/// `workload` and `tasks`, then the engine's `own`. Built once per engine, by its lazily
/// made `INFO` (the list lives as long as the program, as a declaration does).
pub fn work_specs(max_workers: i64, own: &[ParamSpec]) -> &'static [ParamSpec] {
    let shared = [workers_spec(max_workers), WORKLOAD_SPEC, TASKS_SPEC];
    let all: Vec<ParamSpec> = shared.into_iter().chain(own.iter().cloned()).collect();
    Box::leak(all.into_boxed_slice())
}

/// The `workload` parameter.
pub const WORKLOAD_SPEC: ParamSpec = choice_spec::<Workload>(
    "workload",
    "uniform",
    "uniform: equal CPU-bound tasks; skewed: a few 10x longer; tiny: microsecond tasks",
);

/// The `tasks` parameter.
pub const TASKS_SPEC: ParamSpec = ParamSpec::int(
    "tasks",
    1,
    MAX_TASKS,
    "256",
    "how many tasks to run (try 20000 with workload=tiny)",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_have_the_promised_shape() {
        assert_eq!(Workload::Uniform.task_units(3), vec![UNIFORM_TASK_UNITS; 3]);
        let skewed = Workload::Skewed.task_units(64);
        let long = skewed
            .iter()
            .filter(|u| **u > SKEWED_SHORT_TASK_UNITS)
            .count();
        assert_eq!(long, 4, "a few long tasks");
        assert_eq!(skewed[0], SKEWED_SHORT_TASK_UNITS * SKEWED_LONG_FACTOR);
        assert_eq!(Workload::Skewed.task_units(1).len(), 1);
        assert!(Workload::Tiny.task_units(5).iter().all(|u| *u < 10));
        for name in <Workload as strum::VariantNames>::VARIANTS {
            assert_eq!(
                Workload::parse_word("workload", name).unwrap().name(),
                *name
            );
        }
    }

    #[test]
    fn spin_is_deterministic_and_stoppable() {
        assert_eq!(spin(3, 7, || true), spin(3, 7, || true));
        assert_ne!(spin(3, 7, || true), spin(3, 8, || true));
        assert_eq!(spin(UNITS_PER_CHECK * 5, 1, || false), None);
        let mut checks = 0;
        let _ = spin(UNITS_PER_CHECK * 3, 1, || {
            checks += 1;
            true
        });
        assert_eq!(checks, 3);
    }

    #[test]
    fn work_specs_put_the_shared_three_first_and_take_each_name() {
        let own = [ParamSpec::int("min_len", 1, 9, "1", "own")];
        let specs = work_specs(8, &own);
        let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
        assert_eq!(names, ["workers", "workload", "tasks", "min_len"]);
        let mut work = WorkConfig::default();
        let info = &*crate::sims::pool::INFO;
        work.apply("workers", &ParamValue::Int(8), 8, info).unwrap();
        work.apply("tasks", &ParamValue::Int(3), 8, info).unwrap();
        assert_eq!(
            (work.workers, work.tasks, work.task_units().len()),
            (8, 3, 3)
        );
        assert!(work.apply("workers", &ParamValue::Int(9), 8, info).is_err());
        assert!(work.apply("min_len", &ParamValue::Int(1), 8, info).is_err());
    }

    #[test]
    fn timing_constants_are_sane() {
        // A stop must be seen within well under a millisecond of work.
        const { assert!(UNITS_PER_CHECK * ITERATIONS_PER_UNIT <= 100_000) };
        const { assert!(TINY_TASK_UNITS * 1000 < UNIFORM_TASK_UNITS) };
        assert!(workers_spec(32).default.parse::<i64>().unwrap() >= 1);
    }
}
