//! Running untrusted programs: the time limit kills the whole process group (a grandchild
//! sleeping 60 s included) and reaps it, a leader that exits leaves nothing behind, and a
//! print flood of 50 MB is drained without hanging or bloating, with the excess counted.
#![cfg(unix)]

mod common;
mod os_support;

use std::time::{Duration, Instant};

use pyconc::child::{self, Cancel, ChildSpec, Exit, OUTPUT_CAP_BYTES};

/// Waits up to a generous bound for `pid` to be gone (its new parent reaps it).
fn gone(pid: i32) -> bool {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        if !os_support::alive(pid as u32) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn grandchild_pid(got: &child::Captured) -> i32 {
    got.lines
        .iter()
        .find_map(|(_, l)| l.strip_prefix("grandchild ")?.trim().parse().ok())
        .expect("the script printed its grandchild's pid")
}

#[test]
fn the_time_limit_kills_the_whole_group() {
    let spec = ChildSpec::new("/bin/sh", Duration::from_millis(1500))
        .args(["-c", "sleep 60 & echo grandchild $!; sleep 60"]);
    let started = Instant::now();
    let got = child::run(&spec, &Cancel::new()).unwrap();
    assert_eq!(got.ending, Exit::TimedOut);
    assert!(started.elapsed() < Duration::from_secs(30));
    let pid = grandchild_pid(&got);
    assert!(gone(pid), "grandchild {pid} still running");
}

#[test]
fn a_leader_that_exits_leaves_nothing_running() {
    let spec = ChildSpec::new("/bin/sh", Duration::from_secs(60))
        .args(["-c", "sleep 60 & echo grandchild $!; exit 0"]);
    let got = child::run(&spec, &Cancel::new()).unwrap();
    assert_eq!(got.ending, Exit::Code(0));
    let pid = grandchild_pid(&got);
    assert!(gone(pid), "grandchild {pid} still running");
}

#[test]
fn a_python_grader_with_a_sleeping_grandchild_is_killed_at_the_limit() {
    let Some(python) = common::python::python3_or_skip("the Python grader's time limit") else {
        return;
    };
    let script = "import subprocess, sys, time\n\
                  p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n\
                  print('grandchild', p.pid, flush=True)\n\
                  time.sleep(60)\n";
    let spec = ChildSpec::new(python, Duration::from_secs(3)).args(["-c", script]);
    let got = child::run(&spec, &Cancel::new()).unwrap();
    assert_eq!(got.ending, Exit::TimedOut);
    let pid = grandchild_pid(&got);
    assert!(gone(pid), "grandchild {pid} still running");
}

#[test]
fn a_50_mb_print_flood_is_capped_and_counted() {
    // 50 MiB of output in 1 KiB lines, then one last line.
    let script = "head -c 52428800 /dev/zero | tr '\\0' 'x' | fold -w 1023; echo; echo done";
    let spec = ChildSpec::new("/bin/sh", Duration::from_secs(120)).args(["-c", script]);
    let got = child::run(&spec, &Cancel::new()).unwrap();
    assert_eq!(got.ending, Exit::Code(0));
    let kept: usize = got.lines.iter().map(|(_, l)| l.len() + 1).sum();
    assert!(kept <= OUTPUT_CAP_BYTES, "kept {kept}");
    assert!(
        got.dropped_bytes > 50_000_000,
        "dropped {}",
        got.dropped_bytes
    );
    // Everything was read: kept plus dropped is the whole output.
    // fold adds a newline every 1023 bytes; then echo ends the last line and prints "done".
    let total: u64 = 52_428_800 + 52_428_800 / 1023 + 1 + 5;
    assert_eq!(kept as u64 + got.dropped_bytes, total);
}
