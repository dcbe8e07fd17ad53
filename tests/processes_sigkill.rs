//! After SIGKILL of pyconc, the `processes` demo's worker processes exit on their own
//! (their stdin closes and their parent changes), well within a second on an idle
//! machine; the bound here is generous for a shared CI machine, the time is printed.

mod os_support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use os_support::{alive, children_of};

#[test]
fn workers_exit_by_themselves_after_pyconc_is_killed() {
    let mut pyconc = Command::new(env!("CARGO_BIN_EXE_pyconc"))
        .args(["demo", "processes", "--headless", "--seconds", "60"])
        .args(["--set", "workers=2", "--set", "workload=uniform"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pyconc starts");
    let pid = pyconc.id();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut workers = Vec::new();
    while workers.len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        workers = children_of(pid);
    }
    assert!(workers.len() >= 2, "workers seen: {workers:?}");
    pyconc.kill().expect("SIGKILL");
    pyconc.wait().expect("reaped");
    let killed = Instant::now();
    let bound = Duration::from_secs(10);
    while workers.iter().any(|w| alive(*w)) && killed.elapsed() < bound {
        std::thread::sleep(Duration::from_millis(5));
    }
    let left: Vec<u32> = workers.iter().copied().filter(|w| alive(*w)).collect();
    println!(
        "workers gone {:.0} ms after SIGKILL",
        killed.elapsed().as_secs_f64() * 1e3
    );
    assert!(
        left.is_empty(),
        "workers {left:?} outlived pyconc by {bound:?}"
    );
}
