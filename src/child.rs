//! Running a program we do not trust (a learner's file, its grader, an interpreter probe) as
//! a child process, safely: its own process group (a job object on Windows, both through
//! `process-wrap`), stdin closed, stdout and stderr drained by two reader threads into one
//! capped buffer (a print flood neither hangs nor bloats pyconc: the excess is counted and
//! dropped), a wall-clock limit and a [`Cancel`] token after either of which the whole group
//! is killed and reaped. When the first process exits, anything it left running in its group
//! is killed too: nothing outlives a run.
//!
//! [`run`] blocks its calling thread until the child is gone; call it from a worker thread,
//! never from the UI thread.

use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use process_wrap::std::{ChildWrapper, CommandWrap};

/// The most program output kept from one run (stdout and stderr together).
pub const OUTPUT_CAP_BYTES: usize = 256 * 1024;
/// The most bytes of "pinned" lines (see [`ChildSpec::pin`]) kept from one run.
pub const PINNED_CAP_BYTES: usize = 1024 * 1024;
/// The longest line kept whole; longer lines are cut (the rest counts as dropped).
pub const LINE_CAP_BYTES: usize = 64 * 1024;
/// How often the waiting thread looks at the child between wake-ups.
const POLL_INTERVAL: Duration = Duration::from_millis(5);
/// How long the readers may take to see end-of-file once the group is gone.
const READER_GRACE: Duration = Duration::from_secs(2);

/// What to run.
#[derive(Debug, Clone)]
pub struct ChildSpec {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Its working directory (`None`: ours).
    pub cwd: Option<PathBuf>,
    /// Variables set on top of our environment.
    pub env: Vec<(OsString, OsString)>,
    /// Variables removed from the environment.
    pub env_remove: Vec<OsString>,
    /// The wall-clock limit.
    pub time_limit: Duration,
    /// The most output kept (bytes).
    pub output_cap: usize,
    /// Stdout lines for which this returns true are kept apart from the output, under their
    /// own cap, so a flood of prints cannot push them out (the grader's check lines).
    pub pin: Option<fn(&str) -> bool>,
}

impl ChildSpec {
    /// `program args...` with a time limit, the default output cap and nothing pinned.
    pub fn new(program: impl Into<PathBuf>, time_limit: Duration) -> ChildSpec {
        ChildSpec {
            program: program.into(),
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            env_remove: Vec::new(),
            time_limit,
            output_cap: OUTPUT_CAP_BYTES,
            pin: None,
        }
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> ChildSpec
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }
}

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The child exited with this code.
    Exited(i32),
    /// The child was ended by a signal (Unix) or without a code.
    Signalled,
    /// The wall-clock limit passed: the group was killed.
    TimedOut,
    /// [`Cancel::cancel`] was called: the group was killed.
    Cancelled,
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct Captured {
    /// How it ended.
    pub ending: Ending,
    /// Output lines in arrival order (stdout and stderr interleaved by line), raw: sanitise
    /// before showing.
    pub lines: Vec<(Stream, String)>,
    /// Stdout lines that matched [`ChildSpec::pin`], in order.
    pub pinned: Vec<String>,
    /// Bytes of output dropped past the cap.
    pub dropped_bytes: u64,
    /// Wall-clock time from spawn to the end.
    pub elapsed: Duration,
}

impl Captured {
    /// The output as one text (lines joined by newlines).
    pub fn output_text(&self) -> String {
        let mut out = String::new();
        for (_, line) in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

/// A token that stops a run early (from any thread).
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Cancel {
    /// A fresh, not yet cancelled token.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Cancels: a run using this token kills its group and returns soon.
    pub fn cancel(&self) {
        let (flag, wake) = &*self.inner;
        *flag.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
    }

    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        *self.inner.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sleeps up to `timeout`, waking early on cancel; returns true if cancelled.
    fn wait(&self, timeout: Duration) -> bool {
        let (flag, wake) = &*self.inner;
        let guard = flag.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = wake
            .wait_timeout_while(guard, timeout, |cancelled| !*cancelled)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}

/// The shared, capped output of one run.
struct Sink {
    lines: Vec<(Stream, String)>,
    pinned: Vec<String>,
    kept: usize,
    pinned_kept: usize,
    dropped: u64,
    cap: usize,
}

impl Sink {
    fn push(&mut self, stream: Stream, line: String, pinned: bool, cut: u64) {
        self.dropped += cut;
        if pinned && self.pinned_kept + line.len() <= PINNED_CAP_BYTES {
            self.pinned_kept += line.len();
            self.pinned.push(line);
        } else if self.kept + line.len() < self.cap {
            self.kept += line.len() + 1;
            self.lines.push((stream, line));
        } else {
            self.dropped += line.len() as u64 + 1;
        }
    }
}

/// Runs `spec` to its end (exit, time limit or cancel) and returns what it printed. The
/// child's group is killed and reaped before this returns. Errors only when it cannot start.
pub fn run(spec: &ChildSpec, cancel: &Cancel) -> io::Result<Captured> {
    let mut command = Command::new(&spec.program);
    command
        .args(&spec.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(cwd) = &spec.cwd {
        command.current_dir(cwd);
    }
    for key in &spec.env_remove {
        command.env_remove(key);
    }
    for (key, value) in &spec.env {
        command.env(key, value);
    }
    let mut wrapped = CommandWrap::from(command);
    #[cfg(unix)]
    wrapped.wrap(process_wrap::std::ProcessGroup::leader());
    #[cfg(windows)]
    wrapped.wrap(process_wrap::std::JobObject);
    let started = Instant::now();
    let mut child = GroupGuard(Some(wrapped.spawn()?));
    let sink = Arc::new(Mutex::new(Sink {
        lines: Vec::new(),
        pinned: Vec::new(),
        kept: 0,
        pinned_kept: 0,
        dropped: 0,
        cap: spec.output_cap,
    }));
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let mut readers = Vec::new();
    let handle = child.0.as_mut().expect("just spawned");
    if let Some(out) = handle.stdout().take() {
        readers.push(spawn_reader(
            out,
            Stream::Stdout,
            spec.pin,
            &sink,
            &done_tx,
        )?);
    }
    if let Some(err) = handle.stderr().take() {
        readers.push(spawn_reader(err, Stream::Stderr, None, &sink, &done_tx)?);
    }
    drop(done_tx);

    let deadline = started + spec.time_limit;
    let ending = loop {
        let handle = child.0.as_mut().expect("still held");
        if let Some(status) = handle.try_wait()? {
            break match status.code() {
                Some(code) => Ending::Exited(code),
                None => Ending::Signalled,
            };
        }
        let now = Instant::now();
        if now >= deadline {
            break Ending::TimedOut;
        }
        if cancel.wait(POLL_INTERVAL.min(deadline - now)) {
            break Ending::Cancelled;
        }
    };
    let elapsed = started.elapsed();
    // Whatever the first process left in its group goes too, then everything is reaped.
    child.kill_and_reap();
    // The readers see end-of-file once every writer is gone; one that escaped the group
    // (a new session) could hold a pipe open, so they get a grace period, then are left to
    // end on their own when it does.
    let grace_end = Instant::now() + READER_GRACE;
    let mut finished = 0;
    while finished < readers.len() {
        let left = grace_end.saturating_duration_since(Instant::now());
        match done_rx.recv_timeout(left) {
            Ok(()) => finished += 1,
            Err(_) => break,
        }
    }
    if finished == readers.len() {
        for reader in readers {
            let _ = reader.join();
        }
    }
    let mut sink = sink.lock().unwrap_or_else(|e| e.into_inner());
    Ok(Captured {
        ending,
        lines: std::mem::take(&mut sink.lines),
        pinned: std::mem::take(&mut sink.pinned),
        dropped_bytes: sink.dropped,
        elapsed,
    })
}

/// Kills and reaps the child's whole group when dropped, so an early return or a panic in
/// [`run`] leaves nothing running.
struct GroupGuard(Option<Box<dyn ChildWrapper>>);

impl GroupGuard {
    fn kill_and_reap(&mut self) {
        if let Some(mut child) = self.0.take() {
            // On Unix this signals the whole group (killpg), which still reaches the
            // leader's leftovers after the leader itself has exited; on Windows it ends the job.
            let _ = child.start_kill();
            let _ = child.wait();
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill_and_reap();
    }
}

fn spawn_reader(
    pipe: impl Read + Send + 'static,
    stream: Stream,
    pin: Option<fn(&str) -> bool>,
    sink: &Arc<Mutex<Sink>>,
    done: &mpsc::Sender<()>,
) -> io::Result<std::thread::JoinHandle<()>> {
    let sink = Arc::clone(sink);
    let done = done.clone();
    std::thread::Builder::new()
        .name(format!("child-{stream:?}").to_lowercase())
        .spawn(move || {
            read_lines(pipe, |line, cut| {
                let pinned = pin.is_some_and(|f| f(&line));
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(stream, line, pinned, cut);
            });
            let _ = done.send(());
        })
}

/// Reads `pipe` to its end, calling `each(line, bytes_cut)` for every line (without its
/// newline, lossily decoded). A line longer than [`LINE_CAP_BYTES`] is cut there; the rest of
/// it is read and counted, never stored.
fn read_lines(pipe: impl Read, mut each: impl FnMut(String, u64)) {
    let mut reader = BufReader::with_capacity(64 * 1024, pipe);
    let mut line: Vec<u8> = Vec::new();
    let mut cut: u64 = 0;
    loop {
        let buf = match reader.fill_buf() {
            Ok([]) => break,
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let (chunk, ends_line) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (&buf[..at], true),
            None => (buf, false),
        };
        let room = LINE_CAP_BYTES.saturating_sub(line.len());
        let take = chunk.len().min(room);
        line.extend_from_slice(&chunk[..take]);
        cut += (chunk.len() - take) as u64;
        let used = chunk.len() + usize::from(ends_line);
        reader.consume(used);
        if ends_line {
            finish_line(&mut line, &mut cut, &mut each);
        }
    }
    if !line.is_empty() || cut > 0 {
        finish_line(&mut line, &mut cut, &mut each);
    }
}

fn finish_line(line: &mut Vec<u8>, cut: &mut u64, each: &mut impl FnMut(String, u64)) {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    let text = String::from_utf8_lossy(line).into_owned();
    each(text, *cut);
    line.clear();
    *cut = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, limit: Duration) -> ChildSpec {
        ChildSpec::new("/bin/sh", limit).args(["-c", script])
    }

    #[cfg(unix)]
    #[test]
    fn output_of_both_streams_is_captured_by_line() {
        let got = run(
            &sh(
                "echo one; echo two >&2; printf 'three'",
                Duration::from_secs(20),
            ),
            &Cancel::new(),
        )
        .unwrap();
        assert_eq!(got.ending, Ending::Exited(0));
        let texts: Vec<&str> = got.lines.iter().map(|(_, l)| l.as_str()).collect();
        assert!(texts.contains(&"one") && texts.contains(&"two") && texts.contains(&"three"));
        assert!(got.lines.contains(&(Stream::Stderr, "two".into())));
        assert_eq!(got.dropped_bytes, 0);
    }

    #[cfg(unix)]
    #[test]
    fn exit_codes_are_reported() {
        let got = run(&sh("exit 3", Duration::from_secs(20)), &Cancel::new()).unwrap();
        assert_eq!(got.ending, Ending::Exited(3));
    }

    #[cfg(unix)]
    #[test]
    fn pinned_lines_survive_a_flood() {
        fn is_check(line: &str) -> bool {
            line.starts_with("CHECK")
        }
        let mut spec = sh(
            "i=0; while [ $i -lt 20000 ]; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; echo CHECK ok",
            Duration::from_secs(60),
        );
        spec.pin = Some(is_check);
        spec.output_cap = 1024;
        let got = run(&spec, &Cancel::new()).unwrap();
        assert_eq!(got.pinned, vec!["CHECK ok".to_string()]);
        let kept: usize = got.lines.iter().map(|(_, l)| l.len() + 1).sum();
        assert!(kept <= 1024, "{kept}");
        assert_eq!(kept as u64 + got.dropped_bytes, 20000 * 33);
    }

    #[test]
    fn long_lines_are_cut_and_counted() {
        let long = vec![b'a'; LINE_CAP_BYTES + 10];
        let mut input = long.clone();
        input.extend_from_slice(b"\nshort\r\ntail");
        let mut seen = Vec::new();
        read_lines(&input[..], |line, cut| seen.push((line.len(), cut)));
        assert_eq!(seen, vec![(LINE_CAP_BYTES, 10), (5, 0), (4, 0)]);
    }

    #[cfg(unix)]
    #[test]
    fn cancel_kills_the_run_promptly() {
        let cancel = Cancel::new();
        let remote = cancel.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            remote.cancel();
        });
        let got = run(&sh("sleep 60", Duration::from_secs(60)), &cancel).unwrap();
        canceller.join().unwrap();
        assert_eq!(got.ending, Ending::Cancelled);
        assert!(got.elapsed < Duration::from_secs(30), "{:?}", got.elapsed);
    }
}
