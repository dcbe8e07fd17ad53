//! The `asyncio` demo's parameters: their one declaration (names as the lessons and the CLI
//! use them) and the typed settings a run is started with.

use super::super::{ParamKind, ParamSpec, Params};

/// The most tasks a scenario may spawn (the `scale` scenario's ceiling).
pub const MAX_TASKS: i64 = 100_000;
/// The most echo clients of the `io` scenario (each holds two sockets of this process).
pub const MAX_CLIENTS: i64 = 5_000;

/// The scenario names, in the order the panel cycles through them.
pub const SCENARIOS: &[&str] = &[
    "gather",
    "taskgroup",
    "blocking",
    "offload",
    "semaphore",
    "timeout",
    "queue",
    "io",
    "scale",
];

/// The declared parameters.
pub const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "scenario",
        kind: ParamKind::Choice(SCENARIOS),
        default: "gather",
        help: "which asyncio pattern runs on the loop",
    },
    ParamSpec {
        name: "tasks",
        kind: ParamKind::Int {
            min: 1,
            max: MAX_TASKS,
        },
        default: "20",
        help: "how many tasks (per group in taskgroup, tickers in blocking, items in queue)",
    },
    ParamSpec {
        name: "work_ms",
        kind: ParamKind::Int {
            min: 1,
            max: 10_000,
        },
        default: "10",
        help: "how long each task's awaited work takes (semaphore, scale)",
    },
    ParamSpec {
        name: "limit",
        kind: ParamKind::Int { min: 1, max: 1_000 },
        default: "5",
        help: "semaphore: how many tasks may be inside at once",
    },
    ParamSpec {
        name: "maxsize",
        kind: ParamKind::Int { min: 1, max: 1_000 },
        default: "5",
        help: "queue: how many items the bounded queue holds",
    },
    ParamSpec {
        name: "producers",
        kind: ParamKind::Int { min: 1, max: 64 },
        default: "2",
        help: "queue: how many producer tasks put items",
    },
    ParamSpec {
        name: "consumers",
        kind: ParamKind::Int { min: 1, max: 64 },
        default: "2",
        help: "queue: how many consumer tasks get items",
    },
    ParamSpec {
        name: "produce_ms",
        kind: ParamKind::Int { min: 0, max: 1_000 },
        default: "10",
        help: "queue: each producer's pause between two items (live)",
    },
    ParamSpec {
        name: "consume_ms",
        kind: ParamKind::Int { min: 0, max: 1_000 },
        default: "30",
        help: "queue: how long a consumer works on one item (live)",
    },
    ParamSpec {
        name: "block_ms",
        kind: ParamKind::Int { min: 0, max: 5_000 },
        default: "200",
        help: "blocking/offload: how long the blocking call takes",
    },
    ParamSpec {
        name: "timeout_ms",
        kind: ParamKind::Int {
            min: 1,
            max: 10_000,
        },
        default: "300",
        help: "timeout: the deadline the tasks run under",
    },
    ParamSpec {
        name: "clients",
        kind: ParamKind::Int {
            min: 1,
            max: MAX_CLIENTS,
        },
        default: "100",
        help: "io: how many clients connect to the echo server at once",
    },
    ParamSpec {
        name: "server_delay_ms",
        kind: ParamKind::Int { min: 0, max: 2_000 },
        default: "50",
        help: "io: how long the server waits before echoing each request (live)",
    },
    ParamSpec {
        name: "flavor",
        kind: ParamKind::Choice(&["current_thread", "multi_thread"]),
        default: "current_thread",
        help: "one loop thread like asyncio, or tokio's multi-thread runtime to compare",
    },
    ParamSpec {
        name: "sort",
        kind: ParamKind::Choice(&["state", "polls", "busy"]),
        default: "state",
        help: "what the task table is sorted by (live)",
    },
];

/// One of the scenarios, each mirroring a piece of Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// Up to 100,000 sleeping tasks.
    Scale,
}

impl Scenario {
    /// The scenario called `name` (gather when unknown; names are validated before).
    pub fn from_name(name: &str) -> Scenario {
        match name {
            "taskgroup" => Scenario::TaskGroup,
            "blocking" => Scenario::Blocking,
            "offload" => Scenario::Offload,
            "semaphore" => Scenario::Semaphore,
            "timeout" => Scenario::Timeout,
            "queue" => Scenario::Queue,
            "io" => Scenario::Io,
            "scale" => Scenario::Scale,
            _ => Scenario::Gather,
        }
    }

    /// The parameter value naming it.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Gather => "gather",
            Scenario::TaskGroup => "taskgroup",
            Scenario::Blocking => "blocking",
            Scenario::Offload => "offload",
            Scenario::Semaphore => "semaphore",
            Scenario::Timeout => "timeout",
            Scenario::Queue => "queue",
            Scenario::Io => "io",
            Scenario::Scale => "scale",
        }
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
pub enum Flavor {
    /// One thread runs every task: asyncio's model.
    CurrentThread,
    /// Several worker threads share the tasks: what asyncio does not do.
    MultiThread,
}

impl Flavor {
    /// The parameter value naming it.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::MultiThread => "multi_thread",
        }
    }
}

/// What the task table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SortBy {
    /// The loop's picture, left to right: running, ready, waiting, finished.
    State,
    /// Most polled first.
    Polls,
    /// Most time being polled first.
    Busy,
}

impl SortBy {
    /// The sort called `name` (state when unknown).
    pub fn from_name(name: &str) -> SortBy {
        match name {
            "polls" => SortBy::Polls,
            "busy" => SortBy::Busy,
            _ => SortBy::State,
        }
    }

    /// The parameter value naming it.
    pub fn name(self) -> &'static str {
        match self {
            SortBy::State => "state",
            SortBy::Polls => "polls",
            SortBy::Busy => "busy",
        }
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

impl Settings {
    /// Reads validated parameters (ranges were checked when they were resolved).
    pub fn from_params(p: &Params) -> Settings {
        let count = |name: &str| p.int(name).max(0) as u32;
        let ms = |name: &str| p.int(name).max(0) as u64;
        Settings {
            scenario: Scenario::from_name(p.text("scenario")),
            flavor: if p.text("flavor") == "multi_thread" {
                Flavor::MultiThread
            } else {
                Flavor::CurrentThread
            },
            sort: SortBy::from_name(p.text("sort")),
            tasks: count("tasks").max(1),
            work_ms: ms("work_ms"),
            limit: count("limit").max(1),
            maxsize: count("maxsize").max(1),
            producers: count("producers").max(1),
            consumers: count("consumers").max(1),
            produce_ms: ms("produce_ms"),
            consume_ms: ms("consume_ms"),
            block_ms: ms("block_ms"),
            timeout_ms: ms("timeout_ms"),
            clients: count("clients").max(1),
            server_delay_ms: ms("server_delay_ms"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_name_round_trips() {
        for name in SCENARIOS {
            assert_eq!(Scenario::from_name(name).name(), *name);
        }
        for sort in ["state", "polls", "busy"] {
            assert_eq!(SortBy::from_name(sort).name(), sort);
        }
    }

    #[test]
    fn defaults_read_back() {
        let p = Params::resolve("asyncio", PARAMS, &[]).unwrap();
        let s = Settings::from_params(&p);
        assert_eq!(s.scenario, Scenario::Gather);
        assert_eq!(s.flavor, Flavor::CurrentThread);
        assert_eq!((s.tasks, s.block_ms, s.work_ms), (20, 200, 10));
    }
}
