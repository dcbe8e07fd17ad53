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
//! Only this example needs syntect's `yaml-load`, `dump-create`, `default-syntaxes` and
//! `default-themes` features (a dev-dependency); the binary only loads the dumps.

use syntect::dumps::{dump_to_file, dump_to_uncompressed_file};
use syntect::highlighting::ThemeSet;
use syntect::parsing::SyntaxSet;

/// The syntect themes pyconc's themes name (`Theme::syntax_theme` in src/theme.rs).
const THEMES: &[&str] = &[
    "base16-ocean.dark",
    "InspiredGitHub",
    "base16-eighties.dark",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");

    let mut builder = SyntaxSet::load_defaults_newlines().into_builder();
    builder.add_from_folder(root.join("syntaxes"), true)?;
    let syntaxes = builder.build();
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
