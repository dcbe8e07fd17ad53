//! Markdown -> our own block tree. pulldown-cmark's events become [`Block`]s that keep the
//! source line of everything a check or an error may point at; the special fenced blocks
//! (` ```python run `, ` ```demo ENGINE k=v `, ` ```quiz `) are recognised here, so the
//! renderer and the validator never look at raw events or info strings.
//!
//! The input is already sanitised (see [`super::sanitize`]).
//!
//! One job per file: `reader.rs` walks pulldown-cmark's events into blocks, `info.rs` reads
//! a fenced block's info string, `quiz.rs` a quiz block's body; this file holds the block
//! types and the two entry points.

mod info;
mod quiz;
mod reader;

use pulldown_cmark::{Event, Options, Parser};

use super::{DemoRef, ExerciseRef, Quiz};
use reader::Reader;

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
    let mut reader = Reader::new(events, text);
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
    let blocks = Reader::new(events, text).blocks(None);
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

#[cfg(test)]
mod tests;
