//! The `asyncio` demo's parameters: their one declaration (names as the lessons and the CLI
//! use them) and the typed settings a run is started with.

use strum::{EnumString, FromRepr, IntoStaticStr, VariantNames};

#[cfg(test)]
use crate::sims::Params;
use crate::sims::kit::choice::choice_enum;
use crate::sims::kit::choice_spec;
use crate::sims::kit::config::{self, EngineConfig};
use crate::sims::{ParamError, ParamSpec, ParamValue};

/// The most tasks a scenario may spawn (the `scale` scenario's ceiling).
pub const MAX_TASKS: i64 = 1_000_000;
/// The most echo clients of the `io` scenario (each holds two sockets of this process).
pub const MAX_CLIENTS: i64 = 5_000;

/// The scenario names, in the order the panel cycles through them.
pub const SCENARIOS: &[&str] = Scenario::VARIANTS;

/// The declared parameters.
#[rustfmt::skip] // a table: one row per parameter
pub const PARAMS: &[ParamSpec] = &[
    choice_spec::<Scenario>("scenario", "gather", "which asyncio pattern runs on the loop"),
    ParamSpec::int("tasks", 1, MAX_TASKS, "20", "how many tasks (per group in taskgroup, tickers in blocking, items in queue)").used_when("scenario", &["gather", "taskgroup", "blocking", "offload", "semaphore", "timeout", "queue", "scale"]),
    ParamSpec::int("work_ms", 1, 10_000, "10", "how long each task's awaited work takes (semaphore, scale)").used_when("scenario", &["semaphore", "scale"]),
    ParamSpec::int("limit", 1, 1_000, "5", "semaphore: how many tasks may be inside at once").used_when("scenario", &["semaphore"]),
    ParamSpec::int("maxsize", 1, 1_000, "5", "queue: how many items the bounded queue holds").used_when("scenario", &["queue"]),
    ParamSpec::int("producers", 1, 64, "2", "queue: how many producer tasks put items").used_when("scenario", &["queue"]),
    ParamSpec::int("consumers", 1, 64, "2", "queue: how many consumer tasks get items").used_when("scenario", &["queue"]),
    ParamSpec::int("produce_ms", 0, 1_000, "10", "queue: each producer's pause between two items (live)").used_when("scenario", &["queue"]),
    ParamSpec::int("consume_ms", 0, 1_000, "30", "queue: how long a consumer works on one item (live)").used_when("scenario", &["queue"]),
    ParamSpec::int("block_ms", 0, 5_000, "200", "blocking/offload: how long the blocking call takes").used_when("scenario", &["blocking", "offload"]),
    ParamSpec::int("timeout_ms", 1, 10_000, "300", "timeout: the deadline the tasks run under").used_when("scenario", &["timeout"]),
    ParamSpec::int("clients", 1, MAX_CLIENTS, "100", "io: how many clients connect to the echo server at once").used_when("scenario", &["io"]),
    ParamSpec::int("server_delay_ms", 0, 2_000, "50", "io: how long the server waits before echoing each request (live)").used_when("scenario", &["io"]),
    choice_spec::<Flavor>("flavor", "current_thread", "one loop thread like asyncio, or tokio's multi-thread runtime to compare"),
    choice_spec::<SortBy>("sort", "state", "what the task table is sorted by (live)"),
];

/// One of the scenarios, each mirroring a piece of Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
/// (Its words are not kebab-case, so it spells out what `choice_enum!` would derive.)
#[derive(EnumString, IntoStaticStr, VariantNames)]
#[strum(serialize_all = "lowercase")]
pub enum Scenario {
    /// `asyncio.gather` of sleeping workers.
    Gather,
    /// `TaskGroup` against `gather` when one child fails.
    TaskGroup,
    /// `time.sleep` inside a coroutine.
    Blocking,
    /// `asyncio.to_thread` of the same call.
    Offload,
    /// `asyncio.Semaphore(limit)`.
    Semaphore,
    /// `asyncio.timeout` cancelling late tasks.
    Timeout,
    /// A bounded `asyncio.Queue` with producers and consumers.
    Queue,
    /// A loopback echo server and its clients.
    Io,
    /// Up to 1,000,000 sleeping tasks.
    Scale,
}

impl Scenario {
    /// The parameter value naming it.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The Python this scenario mirrors, in one line of code.
    pub fn python(self) -> &'static str {
        match self {
            Scenario::Gather => "await asyncio.gather(*(work(i) for i in range(n)))",
            Scenario::TaskGroup => "async with asyncio.TaskGroup() as tg: ...  vs  gather",
            Scenario::Blocking => "time.sleep(0.2) inside async def: the loop freezes",
            Scenario::Offload => "await asyncio.to_thread(time.sleep, 0.2)",
            Scenario::Semaphore => "async with sem: await work()   # sem = Semaphore(limit)",
            Scenario::Timeout => "async with asyncio.timeout(t): await gather(...)",
            Scenario::Queue => "q = asyncio.Queue(maxsize); await q.put(x) / await q.get()",
            Scenario::Io => "await asyncio.start_server(echo, '127.0.0.1', 0)",
            Scenario::Scale => "await asyncio.gather(*(asyncio.sleep(0.01) for _ in range(n)))",
        }
    }
}

/// Which tokio runtime plays the event loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
/// (Its words are not kebab-case, so it spells out what `choice_enum!` would derive.)
#[derive(EnumString, IntoStaticStr, VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum Flavor {
    /// One thread runs every task: asyncio's model.
    CurrentThread,
    /// Several worker threads share the tasks: what asyncio does not do.
    MultiThread,
}

impl Flavor {
    /// The parameter value naming it.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

choice_enum! {
    /// What the task table is sorted by.
    #[derive(FromRepr)]
    #[repr(u8)]
    pub enum SortBy {
        /// The loop's picture, left to right: running, ready, waiting, finished.
        State,
        /// Most polled first.
        Polls,
        /// Most time being polled first.
        Busy,
    }
}

impl SortBy {
    /// The parameter value naming it.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// The typed values a run starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Which scenario runs.
    pub scenario: Scenario,
    /// Which runtime plays the loop.
    pub flavor: Flavor,
    /// How the task table is sorted.
    pub sort: SortBy,
    /// `tasks` (N).
    pub tasks: u32,
    /// `work_ms`.
    pub work_ms: u64,
    /// `limit` (semaphore).
    pub limit: u32,
    /// `maxsize` (queue).
    pub maxsize: u32,
    /// `producers` (queue).
    pub producers: u32,
    /// `consumers` (queue).
    pub consumers: u32,
    /// `produce_ms` (queue).
    pub produce_ms: u64,
    /// `consume_ms` (queue).
    pub consume_ms: u64,
    /// `block_ms` (blocking, offload).
    pub block_ms: u64,
    /// `timeout_ms` (timeout).
    pub timeout_ms: u64,
    /// `clients` (io).
    pub clients: u32,
    /// `server_delay_ms` (io).
    pub server_delay_ms: u64,
}

/// What a live change asks of the running demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `produce_ms` changed.
    ProduceMs,
    /// `consume_ms` changed.
    ConsumeMs,
    /// `server_delay_ms` changed.
    ServerDelayMs,
    /// `sort` changed.
    Sort,
    /// Only a restart applies it.
    Restart,
}

impl Default for Settings {
    /// The starting point `from_params` applies every declared value to.
    fn default() -> Settings {
        Settings {
            scenario: Scenario::Gather,
            flavor: Flavor::CurrentThread,
            sort: SortBy::State,
            tasks: 1,
            work_ms: 0,
            limit: 1,
            maxsize: 1,
            producers: 1,
            consumers: 1,
            produce_ms: 0,
            consume_ms: 0,
            block_ms: 0,
            timeout_ms: 0,
            clients: 1,
            server_delay_ms: 0,
        }
    }
}

impl EngineConfig for Settings {
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        // Ranges were checked against PARAMS when the values were resolved.
        let count = || config::whole(name, value).map(|v| v.max(1) as u32);
        let ms = || config::whole(name, value).map(|v| v.max(0) as u64);
        match name {
            "scenario" => self.scenario = value.choice(name)?,
            "flavor" => self.flavor = value.choice(name)?,
            "sort" => self.sort = value.choice(name)?,
            "tasks" => self.tasks = count()?,
            "work_ms" => self.work_ms = ms()?,
            "limit" => self.limit = count()?,
            "maxsize" => self.maxsize = count()?,
            "producers" => self.producers = count()?,
            "consumers" => self.consumers = count()?,
            "produce_ms" => self.produce_ms = ms()?,
            "consume_ms" => self.consume_ms = ms()?,
            "block_ms" => self.block_ms = ms()?,
            "timeout_ms" => self.timeout_ms = ms()?,
            "clients" => self.clients = count()?,
            "server_delay_ms" => self.server_delay_ms = ms()?,
            _ => return Err(config::unknown("asyncio", name, PARAMS)),
        }
        Ok(())
    }
}

impl Settings {
    /// What the running demo must do once parameter `name` has a new value.
    pub fn change_of(name: &str) -> Change {
        match name {
            "produce_ms" => Change::ProduceMs,
            "consume_ms" => Change::ConsumeMs,
            "server_delay_ms" => Change::ServerDelayMs,
            "sort" => Change::Sort,
            _ => Change::Restart,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_name_round_trips() {
        for name in SCENARIOS {
            assert_eq!(name.parse::<Scenario>().unwrap().name(), *name);
        }
        for sort in ["state", "polls", "busy"] {
            assert_eq!(sort.parse::<SortBy>().unwrap().name(), sort);
        }
        assert_eq!(Flavor::VARIANTS, ["current_thread", "multi_thread"]);
    }

    /// A word no choice knows is an error naming the valid words, never a default.
    #[test]
    fn unknown_words_are_refused_and_live_changes_are_typed() {
        let p = Params::resolve("asyncio", PARAMS, &[]).unwrap();
        let mut s = Settings::from_params(&p).unwrap();
        let err = s
            .apply("sort", &ParamValue::Text("size".into()))
            .unwrap_err();
        assert!(err.to_string().contains("polls"), "{err}");
        assert_eq!(s.sort, SortBy::State);
        assert_eq!(s.apply("sort", &ParamValue::Text("busy".into())), Ok(()));
        assert_eq!(s.sort, SortBy::Busy);
        assert_eq!(Settings::change_of("sort"), Change::Sort);
        assert_eq!(s.apply("consume_ms", &ParamValue::Int(7)), Ok(()));
        assert_eq!(s.consume_ms, 7);
        assert_eq!(Settings::change_of("tasks"), Change::Restart);
        assert!(s.apply("colour", &ParamValue::Int(7)).is_err());
        assert!("Gather2".parse::<Scenario>().is_err());
    }

    #[test]
    fn defaults_read_back() {
        let p = Params::resolve("asyncio", PARAMS, &[]).unwrap();
        let s = Settings::from_params(&p).unwrap();
        assert_eq!(s.scenario, Scenario::Gather);
        assert_eq!(s.flavor, Flavor::CurrentThread);
        assert_eq!((s.tasks, s.block_ms, s.work_ms), (20, 200, 10));
    }
}
