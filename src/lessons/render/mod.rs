//! Lesson blocks -> styled terminal lines for one width and theme: headings by level,
//! paragraphs word-wrapped (unicode-width aware, styles kept across wraps), lists with hanging
//! indents, quotes with a bar, fitted tables, highlighted code that is clipped and never
//! wrapped, demo cards and quiz cards. Also where the interactive items (demo cards, quizzes)
//! are, so the app can focus and scroll to them, and plain-text / ANSI output for
//! `pyconc show`.
//!
//! Rendering reads only the lesson and the options: the app caches the result per width.
//!
//! One job per file: this one walks the blocks (headings, paragraphs, lists, quotes, code);
//! `table.rs` fits tables, `cards.rs` draws demo and quiz cards, `wrap.rs` wraps and cuts
//! styled runs, `ansi.rs` writes `pyconc show` output.

pub(crate) mod ansi;
mod cards;
mod table;
mod wrap;

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::markdown::{self, Align, Block, Inline, ListItem};
use super::{DemoRef, Highlighter, Lesson, Quiz};
use crate::theme::Theme;

pub use ansi::{to_ansi, to_plain_text};
pub use wrap::wrap;
use wrap::{clip_line, display_width, hanging_wrap, run_width, take_width};

/// Bullets for list depth 1, 2, 3 (deeper lists reuse the last).
const BULLETS: [&str; 3] = ["•", "◦", "▪"];
/// The bar in front of quoted lines.
const QUOTE_BAR: &str = "│ ";
/// The glyph that marks a code line clipped at the pane's edge.
const CLIP_GLYPH: &str = "›";

/// What to render a lesson for.
pub struct RenderOptions<'a> {
    /// The pane's width in columns.
    pub width: u16,
    /// Styles.
    pub theme: &'a Theme,
    /// Code highlighting; `None` (not loaded yet) shows code plain.
    pub highlighter: Option<&'a Highlighter>,
    /// The learner's answer to quiz `i` (index into `lesson.quizzes`), if any.
    pub answers: &'a dyn Fn(usize) -> Option<usize>,
    /// The focused interactive item (index into [`RenderedLesson::items`]).
    pub focused: Option<usize>,
}

/// A lesson laid out for one width.
#[derive(Debug, Clone, Default)]
pub struct RenderedLesson {
    /// Every line, ready to draw.
    pub lines: Vec<Line<'static>>,
    /// Demo cards and quizzes, in document order, with the lines they cover.
    pub items: Vec<ItemSpan>,
    /// Headings: (line, level, text), for navigation.
    pub headings: Vec<(usize, u8, String)>,
}

/// Where an interactive item is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemSpan {
    /// Which item.
    pub item: Item,
    /// Its first line in [`RenderedLesson::lines`].
    pub first_line: usize,
    /// Its last line (inclusive).
    pub last_line: usize,
}

/// An interactive item of a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// A demo card: index into `lesson.demos`.
    Demo(usize),
    /// A quiz: index into `lesson.quizzes`.
    Quiz(usize),
    /// An exercise card: index into `lesson.exercises`.
    Exercise(usize),
}

/// Lays `lesson` out for `opts`.
pub fn render(lesson: &Lesson, opts: &RenderOptions) -> RenderedLesson {
    let mut r = Renderer {
        lesson,
        opts,
        theme: opts.theme,
        out: RenderedLesson::default(),
        frames: Vec::new(),
        at_start: true,
        base: opts.theme.text,
        list_depth: 0,
    };
    r.blocks(&lesson.blocks);
    r.out
}

/// A styled run before it becomes a ratatui span.
type Run = (Style, String);

/// A prefix drawn in front of every line of a container (list item, quote).
struct Frame {
    first: Vec<Run>,
    rest: Vec<Run>,
    width: usize,
    used: bool,
}

struct Renderer<'a, 'o> {
    lesson: &'a Lesson,
    opts: &'a RenderOptions<'o>,
    theme: &'a Theme,
    out: RenderedLesson,
    frames: Vec<Frame>,
    /// True until the current container has drawn a line (no gap before its first block).
    at_start: bool,
    /// The style text starts from (the quote style inside quotes).
    base: Style,
    list_depth: usize,
}

impl Renderer<'_, '_> {
    fn width(&self) -> usize {
        let used: usize = self.frames.iter().map(|f| f.width).sum();
        (self.opts.width as usize).saturating_sub(used).max(1)
    }

    fn push(&mut self, runs: Vec<Run>) {
        let mut spans: Vec<Span<'static>> = Vec::new();
        for frame in &mut self.frames {
            let prefix = if frame.used {
                &frame.rest
            } else {
                &frame.first
            };
            spans.extend(prefix.iter().map(|(s, t)| Span::styled(t.clone(), *s)));
            frame.used = true;
        }
        spans.extend(
            runs.into_iter()
                .filter(|(_, t)| !t.is_empty())
                .map(|(s, t)| Span::styled(t, s)),
        );
        self.out.lines.push(Line::from(spans));
        self.at_start = false;
    }

    /// A blank line between blocks (not before the first block of a container).
    fn gap(&mut self) {
        if !self.at_start {
            self.push(Vec::new());
        }
    }

    fn with_frame(&mut self, first: Vec<Run>, rest: Vec<Run>, body: impl FnOnce(&mut Self)) {
        let width = run_width(&first).max(run_width(&rest));
        self.frames.push(Frame {
            first,
            rest,
            width,
            used: false,
        });
        self.at_start = true;
        body(self);
        self.frames.pop();
        self.at_start = false;
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, text, .. } => self.heading(*level, text),
            Block::Paragraph { text, .. } => {
                self.gap();
                let runs = self.inline_runs(text, self.base);
                for line in wrap(&runs, self.width()) {
                    self.push(line);
                }
            }
            Block::List { start, items, .. } => {
                // A list nested in a list item hangs right under the item's text.
                if self.list_depth == 0 {
                    self.gap();
                }
                self.list(*start, items);
            }
            Block::Quote { blocks, .. } => {
                self.gap();
                let bar = vec![(self.theme.quote, QUOTE_BAR.to_string())];
                let saved = self.base;
                self.base = self.base.patch(self.theme.quote);
                self.with_frame(bar.clone(), bar, |r| r.blocks(blocks));
                self.base = saved;
            }
            Block::Table {
                alignments,
                header,
                rows,
                ..
            } => {
                self.gap();
                self.table(alignments, header, rows);
            }
            Block::Rule { .. } => {
                self.gap();
                let rule = "─".repeat(self.width());
                self.push(vec![(self.theme.marker, rule)]);
            }
            Block::Code(code) => {
                self.gap();
                self.code(&code.text, &code.lang);
            }
            Block::Demo { index, .. } => {
                if let Some(demo) = self.lesson.demos.get(*index) {
                    self.gap();
                    self.demo_card(*index, demo);
                }
            }
            Block::Quiz { index, .. } => {
                if let Some(quiz) = self.lesson.quizzes.get(*index) {
                    self.gap();
                    self.quiz_card(*index, quiz);
                }
            }
            Block::Exercise { index, .. } => {
                if let Some(exercise) = self.lesson.exercises.get(*index) {
                    self.gap();
                    self.exercise_card(*index, &exercise.id);
                }
            }
        }
    }

    fn heading(&mut self, level: u8, text: &[Inline]) {
        self.gap();
        let style = self.theme.headings[(level as usize).clamp(1, 3) - 1];
        let first = self.out.lines.len();
        let runs = self.inline_runs(text, style);
        let plain: String = text.iter().map(|i| i.text.as_str()).collect();
        for line in wrap(&runs, self.width()) {
            self.push(line);
        }
        if level == 1 {
            let rule_style = style.remove_modifier(Modifier::UNDERLINED);
            let rule = "━".repeat(self.width());
            self.push(vec![(rule_style, rule)]);
        }
        self.out
            .headings
            .push((first, level, plain.replace('\n', " ")));
    }

    fn list(&mut self, start: Option<u64>, items: &[ListItem]) {
        self.list_depth += 1;
        let last_number = start.map(|s| s + items.len().saturating_sub(1) as u64);
        let number_width = last_number.map_or(0, |n| n.to_string().len() + 1);
        let bullet = BULLETS[(self.list_depth - 1).min(BULLETS.len() - 1)];
        for (i, item) in items.iter().enumerate() {
            // An item with more than one block of its own (text and code, two paragraphs)
            // is set apart from the next; nested lists do not count.
            let roomy = |item: &ListItem| {
                item.blocks
                    .iter()
                    .filter(|b| !matches!(b, Block::List { .. }))
                    .count()
                    > 1
            };
            if i > 0 && roomy(&items[i - 1]) {
                self.push(Vec::new());
            }
            let marker = match (start, item.task) {
                (_, Some(true)) => "☑".to_string(),
                (_, Some(false)) => "☐".to_string(),
                (Some(s), None) => {
                    format!("{:>w$}", format!("{}.", s + i as u64), w = number_width)
                }
                (None, None) => bullet.to_string(),
            };
            let marker = format!("{marker} ");
            let indent = " ".repeat(display_width(&marker));
            let first = vec![(self.theme.marker, marker)];
            let rest = vec![(Style::new(), indent)];
            self.with_frame(first, rest, |r| {
                if item.blocks.is_empty() {
                    r.push(Vec::new());
                }
                r.blocks(&item.blocks);
            });
        }
        self.list_depth -= 1;
    }

    fn code(&mut self, text: &str, lang: &str) {
        let theme = self.theme;
        let width = self.width();
        let highlighted = match self.opts.highlighter {
            Some(h) if theme.color && !theme.syntax_theme.is_empty() => {
                h.highlight_shared(text, lang, theme.syntax_theme)
            }
            _ => std::sync::Arc::new(
                text.lines()
                    .map(|l| vec![(Style::default(), l.to_string())])
                    .collect(),
            ),
        };
        // Without colour there is no background to set code apart: a gutter does it.
        let gutter = if theme.color {
            (theme.code, " ".to_string())
        } else {
            (theme.muted, "│ ".to_string())
        };
        let room = width.saturating_sub(display_width(&gutter.1)).max(1);
        let empty = Vec::new();
        let lines: Vec<&Vec<Run>> = if highlighted.is_empty() {
            vec![&empty]
        } else {
            highlighted.iter().collect()
        };
        for runs in lines {
            let mut out = vec![gutter.clone()];
            let total = run_width(runs);
            if total > room {
                let keep = room.saturating_sub(1);
                out.extend(
                    take_width(runs, keep)
                        .into_iter()
                        .map(|(s, t)| (theme.code.patch(s), t)),
                );
                let used = display_width(&gutter.1) + run_width(&out[1..]);
                let pad = width.saturating_sub(used + 1);
                if pad > 0 {
                    out.push((theme.code, " ".repeat(pad)));
                }
                out.push((theme.code.patch(theme.clip_marker), CLIP_GLYPH.to_string()));
            } else {
                out.extend(runs.iter().map(|(s, t)| (theme.code.patch(*s), t.clone())));
                if theme.color {
                    let pad = room - total;
                    out.push((theme.code, " ".repeat(pad)));
                }
            }
            self.push(out);
        }
    }

    /// Inline markdown -> styled runs on top of `base`.
    fn inline_runs(&self, inlines: &[Inline], base: Style) -> Vec<Run> {
        let theme = self.theme;
        inlines
            .iter()
            .map(|inline| {
                let m = inline.marks;
                let mut style = base;
                if m.emphasis {
                    style = style.patch(theme.emphasis);
                }
                if m.strong {
                    style = style.patch(theme.strong);
                }
                if m.strikethrough {
                    style = style.add_modifier(Modifier::CROSSED_OUT);
                }
                if m.link {
                    style = style.patch(theme.link);
                }
                if m.code {
                    style = style.patch(theme.inline_code);
                }
                if m.link_target {
                    style = base.patch(theme.link_target);
                }
                (style, inline.text.clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
