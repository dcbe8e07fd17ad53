//! From what `/proc` says about one thread at one instant to what it was doing: running,
//! waiting for the GIL, waiting on another lock (a join, a queue, an event), sleeping or
//! blocked in I/O. Pure functions and a small book of futex addresses:
//!
//! - A thread blocked in `futex` waits on the address in the call's first argument. Nearby
//!   addresses (within [`GROUP_SPAN_BYTES`]) belong to one object: glibc's condition
//!   variable alternates between two words, and CPython's GIL keeps its mutex and two
//!   conditions side by side.
//! - The GIL is the object that several threads wait on *with a timeout* (CPython waits
//!   `switch interval` at a time before asking for a drop) and leave to run: each such
//!   "waited, then ran" is one hand-off. Every other futex object is a lock, join, queue
//!   or event.

use std::collections::{BTreeMap, BTreeSet};

use super::procfs::{StatLine, SyscallLine};
use super::syscalls::{self, SyscallKind};

/// Futex addresses this close belong to one object.
pub const GROUP_SPAN_BYTES: u64 = 256;
/// At least this many distinct threads must have waited on it and then run.
pub const MIN_GIL_THREADS: usize = 2;
/// At least this many "waited, then ran" transitions before an object is called the GIL.
pub const MIN_GIL_HANDOFFS: u64 = 2;
/// With a single thread ever seen waiting, this many "waited, then ran" are needed.
pub const MIN_SINGLE_WAITER_HANDOFFS: u64 = 10;
/// The most futex addresses kept in the book (a program allocating locks without end
/// cannot grow it further; later addresses still count as lock waits).
pub const MAX_ADDRESSES: usize = 4096;

/// What one sample of one thread showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    /// On a core.
    Running,
    /// Blocked in `futex` on `addr`; `timed` when the wait has a timeout.
    Futex {
        /// The futex word's address (argument 1).
        addr: u64,
        /// The call passed a timeout (argument 4 non-null).
        timed: bool,
    },
    /// Sleeping, polling, reading, or blocked in another system call.
    Io,
    /// Asleep for a reason `/proc` did not say (`syscall` could not be read).
    Blocked,
    /// Alive, but nothing about its state can be read on this system.
    Unknown,
    /// Ended (zombie, or gone from `/proc`).
    Gone,
}

/// What a thread was doing, as drawn and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum XState {
    /// Running on a core.
    Running,
    /// Waiting for the GIL.
    GilWait,
    /// Waiting on a lock, join, queue, condition or event.
    LockWait,
    /// Sleeping or blocked in I/O.
    Io,
    /// Asleep, reason unknown (stat-only sampling).
    Blocked,
    /// Alive, state not visible here.
    Alive,
    /// Finished.
    Done,
}

impl XState {
    /// Every state, in legend order.
    pub const ALL: [XState; 7] = [
        XState::Running,
        XState::GilWait,
        XState::LockWait,
        XState::Io,
        XState::Blocked,
        XState::Alive,
        XState::Done,
    ];

    /// The word for legends and tables.
    pub fn label(self) -> &'static str {
        match self {
            XState::Running => "running",
            XState::GilWait => "waiting for the GIL",
            XState::LockWait => "lock/join/queue",
            XState::Io => "sleep or I/O",
            XState::Blocked => "asleep (why unknown)",
            XState::Alive => "alive (state not visible)",
            XState::Done => "done",
        }
    }
}

/// Reads one sample: the syscall line decides where it was readable, else the state letter.
pub fn observe(stat: Option<StatLine>, syscall: Option<SyscallLine>) -> Observed {
    let state = stat.map(|s| s.state);
    if matches!(state, Some('Z' | 'X' | 'x')) {
        return Observed::Gone;
    }
    let running = state == Some('R');
    match syscall {
        Some(SyscallLine::Running) => Observed::Running,
        Some(SyscallLine::InSyscall { nr, args }) => match syscalls::kind(nr) {
            SyscallKind::Futex => Observed::Futex {
                addr: args[0],
                timed: args[3] != 0,
            },
            SyscallKind::IoOrSleep => Observed::Io,
            SyscallKind::Other if running => Observed::Running,
            SyscallKind::Other => Observed::Io,
        },
        Some(SyscallLine::NotInSyscall) | None => match state {
            Some('R') => Observed::Running,
            Some(_) => Observed::Blocked,
            None => Observed::Unknown,
        },
    }
}

/// The address range of the GIL's futex words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GilRange {
    /// Lowest address.
    pub lo: u64,
    /// Highest address.
    pub hi: u64,
}

impl GilRange {
    /// True when `addr` is one of the GIL's words.
    pub fn contains(&self, addr: u64) -> bool {
        (self.lo..=self.hi).contains(&addr)
    }
}

/// The state an observation stands for, given the GIL's address (if found).
pub fn state_of(obs: Observed, gil: Option<GilRange>) -> XState {
    match obs {
        Observed::Running => XState::Running,
        Observed::Futex { addr, .. } if gil.is_some_and(|g| g.contains(addr)) => XState::GilWait,
        Observed::Futex { .. } => XState::LockWait,
        Observed::Io => XState::Io,
        Observed::Blocked => XState::Blocked,
        Observed::Unknown => XState::Alive,
        Observed::Gone => XState::Done,
    }
}

/// What the book knows of one futex address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddrStats {
    /// Samples of a thread waiting on it.
    pub samples: u64,
    /// Of those, samples of a timed wait.
    pub timed: u64,
    /// Times a thread was seen waiting on it and, next sample, running.
    pub wake_to_run: u64,
    /// The threads (by id) that did so.
    pub woken_threads: BTreeSet<u32>,
    /// Times a thread was seen waiting on it and, next sample, not waiting on this object
    /// any more (running, or already in its next sleep: a run shorter than a tick).
    pub left: u64,
    /// Samples of a wait on it while another thread of the process was running.
    pub beside_a_runner: u64,
}

/// Every futex address seen, with its counts.
#[derive(Debug, Clone, Default)]
pub struct FutexBook {
    addrs: BTreeMap<u64, AddrStats>,
}

impl FutexBook {
    /// Counts thread `tid` going from `prev` to `now` between two samples.
    pub fn record(&mut self, tid: u32, prev: Observed, now: Observed) {
        if let Observed::Futex { addr, timed } = now
            && let Some(s) = self.entry(addr)
        {
            s.samples += 1;
            s.timed += u64::from(timed);
        }
        if let Observed::Futex { addr, .. } = prev {
            let same_object = matches!(now, Observed::Futex { addr: a, .. } if a.abs_diff(addr) <= GROUP_SPAN_BYTES);
            if !same_object
                && now != Observed::Gone
                && let Some(s) = self.entry(addr)
            {
                s.left += 1;
                if now == Observed::Running {
                    s.wake_to_run += 1;
                    s.woken_threads.insert(tid);
                }
            }
        }
    }

    /// Notes that a thread waited on `addr` while another thread was running.
    pub fn beside_a_runner(&mut self, addr: u64) {
        if let Some(s) = self.entry(addr) {
            s.beside_a_runner += 1;
        }
    }

    fn entry(&mut self, addr: u64) -> Option<&mut AddrStats> {
        if self.addrs.len() >= MAX_ADDRESSES && !self.addrs.contains_key(&addr) {
            return None;
        }
        Some(self.addrs.entry(addr).or_default())
    }

    /// The objects: runs of addresses no more than [`GROUP_SPAN_BYTES`] apart, each with
    /// its summed counts.
    pub fn objects(&self) -> Vec<(GilRange, AddrStats)> {
        let mut out: Vec<(GilRange, AddrStats)> = Vec::new();
        for (&addr, stats) in &self.addrs {
            match out.last_mut() {
                Some((range, sum)) if addr - range.hi <= GROUP_SPAN_BYTES => {
                    range.hi = addr;
                    sum.samples += stats.samples;
                    sum.timed += stats.timed;
                    sum.wake_to_run += stats.wake_to_run;
                    sum.left += stats.left;
                    sum.beside_a_runner += stats.beside_a_runner;
                    sum.woken_threads
                        .extend(stats.woken_threads.iter().copied());
                }
                _ => out.push((GilRange { lo: addr, hi: addr }, stats.clone())),
            }
        }
        out
    }

    /// The GIL's address range, when the samples show one: the object most often left to
    /// run by at least [`MIN_GIL_THREADS`] threads, mostly waited on with a timeout.
    pub fn gil(&self) -> Option<GilRange> {
        self.objects()
            .into_iter()
            .filter(|(_, s)| {
                let shared = s.woken_threads.len() >= MIN_GIL_THREADS
                    && s.wake_to_run >= MIN_GIL_HANDOFFS
                    && s.timed * 2 >= s.samples;
                // One thread (an I/O thread beside a CPU one) waiting in turn, almost
                // always with a timeout and almost always while another thread runs.
                let single = s.woken_threads.len() == 1
                    && s.samples > 0
                    && s.wake_to_run >= MIN_SINGLE_WAITER_HANDOFFS
                    && s.timed * 10 >= s.samples * 9
                    && s.beside_a_runner * 10 >= s.samples * 8;
                shared || single
            })
            .max_by_key(|(_, s)| s.wake_to_run)
            .map(|(r, _)| r)
    }

    /// How many GIL hand-offs the samples saw: a thread waiting on the GIL, next seen
    /// doing anything else, took it in between. Runs and waits shorter than a tick are
    /// missed, so this is a lower estimate.
    pub fn handoffs(&self, gil: Option<GilRange>) -> u64 {
        let Some(g) = gil else { return 0 };
        self.addrs.range(g.lo..=g.hi).map(|(_, s)| s.left).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIL_A: u64 = 0x7f6f_8b74_e6f0;
    const GIL_B: u64 = 0x7f6f_8b74_e6f4;
    const JOIN: u64 = 0x7f6f_8400_0b70;

    fn gil_wait(addr: u64) -> Observed {
        Observed::Futex { addr, timed: true }
    }

    #[test]
    fn the_syscall_line_decides_and_stat_is_the_fallback() {
        let r = Some(StatLine {
            state: 'R',
            processor: 0,
        });
        let s = Some(StatLine {
            state: 'S',
            processor: 1,
        });
        let z = Some(StatLine {
            state: 'Z',
            processor: 1,
        });
        assert_eq!(observe(s, Some(SyscallLine::Running)), Observed::Running);
        assert_eq!(observe(s, None), Observed::Blocked);
        assert_eq!(observe(r, None), Observed::Running);
        assert_eq!(observe(z, Some(SyscallLine::Running)), Observed::Gone);
        assert_eq!(observe(None, None), Observed::Unknown);
        assert_eq!(
            observe(s, Some(SyscallLine::NotInSyscall)),
            Observed::Blocked
        );
    }

    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    #[test]
    fn futex_io_and_other_calls_on_x86_64() {
        let s = Some(StatLine {
            state: 'S',
            processor: 0,
        });
        let futex = SyscallLine::InSyscall {
            nr: 202,
            args: [GIL_B, 0x89, 0, 0x7f00, 0, 0xffff_ffff],
        };
        assert_eq!(
            observe(s, Some(futex)),
            Observed::Futex {
                addr: GIL_B,
                timed: true
            }
        );
        let sleep = SyscallLine::InSyscall {
            nr: 230,
            args: [1, 1, 0x7f00, 0, 0, 0],
        };
        assert_eq!(observe(s, Some(sleep)), Observed::Io);
    }

    #[test]
    fn the_gil_is_the_timed_object_threads_take_turns_on() {
        let mut book = FutexBook::default();
        // Two CPU threads alternate on the GIL's two condition words; main waits on a join.
        let mut prev = [Observed::Running, gil_wait(GIL_A), Observed::Running];
        for i in 0..20u32 {
            let a = if i % 2 == 0 {
                Observed::Running
            } else {
                gil_wait(if i % 4 == 1 { GIL_A } else { GIL_B })
            };
            let b = if i % 2 == 1 {
                Observed::Running
            } else {
                gil_wait(GIL_B)
            };
            let main = Observed::Futex {
                addr: JOIN,
                timed: false,
            };
            let now = [a, b, main];
            for (tid, (p, n)) in prev.iter().zip(now.iter()).enumerate() {
                book.record(tid as u32, *p, *n);
            }
            prev = now;
        }
        let gil = book.gil().expect("a GIL");
        assert!(gil.contains(GIL_A) && gil.contains(GIL_B) && !gil.contains(JOIN));
        assert_eq!(state_of(gil_wait(GIL_A), Some(gil)), XState::GilWait);
        let join = Observed::Futex {
            addr: JOIN,
            timed: false,
        };
        assert_eq!(state_of(join, Some(gil)), XState::LockWait);
        assert_eq!(book.handoffs(Some(gil)), 19);
    }

    #[test]
    fn leaving_the_gil_straight_into_a_sleep_is_a_handoff_too() {
        let mut book = FutexBook::default();
        for tid in [1, 2] {
            book.record(tid, gil_wait(GIL_A), Observed::Running);
            book.record(tid, Observed::Running, gil_wait(GIL_A));
        }
        let gil = book.gil();
        assert!(gil.is_some());
        // The run between was shorter than a tick: seen waiting, then sleeping.
        book.record(1, gil_wait(GIL_A), Observed::Io);
        // Moving between the GIL's two condition words is not leaving it.
        book.record(2, gil_wait(GIL_A), gil_wait(GIL_B));
        assert_eq!(book.handoffs(gil), 3);
    }

    #[test]
    fn one_thread_leaving_a_lock_is_not_a_gil() {
        let mut book = FutexBook::default();
        for _ in 0..10 {
            book.record(1, gil_wait(JOIN), Observed::Running);
        }
        assert_eq!(book.gil(), None);
        assert_eq!(book.handoffs(None), 0);
        assert_eq!(state_of(gil_wait(JOIN), None), XState::LockWait);
    }

    #[test]
    fn one_waiter_beside_a_runner_is_the_gil_one_alone_is_not() {
        let mut alone = FutexBook::default();
        let mut beside = FutexBook::default();
        for _ in 0..MIN_SINGLE_WAITER_HANDOFFS {
            for book in [&mut alone, &mut beside] {
                book.record(1, Observed::Running, gil_wait(GIL_A));
                book.record(1, gil_wait(GIL_A), Observed::Running);
            }
            beside.beside_a_runner(GIL_A);
        }
        assert_eq!(
            alone.gil(),
            None,
            "a lone timed wait (Condition.wait(timeout)) is a lock"
        );
        assert!(beside.gil().is_some());
    }

    #[test]
    fn untimed_waits_are_not_the_gil_even_when_shared() {
        let mut book = FutexBook::default();
        let untimed = Observed::Futex {
            addr: JOIN,
            timed: false,
        };
        for tid in 0..4 {
            book.record(tid, untimed, untimed);
            book.record(tid, untimed, Observed::Running);
        }
        assert_eq!(book.gil(), None);
    }

    #[test]
    fn far_apart_addresses_are_separate_objects() {
        let mut book = FutexBook::default();
        book.record(1, Observed::Running, gil_wait(GIL_A));
        book.record(1, Observed::Running, gil_wait(GIL_A + GROUP_SPAN_BYTES + 8));
        book.record(1, Observed::Running, gil_wait(GIL_A + 4));
        assert_eq!(book.objects().len(), 2);
    }
}
