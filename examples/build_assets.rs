//! Builds the syntect dumps that pyconc embeds (`assets/syntaxes.packdump`,
//! `assets/themes.themedump`) from syntect's bundled syntaxes and themes plus our own
//! syntaxes in `assets/syntaxes/` (TOML).
//!
//! Rebuild after changing anything in `assets/syntaxes/` or the theme list below, then
//! commit the two dump files:
//!
//! ```text
//! cargo run --example build_assets
//! cargo test --lib lessons::highlight
//! ```
//!
//! The syntax dump keeps only [`LANGUAGES`], the languages a lesson pack can use: every
//! other syntax would cost memory in every pyconc for code no lesson shows. A code block in
//! any other language renders plain.
//!
//! Only this example needs syntect's `yaml-load`, `dump-create`, `default-syntaxes` and
//! `default-themes` features (a dev-dependency); the binary only loads the dumps.

use serde_json::Value;
use syntect::dumps::{dump_to_file, dump_to_uncompressed_file};
use syntect::highlighting::ThemeSet;
use syntect::parsing::{SyntaxDefinition, SyntaxSet, SyntaxSetBuilder};

/// The syntaxes kept, by syntect name: Python for the lessons, shells for commands, the
/// formats a pack's config and output come in (TOML, JSON, YAML), Rust, C and JavaScript for
/// comparisons, Diff for before/after, and Plain Text (syntect needs it as the fallback).
const LANGUAGES: &[&str] = &[
    "Python",
    "Bourne Again Shell (bash)",
    "Rust",
    "TOML",
    "JSON",
    "YAML",
    "C",
    "JavaScript",
    "Diff",
    "Plain Text",
];

/// The syntect themes pyconc's themes name (`Theme::syntax_theme` in src/theme.rs).
const THEMES: &[&str] = &[
    "base16-ocean.dark",
    "InspiredGitHub",
    "base16-eighties.dark",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");

    let mut everything = SyntaxSet::load_defaults_newlines().into_builder();
    everything.add_from_folder(root.join("syntaxes"), true)?;
    let syntaxes = keep_only(everything.syntaxes(), LANGUAGES)?.build();
    // A syntax set is not compressed as a whole: each syntax is compressed and loaded lazily.
    dump_to_uncompressed_file(&syntaxes, root.join("syntaxes.packdump"))?;

    let defaults = ThemeSet::load_defaults();
    let mut themes = ThemeSet::new();
    for name in THEMES {
        let theme = defaults
            .themes
            .get(*name)
            .ok_or_else(|| format!("syntect has no theme {name}"))?;
        themes.themes.insert(name.to_string(), theme.clone());
    }
    dump_to_file(&themes, root.join("themes.themedump"))?;

    println!(
        "wrote {} syntaxes and {} themes to {}",
        syntaxes.syntaxes().len(),
        themes.themes.len(),
        root.display()
    );
    Ok(())
}

/// A builder with the syntaxes named in `names` and every syntax they embed or include
/// (Python's regular expressions, say). The definitions come from a linked set, so their
/// context references are indexes into `all`: each is renumbered for the smaller set.
/// syntect keeps those indexes private; they are rewritten through serde, where a
/// `ContextId` is an object with exactly `syntax_index` and `context_index`.
fn keep_only(
    all: &[SyntaxDefinition],
    names: &[&str],
) -> Result<SyntaxSetBuilder, Box<dyn std::error::Error>> {
    let values: Vec<Value> = all
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    let mut kept: Vec<usize> = Vec::new();
    let mut todo: Vec<usize> = Vec::new();
    for name in names {
        let index = all
            .iter()
            .position(|s| s.name == *name)
            .ok_or_else(|| format!("syntect has no syntax {name}"))?;
        todo.push(index);
    }
    while let Some(index) = todo.pop() {
        if kept.contains(&index) {
            continue;
        }
        kept.push(index);
        let mut referenced = Vec::new();
        context_ids(&values[index], &mut |syntax| referenced.push(syntax));
        todo.extend(referenced);
    }
    kept.sort_unstable();
    let new_index = |old: u64| kept.iter().position(|&k| k as u64 == old);
    let mut builder = SyntaxSetBuilder::new();
    for &old in &kept {
        let mut value = values[old].clone();
        renumber(&mut value, &new_index);
        let definition: SyntaxDefinition = serde_json::from_value(value)?;
        println!("keeping {}", definition.name);
        builder.add(definition);
    }
    Ok(builder)
}

/// Calls `found` with the syntax index of every `ContextId` inside `value`.
fn context_ids(value: &Value, found: &mut dyn FnMut(usize)) {
    match value {
        Value::Object(map) => {
            if let Some(index) = context_id_syntax(map) {
                found(index as usize);
            }
            map.values().for_each(|v| context_ids(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| context_ids(v, found)),
        _ => {}
    }
}

/// Rewrites the syntax index of every `ContextId` inside `value` with `new_index`.
fn renumber(value: &mut Value, new_index: &dyn Fn(u64) -> Option<usize>) {
    match value {
        Value::Object(map) => {
            if let Some(old) = context_id_syntax(map) {
                let new = new_index(old).expect("the closure holds every referenced syntax");
                map.insert("syntax_index".into(), Value::from(new));
            }
            map.values_mut().for_each(|v| renumber(v, new_index));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| renumber(v, new_index)),
        _ => {}
    }
}

/// The syntax index of `map` if it is a serialized `ContextId`.
fn context_id_syntax(map: &serde_json::Map<String, Value>) -> Option<u64> {
    if map.len() == 2 && map.contains_key("context_index") {
        map.get("syntax_index").and_then(Value::as_u64)
    } else {
        None
    }
}
