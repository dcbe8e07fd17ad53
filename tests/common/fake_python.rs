//! A fake free-threaded interpreter for tests (no free-threaded build can be had on the
//! machines pyconc is tested on): a shell script that answers pyconc's probe as a
//! free-threaded CPython 3.14 with the GIL off and runs everything else with the real
//! `python3`, with `PYCONC_FAKE_FREE_THREADED=1` set so a check can tell the runs apart.

use std::path::{Path, PathBuf};

/// Writes the fake as `dir/python3.14t` and returns its path.
#[cfg(unix)]
pub fn free_threaded(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let real = which::which("python3").expect("python3 on PATH");
    let path = dir.join("python3.14t");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nif [ \"$1\" = \"-c\" ]; then\n  echo 'PYCONC-PROBE {{\"version\": [3, 14, 0], \"implementation\": \"CPython\", \"executable\": \"{}\", \"free_threaded\": true, \"gil_enabled\": false, \"start_method\": \"forkserver\", \"cpu_count\": 2}}'\n  exit 0\nfi\nPYCONC_FAKE_FREE_THREADED=1 exec {} \"$@\"\n",
            path.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}
