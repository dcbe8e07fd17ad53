//! Test-only fake interpreters: small shell scripts, made executable, that stand in for a
//! Python (no free-threaded build, nor a broken one, can be had on the test machines).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Writes `#!/bin/sh` and `body` as the executable `dir/name` and returns its path.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A fake `dir/name` that answers pyconc's probe with `json` (and does nothing else).
pub fn answering_probe(dir: &Path, name: &str, json: &str) -> PathBuf {
    script(dir, name, &format!("echo 'PYCONC-PROBE {json}'\n"))
}
