//! Build script: embeds every `lessons/*.md` into the binary. It writes a table of
//! `(path, include_str!(file))` to `$OUT_DIR/embedded_lessons.rs`, which
//! `src/lessons/catalog.rs` includes. Cargo reruns it when anything under `lessons/` changes.
//! It also embeds every exercise folder `lessons/exercises/ID/` and the graders' helper
//! module `assets/python/pyconc_check.py` (see `embed_exercises`).

use std::fs;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = manifest.join("lessons");
    println!("cargo::rerun-if-changed=lessons");
    println!("cargo::rerun-if-changed=build.rs");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                // Editors' lock and swap files (`.#02-gil.md`) are not lessons.
                .filter(|name| name.ends_with(".md") && !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut table = String::from(
        "/// Every `lessons/*.md` at build time: (path, text).\n\
         pub static EMBEDDED_LESSONS: &[(&str, &str)] = &[\n",
    );
    for name in &names {
        let file = dir.join(name);
        table.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            format!("lessons/{name}"),
            file.display().to_string()
        ));
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    fs::write(out.join("embedded_lessons.rs"), table).expect("write embedded_lessons.rs");
    embed_exercises(&manifest, &out);
}

/// Writes `$OUT_DIR/embedded_exercises.rs`: `EMBEDDED_EXERCISES`, one `(folder, [(file,
/// text)])` per `lessons/exercises/ID/` (only the four files of the format), and
/// `PYCONC_CHECK_PY`, the helper module graders import. Until the content's own
/// `assets/python/pyconc_check.py` exists, the minimal test copy in `tests/fixtures` is used.
fn embed_exercises(manifest: &std::path::Path, out: &std::path::Path) {
    const FILES: [&str; 4] = ["exercise.toml", "start.py", "check.py", "solution.py"];
    println!("cargo::rerun-if-changed=assets/python");
    println!("cargo::rerun-if-changed=tests/fixtures/pyconc_check.py");
    let dir = manifest.join("lessons").join("exercises");
    let mut folders: Vec<String> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    let mut table = String::from(
        "/// Every `lessons/exercises/ID/` at build time: (folder, [(file, text)]).\n\
         pub static EMBEDDED_EXERCISES: &[(&str, &[(&str, &str)])] = &[\n",
    );
    for folder in &folders {
        println!("cargo::rerun-if-changed=lessons/exercises/{folder}");
        table.push_str(&format!("    ({folder:?}, &[\n"));
        for file in FILES {
            let path = dir.join(folder).join(file);
            if path.is_file() {
                table.push_str(&format!(
                    "        ({file:?}, include_str!({:?})),\n",
                    path.display().to_string()
                ));
            }
        }
        table.push_str("    ]),\n");
    }
    table.push_str("];\n");
    let helper = manifest.join("assets/python/pyconc_check.py");
    let helper = if helper.is_file() {
        helper
    } else {
        manifest.join("tests/fixtures/pyconc_check.py")
    };
    table.push_str(&format!(
        "/// The graders' helper module, `pyconc_check.py`.\n\
         pub static PYCONC_CHECK_PY: &str = include_str!({:?});\n",
        helper.display().to_string()
    ));
    fs::write(out.join("embedded_exercises.rs"), table).expect("write embedded_exercises.rs");
}
