//! What the operating system says about this process: its thread count, the core the
//! caller runs on, and how many cores it may use.

/// How many threads this process has right now (Linux: `/proc/self/task`); `None` where
/// the OS does not say. Tests use it to check that a stopped demo left nothing running.
pub fn thread_count() -> Option<usize> {
    std::fs::read_dir("/proc/self/task")
        .ok()
        .map(|entries| entries.count())
}

/// The core the calling thread is running on now, where the OS says (Linux); else `None`.
pub fn current_core() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sched_getcpu takes no arguments and only reads the calling thread's state.
        let cpu = unsafe { libc::sched_getcpu() };
        if cpu >= 0 {
            return Some(cpu as usize);
        }
    }
    None
}

/// The number of cores the OS lets this process use (at least 1).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
