//! The `python3` the real-Python tests run. Where there is none the test is skipped with a
//! line saying so, except under `CI=true`: CI has python3, so there a missing one fails.

use std::path::PathBuf;

/// True under CI (`CI=true`, or `CI=1`).
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// `python3` on PATH, or `None` (after a line saying `what` is skipped) where there is none.
/// Panics under CI, where a missing python3 is a broken set-up, not a reason to skip.
pub fn python3_or_skip(what: &str) -> Option<PathBuf> {
    match which::which("python3") {
        Ok(path) => Some(path),
        Err(_) => {
            assert!(
                !under_ci(),
                "CI=true but no python3 on PATH: {what} cannot be skipped in CI"
            );
            eprintln!("skipped: no python3 on PATH ({what})");
            None
        }
    }
}
