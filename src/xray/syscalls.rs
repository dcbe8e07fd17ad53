//! Which system calls mean what for x-ray: `futex` (a lock, a condition, the GIL), an I/O
//! or sleep wait, or something else. Numbers come from the `libc` constants of the
//! architecture pyconc was built for (x86_64, aarch64, ...); elsewhere there is no
//! `/proc/.../syscall` and everything is [`SyscallKind::Other`].

/// What a blocked thread is waiting in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyscallKind {
    /// `futex`: a lock, condition variable, semaphore, event or the GIL.
    Futex,
    /// Sleeping, polling, reading, receiving, accepting, connecting, waiting on a child.
    IoOrSleep,
    /// Any other system call.
    Other,
}

/// The kind of system call `nr` on this architecture.
#[cfg(target_os = "linux")]
pub fn kind(nr: i64) -> SyscallKind {
    use libc as c;
    if nr == c::SYS_futex {
        return SyscallKind::Futex;
    }
    #[cfg(target_arch = "x86_64")]
    let legacy: &[i64] = &[
        c::SYS_nanosleep,
        c::SYS_poll,
        c::SYS_select,
        c::SYS_epoll_wait,
        c::SYS_pause,
        c::SYS_wait4,
        c::SYS_accept,
    ];
    #[cfg(not(target_arch = "x86_64"))]
    let legacy: &[i64] = &[c::SYS_nanosleep];
    let waits: &[i64] = &[
        c::SYS_clock_nanosleep,
        c::SYS_ppoll,
        c::SYS_pselect6,
        c::SYS_epoll_pwait,
        c::SYS_read,
        c::SYS_readv,
        c::SYS_pread64,
        c::SYS_recvfrom,
        c::SYS_recvmsg,
        c::SYS_accept4,
        c::SYS_connect,
        c::SYS_write,
        c::SYS_sendto,
        c::SYS_sendmsg,
        c::SYS_waitid,
        c::SYS_rt_sigtimedwait,
        c::SYS_rt_sigsuspend,
        c::SYS_fsync,
        c::SYS_fdatasync,
        c::SYS_openat,
        c::SYS_io_getevents,
    ];
    if legacy.contains(&nr) || waits.contains(&nr) {
        SyscallKind::IoOrSleep
    } else {
        SyscallKind::Other
    }
}

/// See the Linux version: without `/proc` no system call is ever seen.
#[cfg(not(target_os = "linux"))]
pub fn kind(_nr: i64) -> SyscallKind {
    SyscallKind::Other
}

#[cfg(all(test, target_os = "linux", target_arch = "x86_64"))]
mod tests {
    use super::*;

    #[test]
    fn x86_64_numbers_seen_in_the_fixtures() {
        assert_eq!(kind(202), SyscallKind::Futex);
        assert_eq!(kind(230), SyscallKind::IoOrSleep); // clock_nanosleep
        assert_eq!(kind(7), SyscallKind::IoOrSleep); // poll
        assert_eq!(kind(232), SyscallKind::IoOrSleep); // epoll_wait
        assert_eq!(kind(0), SyscallKind::IoOrSleep); // read
        assert_eq!(kind(39), SyscallKind::Other); // getpid
    }
}
