//! Syntax highlighting of lesson code with syntect, from precompiled dumps in `assets/`
//! (built by `examples/build_assets.rs`). syntect's styles become ratatui styles here, at the
//! edge: foreground colour and bold / italic / underline only; the code background is our
//! theme's, never syntect's. Results are cached per (code, language, theme), so re-rendering
//! a lesson (a resize, a quiz answer) costs no highlighting.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use ratatui::style::{Color, Modifier, Style};
use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, ThemeSet};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::limits::MAX_HIGHLIGHTED_BYTES;

/// The languages a lesson pack can use (syntect's Python, shells, Rust, C, JavaScript, JSON,
/// YAML, Diff, plain text, and our TOML), one dump.
static SYNTAX_DUMP: &[u8] = include_bytes!("../../assets/syntaxes.packdump");
/// The syntect themes our themes name.
static THEME_DUMP: &[u8] = include_bytes!("../../assets/themes.themedump");

/// How many highlighted blocks the cache keeps before it starts over (a course has a few
/// hundred code blocks; three themes).
const CACHE_MAX_ENTRIES: usize = 4096;

/// Highlighted code: per line, styled runs (foreground and modifiers only).
pub type HighlightedLines = Vec<Vec<(Style, String)>>;

type CacheKey = (String, String, String);

/// Loaded syntaxes and themes, and a cache of highlighted blocks. Cheap to share (`Sync`).
pub struct Highlighter {
    /// Swapped for a fresh copy by [`Highlighter::release_compiled`].
    syntaxes: ArcSwap<SyntaxSet>,
    themes: ThemeSet,
    cache: Mutex<HashMap<CacheKey, Arc<HighlightedLines>>>,
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighter")
            .field("syntaxes", &self.syntaxes.load().syntaxes().len())
            .field("themes", &self.themes.themes.len())
            .finish()
    }
}

impl Highlighter {
    /// Loads the embedded dumps (some milliseconds: call it off the first frame's path).
    /// A damaged dump leaves that part empty, and code is then shown plain.
    pub fn load() -> Highlighter {
        let themes = syntect::dumps::from_reader(THEME_DUMP).unwrap_or_else(|_| ThemeSet::new());
        Highlighter {
            syntaxes: ArcSwap::from_pointee(load_syntaxes()),
            themes,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Highlights every code block of `lesson` into the cache, so the next render of it costs
    /// no highlighting. The first block of a language also loads and compiles that syntax
    /// (tens of milliseconds): call this on a background thread, e.g. right after
    /// [`Highlighter::load`] for the lesson the learner is on.
    pub fn prepare(&self, lesson: &super::Lesson, syntax_theme_name: &str) {
        if syntax_theme_name.is_empty() {
            return;
        }
        for code in lesson.code_blocks() {
            self.highlight_shared(&code.text, &code.lang, syntax_theme_name);
        }
    }

    /// Drops every compiled regular expression (and the match caches each keeps), keeping
    /// the highlighted blocks: call it once every lesson is prepared. Highlighting the whole
    /// course compiles most of Python's grammar, about 12 MB that would otherwise stay for
    /// the whole session for blocks already in the cache. A block not cached yet (a theme
    /// never prepared) compiles what it needs again.
    pub fn release_compiled(&self) {
        self.syntaxes.store(Arc::new(load_syntaxes()));
        // The freed memory sits in this thread's malloc arena: hand it back to the system.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only releases free heap pages; it touches no live allocation.
        unsafe {
            libc::malloc_trim(0);
        }
    }

    /// True if `lang` (an info string's first word) is highlighted rather than plain.
    pub fn knows_language(&self, lang: &str) -> bool {
        syntax(&self.syntaxes.load(), lang).is_some()
    }

    /// True if the syntect theme `name` is loaded.
    pub fn knows_theme(&self, name: &str) -> bool {
        self.themes.themes.contains_key(name)
    }

    /// Highlights `code` as `lang` with the syntect theme `syntax_theme_name`: one entry per
    /// line, each a list of styled runs without newlines. Unknown languages or themes (and an
    /// empty theme name, as under NO_COLOR) give plain runs with the default style.
    pub fn highlight(&self, code: &str, lang: &str, syntax_theme_name: &str) -> HighlightedLines {
        self.highlight_shared(code, lang, syntax_theme_name)
            .as_ref()
            .clone()
    }

    /// Like [`Highlighter::highlight`], shared from the cache without copying.
    pub fn highlight_shared(
        &self,
        code: &str,
        lang: &str,
        syntax_theme_name: &str,
    ) -> Arc<HighlightedLines> {
        if code.len() > MAX_HIGHLIGHTED_BYTES {
            // Highlighting costs far more per byte than drawing (a 20 MB block took
            // minutes): a block this long is shown plain, and not cached.
            return Arc::new(plain(code));
        }
        let key = (
            code.to_string(),
            lang.to_string(),
            syntax_theme_name.to_string(),
        );
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Arc::clone(hit);
        }
        let lines = Arc::new(self.highlight_uncached(code, lang, syntax_theme_name));
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_MAX_ENTRIES {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&lines));
        lines
    }

    fn highlight_uncached(&self, code: &str, lang: &str, theme_name: &str) -> HighlightedLines {
        let syntaxes = self.syntaxes.load_full();
        let (Some(syntax), Some(theme)) =
            (syntax(&syntaxes, lang), self.themes.themes.get(theme_name))
        else {
            return plain(code);
        };
        let mut highlighter = HighlightLines::new(syntax, theme);
        let mut out = Vec::new();
        for line in LinesWithEndings::from(code) {
            let Ok(ranges) = highlighter.highlight_line(line, &syntaxes) else {
                // A syntax that fails mid-way: the rest of the block is plain.
                return plain(code);
            };
            let mut runs: Vec<(Style, String)> = Vec::new();
            for (style, text) in ranges {
                let text = text.trim_end_matches(['\n', '\r']);
                if text.is_empty() {
                    continue;
                }
                let style = to_ratatui(style);
                match runs.last_mut() {
                    Some((last, run)) if *last == style => run.push_str(text),
                    _ => runs.push((style, text.to_string())),
                }
            }
            out.push(runs);
        }
        out
    }
}

/// The embedded syntaxes, each compiled on first use; a damaged dump gives none.
fn load_syntaxes() -> SyntaxSet {
    syntect::dumps::from_uncompressed_data(SYNTAX_DUMP).unwrap_or_else(|_| SyntaxSet::new())
}

/// The syntax for an info string's language word.
fn syntax<'a>(syntaxes: &'a SyntaxSet, lang: &str) -> Option<&'a SyntaxReference> {
    let lang = lang.to_ascii_lowercase();
    let name = match lang.as_str() {
        "" | "text" | "plain" | "txt" => return None,
        "py" | "py3" | "python" | "python3" | "pycon" => "Python",
        "sh" | "bash" | "shell" | "console" | "zsh" | "shell-session" => {
            "Bourne Again Shell (bash)"
        }
        "rs" | "rust" => "Rust",
        "toml" => "TOML",
        "json" => "JSON",
        "yaml" | "yml" => "YAML",
        other => return syntaxes.find_syntax_by_token(other),
    };
    syntaxes.find_syntax_by_name(name)
}

/// Code without highlighting: one default-styled run per line.
fn plain(code: &str) -> HighlightedLines {
    code.lines()
        .map(|line| {
            if line.is_empty() {
                Vec::new()
            } else {
                vec![(Style::default(), line.to_string())]
            }
        })
        .collect()
}

/// syntect -> ratatui: foreground and font style; the background stays ours.
fn to_ratatui(style: syntect::highlighting::Style) -> Style {
    let fg = style.foreground;
    let mut out = Style::new().fg(Color::Rgb(fg.r, fg.g, fg.b));
    if style.font_style.contains(FontStyle::BOLD) {
        out = out.add_modifier(Modifier::BOLD);
    }
    if style.font_style.contains(FontStyle::ITALIC) {
        out = out.add_modifier(Modifier::ITALIC);
    }
    if style.font_style.contains(FontStyle::UNDERLINE) {
        out = out.add_modifier(Modifier::UNDERLINED);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The syntect theme names `src/theme.rs` uses.
    const THEME_NAMES: &[&str] = &[
        "base16-ocean.dark",
        "InspiredGitHub",
        "base16-eighties.dark",
    ];

    #[test]
    fn dump_loads_every_needed_syntax_and_theme() {
        let h = Highlighter::load();
        for lang in [
            "python",
            "py",
            "rust",
            "bash",
            "sh",
            "shell",
            "console",
            "toml",
            "json",
            "yaml",
            "c",
            "js",
            "javascript",
            "diff",
        ] {
            assert!(h.knows_language(lang), "no syntax for {lang}");
        }
        for theme in THEME_NAMES {
            assert!(h.knows_theme(theme), "no theme {theme}");
        }
        for name in [
            crate::theme::ThemeName::Dark,
            crate::theme::ThemeName::Light,
            crate::theme::ThemeName::HighContrast,
        ] {
            let theme = crate::theme::Theme::new(name, true);
            assert!(h.knows_theme(theme.syntax_theme), "{}", theme.syntax_theme);
        }
    }

    #[test]
    fn python_keywords_get_a_colour_and_text_is_kept() {
        let h = Highlighter::load();
        let code = "import threading\n\ndef work(n):\n    return n * 2  # double\n";
        let lines = h.highlight(code, "python", "base16-ocean.dark");
        assert_eq!(lines.len(), 4);
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|(_, t)| t.as_str()).collect())
            .collect();
        assert_eq!(text, code.lines().collect::<Vec<_>>());
        let styles: std::collections::HashSet<_> =
            lines.iter().flatten().map(|(s, _)| *s).collect();
        assert!(styles.len() >= 3, "too few distinct styles: {styles:?}");
        assert!(lines.iter().flatten().all(|(s, _)| s.bg.is_none()));
    }

    #[test]
    fn a_block_over_the_limit_is_plain() {
        let h = Highlighter::load();
        let line = "import threading  # a keyword a highlighter colours\n";
        let small = h.highlight(line, "python", "base16-ocean.dark");
        assert!(small[0].len() > 1, "{small:?}");
        let code = line.repeat(MAX_HIGHLIGHTED_BYTES / line.len() + 1);
        let lines = h.highlight(&code, "python", "base16-ocean.dark");
        assert_eq!(lines.len(), code.lines().count());
        assert!(
            lines
                .iter()
                .all(|l| l.len() == 1 && l[0].0 == Style::default())
        );
    }

    #[test]
    fn toml_is_highlighted() {
        let h = Highlighter::load();
        let lines = h.highlight(
            "[package]\nname = \"pyconc\" # the name\nversion = 1\n",
            "toml",
            "base16-ocean.dark",
        );
        let section = lines[0][1].0;
        let key = lines[1][0].0;
        let string = lines[1]
            .iter()
            .find(|(_, t)| t.contains("pyconc"))
            .map(|(s, _)| *s);
        assert_ne!(section, Style::default());
        assert_ne!(Some(key), string);
    }

    #[test]
    fn unknown_language_or_theme_is_plain() {
        let h = Highlighter::load();
        let plain_lines = h.highlight("x = 1\n\ny", "klingon", "base16-ocean.dark");
        assert_eq!(
            plain_lines,
            vec![
                vec![(Style::default(), "x = 1".to_string())],
                vec![],
                vec![(Style::default(), "y".to_string())]
            ]
        );
        assert_eq!(h.highlight("x = 1", "python", ""), plain("x = 1"));
    }

    #[test]
    fn languages_outside_the_dump_render_plain() {
        // The dump keeps only the languages a pack can use (examples/build_assets.rs):
        // others, even ones syntect ships, are plain text.
        let h = Highlighter::load();
        for lang in ["go", "haskell", "latex", "markdown", "html", "java"] {
            assert!(!h.knows_language(lang), "{lang} should not be in the dump");
            assert_eq!(
                h.highlight("x = 1", lang, "base16-ocean.dark"),
                plain("x = 1")
            );
        }
        assert!(h.syntaxes.load().syntaxes().len() <= 16, "the dump grew");
    }

    #[test]
    fn prepare_fills_the_cache() {
        let h = Highlighter::load();
        let lesson = super::super::Lesson::parse(
            "t.md",
            "---\nid: t\ntitle: T\norder: 1\n---\n\n```python\nx = 1\n```\n",
        )
        .expect("valid");
        h.prepare(&lesson, "base16-ocean.dark");
        let cached = h.cache.lock().unwrap_or_else(|p| p.into_inner()).len();
        assert_eq!(cached, 1);
    }

    #[test]
    fn releasing_compiled_syntaxes_keeps_the_cache_and_still_highlights() {
        let h = Highlighter::load();
        let before = h.highlight_shared("def f(): pass", "python", "base16-ocean.dark");
        h.release_compiled();
        let after = h.highlight_shared("def f(): pass", "python", "base16-ocean.dark");
        assert!(Arc::ptr_eq(&before, &after), "the cache survives");
        let fresh = h.highlight("import os", "python", "base16-ocean.dark");
        assert!(
            fresh[0].len() >= 2,
            "still highlighted after the release: {fresh:?}"
        );
    }

    #[test]
    fn cache_returns_the_same_lines() {
        let h = Highlighter::load();
        let a = h.highlight_shared("print(1)", "python", "InspiredGitHub");
        let b = h.highlight_shared("print(1)", "python", "InspiredGitHub");
        assert!(Arc::ptr_eq(&a, &b));
    }
}
