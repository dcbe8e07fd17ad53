//! Child processes seen through `/proc` and pseudo-terminals from `openpty`: the pieces the
//! tests that run pyconc as a real process share (`tests/processes_sigkill.rs`, the runner of
//! `tests/hostile_packs.rs`, the fuzzer's leak check) with `benches/pty_monkey.rs`.

#![allow(dead_code)]

use std::os::fd::{FromRawFd, OwnedFd};

/// What `/proc/PID/stat` says of one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// The state letter (`R`, `S`, `Z` for a zombie, ...).
    pub state: char,
    /// The parent's pid.
    pub ppid: u32,
}

/// The state and parent of `pid`, or `None` once it is gone (or `/proc` is not there).
pub fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces and `)`: the fields follow the last.
    let mut fields = text.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some(Stat { state, ppid })
}

/// True while `pid` is a process and not a zombie (a zombie is gone for our purpose: its
/// parent, or init, reaps it). Where there is no `/proc`, whether the process exists.
pub fn alive(pid: u32) -> bool {
    let Ok(raw) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only asks whether the process exists.
    let exists = unsafe { libc::kill(raw, 0) } == 0
        || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    exists && !stat(pid).is_some_and(|s| matches!(s.state, 'Z' | 'X'))
}

/// Every process with its parent, from `/proc` (empty where there is no `/proc`).
fn processes() -> Vec<(u32, Stat)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, stat(pid)?)))
        .collect()
}

/// The pids whose parent is `parent`, zombies included.
pub fn children_of(parent: u32) -> Vec<u32> {
    processes()
        .into_iter()
        .filter(|(_, s)| s.ppid == parent)
        .map(|(pid, _)| pid)
        .collect()
}

/// The live (not zombie) child processes of this process.
pub fn live_children() -> Vec<u32> {
    let me = std::process::id();
    processes()
        .into_iter()
        .filter(|(_, s)| s.ppid == me && s.state != 'Z')
        .map(|(pid, _)| pid)
        .collect()
}

/// Every descendant of `pid`: its children, their children, and so on.
pub fn descendants(pid: u32) -> Vec<u32> {
    let all = processes();
    let mut out = Vec::new();
    let mut frontier = vec![pid];
    while let Some(parent) = frontier.pop() {
        for (child, _) in all.iter().filter(|(_, s)| s.ppid == parent) {
            out.push(*child);
            frontier.push(*child);
        }
    }
    out
}

/// A pseudo-terminal of `cols` by `rows`: (master, slave), in the default (cooked) mode.
pub fn open_pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: valid out-pointers and size; a null name and termios are allowed.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: openpty returned these descriptors, owned by nothing else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}
