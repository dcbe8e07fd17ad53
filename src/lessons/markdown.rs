//! Markdown -> our own block tree. pulldown-cmark's events become [`Block`]s that keep the
//! source line of everything a check or an error may point at; the special fenced blocks
//! (` ```python run `, ` ```demo ENGINE k=v `, ` ```quiz `) are recognised here, so the
//! renderer and the validator never look at raw events or info strings.
//!
//! The input is already sanitised (see [`super::sanitize`]).

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{DemoRef, ExerciseRef, Quiz, QuizOption};

/// How a run of inline text is marked up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Marks {
    /// `*emphasis*`.
    pub emphasis: bool,
    /// `**strong**`.
    pub strong: bool,
    /// `~~struck~~`.
    pub strikethrough: bool,
    /// `` `inline code` ``.
    pub code: bool,
    /// The text of a link.
    pub link: bool,
    /// A link's target, shown after its text as ` (target)`.
    pub link_target: bool,
}

/// A run of inline text with one set of marks. The text `"\n"` alone is a hard line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inline {
    /// The text (one line; never contains a newline except for a hard break).
    pub text: String,
    /// How it is marked up.
    pub marks: Marks,
}

impl Inline {
    /// True if this run is a hard line break.
    pub fn is_break(&self) -> bool {
        self.text == "\n"
    }
}

/// The horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// One item of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// `Some(done)` for a GFM task item (`- [ ]` / `- [x]`).
    pub task: Option<bool>,
    /// The item's content.
    pub blocks: Vec<Block>,
}

/// A fenced or indented code block.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeBlock {
    /// The language word of the info string, lower case (`python`), empty if none.
    pub lang: String,
    /// ` ```python run `: the test suite executes it.
    pub run: bool,
    /// ` ```python requires=3.13 `: the minimum Python (major, minor) it needs.
    pub requires: Option<(u32, u32)>,
    /// The code, without the final newline.
    pub text: String,
    /// The line of the opening fence (1-based).
    pub line: usize,
    /// The line of the first line of code.
    pub first_code_line: usize,
}

/// One block of a lesson, with its source line (1-based).
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `#` .. `######`.
    Heading {
        level: u8,
        text: Vec<Inline>,
        line: usize,
    },
    /// Running text.
    Paragraph { text: Vec<Inline>, line: usize },
    /// A bulleted (`start: None`) or numbered list.
    List {
        start: Option<u64>,
        items: Vec<ListItem>,
        line: usize,
    },
    /// `> quoted` blocks.
    Quote { blocks: Vec<Block>, line: usize },
    /// A GFM table: one header row, then body rows; each cell is inline text.
    Table {
        alignments: Vec<Align>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        line: usize,
    },
    /// `---` between paragraphs.
    Rule { line: usize },
    /// Code, shown highlighted and never wrapped.
    Code(CodeBlock),
    /// A ` ```demo ` card: index into the lesson's demos.
    Demo { index: usize, line: usize },
    /// A ` ```quiz ` question: index into the lesson's quizzes.
    Quiz { index: usize, line: usize },
    /// A ` ```exercise ID ` card: index into the lesson's exercises.
    Exercise { index: usize, line: usize },
}

impl Block {
    /// The source line this block starts on.
    pub fn line(&self) -> usize {
        match self {
            Block::Heading { line, .. }
            | Block::Paragraph { line, .. }
            | Block::List { line, .. }
            | Block::Quote { line, .. }
            | Block::Table { line, .. }
            | Block::Rule { line }
            | Block::Demo { line, .. }
            | Block::Quiz { line, .. }
            | Block::Exercise { line, .. } => *line,
            Block::Code(code) => code.line,
        }
    }
}

/// The YAML front matter's text and the file line its first line is on.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatterText {
    /// The YAML between the `---` lines.
    pub yaml: String,
    /// The line of the YAML's first line (the line after the opening `---`).
    pub first_line: usize,
}

/// Everything read from one markdown file.
#[derive(Debug, Default)]
pub struct ParsedMarkdown {
    /// The front matter, if the file opens with one.
    pub front_matter: Option<FrontMatterText>,
    /// The body.
    pub blocks: Vec<Block>,
    /// Demo blocks, in document order.
    pub demos: Vec<DemoRef>,
    /// Well-formed quiz blocks, in document order.
    pub quizzes: Vec<Quiz>,
    /// Exercise cards, in document order.
    pub exercises: Vec<ExerciseRef>,
    /// Problems found while reading: (line, message).
    pub problems: Vec<(usize, String)>,
}

/// The pulldown-cmark extensions lessons use.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Parses a (sanitised) lesson file.
pub fn parse(text: &str) -> ParsedMarkdown {
    let events: Vec<(Event<'_>, std::ops::Range<usize>)> = Parser::new_ext(text, options())
        .into_offset_iter()
        .collect();
    let mut reader = Reader {
        events,
        pos: 0,
        lines: LineIndex::new(text),
        inline: InlineState::default(),
        out: ParsedMarkdown::default(),
    };
    let blocks = reader.blocks(None);
    reader.out.blocks = blocks;
    reader.out
}

/// Parses a short piece of inline markdown (a quiz question or option, a demo caption) into
/// inline runs. Paragraphs are joined with hard breaks.
pub fn inline_spans(text: &str) -> Vec<Inline> {
    let events: Vec<_> = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH)
        .into_offset_iter()
        .collect();
    let mut reader = Reader {
        events,
        pos: 0,
        lines: LineIndex::new(text),
        inline: InlineState::default(),
        out: ParsedMarkdown::default(),
    };
    let blocks = reader.blocks(None);
    let mut spans = Vec::new();
    flatten_inlines(&blocks, &mut spans);
    spans
}

fn flatten_inlines(blocks: &[Block], spans: &mut Vec<Inline>) {
    for block in blocks {
        let start = spans.len();
        match block {
            Block::Heading { text, .. } | Block::Paragraph { text, .. } => {
                if start > 0 {
                    spans.push(hard_break());
                }
                spans.extend(text.iter().cloned());
            }
            Block::List { items, .. } => {
                for item in items {
                    flatten_inlines(&item.blocks, spans);
                }
            }
            Block::Quote { blocks, .. } => flatten_inlines(blocks, spans),
            Block::Code(code) => {
                if start > 0 {
                    spans.push(hard_break());
                }
                spans.push(Inline {
                    text: code.text.replace('\n', " "),
                    marks: Marks {
                        code: true,
                        ..Marks::default()
                    },
                });
            }
            _ => {}
        }
    }
}

fn hard_break() -> Inline {
    Inline {
        text: "\n".to_string(),
        marks: Marks::default(),
    }
}

/// Byte offset -> 1-based line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }
}

/// Open inline markup while reading a run of inline events.
#[derive(Default)]
struct InlineState {
    emphasis: u32,
    strong: u32,
    strikethrough: u32,
    /// Open links: their target and the text read so far.
    links: Vec<(String, String)>,
}

impl InlineState {
    fn marks(&self) -> Marks {
        Marks {
            emphasis: self.emphasis > 0,
            strong: self.strong > 0,
            strikethrough: self.strikethrough > 0,
            link: !self.links.is_empty(),
            ..Marks::default()
        }
    }
}

struct Reader<'a> {
    events: Vec<(Event<'a>, std::ops::Range<usize>)>,
    pos: usize,
    lines: LineIndex,
    inline: InlineState,
    out: ParsedMarkdown,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Option<(Event<'a>, usize)> {
        let (event, range) = self.events.get(self.pos)?.clone();
        self.pos += 1;
        Some((event, self.lines.line_of(range.start)))
    }

    fn problem(&mut self, line: usize, message: impl Into<String>) {
        self.out.problems.push((line, message.into()));
    }

    /// Reads blocks until the end tag `until` (or the end of the input).
    fn blocks(&mut self, until: Option<TagEnd>) -> Vec<Block> {
        let mut blocks = Vec::new();
        // Inline content outside a paragraph (tight list items).
        let mut loose: Vec<Inline> = Vec::new();
        let mut loose_line = 0;
        while let Some((event, line)) = self.next() {
            if let Event::End(end) = &event
                && Some(*end) == until
            {
                break;
            }
            if self.inline_event(&event, &mut loose) {
                if loose_line == 0 {
                    loose_line = line;
                }
                continue;
            }
            let block_starts = matches!(event, Event::Start(_) | Event::Rule);
            if block_starts && !loose.is_empty() {
                blocks.push(Block::Paragraph {
                    text: std::mem::take(&mut loose),
                    line: loose_line,
                });
                loose_line = 0;
            }
            match event {
                Event::Start(Tag::Paragraph) => {
                    let text = self.inlines(TagEnd::Paragraph);
                    if !text.is_empty() {
                        blocks.push(Block::Paragraph { text, line });
                    }
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    let text = self.inlines(TagEnd::Heading(level));
                    blocks.push(Block::Heading {
                        level: heading_level(level),
                        text,
                        line,
                    });
                }
                Event::Start(Tag::BlockQuote(kind)) => {
                    let inner = self.blocks(Some(TagEnd::BlockQuote(kind)));
                    blocks.push(Block::Quote {
                        blocks: inner,
                        line,
                    });
                }
                Event::Start(Tag::List(start)) => {
                    let items = self.list_items(start.is_some());
                    blocks.push(Block::List { start, items, line });
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    if let Some(block) = self.code_block(kind, line) {
                        blocks.push(block);
                    }
                }
                Event::Start(Tag::Table(alignments)) => {
                    blocks.push(self.table(alignments, line));
                }
                Event::Start(Tag::HtmlBlock) => {
                    let html = self.raw_text(TagEnd::HtmlBlock);
                    let trimmed = html.trim();
                    // HTML comments are authors' notes; anything else is shown as written.
                    if !(trimmed.starts_with("<!--") && trimmed.ends_with("-->")) {
                        blocks.push(Block::Code(CodeBlock {
                            lang: String::new(),
                            run: false,
                            requires: None,
                            text: html.trim_end_matches('\n').to_string(),
                            line,
                            first_code_line: line,
                        }));
                    }
                }
                Event::Start(Tag::MetadataBlock(kind)) => {
                    let yaml = self.raw_text(TagEnd::MetadataBlock(kind));
                    if line == 1 && self.out.front_matter.is_none() {
                        self.out.front_matter = Some(FrontMatterText {
                            yaml,
                            first_line: line + 1,
                        });
                    } else {
                        self.problem(
                            line,
                            "a `---` line followed by text and a closing `---` reads as a second \
                             front matter block; put a blank line after a `---` rule, or use `***`",
                        );
                    }
                }
                Event::Start(Tag::FootnoteDefinition(_)) => {
                    let inner = self.blocks(Some(TagEnd::FootnoteDefinition));
                    blocks.extend(inner);
                }
                Event::Start(other) => {
                    // Containers we do not style: keep their content.
                    let end = other.to_end();
                    let inner = self.blocks(Some(end));
                    blocks.extend(inner);
                }
                Event::Rule => blocks.push(Block::Rule { line }),
                _ => {}
            }
        }
        if !loose.is_empty() {
            blocks.push(Block::Paragraph {
                text: loose,
                line: loose_line,
            });
        }
        blocks
    }

    /// Handles one inline event into `spans`; false if `event` is not inline.
    fn inline_event(&mut self, event: &Event<'a>, spans: &mut Vec<Inline>) -> bool {
        let marks = self.inline.marks();
        let mut push = |text: &str, marks: Marks, links: &mut Vec<(String, String)>| {
            // Entity references (`&#27;`) decode to control characters after the file was
            // sanitised: clean again what the parser produced.
            let cleaned;
            let text = if text == "\n" || super::sanitize::is_clean(text) {
                text
            } else {
                cleaned = super::sanitize::sanitize_line(text);
                cleaned.as_str()
            };
            for (_, link_text) in links.iter_mut() {
                link_text.push_str(text);
            }
            if let Some(last) = spans.last_mut()
                && last.marks == marks
                && !last.is_break()
                && text
                    != "
"
            {
                last.text.push_str(text);
                return;
            }
            spans.push(Inline {
                text: text.to_string(),
                marks,
            });
        };
        match event {
            Event::Text(text) => push(text, marks, &mut self.inline.links),
            Event::Code(text) => push(
                text,
                Marks {
                    code: true,
                    ..marks
                },
                &mut self.inline.links,
            ),
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                push(text, marks, &mut self.inline.links)
            }
            Event::InlineHtml(html) => {
                if !html.starts_with("<!--") {
                    push(html, marks, &mut self.inline.links);
                }
            }
            Event::FootnoteReference(name) => {
                push(&format!("[{name}]"), marks, &mut self.inline.links)
            }
            Event::SoftBreak => push(" ", marks, &mut self.inline.links),
            Event::HardBreak => push("\n", Marks::default(), &mut self.inline.links),
            Event::TaskListMarker(done) => {
                let mark = if *done { "☑ " } else { "☐ " };
                push(mark, marks, &mut self.inline.links);
            }
            Event::Start(Tag::Emphasis) => self.inline.emphasis += 1,
            Event::End(TagEnd::Emphasis) => {
                self.inline.emphasis = self.inline.emphasis.saturating_sub(1)
            }
            Event::Start(Tag::Strong) => self.inline.strong += 1,
            Event::End(TagEnd::Strong) => self.inline.strong = self.inline.strong.saturating_sub(1),
            Event::Start(Tag::Strikethrough) => self.inline.strikethrough += 1,
            Event::End(TagEnd::Strikethrough) => {
                self.inline.strikethrough = self.inline.strikethrough.saturating_sub(1)
            }
            Event::Start(Tag::Superscript | Tag::Subscript) => {}
            Event::End(TagEnd::Superscript | TagEnd::Subscript) => {}
            Event::Start(Tag::Link { dest_url, .. }) => {
                let target = super::sanitize::sanitize_line(dest_url);
                self.inline.links.push((target, String::new()));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                push("[image: ", marks, &mut self.inline.links);
                let target = super::sanitize::sanitize_line(dest_url);
                self.inline.links.push((target, String::new()));
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                if *end == TagEnd::Image {
                    push("]", marks, &mut self.inline.links);
                }
                if let Some((target, text)) = self.inline.links.pop() {
                    // Autolinks (`<https://...>`) already show their target; `#anchors`
                    // mean nothing in a terminal.
                    let shown_already = text.trim() == target || target.starts_with("mailto:");
                    if !target.is_empty() && !shown_already && !target.starts_with('#') {
                        let marks = Marks {
                            link_target: true,
                            ..Marks::default()
                        };
                        push(&format!(" ({target})"), marks, &mut self.inline.links);
                    }
                }
            }
            _ => return false,
        }
        true
    }

    /// Reads inline events up to `end`.
    fn inlines(&mut self, end: TagEnd) -> Vec<Inline> {
        let mut spans = Vec::new();
        while let Some((event, _)) = self.next() {
            if event == Event::End(end) {
                break;
            }
            if !self.inline_event(&event, &mut spans) {
                // A block inside inline content cannot happen in CommonMark; skip it.
                continue;
            }
        }
        // Trim trailing soft-break spaces.
        if let Some(last) = spans.last_mut() {
            let trimmed = last.text.trim_end_matches(' ').len();
            last.text.truncate(trimmed);
            if last.text.is_empty() {
                spans.pop();
            }
        }
        spans
    }

    /// Reads the items of a list (after its start tag).
    fn list_items(&mut self, ordered: bool) -> Vec<ListItem> {
        let mut items = Vec::new();
        while let Some((event, _)) = self.next() {
            match event {
                Event::End(TagEnd::List(o)) if o == ordered => break,
                Event::Start(Tag::Item) => {
                    // A task marker is the item's first event.
                    let task = match self.events.get(self.pos) {
                        Some((Event::TaskListMarker(done), _)) => {
                            let done = *done;
                            self.pos += 1;
                            Some(done)
                        }
                        _ => None,
                    };
                    let blocks = self.blocks(Some(TagEnd::Item));
                    items.push(ListItem { task, blocks });
                }
                _ => {}
            }
        }
        items
    }

    /// Concatenated text up to `end` (code, HTML, metadata).
    fn raw_text(&mut self, end: TagEnd) -> String {
        let mut text = String::new();
        while let Some((event, _)) = self.next() {
            match event {
                Event::End(e) if e == end => break,
                Event::Text(t) | Event::Html(t) | Event::Code(t) => {
                    if super::sanitize::is_clean(&t.replace('\n', "")) {
                        text.push_str(&t);
                    } else {
                        text.push_str(&super::sanitize::sanitize(&t));
                    }
                }
                _ => {}
            }
        }
        text
    }

    fn table(&mut self, alignments: Vec<Alignment>, line: usize) -> Block {
        let alignments = alignments
            .into_iter()
            .map(|a| match a {
                Alignment::Center => Align::Center,
                Alignment::Right => Align::Right,
                Alignment::Left | Alignment::None => Align::Left,
            })
            .collect();
        let mut header = Vec::new();
        let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
        let mut in_head = false;
        while let Some((event, _)) = self.next() {
            match event {
                Event::End(TagEnd::Table) => break,
                Event::Start(Tag::TableHead) => in_head = true,
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => rows.push(Vec::new()),
                Event::Start(Tag::TableCell) => {
                    let cell = self.inlines(TagEnd::TableCell);
                    if in_head {
                        header.push(cell);
                    } else if let Some(row) = rows.last_mut() {
                        row.push(cell);
                    }
                }
                _ => {}
            }
        }
        Block::Table {
            alignments,
            header,
            rows,
            line,
        }
    }

    /// A code block, or the demo / quiz block its info string names.
    fn code_block(&mut self, kind: CodeBlockKind<'a>, line: usize) -> Option<Block> {
        let (info, fenced) = match &kind {
            CodeBlockKind::Fenced(info) => (super::sanitize::sanitize_line(info), true),
            CodeBlockKind::Indented => (String::new(), false),
        };
        let text = self.raw_text(TagEnd::CodeBlock);
        let body = text.strip_suffix('\n').unwrap_or(&text).to_string();
        let first_code_line = if fenced { line + 1 } else { line };
        let mut words = info.split_whitespace();
        let lang = words.next().unwrap_or("").to_ascii_lowercase();
        match lang.as_str() {
            "demo" => {
                let Some(engine) = words.next() else {
                    self.problem(line, "demo block names no demo: write ```demo NAME k=v ...");
                    return None;
                };
                let mut args = Vec::new();
                for word in words {
                    match word.split_once('=') {
                        Some((k, v)) if !k.is_empty() => args.push((k.to_string(), v.to_string())),
                        _ => self.problem(
                            line,
                            format!("demo parameter `{word}` is not of the form name=value"),
                        ),
                    }
                }
                let index = self.out.demos.len();
                self.out.demos.push(DemoRef {
                    engine: engine.to_string(),
                    args,
                    caption: body.trim().to_string(),
                    line,
                });
                Some(Block::Demo { index, line })
            }
            "exercise" => match (words.next(), words.next()) {
                (Some(id), None) => {
                    let index = self.out.exercises.len();
                    self.out.exercises.push(ExerciseRef {
                        id: id.to_string(),
                        line,
                    });
                    Some(Block::Exercise { index, line })
                }
                _ => {
                    self.problem(line, "exercise block needs one exercise id: ```exercise ID");
                    None
                }
            },
            "quiz" => match parse_quiz(&body, line, first_code_line) {
                Ok(quiz) => {
                    let index = self.out.quizzes.len();
                    self.out.quizzes.push(quiz);
                    Some(Block::Quiz { index, line })
                }
                Err(problems) => {
                    self.out.problems.extend(problems);
                    None
                }
            },
            _ => {
                let mut run = false;
                let mut requires = None;
                for word in words {
                    if word == "run" {
                        run = true;
                    } else if let Some(version) = word.strip_prefix("requires=") {
                        match parse_version(version) {
                            Some(v) => requires = Some(v),
                            None => self.problem(
                                line,
                                format!(
                                    "bad `requires={version}`: expected a Python version such as requires=3.13"
                                ),
                            ),
                        }
                    }
                    // Other words in an info string are allowed and ignored.
                }
                Some(Block::Code(CodeBlock {
                    lang,
                    run,
                    requires,
                    text: body,
                    line,
                    first_code_line,
                }))
            }
        }
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// `3.13` -> (3, 13).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Where a quiz line's text goes.
enum QuizPart {
    Nothing,
    Question,
    Option,
    Why,
}

/// Reads a quiz block's body:
///
/// ```text
/// q: Which runs faster with four threads on four cores?
/// - [ ] CPU-bound pure Python code
/// - [x] code that mostly waits on the network
/// why: Waiting releases the GIL ...
///   (lines after `q:`, an option or `why:` continue it)
/// ```
fn parse_quiz(
    body: &str,
    fence_line: usize,
    first_line: usize,
) -> Result<Quiz, Vec<(usize, String)>> {
    let mut problems = Vec::new();
    let mut question: Option<String> = None;
    let mut options: Vec<QuizOption> = Vec::new();
    let mut why: Option<String> = None;
    let mut part = QuizPart::Nothing;
    let mut blank_before = false;
    for (i, raw) in body.lines().enumerate() {
        let line_no = first_line + i;
        let line = raw.trim();
        if line.is_empty() {
            blank_before = true;
            continue;
        }
        let blank = std::mem::take(&mut blank_before);
        if let Some(rest) = line.strip_prefix("q:") {
            if question.is_some() {
                problems.push((
                    line_no,
                    "a second `q:` line: one quiz block holds one question".to_string(),
                ));
            }
            question = Some(rest.trim().to_string());
            part = QuizPart::Question;
        } else if let Some((correct, rest)) = option_line(line) {
            options.push(QuizOption {
                text: rest.trim().to_string(),
                correct,
            });
            part = QuizPart::Option;
        } else if let Some(rest) = line.strip_prefix("why:") {
            if why.is_some() {
                problems.push((line_no, "a second `why:` line in one quiz".to_string()));
            }
            why = Some(rest.trim().to_string());
            part = QuizPart::Why;
        } else {
            let target = match part {
                QuizPart::Nothing => {
                    problems.push((line_no, format!("quiz text before its `q:` line: `{line}`")));
                    continue;
                }
                QuizPart::Question => question.as_mut(),
                QuizPart::Option => options.last_mut().map(|o| &mut o.text),
                QuizPart::Why => why.as_mut(),
            };
            if let Some(text) = target {
                if !text.is_empty() {
                    // A blank line inside the explanation starts a new paragraph.
                    text.push_str(if blank && matches!(part, QuizPart::Why) {
                        "\n\n"
                    } else {
                        " "
                    });
                }
                text.push_str(line);
            }
        }
    }
    let question = question.unwrap_or_default();
    if question.is_empty() {
        problems.push((
            fence_line,
            "quiz has no question: start it with a `q:` line".to_string(),
        ));
    }
    if options.len() < 2 {
        problems.push((
            fence_line,
            format!(
                "quiz needs at least two options (`- [ ] wrong`, `- [x] right`), found {}",
                options.len()
            ),
        ));
    } else if !options.iter().any(|o| o.correct) {
        problems.push((
            fence_line,
            "quiz marks no option right: mark the right one(s) with `- [x]`".to_string(),
        ));
    } else if options.iter().all(|o| o.correct) {
        problems.push((
            fence_line,
            "quiz marks every option right: mark the wrong ones with `- [ ]`".to_string(),
        ));
    }
    if let Some(empty) = options.iter().position(|o| o.text.is_empty()) {
        problems.push((fence_line, format!("quiz option {} is empty", empty + 1)));
    }
    let why = why.unwrap_or_default();
    if why.is_empty() {
        problems.push((
            fence_line,
            "quiz has no explanation: add a `why:` line (shown after answering)".to_string(),
        ));
    }
    if problems.is_empty() {
        Ok(Quiz {
            question,
            options,
            why,
            line: fence_line,
        })
    } else {
        Err(problems)
    }
}

/// `- [ ] text` / `- [x] text` (also `*` bullets and `[X]`): (correct, text).
fn option_line(line: &str) -> Option<(bool, &str)> {
    let rest = line
        .strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))?
        .trim_start();
    if let Some(text) = rest.strip_prefix("[ ]") {
        Some((false, text))
    } else if let Some(text) = rest
        .strip_prefix("[x]")
        .or_else(|| rest.strip_prefix("[X]"))
    {
        Some((true, text))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(spans: &[Inline]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn front_matter_and_lines() {
        let parsed = parse("---\nid: a\ntitle: A\n---\n\n# Head\n\nSome *text*.\n");
        let fm = parsed.front_matter.expect("front matter");
        assert_eq!(fm.first_line, 2);
        assert_eq!(fm.yaml, "id: a\ntitle: A\n");
        assert!(matches!(
            parsed.blocks[0],
            Block::Heading {
                level: 1,
                line: 6,
                ..
            }
        ));
        assert!(matches!(parsed.blocks[1], Block::Paragraph { line: 8, .. }));
    }

    #[test]
    fn inline_marks_and_links() {
        let spans = inline_spans("a *b* **c** `d` [e](https://x.org) <https://y.org>");
        let marked: Vec<(&str, Marks)> = spans.iter().map(|s| (s.text.as_str(), s.marks)).collect();
        assert!(marked.contains(&(
            "b",
            Marks {
                emphasis: true,
                ..Marks::default()
            }
        )));
        assert!(marked.iter().any(|(t, m)| *t == "c" && m.strong));
        assert!(marked.iter().any(|(t, m)| *t == "d" && m.code));
        assert!(marked.iter().any(|(t, m)| *t == "e" && m.link));
        assert!(
            marked
                .iter()
                .any(|(t, m)| *t == " (https://x.org)" && m.link_target)
        );
        // An autolink shows its target once.
        assert_eq!(text_of(&spans).matches("y.org").count(), 1);
    }

    #[test]
    fn info_strings() {
        let md = "```python run requires=3.13\nprint(1)\n```\n\n```demo cores busy=2\nWatch.\n```\n\n```text\nplain\n```\n";
        let parsed = parse(md);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        match &parsed.blocks[0] {
            Block::Code(code) => {
                assert_eq!(code.lang, "python");
                assert!(code.run);
                assert_eq!(code.requires, Some((3, 13)));
                assert_eq!(code.text, "print(1)");
                assert_eq!((code.line, code.first_code_line), (1, 2));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parsed.blocks[1], Block::Demo { index: 0, line: 5 });
        assert_eq!(parsed.demos[0].engine, "cores");
        assert_eq!(parsed.demos[0].args, vec![("busy".into(), "2".into())]);
        assert_eq!(parsed.demos[0].caption, "Watch.");
        assert!(matches!(&parsed.blocks[2], Block::Code(c) if c.lang == "text" && !c.run));
    }

    #[test]
    fn quiz_parses_with_continuations() {
        let md = "```quiz\nq: Which\n  is right?\n- [ ] one\n- [x] two\n  continued\nwhy: Because\nof this.\n\nAnd more.\n```\n";
        let parsed = parse(md);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let quiz = &parsed.quizzes[0];
        assert_eq!(quiz.question, "Which is right?");
        assert_eq!(quiz.options[1].text, "two continued");
        assert!(quiz.options[1].correct && !quiz.options[0].correct);
        assert_eq!(quiz.why, "Because of this.\n\nAnd more.");
        assert_eq!(quiz.line, 1);
    }

    #[test]
    fn malformed_quizzes_are_reported_at_their_lines() {
        let cases: &[(&str, &str)] = &[
            ("- [ ] a\n- [x] b\nwhy: w", "no question"),
            ("q: x\n- [x] b\nwhy: w", "at least two options"),
            ("q: x\n- [ ] a\n- [ ] b\nwhy: w", "marks no option right"),
            ("q: x\n- [ ] a\n- [x] b", "no explanation"),
            ("stray\nq: x\n- [ ] a\n- [x] b\nwhy: w", "before its `q:`"),
        ];
        for (body, expected) in cases {
            let md = format!("text\n\n```quiz\n{body}\n```\n");
            let parsed = parse(&md);
            assert!(parsed.quizzes.is_empty());
            let (line, message) = &parsed.problems[0];
            assert!(message.contains(expected), "{message} vs {expected}");
            assert!(*line == 3 || *line == 4, "line {line}");
        }
    }

    #[test]
    fn lists_nest_and_number() {
        let md = "1. one\n2. two\n   - inner *a*\n   - inner b\n3. three\n";
        let parsed = parse(md);
        let Block::List { start, items, .. } = &parsed.blocks[0] else {
            panic!("{:?}", parsed.blocks)
        };
        assert_eq!(*start, Some(1));
        assert_eq!(items.len(), 3);
        assert!(
            matches!(&items[1].blocks[1], Block::List { start: None, items, .. } if items.len() == 2)
        );
    }

    #[test]
    fn tables_keep_cells() {
        let md = "| a | b |\n|:--|--:|\n| 1 | `x` |\n| 2 | y |\n";
        let parsed = parse(md);
        let Block::Table {
            alignments,
            header,
            rows,
            ..
        } = &parsed.blocks[0]
        else {
            panic!("{:?}", parsed.blocks)
        };
        assert_eq!(alignments, &vec![Align::Left, Align::Right]);
        assert_eq!(header.len(), 2);
        assert_eq!(rows.len(), 2);
        assert!(rows[0][1][0].marks.code);
    }

    #[test]
    fn late_metadata_block_is_a_problem() {
        let parsed = parse("---\nid: a\n---\n\ntext\n\n---\nnot: yaml\n---\n");
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].0, 7);
    }
}
