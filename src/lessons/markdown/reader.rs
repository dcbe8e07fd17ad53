//! The markdown reader: pulldown-cmark's events (with byte offsets) become [`Block`]s that
//! keep their source lines; inline markup becomes [`Inline`] runs with [`Marks`].
//! The longest file of the reader, one piece: one recursive walk over one event list.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Tag, TagEnd};

use super::info::{self, Info};
use super::quiz::parse_quiz;
use super::{Align, Block, CodeBlock, FrontMatterText, Inline, ListItem, Marks, ParsedMarkdown};
use crate::lessons::limits::{MAX_NESTING_DEPTH, MAX_TABLE_CELLS, MAX_TABLE_COLUMNS};
use crate::lessons::sanitize::{self, sanitize_line};
use crate::lessons::{DemoRef, ExerciseRef};

/// Byte offset -> 1-based line number.
pub(super) struct LineIndex {
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

/// Walks the events of one parse, collecting blocks, demos, quizzes and problems.
pub(super) struct Reader<'a> {
    events: Vec<(Event<'a>, std::ops::Range<usize>)>,
    pos: usize,
    lines: LineIndex,
    inline: InlineState,
    /// Lists and quotes open around the current event.
    depth: usize,
    pub(super) out: ParsedMarkdown,
}

impl<'a> Reader<'a> {
    /// A reader of `events`, pulldown-cmark's offset events over `text`.
    pub(super) fn new(events: Vec<(Event<'a>, std::ops::Range<usize>)>, text: &str) -> Self {
        Reader {
            events,
            pos: 0,
            lines: LineIndex::new(text),
            inline: InlineState::default(),
            depth: 0,
            out: ParsedMarkdown::default(),
        }
    }

    fn next(&mut self) -> Option<(Event<'a>, usize)> {
        let (event, range) = self.events.get(self.pos)?.clone();
        self.pos += 1;
        Some((event, self.lines.line_of(range.start)))
    }

    fn problem(&mut self, line: usize, message: impl Into<String>) {
        self.out.problems.push((line, message.into()));
    }

    /// Skips the events up to the end of the container just opened, without recursion.
    fn skip_container(&mut self) {
        let mut open = 1usize;
        while let Some((event, _)) = self.next() {
            match event {
                Event::Start(_) => open += 1,
                Event::End(_) => {
                    open -= 1;
                    if open == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// True (and the container skipped, with a problem) if a list or quote opened at `line`
    /// nests deeper than [`MAX_NESTING_DEPTH`]: the reader, the renderer and the TUI walk
    /// blocks recursively, so depth is bounded here, once.
    fn too_deep(&mut self, line: usize) -> bool {
        if self.depth < MAX_NESTING_DEPTH {
            return false;
        }
        self.problem(
            line,
            format!("lists and quotes nest more than {MAX_NESTING_DEPTH} levels deep"),
        );
        self.skip_container();
        true
    }

    /// Reads blocks until the end tag `until` (or the end of the input).
    pub(super) fn blocks(&mut self, until: Option<TagEnd>) -> Vec<Block> {
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
                    if self.too_deep(line) {
                        continue;
                    }
                    self.depth += 1;
                    let inner = self.blocks(Some(TagEnd::BlockQuote(kind)));
                    self.depth -= 1;
                    blocks.push(Block::Quote {
                        blocks: inner,
                        line,
                    });
                }
                Event::Start(Tag::List(start)) => {
                    if self.too_deep(line) {
                        continue;
                    }
                    self.depth += 1;
                    let items = self.list_items(start.is_some());
                    self.depth -= 1;
                    blocks.push(Block::List { start, items, line });
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    if let Some(block) = self.code_block(kind, line) {
                        blocks.push(block);
                    }
                }
                Event::Start(Tag::Table(alignments)) => {
                    blocks.extend(self.table(alignments, line));
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
                    if self.too_deep(line) {
                        continue;
                    }
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
            let text = if text == "\n" || sanitize::is_clean(text) {
                text
            } else {
                cleaned = sanitize::sanitize_line(text);
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
                let target = sanitize::sanitize_line(dest_url);
                self.inline.links.push((target, String::new()));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                push("[image: ", marks, &mut self.inline.links);
                let target = sanitize::sanitize_line(dest_url);
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
                    if sanitize::is_clean(&t.replace('\n', "")) {
                        text.push_str(&t);
                    } else {
                        text.push_str(&sanitize::sanitize(&t));
                    }
                }
                _ => {}
            }
        }
        text
    }

    /// A table, or `None` (and a problem) if it is over a size limit.
    fn table(&mut self, alignments: Vec<Alignment>, line: usize) -> Option<Block> {
        let alignments: Vec<Align> = alignments
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
        let mut cells = 0usize;
        if alignments.len() > MAX_TABLE_COLUMNS {
            self.problem(
                line,
                format!(
                    "a table of {} columns: tables may have at most {MAX_TABLE_COLUMNS}",
                    alignments.len()
                ),
            );
            self.skip_container();
            return None;
        }
        while let Some((event, _)) = self.next() {
            match event {
                Event::End(TagEnd::Table) => break,
                Event::Start(Tag::TableCell) if cells == MAX_TABLE_CELLS => {
                    self.problem(
                        line,
                        format!("a table of more than {MAX_TABLE_CELLS} cells: split it"),
                    );
                    // The rest of this cell, row and table.
                    self.skip_to_table_end();
                    return None;
                }
                Event::Start(Tag::TableHead) => in_head = true,
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => rows.push(Vec::new()),
                Event::Start(Tag::TableCell) => {
                    cells += 1;
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
        Some(Block::Table {
            alignments,
            header,
            rows,
            line,
        })
    }

    /// Skips events up to and including the end of the current table.
    fn skip_to_table_end(&mut self) {
        while let Some((event, _)) = self.next() {
            if event == Event::End(TagEnd::Table) {
                return;
            }
        }
    }

    /// A code block, or the demo / quiz block its info string names.
    fn code_block(&mut self, kind: CodeBlockKind<'a>, line: usize) -> Option<Block> {
        let (info, fenced) = match &kind {
            CodeBlockKind::Fenced(info) => (sanitize_line(info), true),
            CodeBlockKind::Indented => (String::new(), false),
        };
        let text = self.raw_text(TagEnd::CodeBlock);
        let body = text.strip_suffix('\n').unwrap_or(&text).to_string();
        let first_code_line = if fenced { line + 1 } else { line };
        let (kind, problems) = info::parse(&info);
        for problem in problems {
            self.problem(line, problem);
        }
        match kind? {
            Info::Demo { engine, args } => {
                let index = self.out.demos.len();
                self.out.demos.push(DemoRef {
                    engine,
                    args,
                    caption: body.trim().to_string(),
                    line,
                });
                Some(Block::Demo { index, line })
            }
            Info::Exercise(id) => {
                let index = self.out.exercises.len();
                self.out.exercises.push(ExerciseRef { id, line });
                Some(Block::Exercise { index, line })
            }
            Info::Quiz => match parse_quiz(&body, line, first_code_line) {
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
            Info::Code {
                lang,
                run,
                requires,
            } => Some(Block::Code(CodeBlock {
                lang,
                run,
                requires,
                text: body,
                line,
                first_code_line,
            })),
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
