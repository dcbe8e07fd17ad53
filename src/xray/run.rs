//! One x-ray run: the Python child (bootstrap + script) in its own process group, the
//! sampler thread (`/proc` on Linux; the portable ticker elsewhere or when forced), and the
//! bootstrap reader, all writing into one shared [`Recording`]. The UI thread only calls
//! [`XrayRun::view`] (a short lock) and [`XrayRun::stop`]; nothing here blocks it.
//! Optionally every raw tick and bootstrap line is also written to a file (the fixtures
//! under `tests/fixtures/xray/` are such files), and [`replay`] reads one back.
//!
//! One piece at ~510 lines: starting the script, the sampler and the bootstrap reader
//! and ending them together are one lifetime, kept in one place.

use std::ffi::OsString;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::channel::Channel;
use super::protocol::{self, BOOTSTRAP_PY};
use super::recording::{RawTick, Recording, SamplingMode, XrayView};
use crate::child::{Exit, ExitWatch, GroupChild, OutputTail, Spawn};

/// The sampling rate aimed at, in ticks per second (a little above 1 kHz, so that sleep
/// overshoot still leaves at least 1 kHz).
pub const TARGET_HZ: f64 = 1200.0;
/// The sampler thread's timer slack, in ns (Linux's default is 50,000).
#[cfg(target_os = "linux")]
const SAMPLER_TIMER_SLACK_NS: libc::c_ulong = 1_000;
/// Ticks per second of the portable path (lifetimes only: no need for more).
pub const PORTABLE_HZ: f64 = 100.0;
/// How often the bootstrap's CPU reporter runs on the portable path, in ms.
pub const PORTABLE_CPU_MS: u32 = 200;

/// What to run and how.
#[derive(Debug, Clone)]
pub struct XrayOptions {
    /// The interpreter.
    pub python: OsString,
    /// The script.
    pub script: PathBuf,
    /// The script's arguments.
    pub args: Vec<OsString>,
    /// Kill the run after this long.
    pub time_limit: Option<Duration>,
    /// Also write every raw tick and bootstrap line here (JSON lines).
    pub raw_out: Option<PathBuf>,
    /// Use the portable path even where `/proc` can be read (tests of that path).
    pub portable: bool,
    /// Kill the child when the thread that starts the run ends (Linux; see
    /// [`Spawn::die_with_parent`]): true when that is the main thread.
    pub die_with_parent: bool,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum XrayError {
    /// The script is not a readable file.
    #[error("cannot read the script `{path}`: {source}")]
    Script {
        /// The path given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The interpreter could not be started.
    #[error("cannot start the interpreter `{python}`: {source}")]
    Spawn {
        /// The interpreter given.
        python: String,
        /// Why.
        source: std::io::Error,
    },
    /// Setting the run up failed (temporary file, pipe, thread).
    #[error("cannot set up the x-ray run: {0}")]
    Setup(#[from] std::io::Error),
}

/// One line of a raw recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawLine {
    /// Sampling mode at the start.
    Mode {
        /// The mode.
        mode: SamplingMode,
        /// Why limited.
        reason: Option<String>,
    },
    /// A tick.
    Tick(RawTick),
    /// A bootstrap line as received.
    Bootstrap {
        /// When, ms since start.
        t_ms: f64,
        /// The line.
        line: String,
    },
    /// `syscall` became unreadable.
    Degrade {
        /// Why.
        reason: String,
    },
    /// The child ended.
    End {
        /// When, ms since start.
        t_ms: f64,
        /// How.
        exit: Exit,
    },
}

/// Rebuilds a recording from a raw recording's text (bad lines are skipped).
pub fn replay(text: &str) -> Recording {
    let mut rec = Recording::new(SamplingMode::Full, None);
    for line in text.lines() {
        match serde_json::from_str::<RawLine>(line) {
            Ok(RawLine::Mode { mode, reason }) => rec = Recording::new(mode, reason),
            Ok(RawLine::Tick(t)) => {
                if rec.run.mode == SamplingMode::Portable {
                    rec.push_portable_tick(t.t_ms);
                } else {
                    rec.push_tick(&t);
                }
            }
            Ok(RawLine::Bootstrap { line, .. }) => {
                if let Some(m) = protocol::parse_line(&line) {
                    rec.apply(m);
                }
            }
            Ok(RawLine::Degrade { reason }) => rec.degrade(SamplingMode::StatOnly, reason),
            Ok(RawLine::End { t_ms, exit }) => rec.end(t_ms, exit),
            Err(_) => {}
        }
    }
    rec
}

type RawSink = Arc<Mutex<Option<BufWriter<std::fs::File>>>>;

/// What the run's threads share.
pub(super) struct Ctx {
    pub(super) rec: Arc<Mutex<Recording>>,
    pub(super) stop: Arc<AtomicBool>,
    pub(super) rescan: Arc<AtomicBool>,
    pub(super) exit: ExitWatch,
    started: Instant,
    raw: RawSink,
}

impl Ctx {
    pub(super) fn t_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    pub(super) fn dump(&self, line: &RawLine) {
        let mut raw = lock(&self.raw);
        if let Some(w) = raw.as_mut()
            && let Ok(text) = serde_json::to_string(line)
        {
            let _ = writeln!(w, "{text}");
        }
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running (or finished) x-ray run.
pub struct XrayRun {
    rec: Arc<Mutex<Recording>>,
    child: Option<GroupChild>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    started: Instant,
    raw: RawSink,
    _bootstrap: tempfile::TempPath,
    _channel_file: Option<tempfile::TempPath>,
}

impl XrayRun {
    /// Starts the child and the threads that watch it.
    pub fn start(opts: &XrayOptions) -> Result<XrayRun, XrayError> {
        std::fs::metadata(&opts.script)
            .and_then(|m| {
                if m.is_file() {
                    Ok(())
                } else {
                    Err(std::io::Error::other("not a file"))
                }
            })
            .map_err(|source| XrayError::Script {
                path: opts.script.display().to_string(),
                source,
            })?;
        let mut boot = tempfile::Builder::new()
            .prefix("pyconc-xray-")
            .suffix(".py")
            .tempfile()?;
        boot.write_all(BOOTSTRAP_PY.as_bytes())?;
        boot.flush()?;
        let bootstrap = boot.into_temp_path();

        let use_proc = cfg!(target_os = "linux") && !opts.portable;
        let mut args: Vec<OsString> = vec!["-X".into(), "utf8".into(), "-u".into()];
        args.push(bootstrap.as_os_str().to_owned());
        args.push(opts.script.as_os_str().to_owned());
        args.extend(opts.args.iter().cloned());
        let mut env: Vec<(OsString, OsString)> = Vec::new();
        if !use_proc {
            env.push((
                protocol::CPU_MS_ENV.into(),
                PORTABLE_CPU_MS.to_string().into(),
            ));
        }
        let channel = Channel::open(opts.portable)?;
        env.push(channel.env());
        let spawn = Spawn {
            program: opts.python.clone(),
            args,
            env,
            inherit_fd: channel.child_fd(),
            time_limit: opts.time_limit,
            die_with_parent: opts.die_with_parent,
        };
        let started = Instant::now();
        let child = match GroupChild::spawn(&spawn) {
            Ok(c) => c,
            Err(source) => {
                drop(channel.after_spawn());
                return Err(XrayError::Spawn {
                    python: opts.python.to_string_lossy().into_owned(),
                    source,
                });
            }
        };
        let (reader_end, channel_file) = channel.after_spawn();

        let raw: RawSink = Arc::new(Mutex::new(match &opts.raw_out {
            Some(p) => Some(BufWriter::new(std::fs::File::create(p)?)),
            None => None,
        }));
        let (mode, reason, sampler) = choose_source(child.pid(), use_proc);
        let rec = Arc::new(Mutex::new(Recording::new(mode, reason.clone())));
        let ctx = || Ctx {
            rec: Arc::clone(&rec),
            stop: Arc::new(AtomicBool::new(false)),
            rescan: Arc::new(AtomicBool::new(false)),
            exit: child.exit_watch(),
            started,
            raw: Arc::clone(&raw),
        };
        let base = ctx();
        base.dump(&RawLine::Mode { mode, reason });
        let stop = Arc::clone(&base.stop);
        let rescan = Arc::clone(&base.rescan);
        let mut threads = Vec::new();
        let sampler_ctx = Ctx {
            stop: Arc::clone(&stop),
            rescan: Arc::clone(&rescan),
            ..ctx()
        };
        threads.push(
            std::thread::Builder::new()
                .name("xray-sampler".into())
                .spawn(move || run_source(sampler, sampler_ctx))?,
        );
        let reader_ctx = Ctx {
            stop: Arc::clone(&stop),
            rescan,
            ..ctx()
        };
        threads.push(
            std::thread::Builder::new()
                .name("xray-bootstrap".into())
                .spawn(move || reader_end.read_lines(&reader_ctx))?,
        );
        Ok(XrayRun {
            rec,
            child: Some(child),
            stop,
            threads,
            started,
            raw,
            _bootstrap: bootstrap,
            _channel_file: channel_file,
        })
    }

    /// A handle for drawing this run from another thread.
    pub fn handle(&self) -> RecordingHandle {
        RecordingHandle(Arc::clone(&self.rec))
    }

    /// The newest frame: `cells` strip cells over `window_s` seconds ending at `end_s`
    /// (the newest sample when `None`).
    pub fn view(&self, end_s: Option<f64>, window_s: f64, cells: usize) -> XrayView {
        lock(&self.rec).view(end_s, window_s, cells)
    }

    /// The child's process id (its process group's id on Unix).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(GroupChild::pid)
    }

    /// True once the child has ended.
    pub fn is_finished(&self) -> bool {
        self.child.as_ref().is_none_or(|c| c.exit().is_some())
    }

    /// The last `n` lines the child wrote (stdout then stderr), raw: sanitise before drawing.
    pub fn output_lines(&self, n: usize) -> Vec<String> {
        let Some(c) = &self.child else {
            return Vec::new();
        };
        let mut lines: Vec<String> = c.stdout().text().lines().map(str::to_string).collect();
        lines.extend(c.stderr().text().lines().map(str::to_string));
        let start = lines.len().saturating_sub(n);
        lines.split_off(start)
    }

    /// Kills the child's whole group (if still running), joins every thread.
    pub fn stop(&mut self) -> Outcome {
        if let Some(c) = &self.child {
            c.kill();
        }
        self.finish()
    }

    /// Waits for the child to end by itself, joins every thread, returns what was seen.
    pub fn finish(&mut self) -> Outcome {
        let (exit, stdout, stderr) = match self.child.take() {
            Some(c) => c.wait(),
            None => (Exit::Killed, OutputTail::default(), OutputTail::default()),
        };
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        let t_ms = self.started.elapsed().as_secs_f64() * 1000.0;
        let mut rec = lock(&self.rec);
        if rec.run.exit.is_none() {
            rec.end(t_ms, exit.clone());
        }
        if let Some(w) = lock(&self.raw).as_mut() {
            if let Ok(text) = serde_json::to_string(&RawLine::End {
                t_ms,
                exit: exit.clone(),
            }) {
                let _ = writeln!(w, "{text}");
            }
            let _ = w.flush();
        }
        Outcome {
            recording: rec.clone(),
            exit,
            stdout,
            stderr,
        }
    }
}

impl Drop for XrayRun {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
    }
}

/// Reads a run's recording from any thread (for drawing while another thread owns the run).
#[derive(Clone)]
pub struct RecordingHandle(Arc<Mutex<Recording>>);

impl RecordingHandle {
    /// See [`XrayRun::view`].
    pub fn view(&self, end_s: Option<f64>, window_s: f64, cells: usize) -> XrayView {
        lock(&self.0).view(end_s, window_s, cells)
    }
}

/// What a finished run leaves.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Everything seen.
    pub recording: Recording,
    /// How the child ended.
    pub exit: Exit,
    /// Its stdout's tail.
    pub stdout: OutputTail,
    /// Its stderr's tail.
    pub stderr: OutputTail,
}

/// Where thread states come from.
enum Source {
    #[cfg(target_os = "linux")]
    Proc(super::sampler::ProcSampler),
    Portable,
}

fn choose_source(pid: u32, use_proc: bool) -> (SamplingMode, Option<String>, Source) {
    #[cfg(target_os = "linux")]
    if use_proc {
        return match super::sampler::ProcSampler::open(pid) {
            Ok(s) => (SamplingMode::Full, None, Source::Proc(s)),
            Err(e) => (
                SamplingMode::Portable,
                Some(format!("/proc/{pid}/task cannot be read: {e}")),
                Source::Portable,
            ),
        };
    }
    let _ = (pid, use_proc);
    let reason = if cfg!(target_os = "linux") {
        "portable mode asked for: thread states are not read".to_string()
    } else {
        "thread states need Linux's /proc; not available on this system".to_string()
    };
    (SamplingMode::Portable, Some(reason), Source::Portable)
}

fn run_source(source: Source, ctx: Ctx) {
    match source {
        #[cfg(target_os = "linux")]
        Source::Proc(s) => proc_loop(s, &ctx),
        Source::Portable => portable_loop(&ctx),
    }
}

/// Sleeps until `next`, moving it one period on; resets when far behind.
fn pace(next: &mut Instant, period: Duration) {
    *next += period;
    let now = Instant::now();
    if *next > now {
        std::thread::sleep(*next - now);
    } else if now - *next > period * 10 {
        *next = now;
    }
}

#[cfg(target_os = "linux")]
fn proc_loop(mut sampler: super::sampler::ProcSampler, ctx: &Ctx) {
    let period = Duration::from_secs_f64(1.0 / TARGET_HZ);
    // The default 50 µs timer slack would cost about 5% of the rate at 1 kHz.
    // SAFETY: PR_SET_TIMERSLACK only changes this thread's timer slack.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, SAMPLER_TIMER_SLACK_NS, 0, 0, 0);
    }
    let mut next = Instant::now();
    let mut n: u64 = 0;
    loop {
        let exit = ctx.exit.get();
        let stop = ctx.stop.load(Ordering::SeqCst);
        if ctx.rescan.swap(false, Ordering::SeqCst) {
            sampler.rescan();
        }
        let t_ms = ctx.t_ms();
        let tick = sampler.read_tick(t_ms);
        let refusal = sampler.take_refusal();
        {
            let mut rec = lock(&ctx.rec);
            if let Some(r) = &refusal {
                rec.degrade(SamplingMode::StatOnly, r.clone());
            }
            rec.push_tick(&tick);
            if n.is_multiple_of(64) || exit.is_some() || stop {
                rec.sampler_cpu_s = super::sampler::thread_cpu_s();
            }
            if let Some(e) = &exit {
                rec.end(t_ms, e.clone());
            }
        }
        if let Some(r) = refusal {
            ctx.dump(&RawLine::Degrade { reason: r });
        }
        ctx.dump(&RawLine::Tick(tick));
        if exit.is_some() || stop {
            break;
        }
        n += 1;
        pace(&mut next, period);
    }
}

fn portable_loop(ctx: &Ctx) {
    let period = Duration::from_secs_f64(1.0 / PORTABLE_HZ);
    let mut next = Instant::now();
    loop {
        let exit = ctx.exit.get();
        let t_ms = ctx.t_ms();
        {
            let mut rec = lock(&ctx.rec);
            rec.push_portable_tick(t_ms);
            if let Some(e) = &exit {
                rec.end(t_ms, e.clone());
            }
        }
        ctx.dump(&RawLine::Tick(RawTick {
            t_ms,
            threads: Vec::new(),
        }));
        if exit.is_some() || ctx.stop.load(Ordering::SeqCst) {
            break;
        }
        pace(&mut next, period);
    }
}
