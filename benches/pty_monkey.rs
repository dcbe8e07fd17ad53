//! The pty monkey: the release pyconc in a real pseudo-terminal (libc openpty), fed random
//! real key bytes and mouse sequences and resized (TIOCSWINSZ, which sends SIGWINCH), then
//! ended by SIGTERM, SIGINT or SIGHUP on the lessons screen, in every demo and in the
//! `pyconc xray` screen over a real Python program. Checks the
//! terminal is restored (the leave-alternate-screen and show-cursor sequences arrive after
//! the last enter, raw mode is off by tcgetattr), that no panic was printed and that no
//! child process is left; then that after SIGKILL the `processes` demo's workers exit by
//! themselves within a second. Prints runs, events and panics.
//!
//! `cargo bench --bench pty_monkey` (`-- --runs-per-signal N --keys N --seed N --signals 15,2,1`).

#[path = "../tests/os_support/mod.rs"]
mod os_support;

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use os_support::{alive, descendants, open_pty};

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";

/// Key byte sequences a learner's terminal sends (bound keys and others).
const KEYS: &[&[u8]] = &[
    b"j",
    b"k",
    b"g",
    b"G",
    b" ",
    b"b",
    b"]",
    b"[",
    b"\r",
    b"\t",
    b"\x1b[Z",
    b"n",
    b"p",
    b"/",
    b"t",
    b"h",
    b"r",
    b"e",
    b"a",
    b"c",
    b"d",
    b"?",
    b"+",
    b"-",
    b"=",
    b"_",
    b".",
    b"<",
    b">",
    b",",
    b"1",
    b"2",
    b"3",
    b"l",
    b"\x1b[A",
    b"\x1b[B",
    b"\x1b[C",
    b"\x1b[D",
    b"\x1b[5~",
    b"\x1b[6~",
    b"\x1b[H",
    b"\x1b[F",
    b"\x1bOA",
    b"\x04",
    b"\x15",
    b"\x7f",
    b"x",
    "é".as_bytes(),
    "日".as_bytes(),
    b"\x1b[<65;10;5M",
    b"\x1b[<64;10;5M",
    b"\x1b[<0;20;3M",
    b"\x1b[<0;20;3m",
    b"\x1b[15~",
    b"\x1b[<",
    b"\xe6",
];

/// Keys that leave a demo (`pyconc demo NAME` then quits): not sent, so the signal ends it.
const LEAVING: &[&[u8]] = &[b"q", b"\x1b", b"\x7f", b"\x03"];

struct Options {
    runs_per_signal: usize,
    keys: usize,
    seed: u64,
    signals: Vec<i32>,
}

fn options() -> Options {
    let mut o = Options {
        runs_per_signal: 1,
        keys: 150,
        seed: 11,
        signals: vec![libc::SIGTERM, libc::SIGINT, libc::SIGHUP],
    };
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "--runs-per-signal" => o.runs_per_signal = pair[1].parse().unwrap_or(1),
            "--keys" => o.keys = pair[1].parse().unwrap_or(150),
            "--seed" => o.seed = pair[1].parse().unwrap_or(11),
            // To see the checks fail: `--signals 9` (SIGKILL restores nothing).
            "--signals" => o.signals = pair[1].split(',').filter_map(|s| s.parse().ok()).collect(),
            _ => {}
        }
    }
    o
}

fn set_size(fd: i32, w: u16, h: u16) {
    let size = libc::winsize {
        ws_row: h,
        ws_col: w,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one winsize from the pointer.
    unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &size) };
}

/// True when the terminal is back in cooked mode (echo and line editing on).
fn cooked(slave: &OwnedFd) -> bool {
    // SAFETY: termios is plain data; tcgetattr fills it.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: a valid descriptor and a valid termios.
    if unsafe { libc::tcgetattr(slave.as_raw_fd(), &mut t) } != 0 {
        return false;
    }
    t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0
}

fn spawn(args: &[&str], slave: &OwnedFd, home: &std::path::Path) -> Child {
    let fd = slave.as_raw_fd();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pyconc"));
    cmd.args(args)
        .env("PYCONC_HOME", home)
        .env("TERM", "xterm-256color");
    // SAFETY: dup of an open descriptor.
    let io = |_| unsafe { Stdio::from_raw_fd(libc::dup(fd)) };
    cmd.stdin(io(0)).stdout(io(1)).stderr(io(2));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY, 0);
            Ok(())
        });
    }
    cmd.spawn().expect("pyconc starts")
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The outcome of one run.
struct Outcome {
    events: usize,
    problems: Vec<String>,
    panicked: bool,
}

/// One run: `args`, `keys` random events, then `signal`.
fn run_one(args: &[&str], signal: i32, keys: usize, rng: &mut fastrand::Rng) -> Outcome {
    let home = tempfile::tempdir().expect("a temp home");
    let (master, slave) = open_pty(100, 30);
    let mut child = spawn(args, &slave, home.path());
    let pid = child.id();
    let output = Arc::new(Mutex::new(Vec::new()));
    let mut reader = std::fs::File::from(master.try_clone().expect("dup master"));
    let sink = Arc::clone(&output);
    let drain = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut writer = std::fs::File::from(master.try_clone().expect("dup master"));
    std::thread::sleep(Duration::from_millis(300));
    let demo = matches!(args.first(), Some(&"demo") | Some(&"xray"));
    let mut events = 0;
    for _ in 0..keys {
        if rng.u8(0..12) == 0 {
            set_size(master.as_raw_fd(), rng.u16(20..=220), rng.u16(8..=70));
        } else {
            let key = KEYS[rng.usize(0..KEYS.len())];
            if demo && LEAVING.contains(&key) {
                continue;
            }
            let _ = writer.write_all(key);
        }
        events += 1;
        std::thread::sleep(Duration::from_millis(rng.u64(0..6)));
    }
    std::thread::sleep(Duration::from_millis(100));
    let family = descendants(pid);
    // SAFETY: kill with a valid pid and signal.
    unsafe { libc::kill(pid as i32, signal) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut problems = Vec::new();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if Instant::now() > deadline {
            problems.push(format!(
                "{args:?}: still running 10 s after signal {signal}"
            ));
            let _ = child.kill();
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let left_deadline = Instant::now() + Duration::from_secs(2);
    while family.iter().any(|p| alive(*p)) && Instant::now() < left_deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let left: Vec<u32> = family.iter().copied().filter(|p| alive(*p)).collect();
    if !left.is_empty() {
        problems.push(format!("{args:?}: signal {signal} left processes {left:?}"));
    }
    if !cooked(&slave) {
        problems.push(format!("{args:?}: signal {signal} left the terminal raw"));
    }
    drop(writer);
    drop(slave);
    drop(master);
    let _ = drain.join();
    let out = output.lock().unwrap().clone();
    let entered = find(&out, ENTER_ALT);
    match entered {
        None => problems.push(format!("{args:?}: never entered the alternate screen")),
        Some(at) => {
            if find(&out[at..], LEAVE_ALT).is_none() {
                problems.push(format!(
                    "{args:?}: signal {signal}: no leave-alternate-screen"
                ));
            }
            if find(&out[at..], SHOW_CURSOR).is_none() {
                problems.push(format!("{args:?}: signal {signal}: no show-cursor"));
            }
        }
    }
    let panicked = find(&out, b"panicked").is_some();
    if panicked {
        problems.push(format!(
            "{args:?}: panicked: {}",
            String::from_utf8_lossy(&out[find(&out, b"panicked").unwrap_or(0)..])
                .chars()
                .take(400)
                .collect::<String>()
        ));
    }
    if let Some(status) = status
        && status.code().is_none()
        && !problems.is_empty()
    {
        problems.push(format!("{args:?}: ended by a signal: {status:?}"));
    }
    Outcome {
        events,
        problems,
        panicked,
    }
}

/// `pyconc demo processes` in the pty, SIGKILL, then its workers must be gone within 1 s.
fn sigkill_processes() -> Result<Duration, String> {
    let home = tempfile::tempdir().expect("a temp home");
    let (master, slave) = open_pty(100, 30);
    let mut child = spawn(&["demo", "processes"], &slave, home.path());
    let pid = child.id();
    let mut reader = std::fs::File::from(master.try_clone().expect("dup"));
    let drain = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut workers = Vec::new();
    while workers.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        workers = descendants(pid);
    }
    let _ = child.kill();
    let _ = child.wait();
    let killed = Instant::now();
    while workers.iter().any(|w| alive(*w)) && killed.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = killed.elapsed();
    drop(slave);
    drop(master);
    let _ = drain.join();
    if workers.is_empty() {
        return Err("no worker seen".into());
    }
    if took > Duration::from_secs(1) {
        return Err(format!("workers {workers:?} lived {took:?} after SIGKILL"));
    }
    Ok(took)
}

fn main() {
    let o = options();
    let mut rng = fastrand::Rng::with_seed(o.seed);
    let mut scenarios: Vec<Vec<String>> = vec![vec![]];
    for name in pyconc::sims::names() {
        scenarios.push(vec!["demo".into(), name.into()]);
    }
    // The x-ray screen over a real Python program (its process group must go too).
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/xray/convoy.py");
    scenarios.push(vec!["xray".into(), script.into()]);
    let started = Instant::now();
    let (mut runs, mut events, mut panics) = (0, 0, 0);
    let mut problems = Vec::new();
    for scenario in &scenarios {
        let args: Vec<&str> = scenario.iter().map(String::as_str).collect();
        for &signal in &o.signals {
            for _ in 0..o.runs_per_signal {
                let outcome = run_one(&args, signal, o.keys, &mut rng);
                runs += 1;
                events += outcome.events;
                panics += usize::from(outcome.panicked);
                problems.extend(outcome.problems);
            }
        }
    }
    match sigkill_processes() {
        Ok(took) => println!("SIGKILL: processes workers gone {took:?} after pyconc"),
        Err(e) => problems.push(format!("SIGKILL: {e}")),
    }
    println!(
        "pty monkey: {runs} runs, {events} events, {panics} panics, {} problems, {:.1} s",
        problems.len(),
        started.elapsed().as_secs_f64()
    );
    for p in &problems {
        println!("  {p}");
    }
    if !problems.is_empty() {
        std::process::exit(1);
    }
}
