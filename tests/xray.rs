//! X-ray end to end: the state rules on recorded `/proc` samples (tests/fixtures/xray/,
//! made with `pyconc xray --raw-out` and `shrink.py`), the bootstrap's protocol run with a
//! real python3, a real run where a CPU thread shows mostly running and a sleeping thread
//! mostly I/O, the process group gone after a stop, and the portable (non-/proc) path.
//! Without python3 the real-Python tests skip, except under CI=true where that fails.

#[cfg(unix)]
mod common;
mod os_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pyconc::child::Exit;
use pyconc::xray::classify::XState;
use pyconc::xray::protocol::{self, Message};
use pyconc::xray::recording::{Recording, SamplingMode};
use pyconc::xray::run::{XrayOptions, XrayRun, replay};

fn fixture(name: &str) -> Recording {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xray")
        .join(name);
    replay(&std::fs::read_to_string(path).unwrap())
}

fn share(rec: &Recording, name: &str, state: XState) -> f64 {
    let t = rec
        .tracks()
        .into_iter()
        .find(|t| t.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no thread {name}"));
    t.shares(rec.gil()).get(&state).copied().unwrap_or(0.0)
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn recorded_convoy_finds_the_gil_and_each_threads_wait() {
    let rec = fixture("convoy.jsonl");
    assert!(rec.gil().is_some(), "the GIL's futex was not found");
    assert!(rec.handoffs_per_s().unwrap() > 0.0);
    for cpu in ["cpu-1", "cpu-2"] {
        let busy = share(&rec, cpu, XState::Running) + share(&rec, cpu, XState::GilWait);
        assert!(busy > 0.95, "{cpu}: running + GIL wait {busy}");
        assert!(share(&rec, cpu, XState::Io) < 0.05);
    }
    // The sleeper sleeps, then waits for the GIL to come back: the convoy.
    assert!(share(&rec, "sleeper", XState::Io) > 0.2);
    assert!(share(&rec, "sleeper", XState::GilWait) > 0.2);
    // Main joins: a lock, not the GIL.
    assert!(share(&rec, "MainThread", XState::LockWait) > 0.4);
    for t in rec.tracks() {
        let sum: f64 = t.shares(rec.gil()).values().sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn recorded_queue_and_lock_waits_are_locks_and_no_gil_is_invented() {
    let rec = fixture("queue_lock.jsonl");
    assert_eq!(
        rec.gil(),
        None,
        "no thread computes, so no GIL hand-offs to see"
    );
    assert!(share(&rec, "consumer-0", XState::LockWait) > 0.9);
    for locker in ["locker-0", "locker-1"] {
        assert!(share(&rec, locker, XState::LockWait) > 0.25, "{locker}");
        assert!(share(&rec, locker, XState::Io) > 0.25, "{locker}");
    }
}

#[test]
fn without_syscall_the_same_samples_show_only_running_or_asleep() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xray/convoy.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    // What a refused `syscall` file leaves: stat and schedstat only.
    let stripped: String = text
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(threads) = v
                .pointer_mut("/tick/threads")
                .and_then(|t| t.as_array_mut())
            {
                for t in threads {
                    t["syscall"] = serde_json::Value::Null;
                }
            }
            if v.get("mode").is_some() {
                v = serde_json::json!({"mode": {"mode": "stat_only", "reason": "refused"}});
            }
            v.to_string() + "\n"
        })
        .collect();
    let rec = replay(&stripped);
    assert_eq!(rec.run.mode, SamplingMode::StatOnly);
    assert_eq!(rec.gil(), None);
    let report = pyconc::xray::report::recording_json(&rec);
    for t in report["threads"].as_array().unwrap() {
        assert!(t["gil_wait"].is_null() && t["io"].is_null() && t["lock_wait"].is_null());
        let sum = t["running"].as_f64().unwrap() + t["blocked_unknown"].as_f64().unwrap();
        assert!((sum - 1.0).abs() < 0.01, "{t}");
    }
    assert_eq!(
        report["sampling"]["readable"],
        serde_json::json!(["stat", "schedstat"])
    );
}

/// python3, or `None` to skip (a failure under CI=true).
fn python3() -> Option<PathBuf> {
    common::python::python3_or_skip("the x-ray tests")
}

fn script(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_bootstrap_speaks_its_protocol() {
    let Some(py) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let boot = script(dir.path(), "boot.py", protocol::BOOTSTRAP_PY);
    let target = script(
        dir.path(),
        "target.py",
        "import sys, threading\n\
         assert sys.argv[1:] == ['a', '--b'], sys.argv\n\
         assert __name__ == '__main__'\n\
         t = threading.Thread(target=lambda: None, name='worker')\n\
         t.start(); t.join()\n\
         print('ok')\n",
    );
    let lines = dir.path().join("lines.jsonl");
    let out = Command::new(py)
        .args(["-X", "utf8", "-u"])
        .arg(&boot)
        .arg(&target)
        .args(["a", "--b"])
        .env(protocol::FILE_ENV, &lines)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    let text = std::fs::read_to_string(&lines).unwrap();
    let msgs: Vec<Message> = text.lines().filter_map(protocol::parse_line).collect();
    assert_eq!(
        msgs.len(),
        text.lines().count(),
        "a line did not parse: {text}"
    );
    let Message::Hello(facts) = &msgs[0] else {
        panic!("first line is not hello: {text}")
    };
    assert_eq!(facts.implementation, "cpython");
    assert!(facts.switch_interval_s > 0.0);
    let main_id = match &msgs[1] {
        Message::ThreadStart {
            main: true,
            native_id,
            name,
            ..
        } if name == "MainThread" => *native_id,
        other => panic!("second line is not the main thread: {other:?}"),
    };
    let worker = msgs
        .iter()
        .find_map(|m| match m {
            Message::ThreadStart {
                name,
                native_id,
                main: false,
                ..
            } if name == "worker" => Some(*native_id),
            _ => None,
        })
        .expect("worker started");
    assert_ne!(worker, main_id);
    assert!(msgs.iter().any(|m| matches!(m, Message::ThreadEnd { native_id, cpu_s: Some(_), .. } if *native_id == worker)));
    assert!(matches!(
        msgs.last(),
        Some(Message::ScriptEnd { error: None, .. })
    ));
}

fn options(py: PathBuf, script: PathBuf) -> XrayOptions {
    XrayOptions {
        python: py.into_os_string(),
        script,
        args: vec![],
        time_limit: Some(Duration::from_secs(60)),
        raw_out: None,
        portable: false,
        die_with_parent: false,
    }
}

/// The headless x-ray report of a run of the Python program `code` (`portable`: without
/// `/proc`), which must exit 0; `None` where there is no python3.
fn headless_report(code: &str, portable: bool) -> Option<serde_json::Value> {
    let py = python3()?;
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(py, script(dir.path(), "target.py", code));
    opts.portable = portable;
    let (report, outcome) = pyconc::xray::cli::run_headless(&opts).unwrap();
    assert_eq!(outcome.exit, Exit::Code(0), "{report}");
    Some(report)
}

/// The row of the thread called `name` in a headless x-ray report.
fn thread_row<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["threads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report}"))
}

#[cfg(target_os = "linux")]
#[test]
fn a_real_cpu_thread_runs_and_a_sleeping_thread_sleeps() {
    let Some(report) = headless_report(
        "import threading, time\n\
         def cpu():\n    end = time.monotonic() + 1.0\n    while time.monotonic() < end: pass\n\
         def nap():\n    for _ in range(20): time.sleep(0.05)\n\
         a = threading.Thread(target=cpu, name='spinner')\n\
         b = threading.Thread(target=nap, name='napper')\n\
         a.start(); b.start(); a.join(); b.join()\n",
        false,
    ) else {
        return;
    };
    assert_eq!(report["sampling"]["mode"], "full");
    assert!(report["sampling"]["ticks"].as_u64().unwrap() > 50);
    let spinner = thread_row(&report, "spinner");
    let napper = thread_row(&report, "napper");
    // Generous bounds: on a loaded machine "running" includes waiting for a core.
    assert!(spinner["running"].as_f64().unwrap() > 0.5, "{spinner}");
    assert!(napper["io"].as_f64().unwrap() > 0.5, "{napper}");
    for t in report["threads"].as_array().unwrap() {
        let sum: f64 = ["running", "gil_wait", "lock_wait", "io"]
            .iter()
            .map(|k| t[*k].as_f64().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 0.01, "{t}");
    }
}

#[cfg(unix)]
#[test]
fn after_stop_no_process_of_the_group_is_left() {
    let Some(py) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("child.pid");
    let target = script(
        dir.path(),
        "forks.py",
        &format!(
            "import subprocess, sys, time\n\
             p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n\
             open({:?}, 'w').write(str(p.pid))\n\
             time.sleep(60)\n",
            pid_file.display().to_string()
        ),
    );
    let mut run = XrayRun::start(&options(py, target)).unwrap();
    let leader = run.pid().unwrap() as i32;
    let started = Instant::now();
    let grandchild: i32 = loop {
        if let Some(pid) = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            break pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the script did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let outcome = run.stop();
    assert_eq!(outcome.exit, Exit::Killed);
    let gone = |pid: i32| !os_support::alive(pid as u32);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(gone(leader) && gone(grandchild)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(gone(leader), "the interpreter is still there");
    assert!(gone(grandchild), "its child is still there");
    // SAFETY: signal 0 to a process group only asks whether any member exists.
    let group_alive = unsafe { libc::killpg(leader, 0) } == 0;
    assert!(
        !group_alive || gone(grandchild),
        "the process group still has members"
    );
}

#[test]
fn the_portable_path_draws_lifetimes_and_cpu_and_no_invented_state() {
    let Some(report) = headless_report(
        "import threading, time\n\
         def cpu():\n    end = time.monotonic() + 0.4\n    while time.monotonic() < end: pass\n\
         t = threading.Thread(target=cpu, name='worker'); t.start(); t.join()\n",
        true,
    ) else {
        return;
    };
    assert_eq!(report["sampling"]["mode"], "portable");
    assert!(report["sampling"]["limitation"].is_string());
    let worker = thread_row(&report, "worker");
    for k in ["running", "gil_wait", "lock_wait", "io"] {
        assert!(worker[k].is_null(), "{k} invented: {worker}");
    }
    assert!(worker["cpu_s"].as_f64().unwrap() > 0.0, "{worker}");
}

#[test]
fn a_demo_twin_fills_the_table_without_blocking() {
    let Some(py) = python3() else { return };
    let stopping = std::thread::spawn(|| serde_json::json!({"tasks": 50, "ipc_ms": 0.5}));
    let params = serde_json::json!({"workers": 2, "tasks": 50, "payload_kb": 1, "chunksize": 1});
    let mut twin = match pyconc::xray::demo_twin::DemoTwin::start(
        "processes",
        params,
        stopping,
        py.into_os_string(),
    ) {
        Ok(t) => t,
        Err((e, _)) => panic!("{e}"),
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    while twin.rows().is_empty() {
        let polled = Instant::now();
        twin.poll();
        assert!(
            polled.elapsed() < Duration::from_millis(500),
            "poll blocked"
        );
        if let pyconc::xray::twin_runner::TwinState::Failed(e) = twin.state().clone() {
            panic!("the twin failed: {e}");
        }
        assert!(Instant::now() < deadline, "no table");
        std::thread::sleep(Duration::from_millis(20));
    }
    let rows = twin.rows();
    assert_eq!(rows[0].label, "IPC/task chunksize 1");
    assert_eq!(rows[0].sim.as_deref(), Some("10.0 µs"));
    assert!(rows[0].real.is_some());
}

mod x_key {
    use super::*;
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use pyconc::app::{App, Msg};
    use pyconc::lessons::Catalog;
    use pyconc::theme::{Theme, ThemeName};

    fn demo_app(name: &str, set: &[(&str, &str)]) -> App {
        let engine = pyconc::sims::find(name).unwrap();
        let overrides: Vec<(String, String)> = set
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let params = engine.resolve(&overrides).unwrap();
        let theme = Theme::new(ThemeName::Dark, false);
        let mut app = App::demo_only(Catalog::embedded().unwrap(), theme, engine, params).unwrap();
        app.update(Msg::Terminal(Event::Resize(100, 40)));
        app
    }

    fn press_x(app: &mut App) {
        let key = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        app.update(Msg::Terminal(Event::Key(key)));
    }

    #[test]
    fn a_demo_without_a_twin_says_so_and_keeps_running() {
        let mut app = demo_app("race", &[]);
        press_x(&mut app);
        let host = app.demo.as_ref().unwrap();
        assert!(host.twin.is_none());
        assert!(
            host.notice
                .as_deref()
                .unwrap_or("")
                .contains("no real-Python twin")
        );
        app.shutdown();
    }

    #[test]
    fn x_stops_the_simulation_runs_the_twin_and_x_again_closes_it() {
        if python3().is_none() {
            return;
        }
        let mut app = demo_app("asyncio", &[("scenario", "offload"), ("tasks", "3")]);
        press_x(&mut app);
        assert!(
            app.demo.as_ref().unwrap().twin.is_some(),
            "{:?}",
            app.demo.as_ref().unwrap().notice
        );
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            app.update(Msg::Frame);
            let twin = app.demo.as_ref().unwrap().twin.as_ref().unwrap();
            if let pyconc::xray::twin_runner::TwinState::Failed(e) = twin.state() {
                panic!("{e}");
            }
            if !twin.rows().is_empty() {
                assert_eq!(twin.rows()[0].label, "loop lag p50");
                assert!(
                    twin.rows().iter().all(|r| r.real.is_some()),
                    "{:?}",
                    twin.rows()
                );
                break;
            }
            assert!(Instant::now() < deadline, "no table");
            std::thread::sleep(Duration::from_millis(30));
        }
        // The panel draws at any size.
        for (w, h) in [(100, 40), (80, 24), (1, 1), (40, 10)] {
            let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
            t.draw(|f| pyconc::ui::draw(&app, f)).unwrap();
            if w == 100 {
                let text = t.backend().to_string();
                assert!(
                    text.contains("simulation") && text.contains("CPython"),
                    "{text}"
                );
            }
        }
        press_x(&mut app);
        assert!(app.demo.as_ref().unwrap().twin.is_none());
        app.shutdown();
    }
}
