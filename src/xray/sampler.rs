//! The Linux sampler: reads `/proc/PID/task/TID/{stat,schedstat,syscall}` of every thread
//! of one process from outside, without root. Each file is opened once per thread and
//! re-read with `pread` at offset 0 (the kernel regenerates it), so a tick costs three
//! reads per thread and no `open`; the task list is re-scanned every [`RESCAN_TICKS`].
//! Where `syscall` is refused (EACCES/EPERM: Yama `ptrace_scope`), sampling goes on with
//! `stat` and `schedstat` only and says why.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use super::recording::{RawThread, RawTick};

/// Ticks between two scans of `/proc/PID/task` for new threads.
pub const RESCAN_TICKS: u64 = 10;
/// The largest of the three files read (a `stat` line is about 300 bytes).
const READ_BYTES: usize = 1024;

struct TaskFiles {
    stat: File,
    schedstat: File,
    syscall: Option<File>,
}

/// Open files of every thread of one process.
pub struct ProcSampler {
    pid: u32,
    tasks: HashMap<u32, TaskFiles>,
    order: Vec<u32>,
    syscall_ok: bool,
    refused: Option<String>,
    ticks: u64,
    buf: Vec<u8>,
}

impl ProcSampler {
    /// Opens the process's task list; fails when `/proc/PID/task` cannot be read.
    pub fn open(pid: u32) -> io::Result<ProcSampler> {
        std::fs::read_dir(format!("/proc/{pid}/task"))?;
        let mut s = ProcSampler {
            pid,
            tasks: HashMap::new(),
            order: Vec::new(),
            syscall_ok: true,
            refused: None,
            ticks: 0,
            buf: vec![0; READ_BYTES],
        };
        s.rescan();
        Ok(s)
    }

    /// Why `syscall` could not be read, once it could not (taken once).
    pub fn take_refusal(&mut self) -> Option<String> {
        self.refused.take()
    }

    /// Looks for new threads now (the bootstrap announced one).
    pub fn rescan(&mut self) {
        let Ok(dir) = std::fs::read_dir(format!("/proc/{}/task", self.pid)) else {
            return;
        };
        for entry in dir.flatten() {
            let Some(tid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if self.tasks.contains_key(&tid) {
                continue;
            }
            let base = format!("/proc/{}/task/{tid}", self.pid);
            let (Ok(stat), Ok(schedstat)) = (
                File::open(format!("{base}/stat")),
                File::open(format!("{base}/schedstat")),
            ) else {
                continue;
            };
            let syscall = if self.syscall_ok {
                match File::open(format!("{base}/syscall")) {
                    Ok(f) => Some(f),
                    Err(e) => {
                        self.refuse(&e);
                        None
                    }
                }
            } else {
                None
            };
            self.tasks.insert(
                tid,
                TaskFiles {
                    stat,
                    schedstat,
                    syscall,
                },
            );
            self.order.push(tid);
        }
    }

    fn refuse(&mut self, e: &io::Error) {
        if matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM)) && self.syscall_ok {
            self.syscall_ok = false;
            let scope = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
                .map(|s| format!(" (kernel.yama.ptrace_scope = {})", s.trim()))
                .unwrap_or_default();
            self.refused = Some(format!(
                "/proc/PID/task/TID/syscall refused: {e}{scope}; showing stat states only"
            ));
            for t in self.tasks.values_mut() {
                t.syscall = None;
            }
        }
    }

    /// Reads every thread once. A thread whose files fail (it ended) is left out and closed.
    pub fn read_tick(&mut self, t_ms: f64) -> RawTick {
        if self.ticks.is_multiple_of(RESCAN_TICKS) {
            self.rescan();
        }
        self.ticks += 1;
        let mut threads = Vec::with_capacity(self.order.len());
        let mut gone = Vec::new();
        let mut refusal: Option<io::Error> = None;
        for &tid in &self.order {
            let Some(files) = self.tasks.get(&tid) else {
                continue;
            };
            let Some(stat) = read_at(&files.stat, &mut self.buf) else {
                gone.push(tid);
                continue;
            };
            let Some(schedstat) = read_at(&files.schedstat, &mut self.buf) else {
                gone.push(tid);
                continue;
            };
            let syscall = match &files.syscall {
                Some(f) => match read_result(f, &mut self.buf) {
                    Ok(text) => Some(text),
                    Err(e) => {
                        if matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM)) {
                            refusal = Some(e);
                        }
                        None
                    }
                },
                None => None,
            };
            threads.push(RawThread {
                tid,
                stat,
                schedstat,
                syscall,
            });
        }
        for tid in gone {
            self.tasks.remove(&tid);
            self.order.retain(|t| *t != tid);
        }
        if let Some(e) = refusal {
            self.refuse(&e);
        }
        RawTick { t_ms, threads }
    }
}

fn read_result(f: &File, buf: &mut [u8]) -> io::Result<String> {
    let n = f.read_at(buf, 0)?;
    if n == 0 {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
    }
    Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
}

fn read_at(f: &File, buf: &mut [u8]) -> Option<String> {
    read_result(f, buf).ok()
}

/// CPU seconds the calling thread has used.
pub fn thread_cpu_s() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if ok {
        ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
    } else {
        0.0
    }
}

/// The calling thread's id.
pub fn gettid() -> u32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::syscall(libc::SYS_gettid) as u32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_threads_again_and_again() {
        let mut s = ProcSampler::open(std::process::id()).unwrap();
        let a = s.read_tick(0.0);
        let b = s.read_tick(1.0);
        assert!(!a.threads.is_empty());
        let me = a
            .threads
            .iter()
            .find(|t| t.tid == std::process::id())
            .unwrap();
        assert!(me.stat.starts_with(&format!("{} (", std::process::id())));
        assert_eq!(a.threads.len(), b.threads.len());
        // pread at 0 regenerates: the CPU counter of this (running) thread moves on.
        let cpu = |t: &RawTick| {
            let tid = crate::xray::sampler::gettid();
            t.threads
                .iter()
                .find(|x| x.tid == tid)
                .and_then(|x| crate::xray::procfs::parse_schedstat(&x.schedstat))
        };
        let before = cpu(&b).unwrap();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        std::hint::black_box(x);
        let c = s.read_tick(2.0);
        assert!(cpu(&c).unwrap() > before);
    }
}
