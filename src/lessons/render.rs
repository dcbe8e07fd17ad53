//! Lesson blocks -> styled terminal lines for one width and theme: headings by level,
//! paragraphs word-wrapped (unicode-width aware, styles kept across wraps), lists with hanging
//! indents, quotes with a bar, fitted tables, highlighted code that is clipped and never
//! wrapped, demo cards and quiz cards. Also where the interactive items (demo cards, quizzes)
//! are, so the app can focus and scroll to them, and plain-text / ANSI output for
//! `pyconc show`.
//!
//! Rendering reads only the lesson and the options: the app caches the result per width.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use super::markdown::{self, Align, Block, Inline, ListItem};
use super::{DemoRef, Highlighter, Lesson, Quiz, sanitize};
use crate::theme::Theme;

/// Bullets for list depth 1, 2, 3 (deeper lists reuse the last).
const BULLETS: [&str; 3] = ["•", "◦", "▪"];
/// The bar in front of quoted lines.
const QUOTE_BAR: &str = "│ ";
/// The glyph that marks a code line clipped at the pane's edge.
const CLIP_GLYPH: &str = "›";
/// Between table columns.
const TABLE_SEPARATOR: &str = " │ ";
/// Below a table's header.
const TABLE_HEADER_CROSS: &str = "─┼─";
/// A table column narrower than this is truncated with '…' instead of wrapped.
const TABLE_MIN_WRAP_COLUMNS: usize = 4;
/// Narrower than this, cards are drawn without a frame.
const CARD_MIN_WIDTH: usize = 12;
/// Quiz option labels.
const OPTION_LABELS: &str = "abcdefghijklmnopqrstuvwxyz";

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

    fn table(&mut self, alignments: &[Align], header: &[Vec<Inline>], rows: &[Vec<Vec<Inline>>]) {
        let theme = self.theme;
        let columns = rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(header.len()))
            .max()
            .unwrap_or(0);
        if columns == 0 {
            return;
        }
        let header_runs: Vec<Vec<Run>> = (0..columns)
            .map(|c| {
                header
                    .get(c)
                    .map(|cell| self.inline_runs(cell, theme.table_header))
                    .unwrap_or_default()
            })
            .collect();
        let row_runs: Vec<Vec<Vec<Run>>> = rows
            .iter()
            .map(|row| {
                (0..columns)
                    .map(|c| {
                        row.get(c)
                            .map(|cell| self.inline_runs(cell, self.base))
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        let natural: Vec<usize> = (0..columns)
            .map(|c| {
                std::iter::once(&header_runs[c])
                    .chain(row_runs.iter().map(|r| &r[c]))
                    .map(|cell| run_width(cell))
                    .max()
                    .unwrap_or(0)
                    .max(1)
            })
            .collect();
        let width = self.width();
        let separators = display_width(TABLE_SEPARATOR) * (columns - 1);
        let room = width.saturating_sub(separators);
        let widths = fit_columns(&natural, room.max(columns));
        let truncate = widths
            .iter()
            .zip(&natural)
            .any(|(w, n)| w < n && *w < TABLE_MIN_WRAP_COLUMNS);
        let align = |c: usize| alignments.get(c).copied().unwrap_or_default();

        let draw_row = |r: &mut Self, cells: &[Vec<Run>]| {
            let wrapped: Vec<Vec<Vec<Run>>> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, w)| {
                    if truncate {
                        vec![truncate_runs(cell, *w)]
                    } else {
                        wrap(cell, *w)
                    }
                })
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            for line_no in 0..height {
                let mut out: Vec<Run> = Vec::new();
                for (c, lines) in wrapped.iter().enumerate() {
                    if c > 0 {
                        out.push((theme.marker, TABLE_SEPARATOR.to_string()));
                    }
                    let line = lines.get(line_no).cloned().unwrap_or_default();
                    let pad = widths[c].saturating_sub(run_width(&line));
                    let (left, right) = match align(c) {
                        Align::Left => (0, pad),
                        Align::Right => (pad, 0),
                        Align::Center => (pad / 2, pad - pad / 2),
                    };
                    let last = c + 1 == columns;
                    if left > 0 {
                        out.push((Style::new(), " ".repeat(left)));
                    }
                    out.extend(line);
                    if right > 0 && !last {
                        out.push((Style::new(), " ".repeat(right)));
                    }
                }
                r.push(clip_line(out, r.width()));
            }
        };
        draw_row(self, &header_runs);
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        let rule = rule.join(TABLE_HEADER_CROSS);
        let rule = clip_line(vec![(theme.marker, rule)], self.width());
        self.push(rule);
        for row in &row_runs {
            draw_row(self, row);
        }
    }

    fn demo_card(&mut self, index: usize, demo: &DemoRef) {
        let theme = self.theme;
        let item_index = self.out.items.len();
        let focused = self.opts.focused == Some(item_index);
        let border = if focused {
            theme.card_focused
        } else {
            theme.card
        };
        let mut title: Vec<Run> = vec![
            (
                border.add_modifier(Modifier::BOLD),
                "▶ live demo: ".to_string(),
            ),
            (
                theme.accent.add_modifier(Modifier::BOLD),
                demo.engine.clone(),
            ),
        ];
        if !demo.args.is_empty() {
            let args: Vec<String> = demo.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
            title.push((theme.muted, format!("  {}", args.join(" "))));
        }
        let mut content = vec![CardPart::Wrapped(title)];
        if !demo.caption.is_empty() {
            let caption = markdown::inline_spans(&demo.caption);
            content.push(CardPart::Wrapped(self.inline_runs(&caption, self.base)));
        }
        let hint_style = if focused { theme.key } else { theme.muted };
        content.push(CardPart::Wrapped(vec![(
            hint_style,
            "press Enter to run".to_string(),
        )]));
        self.card(Item::Demo(index), border, content);
    }

    /// A card like a demo card: the exercise's id and how to open it.
    fn exercise_card(&mut self, index: usize, id: &str) {
        let theme = self.theme;
        let focused = self.opts.focused == Some(self.out.items.len());
        let border = if focused {
            theme.card_focused
        } else {
            theme.card
        };
        let title = vec![
            (
                border.add_modifier(Modifier::BOLD),
                "✎ exercise: ".to_string(),
            ),
            (theme.accent.add_modifier(Modifier::BOLD), id.to_string()),
        ];
        let hint = if focused { theme.key } else { theme.muted };
        let content = vec![
            CardPart::Wrapped(title),
            CardPart::Wrapped(vec![(
                hint,
                "press Enter to write it; pyconc grades each save".to_string(),
            )]),
        ];
        self.card(Item::Exercise(index), border, content);
    }

    fn quiz_card(&mut self, index: usize, quiz: &Quiz) {
        let theme = self.theme;
        let item_index = self.out.items.len();
        let focused = self.opts.focused == Some(item_index);
        let border = if focused {
            theme.card_focused
        } else {
            theme.card
        };
        let answer = (self.opts.answers)(index).filter(|k| *k < quiz.options.len());
        let mut content = Vec::new();
        let mut question = vec![(border.add_modifier(Modifier::BOLD), "? ".to_string())];
        let spans = markdown::inline_spans(&quiz.question);
        question.extend(self.inline_runs(&spans, theme.strong));
        content.push(CardPart::Hanging(question, 2));
        content.push(CardPart::Blank);
        for (k, option) in quiz.options.iter().enumerate() {
            let label = OPTION_LABELS.chars().nth(k).unwrap_or('?');
            let label_style = if focused && answer.is_none() {
                theme.key
            } else {
                theme.marker
            };
            let mut runs: Vec<Run> = vec![(label_style, format!("{label}) "))];
            let mut text_style = self.base;
            if let Some(chosen) = answer {
                let (mark, style) = if option.correct {
                    ("✓ ", theme.good)
                } else if k == chosen {
                    ("✗ ", theme.bad)
                } else {
                    ("  ", theme.muted)
                };
                runs.push((style, mark.to_string()));
                if option.correct {
                    text_style = text_style.patch(theme.good);
                } else if k == chosen {
                    text_style = text_style.patch(theme.bad);
                } else {
                    text_style = text_style.patch(theme.muted);
                }
            }
            let hang = run_width(&runs);
            let spans = markdown::inline_spans(&option.text);
            runs.extend(self.inline_runs(&spans, text_style));
            if answer == Some(k) {
                runs.push((theme.muted, "  ← your answer".to_string()));
            }
            content.push(CardPart::Hanging(runs, hang));
        }
        content.push(CardPart::Blank);
        match answer {
            None => {
                if focused {
                    let last = OPTION_LABELS
                        .chars()
                        .nth(quiz.options.len().saturating_sub(1))
                        .unwrap_or('?');
                    content.push(CardPart::Wrapped(vec![(
                        theme.key,
                        format!("press a-{last} to answer"),
                    )]));
                } else {
                    content.pop();
                }
            }
            Some(chosen) => {
                let verdict = if quiz.is_correct(chosen) {
                    (theme.good, "✓ right.".to_string())
                } else {
                    let right: Vec<String> = quiz
                        .options
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| o.correct)
                        .map(|(k, _)| format!("{})", OPTION_LABELS.chars().nth(k).unwrap_or('?')))
                        .collect();
                    (
                        theme.bad,
                        format!("✗ not quite: the answer is {}.", right.join(" and ")),
                    )
                };
                content.push(CardPart::Wrapped(vec![verdict]));
                let mut why = vec![(theme.strong, "Why: ".to_string())];
                let spans = markdown::inline_spans(&quiz.why);
                why.extend(self.inline_runs(&spans, self.base));
                content.push(CardPart::Wrapped(why));
            }
        }
        self.card(Item::Quiz(index), border, content);
    }

    /// Draws a framed card and records it as an interactive item.
    fn card(&mut self, item: Item, border: Style, content: Vec<CardPart>) {
        let first_line = self.out.lines.len();
        let width = self.width();
        let framed = width >= CARD_MIN_WIDTH;
        let inner = if framed { width - 4 } else { width };
        if framed {
            self.push(vec![(border, format!("╭{}╮", "─".repeat(width - 2)))]);
        }
        for part in content {
            let lines = match part {
                CardPart::Blank => vec![Vec::new()],
                CardPart::Wrapped(runs) => wrap(&runs, inner),
                CardPart::Hanging(runs, hang) => hanging_wrap(&runs, inner, hang),
            };
            for line in lines {
                if framed {
                    let pad = inner.saturating_sub(run_width(&line));
                    let mut out = vec![(border, "│ ".to_string())];
                    out.extend(line);
                    out.push((Style::new(), " ".repeat(pad)));
                    out.push((border, " │".to_string()));
                    self.push(out);
                } else {
                    self.push(line);
                }
            }
        }
        if framed {
            self.push(vec![(border, format!("╰{}╯", "─".repeat(width - 2)))]);
        }
        let last_line = self.out.lines.len().saturating_sub(1).max(first_line);
        self.out.items.push(ItemSpan {
            item,
            first_line,
            last_line,
        });
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

/// One part of a card's content.
enum CardPart {
    Blank,
    Wrapped(Vec<Run>),
    /// Wrapped with continuation lines indented by this many columns.
    Hanging(Vec<Run>, usize),
}

fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

fn run_width(runs: &[Run]) -> usize {
    runs.iter().map(|(_, t)| display_width(t)).sum()
}

/// Appends `text` in `style` to `line`, merging with the last run when the style matches.
fn append(line: &mut Vec<Run>, style: Style, text: &str) {
    if text.is_empty() {
        return;
    }
    match line.last_mut() {
        Some((s, t)) if *s == style => t.push_str(text),
        _ => line.push((style, text.to_string())),
    }
}

/// A piece of inline text for wrapping.
enum Token {
    /// Non-space text that may not be split (one word may span several styles).
    Word(Vec<Run>, usize),
    /// Spaces between words.
    Space(Style, usize),
    /// A hard line break.
    Break,
}

fn tokenize(runs: &[Run]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word: Vec<Run> = Vec::new();
    let mut word_width = 0;
    let flush = |tokens: &mut Vec<Token>, word: &mut Vec<Run>, width: &mut usize| {
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(word), *width));
            *width = 0;
        }
    };
    for (style, text) in runs {
        if text == "\n" {
            flush(&mut tokens, &mut word, &mut word_width);
            tokens.push(Token::Break);
            continue;
        }
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if c == ' ' || c == '\n' {
                if start < i {
                    append(&mut word, *style, &text[start..i]);
                }
                flush(&mut tokens, &mut word, &mut word_width);
                if c == '\n' {
                    tokens.push(Token::Break);
                } else {
                    match tokens.last_mut() {
                        Some(Token::Space(_, n)) => *n += 1,
                        _ => tokens.push(Token::Space(*style, 1)),
                    }
                }
                start = i + c.len_utf8();
            } else {
                word_width += char_width(c);
            }
        }
        if start < text.len() {
            append(&mut word, *style, &text[start..]);
        }
    }
    flush(&mut tokens, &mut word, &mut word_width);
    tokens
}

/// Word-wraps styled runs to `width` columns; styles are kept across line breaks, spaces at
/// line ends are dropped, and words longer than a line are split.
pub fn wrap(runs: &[Run], width: usize) -> Vec<Vec<Run>> {
    hanging_wrap(runs, width, 0)
}

/// Like [`wrap`], with every line after the first indented by `hang` columns.
fn hanging_wrap(runs: &[Run], width: usize, hang: usize) -> Vec<Vec<Run>> {
    let width = width.max(1);
    let hang = if hang * 2 > width { 0 } else { hang };
    let mut lines: Vec<Vec<Run>> = Vec::new();
    let mut line: Vec<Run> = Vec::new();
    let mut line_width = 0;
    let mut space: Option<(Style, usize)> = None;
    let new_line = |lines: &mut Vec<Vec<Run>>, line: &mut Vec<Run>, line_width: &mut usize| {
        lines.push(std::mem::take(line));
        *line_width = 0;
        if hang > 0 {
            line.push((Style::new(), " ".repeat(hang)));
            *line_width = hang;
        }
    };
    let line_start = |lines: &Vec<Vec<Run>>| if lines.is_empty() { 0 } else { hang };
    for token in tokenize(runs) {
        match token {
            Token::Break => {
                new_line(&mut lines, &mut line, &mut line_width);
                space = None;
            }
            Token::Space(style, n) => {
                if line_width > line_start(&lines) {
                    space = Some((style, n));
                }
            }
            Token::Word(pieces, w) => {
                let gap = space.take().filter(|_| line_width > line_start(&lines));
                let gap_width = gap.map_or(0, |(_, n)| n);
                if line_width + gap_width + w <= width {
                    if let Some((style, n)) = gap {
                        append(&mut line, style, &" ".repeat(n));
                    }
                    for (s, t) in pieces {
                        append(&mut line, s, &t);
                    }
                    line_width += gap_width + w;
                    continue;
                }
                if line_width > line_start(&lines) {
                    new_line(&mut lines, &mut line, &mut line_width);
                }
                if line_width + w <= width {
                    for (s, t) in pieces {
                        append(&mut line, s, &t);
                    }
                    line_width += w;
                    continue;
                }
                // A word wider than the line: split it wherever the line is full.
                for (s, t) in pieces {
                    for c in t.chars() {
                        let cw = char_width(c);
                        if line_width + cw > width && line_width > line_start(&lines) {
                            new_line(&mut lines, &mut line, &mut line_width);
                        }
                        let mut buf = [0u8; 4];
                        append(&mut line, s, c.encode_utf8(&mut buf));
                        line_width += cw;
                    }
                }
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    // A trailing hang-only line (from a final break) carries nothing.
    if hang > 0 && lines.len() > 1 && lines.last().is_some_and(|l| run_width(l) == hang) {
        lines.pop();
    }
    lines
}

/// The leading runs of `runs` that fit in `width` columns.
fn take_width(runs: &[Run], width: usize) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut used = 0;
    for (style, text) in runs {
        let mut piece = String::new();
        for c in text.chars() {
            let cw = char_width(c);
            if used + cw > width {
                append(&mut out, *style, &piece);
                return out;
            }
            used += cw;
            piece.push(c);
        }
        append(&mut out, *style, &piece);
    }
    out
}

/// Text that fits in `width` columns, ending in '…' if it was cut.
fn truncate_runs(runs: &[Run], width: usize) -> Vec<Run> {
    let flat: Vec<Run> = runs
        .iter()
        .map(|(s, t)| (*s, t.replace('\n', " ")))
        .collect();
    if run_width(&flat) <= width {
        return flat;
    }
    let mut out = take_width(&flat, width.saturating_sub(1));
    let style = out.last().map_or(Style::new(), |(s, _)| *s);
    append(&mut out, style, "…");
    out
}

/// Cuts a line that would overflow `width` (only very narrow tables do), marking the cut.
fn clip_line(runs: Vec<Run>, width: usize) -> Vec<Run> {
    if run_width(&runs) <= width {
        runs
    } else {
        truncate_runs(&runs, width)
    }
}

/// Column widths for a table: each column gets its natural width if all fit in `room`,
/// else narrow columns keep theirs and wide ones share what is left evenly.
fn fit_columns(natural: &[usize], room: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= room {
        return natural.to_vec();
    }
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by_key(|&c| natural[c]);
    let mut widths = vec![0; natural.len()];
    let mut left = room;
    let mut columns_left = natural.len();
    for c in order {
        let share = (left / columns_left).max(1);
        let w = natural[c].min(share);
        widths[c] = w;
        left = left.saturating_sub(w);
        columns_left -= 1;
    }
    widths
}

/// A rendered lesson as plain text (no styles, no escape codes), for `pyconc show` when
/// stdout is not a terminal. Trailing spaces are trimmed.
pub fn to_plain_text(lines: &[Line]) -> String {
    let mut out = String::new();
    for line in lines {
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        out.push_str(sanitize::sanitize_line(&text).trim_end());
        out.push('\n');
    }
    out
}

/// A rendered lesson with ANSI SGR styles, for `pyconc show` on a terminal. Only colour and
/// attribute codes are written; the text itself is sanitised again on the way out.
pub fn to_ansi(lines: &[Line]) -> String {
    let mut out = String::new();
    for line in lines {
        for span in &line.spans {
            let style = line.style.patch(span.style);
            let text = sanitize::sanitize_line(&span.content);
            let codes = sgr_codes(style);
            if codes.is_empty() {
                out.push_str(&text);
            } else {
                out.push_str(&format!("\x1b[{codes}m{text}\x1b[0m"));
            }
        }
        out.push('\n');
    }
    out
}

fn sgr_codes(style: Style) -> String {
    let mut codes: Vec<String> = Vec::new();
    let m = style.add_modifier;
    for (modifier, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::REVERSED, "7"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if m.contains(modifier) {
            codes.push(code.to_string());
        }
    }
    if let Some(fg) = style.fg {
        codes.push(color_code(fg, false));
    }
    if let Some(bg) = style.bg {
        codes.push(color_code(bg, true));
    }
    codes.retain(|c| !c.is_empty());
    codes.join(";")
}

fn color_code(color: Color, background: bool) -> String {
    let base = |n: u8| (if background { n + 10 } else { n }).to_string();
    let (rgb, indexed) = if background {
        ("48;2", "48;5")
    } else {
        ("38;2", "38;5")
    };
    match color {
        Color::Reset => base(39),
        Color::Black => base(30),
        Color::Red => base(31),
        Color::Green => base(32),
        Color::Yellow => base(33),
        Color::Blue => base(34),
        Color::Magenta => base(35),
        Color::Cyan => base(36),
        Color::Gray => base(37),
        Color::DarkGray => base(90),
        Color::LightRed => base(91),
        Color::LightGreen => base(92),
        Color::LightYellow => base(93),
        Color::LightBlue => base(94),
        Color::LightMagenta => base(95),
        Color::LightCyan => base(96),
        Color::White => base(97),
        Color::Rgb(r, g, b) => format!("{rgb};{r};{g};{b}"),
        Color::Indexed(i) => format!("{indexed};{i}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Run {
        (Style::new(), text.to_string())
    }

    fn texts(lines: &[Vec<Run>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|(_, t)| t.as_str()).collect())
            .collect()
    }

    #[test]
    fn wrap_cases() {
        let cases: &[(&str, usize, &[&str])] = &[
            ("the quick brown fox", 9, &["the quick", "brown fox"]),
            ("the quick brown fox", 100, &["the quick brown fox"]),
            ("abcdefghij", 4, &["abcd", "efgh", "ij"]),
            ("a  b", 10, &["a  b"]),
            ("line\nbreak", 20, &["line", "break"]),
            ("", 10, &[""]),
            ("並行処理 です", 6, &["並行処", "理", "です"]),
            ("並行 処理", 5, &["並行", "処理"]),
        ];
        for (text, width, expected) in cases {
            let got = texts(&wrap(&[s(text)], *width));
            assert_eq!(&got, expected, "{text:?} at {width}");
            for line in &got {
                assert!(display_width(line) <= *width, "{line:?} wider than {width}");
            }
        }
    }

    #[test]
    fn wrapping_keeps_styles_across_lines() {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let runs = vec![
            s("plain then "),
            (bold, "bold words that wrap".to_string()),
            s(" end"),
        ];
        let lines = wrap(&runs, 12);
        assert_eq!(
            texts(&lines),
            vec!["plain then", "bold words", "that wrap", "end"]
        );
        assert_eq!(lines[1], vec![(bold, "bold words".to_string())]);
        assert_eq!(lines[2], vec![(bold, "that wrap".to_string())]);
        assert_eq!(lines[3], vec![(Style::new(), "end".to_string())]);
    }

    #[test]
    fn hanging_indent() {
        let lines = hanging_wrap(&[s("a) one two three four")], 10, 3);
        assert_eq!(texts(&lines), vec!["a) one two", "   three", "   four"]);
    }

    #[test]
    fn columns_fit() {
        assert_eq!(fit_columns(&[3, 4], 10), vec![3, 4]);
        assert_eq!(fit_columns(&[3, 40, 40], 30), vec![3, 13, 14]);
        assert!(fit_columns(&[10, 10, 10], 6).iter().sum::<usize>() <= 6);
    }

    #[test]
    fn ansi_and_plain_output() {
        let line = Line::from(vec![
            Span::styled(
                "red",
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ),
            Span::raw(" plain \u{1b}[2J  "),
        ]);
        assert_eq!(
            to_plain_text(std::slice::from_ref(&line)),
            "red plain ␛[2J\n"
        );
        let ansi = to_ansi(&[line]);
        assert!(ansi.starts_with("\x1b[1;31mred\x1b[0m"), "{ansi:?}");
        assert_eq!(ansi.matches('\x1b').count(), 2, "{ansi:?}");
    }
}
