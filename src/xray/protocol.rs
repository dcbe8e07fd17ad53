//! The bootstrap's protocol: the embedded `xray_bootstrap.py` and the JSON lines it sends
//! (documented in the script's module docstring, version [`PROTOCOL`]), parsed into
//! [`Message`]s. Unknown events and malformed lines are skipped, never fatal.

use serde::{Deserialize, Serialize};

/// The bootstrap script, run as `python -X utf8 -u BOOTSTRAP SCRIPT ARGS...`.
pub const BOOTSTRAP_PY: &str = include_str!("../../assets/python/xray_bootstrap.py");
/// The protocol version this reader understands.
pub const PROTOCOL: u32 = 1;
/// The environment variable naming the inherited pipe's write end (Unix).
pub const FD_ENV: &str = "PYCONC_XRAY_FD";
/// The environment variable naming a file to append the lines to (where no fd is passed).
pub const FILE_ENV: &str = "PYCONC_XRAY_FILE";
/// The environment variable asking for periodic per-thread CPU reports, in milliseconds.
pub const CPU_MS_ENV: &str = "PYCONC_XRAY_CPU_MS";
/// The name of the bootstrap's own CPU reporter thread (left out of every picture).
pub const CPU_THREAD_NAME: &str = "pyconc-xray-cpu";
/// The longest line read from the bootstrap; longer ones are dropped.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// What the interpreter says about itself before the script runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterpreterFacts {
    /// `sys.implementation.name`, e.g. "cpython".
    pub implementation: String,
    /// "3.11.7".
    pub version: String,
    /// `sys._is_gil_enabled()`, where it exists (3.13+).
    pub gil_enabled: Option<bool>,
    /// A free-threaded (`Py_GIL_DISABLED`) build.
    pub free_threaded: bool,
    /// `sys.getswitchinterval()`, in seconds.
    pub switch_interval_s: f64,
    /// `sys.executable`.
    pub executable: String,
    /// `time.pthread_getcpuclockid` exists (per-thread CPU clocks can be read).
    pub thread_cpu_clock: bool,
    /// The interpreter's process id.
    pub pid: u32,
}

impl InterpreterFacts {
    /// "CPython 3.11" for tables and titles.
    pub fn short_name(&self) -> String {
        let imp = match self.implementation.as_str() {
            "cpython" => "CPython".to_string(),
            "pypy" => "PyPy".to_string(),
            other => other.to_string(),
        };
        let minor: Vec<&str> = self.version.split('.').take(2).collect();
        let ft = if self.free_threaded { "t" } else { "" };
        format!("{imp} {}{ft}", minor.join("."))
    }

    /// True when this run has a GIL: not free-threaded, or free-threaded with the GIL
    /// turned back on (`PYTHON_GIL=1`).
    pub fn has_gil(&self) -> bool {
        self.gil_enabled.unwrap_or(!self.free_threaded)
    }
}

/// One message from the bootstrap.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The interpreter's facts (first line).
    Hello(InterpreterFacts),
    /// A thread began (the main thread at start, each `Thread` as its `run` begins).
    ThreadStart {
        /// The OS thread id (`threading.get_native_id()`), the TID under /proc.
        native_id: u32,
        /// `Thread.name`.
        name: String,
        /// True for the main thread.
        main: bool,
        /// Seconds on the interpreter's monotonic clock.
        t: f64,
    },
    /// A thread's `run` returned or raised.
    ThreadEnd {
        /// The OS thread id.
        native_id: u32,
        /// CPU seconds the thread used (`time.thread_time()`), where known.
        cpu_s: Option<f64>,
        /// Seconds on the interpreter's monotonic clock.
        t: f64,
    },
    /// Per-thread CPU seconds read by the bootstrap's reporter thread.
    Cpu(Vec<(u32, f64)>),
    /// The script's top level finished.
    ScriptEnd {
        /// The main thread's id.
        native_id: u32,
        /// The main thread's CPU seconds.
        cpu_s: Option<f64>,
        /// The exception's type name when it ended with one.
        error: Option<String>,
    },
}

#[derive(Deserialize)]
struct Raw {
    event: String,
    #[serde(default)]
    t: f64,
    #[serde(default)]
    protocol: Option<u32>,
    #[serde(default)]
    pid: Option<u32>,
    #[serde(default)]
    implementation: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    gil_enabled: Option<bool>,
    #[serde(default)]
    free_threaded: Option<bool>,
    #[serde(default)]
    switch_interval_s: Option<f64>,
    #[serde(default)]
    executable: Option<String>,
    #[serde(default)]
    thread_cpu_clock: Option<bool>,
    #[serde(default)]
    native_id: Option<u32>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    main: Option<bool>,
    #[serde(default)]
    cpu_s: Option<f64>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    threads: Option<Vec<RawCpu>>,
}

#[derive(Deserialize)]
struct RawCpu {
    native_id: Option<u32>,
    cpu_s: Option<f64>,
}

/// Parses one line; `None` for a malformed line, an unknown event or a newer protocol.
pub fn parse_line(line: &str) -> Option<Message> {
    let raw: Raw = serde_json::from_str(line.trim()).ok()?;
    match raw.event.as_str() {
        "hello" => {
            if raw.protocol? > PROTOCOL {
                return None;
            }
            Some(Message::Hello(InterpreterFacts {
                implementation: raw.implementation?,
                version: raw.version?,
                gil_enabled: raw.gil_enabled,
                free_threaded: raw.free_threaded.unwrap_or(false),
                switch_interval_s: raw.switch_interval_s.unwrap_or(0.005),
                executable: raw.executable.unwrap_or_default(),
                thread_cpu_clock: raw.thread_cpu_clock.unwrap_or(false),
                pid: raw.pid.unwrap_or(0),
            }))
        }
        "thread_start" => {
            let name = raw.name?;
            if name == CPU_THREAD_NAME {
                return None;
            }
            Some(Message::ThreadStart {
                native_id: raw.native_id?,
                name,
                main: raw.main.unwrap_or(false),
                t: raw.t,
            })
        }
        "thread_end" => Some(Message::ThreadEnd {
            native_id: raw.native_id?,
            cpu_s: raw.cpu_s,
            t: raw.t,
        }),
        "cpu" => Some(Message::Cpu(
            raw.threads?
                .into_iter()
                .filter_map(|r| Some((r.native_id?, r.cpu_s?)))
                .collect(),
        )),
        "script_end" => Some(Message::ScriptEnd {
            native_id: raw.native_id?,
            cpu_s: raw.cpu_s,
            error: raw.error,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_carries_the_interpreter_facts() {
        let line = r#"{"event":"hello","protocol":1,"pid":7,"implementation":"cpython","version":"3.13.1","version_info":[3,13,1],"gil_enabled":false,"free_threaded":true,"switch_interval_s":0.005,"executable":"/x/python3.13t","thread_cpu_clock":true,"t":1.5}"#;
        let Some(Message::Hello(f)) = parse_line(line) else {
            panic!("not a hello")
        };
        assert_eq!(f.short_name(), "CPython 3.13t");
        assert!(!f.has_gil());
        assert_eq!(f.pid, 7);
    }

    #[test]
    fn a_newer_protocol_or_garbage_is_skipped() {
        assert_eq!(
            parse_line(
                r#"{"event":"hello","protocol":99,"implementation":"cpython","version":"3.99.0"}"#
            ),
            None
        );
        assert_eq!(parse_line("not json"), None);
        assert_eq!(parse_line(r#"{"event":"mystery"}"#), None);
        assert_eq!(parse_line(r#"{"event":"thread_start","name":"x"}"#), None);
    }

    #[test]
    fn threads_start_and_end_and_the_reporter_is_hidden() {
        assert_eq!(
            parse_line(
                r#"{"event":"thread_start","native_id":12,"ident":3,"name":"Thread-1 (work)","main":false,"daemon":false,"t":2.0}"#
            ),
            Some(Message::ThreadStart {
                native_id: 12,
                name: "Thread-1 (work)".into(),
                main: false,
                t: 2.0
            })
        );
        assert_eq!(
            parse_line(
                r#"{"event":"thread_start","native_id":13,"name":"pyconc-xray-cpu","t":2.0}"#
            ),
            None
        );
        assert_eq!(
            parse_line(r#"{"event":"thread_end","native_id":12,"name":"w","cpu_s":0.25,"t":3.0}"#),
            Some(Message::ThreadEnd {
                native_id: 12,
                cpu_s: Some(0.25),
                t: 3.0
            })
        );
        assert_eq!(
            parse_line(
                r#"{"event":"cpu","threads":[{"native_id":12,"cpu_s":0.5},{"native_id":null,"cpu_s":1}],"t":3}"#
            ),
            Some(Message::Cpu(vec![(12, 0.5)]))
        );
    }

    #[test]
    fn the_embedded_bootstrap_documents_every_event_it_sends() {
        for event in ["hello", "thread_start", "thread_end", "cpu", "script_end"] {
            assert!(
                BOOTSTRAP_PY.contains(&format!("\"event\": \"{event}\"")),
                "{event} is not documented or not sent"
            );
        }
        assert!(BOOTSTRAP_PY.contains(FD_ENV) && BOOTSTRAP_PY.contains(FILE_ENV));
        assert!(BOOTSTRAP_PY.contains(CPU_MS_ENV) && BOOTSTRAP_PY.contains(CPU_THREAD_NAME));
    }
}
