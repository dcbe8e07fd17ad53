//! The `processes` demo with real worker processes: the pyconc binary itself, started
//! through `PYCONC_WORKER_EXE` (inside a test, the current program is the test harness).

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use pyconc::sims::processes::{self, WORKER_ARG, WORKER_EXE_ENV};
use pyconc::sims::{Demo, Engine, Snapshot};

fn setup() {
    static SET: Once = Once::new();
    SET.call_once(|| {
        // SAFETY: every test calls this first, and the Once holds them all until it is
        // done, so no other thread of ours reads the environment meanwhile.
        unsafe { std::env::set_var(WORKER_EXE_ENV, env!("CARGO_BIN_EXE_pyconc")) };
    });
}

fn start(pairs: &[(&str, &str)]) -> Box<dyn Demo> {
    setup();
    let overrides: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = processes::INFO.resolve(&overrides).unwrap();
    processes::INFO.start(&params).unwrap()
}

/// Runs the demo with `pairs` to its end and returns its final figures (they say it
/// finished).
fn run_to_end(pairs: &[(&str, &str)]) -> serde_json::Value {
    let demo = start(pairs);
    assert!(wait_for(|| demo.is_finished()));
    let m = demo.stop();
    assert_eq!(m["finished"], true, "{m}");
    m
}

/// Generous bound: these check that something happens, not how fast.
fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn is_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn workers_run_every_task_and_report_their_costs() {
    let m = run_to_end(&[
        ("workers", "2"),
        ("workload", "tiny"),
        ("tasks", "200"),
        ("chunksize", "10"),
        ("payload_kb", "1"),
    ]);
    assert_eq!(m["tasks"], 200);
    assert_eq!(m["chunks"], 20);
    assert!(m["bytes_sent"].as_u64().unwrap() > 200 * 1024);
    assert!(m["bytes_received"].as_u64().unwrap() > 0);
    assert!(m["startup_ms"].as_f64().unwrap() > 0.0);
    assert!(m["compute_ms"].as_f64().unwrap() > 0.0);
    assert!(m["ipc_ms"].as_f64().unwrap() > 0.0);
    assert!(m["speedup"].as_f64().unwrap() > 0.0);
    assert_eq!(m["workers_crashed"], 0);
    assert_eq!(m["children_left"], 0);
    let workers = m["per_worker"].as_array().unwrap();
    assert_eq!(workers.len(), 2);
    assert_ne!(workers[0]["pid"], workers[1]["pid"]);
    let tasks: u64 = workers.iter().map(|w| w["tasks"].as_u64().unwrap()).sum();
    assert_eq!(tasks, 200);
}

/// The bench's bare switch: the same tasks run and are counted, but no lane is accounted
/// (no timeline, start-up, IPC, compute or byte figures); the accounted run records them.
#[test]
fn an_unaccounted_run_does_the_work_and_records_no_lanes() {
    use pyconc::sims::processes::{ProcConfig, ProcessesDemo};
    use pyconc::sims::workload::{WorkConfig, Workload};
    let config = ProcConfig {
        work: WorkConfig {
            workers: 2,
            workload: Workload::Tiny,
            tasks: 40,
        },
        chunksize: 4,
        payload_kb: 1,
        crash: false,
    };
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_pyconc"));
    for accounting in [false, true] {
        let demo = if accounting {
            ProcessesDemo::start(config, exe.clone())
        } else {
            ProcessesDemo::start_unaccounted(config, exe.clone())
        }
        .unwrap();
        assert!(wait_for(|| demo.is_finished()));
        let Snapshot::Processes(s) = demo.snapshot() else {
            panic!("not a processes snapshot");
        };
        assert_eq!(
            (s.tasks_done, s.chunks),
            (40, 10),
            "accounting {accounting}"
        );
        let lanes_empty = s.workers.iter().all(|w| w.timeline.end_s() == 0.0)
            && s.parts.sequential.timeline.end_s() == 0.0;
        assert_eq!(lanes_empty, !accounting, "accounting {accounting}");
        assert_eq!(s.costs.startup_ms.is_some(), accounting);
        assert_eq!(s.bytes_sent > 0 && s.costs.compute_ms > 0.0, accounting);
        let m = Box::new(demo).stop();
        assert_eq!(m["finished"], true, "{m}");
        assert_eq!(m["children_left"], 0);
    }
}

#[test]
fn a_crashed_worker_breaks_the_pool_and_a_fresh_pool_recovers() {
    let m = run_to_end(&[
        ("workers", "2"),
        ("workload", "tiny"),
        ("tasks", "40"),
        ("chunksize", "1"),
        ("crash", "true"),
    ]);
    assert_eq!(m["workers_crashed"], 1);
    assert_eq!(m["pools_started"], 2);
    assert_eq!(
        m["tasks"], 40,
        "every task done once, the lost ones by the fresh pool"
    );
    let report = m["broken"].as_str().unwrap();
    assert!(report.starts_with("BrokenProcessPool"), "{report}");
    assert!(report.contains("during task 20"), "{report}");
    // The pid it names belongs to the first pool; the lanes show the fresh one's.
    assert!(
        report.ends_with("whose workers the lanes now show"),
        "{report}"
    );
    assert_eq!(m["children_left"], 0);
}

#[test]
fn stop_kills_and_reaps_every_worker() {
    let demo = start(&[("workers", "2"), ("workload", "uniform"), ("tasks", "500")]);
    let mut pids = Vec::new();
    assert!(wait_for(|| {
        if let Snapshot::Processes(s) = demo.snapshot() {
            pids = s.workers.iter().filter_map(|w| w.pid).collect();
            pids.len() == 2 && s.tasks_done > 0
        } else {
            false
        }
    }));
    let m = demo.stop();
    assert_eq!(m["children_left"], 0);
    assert_eq!(m["finished"], false);
    for pid in pids {
        assert!(!is_alive(pid), "worker {pid} outlived stop");
    }
}

#[test]
fn a_worker_exits_by_itself_when_its_stdin_closes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pyconc"))
        .arg(WORKER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut hello = [0u8; 9];
    child.stdout.take().unwrap().read_exact(&mut hello).unwrap();
    assert_eq!(&hello[..5], &[5, 0, 0, 0, 1], "a hello frame comes first");
    let mut stdin = child.stdin.take().unwrap();
    stdin.flush().unwrap();
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.map(|s| s.code()), Some(Some(0)));
}
