//! Parsers for the three per-thread files x-ray reads under `/proc/PID/task/TID/`: `stat`
//! (scheduler state and last core), `schedstat` (CPU nanoseconds) and `syscall` (the
//! system call a blocked thread waits in, with its arguments). Pure functions on text, so
//! they are compiled and tested on every platform, from fixtures recorded on Linux.

/// What `/proc/.../syscall` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyscallLine {
    /// "running": the thread was on a core.
    Running,
    /// Blocked in system call `nr`; `args` are its six arguments.
    InSyscall {
        /// The system call number (architecture-specific).
        nr: i64,
        /// Arguments 1-6 (for `futex`, argument 1 is the futex's address).
        args: [u64; 6],
    },
    /// Stopped outside any system call ("-1 sp pc": a page fault, a signal stop).
    NotInSyscall,
}

/// The fields of `/proc/.../stat` x-ray uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatLine {
    /// The state letter: R running or runnable, S sleeping, D disk sleep, Z zombie, ...
    pub state: char,
    /// The core it last ran on (field 39).
    pub processor: i32,
}

/// Parses `stat`. The command name (field 2) may hold spaces and parentheses, so the
/// fields are counted from the last `)`.
pub fn parse_stat(text: &str) -> Option<StatLine> {
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?.chars().next()?;
    // After the state (field 3), field 39 is the 36th more.
    let processor = fields.nth(35)?.parse().ok()?;
    Some(StatLine { state, processor })
}

/// Parses `schedstat`: nanoseconds on a core (the first of three numbers).
pub fn parse_schedstat(text: &str) -> Option<u64> {
    text.split_ascii_whitespace().next()?.parse().ok()
}

/// Parses `syscall`.
pub fn parse_syscall(text: &str) -> Option<SyscallLine> {
    let text = text.trim();
    if text == "running" {
        return Some(SyscallLine::Running);
    }
    let mut fields = text.split_ascii_whitespace();
    let nr: i64 = fields.next()?.parse().ok()?;
    if nr < 0 {
        return Some(SyscallLine::NotInSyscall);
    }
    let mut args = [0u64; 6];
    for arg in &mut args {
        let field = fields.next()?;
        *arg = u64::from_str_radix(field.trim_start_matches("0x"), 16).ok()?;
    }
    Some(SyscallLine::InSyscall { nr, args })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_counts_fields_after_the_last_parenthesis() {
        let line = "20350 (py (odd) name) R 20304 20304 1 0 -1 4194368 25 0 0 0 13 1 0 0 20 0 5 0 \
                    61234 0 0 18446744073709551615 0 0 0 0 0 0 0 16781312 1026 0 0 0 -1 1 0 0 0 0 0";
        assert_eq!(
            parse_stat(line),
            Some(StatLine {
                state: 'R',
                processor: 1
            })
        );
        assert_eq!(parse_stat("12 (x) S 1 2"), None);
        assert_eq!(parse_stat(""), None);
    }

    #[test]
    fn schedstat_is_the_first_number() {
        assert_eq!(parse_schedstat("35195628 113614179 55\n"), Some(35_195_628));
        assert_eq!(parse_schedstat("x"), None);
    }

    #[test]
    fn syscall_lines_of_each_kind() {
        assert_eq!(parse_syscall("running\n"), Some(SyscallLine::Running));
        assert_eq!(
            parse_syscall("-1 0x7ffe522ebc30 0x7f6f8b0a3f16"),
            Some(SyscallLine::NotInSyscall)
        );
        assert_eq!(
            parse_syscall(
                "202 0x7f6f8b74e6f4 0x89 0x0 0x7f6f8aa84ae0 0x0 0xffffffff 0x7f6f8aa849b0 0x7f6f8b0a3f16"
            ),
            Some(SyscallLine::InSyscall {
                nr: 202,
                args: [0x7f6f8b74e6f4, 0x89, 0, 0x7f6f8aa84ae0, 0, 0xffffffff]
            })
        );
        assert_eq!(parse_syscall("202 0x1"), None);
        assert_eq!(parse_syscall(""), None);
    }
}
