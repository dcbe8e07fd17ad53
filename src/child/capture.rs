//! Running a child to completion and keeping what it printed: stdout and stderr split into
//! lines in one capped buffer (a print flood neither hangs nor bloats pyconc: the excess is
//! counted and dropped), with "pinned" stdout lines (a grader's check lines) kept apart under
//! their own cap. Spawning, the limit, cancel and the group kill are `group`'s.
//!
//! [`run`] blocks its calling thread until the child is gone; call it from a worker thread,
//! never from the UI thread.

use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::group::{ChunkSink, Group, Launch, spawn_reader};
use super::{Cancel, Exit};

/// The most program output kept from one run (stdout and stderr together).
pub const OUTPUT_CAP_BYTES: usize = 256 * 1024;
/// The most bytes of "pinned" lines (see [`ChildSpec::pin`]) kept from one run.
pub const PINNED_CAP_BYTES: usize = 1024 * 1024;
/// The longest line kept whole; longer lines are cut (the rest counts as dropped).
pub const LINE_CAP_BYTES: usize = 64 * 1024;
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

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct Captured {
    /// How it ended ([`Exit::Killed`]: cancelled).
    pub ending: Exit,
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
    let mut group = Group::spawn(&Launch {
        program: spec.program.as_os_str(),
        args: &spec.args,
        cwd: spec.cwd.as_deref(),
        env: &spec.env,
        env_remove: &spec.env_remove,
        inherit_fd: None,
        die_with_parent: false,
    })?;
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
    if let Some(out) = group.take_stdout() {
        readers.push(line_reader(out, Stream::Stdout, spec.pin, &sink, &done_tx)?);
    }
    if let Some(err) = group.take_stderr() {
        readers.push(line_reader(err, Stream::Stderr, None, &sink, &done_tx)?);
    }
    drop(done_tx);
    // Whatever the first process left in its group goes too, then everything is reaped.
    let ending = group.supervise(Some(spec.time_limit), cancel)?;
    let elapsed = group.started().elapsed();
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

fn line_reader(
    pipe: impl io::Read + Send + 'static,
    stream: Stream,
    pin: Option<fn(&str) -> bool>,
    sink: &Arc<Mutex<Sink>>,
    done: &mpsc::Sender<()>,
) -> io::Result<std::thread::JoinHandle<()>> {
    let lines = LinesInto {
        splitter: LineSplitter::default(),
        stream,
        pin,
        sink: Arc::clone(sink),
        done: done.clone(),
    };
    spawn_reader(&format!("child-{stream:?}").to_lowercase(), pipe, lines)
}

/// One stream's reader end: splits chunks into lines and files them in the shared sink.
struct LinesInto {
    splitter: LineSplitter,
    stream: Stream,
    pin: Option<fn(&str) -> bool>,
    sink: Arc<Mutex<Sink>>,
    done: mpsc::Sender<()>,
}

impl LinesInto {
    fn file(
        sink: &Mutex<Sink>,
        stream: Stream,
        pin: Option<fn(&str) -> bool>,
    ) -> impl FnMut(String, u64) + '_ {
        move |line, cut| {
            let pinned = pin.is_some_and(|f| f(&line));
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(stream, line, pinned, cut);
        }
    }
}

impl ChunkSink for LinesInto {
    fn chunk(&mut self, bytes: &[u8]) {
        let mut file = LinesInto::file(&self.sink, self.stream, self.pin);
        self.splitter.feed(bytes, &mut file);
    }

    fn end(&mut self) {
        let mut file = LinesInto::file(&self.sink, self.stream, self.pin);
        self.splitter.finish(&mut file);
        let _ = self.done.send(());
    }
}

/// Cuts a byte stream into lines (without their newline or a trailing `\r`, lossily
/// decoded). A line longer than [`LINE_CAP_BYTES`] is cut there; the rest of it is counted,
/// never stored.
#[derive(Default)]
struct LineSplitter {
    line: Vec<u8>,
    cut: u64,
}

impl LineSplitter {
    /// Takes the next chunk, calling `each(line, bytes_cut)` for every line it completes.
    fn feed(&mut self, mut chunk: &[u8], each: &mut impl FnMut(String, u64)) {
        while !chunk.is_empty() {
            let (part, ends_line) = match chunk.iter().position(|&b| b == b'\n') {
                Some(at) => (&chunk[..at], true),
                None => (chunk, false),
            };
            let room = LINE_CAP_BYTES.saturating_sub(self.line.len());
            let take = part.len().min(room);
            self.line.extend_from_slice(&part[..take]);
            self.cut += (part.len() - take) as u64;
            chunk = &chunk[part.len() + usize::from(ends_line)..];
            if ends_line {
                self.emit(each);
            }
        }
    }

    /// The stream ended: hands on an unfinished last line.
    fn finish(&mut self, each: &mut impl FnMut(String, u64)) {
        if !self.line.is_empty() || self.cut > 0 {
            self.emit(each);
        }
    }

    fn emit(&mut self, each: &mut impl FnMut(String, u64)) {
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        each(String::from_utf8_lossy(&self.line).into_owned(), self.cut);
        self.line.clear();
        self.cut = 0;
    }
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
        assert_eq!(got.ending, Exit::Code(0));
        let texts: Vec<&str> = got.lines.iter().map(|(_, l)| l.as_str()).collect();
        assert!(texts.contains(&"one") && texts.contains(&"two") && texts.contains(&"three"));
        assert!(got.lines.contains(&(Stream::Stderr, "two".into())));
        assert_eq!(got.dropped_bytes, 0);
    }

    #[cfg(unix)]
    #[test]
    fn exit_codes_are_reported() {
        let got = run(&sh("exit 3", Duration::from_secs(20)), &Cancel::new()).unwrap();
        assert_eq!(got.ending, Exit::Code(3));
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
        let mut each = |line: String, cut| seen.push((line.len(), cut));
        let mut splitter = LineSplitter::default();
        // Fed in uneven pieces, as pipes deliver them.
        for piece in input.chunks(1000) {
            splitter.feed(piece, &mut each);
        }
        splitter.finish(&mut each);
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
        assert_eq!(got.ending, Exit::Killed);
        assert!(got.elapsed < Duration::from_secs(30), "{:?}", got.elapsed);
    }
}
