//! The worker side: what `pyconc __worker` runs in each child process. Like a
//! `multiprocessing` worker it says it is ready, then loops: read a chunk of tasks from
//! stdin, deserialise it, compute, write the results to stdout. It exits by itself when
//! its stdin closes (the pool shut down, or pyconc died), and stops in the middle of a
//! task if its parent is gone, so a killed pyconc leaves no orphans behind.

use std::io::{self, BufReader, BufWriter};
use std::time::Instant;

use super::protocol::{self, Done};
use crate::sims::workload;

/// The exit code of a worker told to crash (`crash=true`): it dies mid-task, as a worker
/// killed by the OS (out of memory, a segfault in a C extension) would.
pub const CRASH_EXIT_CODE: i32 = 70;
/// The exit code when pyconc sent something that is not a frame of ours.
pub const PROTOCOL_ERROR_EXIT_CODE: i32 = 2;

/// Runs the worker loop on stdin and stdout; returns the process exit code.
pub fn worker_main() -> i32 {
    let parent = parent_pid();
    let mut input = BufReader::new(io::stdin().lock());
    let mut output = BufWriter::new(io::stdout().lock());
    let mut frame = Vec::new();
    protocol::encode_hello(std::process::id(), &mut frame);
    if protocol::write_frame(&mut output, &frame).is_err() {
        return 0;
    }
    let parent_alive = || parent_pid() == parent;
    loop {
        let body = match protocol::read_frame(&mut input) {
            Ok(Some(body)) => body,
            // Stdin closed or broken: the pool is done with us, or pyconc is gone.
            Ok(None) | Err(_) => return 0,
        };
        let decoding = Instant::now();
        let chunk = match protocol::decode_chunk(&body) {
            Ok(chunk) => chunk,
            Err(_) => return PROTOCOL_ERROR_EXIT_CODE,
        };
        drop(body);
        let decode_ns = decoding.elapsed().as_nanos() as u64;
        let computing = Instant::now();
        let mut results = Vec::with_capacity(chunk.tasks.len());
        for (task, data_sum) in &chunk.tasks {
            if task.crash {
                let _ = workload::spin(task.units / 2, u64::from(task.index), parent_alive);
                std::process::exit(CRASH_EXIT_CODE);
            }
            match workload::spin(task.units, u64::from(task.index), parent_alive) {
                Some(value) => results.push((task.index, value ^ data_sum)),
                None => return 0,
            }
        }
        let done = Done {
            id: chunk.id,
            decode_ns,
            compute_ns: computing.elapsed().as_nanos() as u64,
            results,
        };
        protocol::encode_done(&done, &mut frame);
        if protocol::write_frame(&mut output, &frame).is_err() {
            return 0;
        }
    }
}

/// The parent's pid; it changes (to 1 or a subreaper) when the parent dies.
#[cfg(unix)]
fn parent_pid() -> u32 {
    // SAFETY: getppid takes no arguments and cannot fail.
    unsafe { libc::getppid() as u32 }
}

/// Elsewhere the closed pipe alone tells the worker to leave.
#[cfg(not(unix))]
fn parent_pid() -> u32 {
    0
}
