//! Build script: embeds every `lessons/*.md` into the binary. It writes a table of
//! `(path, include_str!(file))` to `$OUT_DIR/embedded_lessons.rs`, which
//! `src/lessons/catalog.rs` includes. Cargo reruns it when anything under `lessons/` changes.

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
}
