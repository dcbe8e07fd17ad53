//! Lessons: the catalog (embedded or a pack on disk), YAML front matter, validation, and
//! markdown -> styled terminal lines with highlighted code.
//!
//! The pipeline, one direction: raw file text -> [`sanitize`] (untrusted text made safe) ->
//! [`markdown::parse`] (our own [`Block`] tree with source lines) -> [`Lesson`] (front matter,
//! blocks, demo and quiz references) -> [`catalog::Catalog`] (cross-lesson checks) ->
//! [`render::render`] (lines for one width and theme) -> drawn by `ui`.

pub mod catalog;
pub mod front_matter;
pub mod highlight;
pub mod limits;
pub mod markdown;
pub mod pack;
pub mod python_blocks;
pub mod render;
pub mod sanitize;

use std::fmt;

pub use catalog::{Catalog, check};
pub use highlight::Highlighter;
pub use markdown::Block;
pub use render::{
    ExerciseCardInfo, Item, ItemSpan, RenderOptions, RenderedLesson, no_exercise_info, render,
    to_ansi, to_plain_text,
};

/// What a lesson's front matter declares.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonMeta {
    /// Unique id: `pyconc lesson ID`, prerequisites and progress use it.
    pub id: String,
    /// Title shown in the table of contents.
    pub title: String,
    /// Position in the course (unique).
    pub order: u32,
    /// Concepts the lesson teaches (ids, for search and the syllabus).
    pub concepts: Vec<String>,
    /// Lesson ids to read first.
    pub prerequisites: Vec<String>,
}

/// One lesson, parsed and sanitised.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// Front matter.
    pub meta: LessonMeta,
    /// The file as shown in errors, e.g. `lessons/02-gil.md`.
    pub path: String,
    /// The body.
    pub blocks: Vec<Block>,
    /// Every ` ```demo ` block, in document order ([`Block::Demo`] indexes this).
    pub demos: Vec<DemoRef>,
    /// Every ` ```quiz ` block, in document order ([`Block::Quiz`] indexes this).
    pub quizzes: Vec<Quiz>,
    /// Every ` ```exercise ID ` block, in document order ([`Block::Exercise`] indexes this).
    pub exercises: Vec<ExerciseRef>,
    /// Where each front matter field is, for problems about its value.
    pub meta_lines: front_matter::MetaLines,
}

/// A ` ```demo ENGINE k=v ... ` block: the card that opens a live demo.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRef {
    /// The engine's registered name (`crate::sims::find`).
    pub engine: String,
    /// Parameter overrides as written, in order.
    pub args: Vec<(String, String)>,
    /// The block's body text (a caption, may be empty).
    pub caption: String,
    /// The line of the opening fence.
    pub line: usize,
}

/// A ` ```exercise ID ` block: the card that opens an exercise.
#[derive(Debug, Clone, PartialEq)]
pub struct ExerciseRef {
    /// The exercise's id (checked against the pack's exercises by `pyconc check`).
    pub id: String,
    /// The line of the opening fence.
    pub line: usize,
}

/// A ` ```quiz ` block: one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Quiz {
    /// The `q:` text (inline markdown).
    pub question: String,
    /// The options, in order (`a)`, `b)`, ...).
    pub options: Vec<QuizOption>,
    /// The `why:` explanation shown after answering (inline markdown; `\n\n` between
    /// paragraphs).
    pub why: String,
    /// The line of the opening fence.
    pub line: usize,
}

impl Quiz {
    /// True if option `k` is a right answer.
    pub fn is_correct(&self, k: usize) -> bool {
        self.options.get(k).is_some_and(|o| o.correct)
    }
}

/// One answer of a quiz.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizOption {
    /// The option's text (inline markdown).
    pub text: String,
    /// Marked `- [x]`.
    pub correct: bool,
}

/// A problem in a lesson file, shown as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file as shown to the user.
    pub file: String,
    /// 1-based line; 0 for a problem with the whole file or folder (shown as `file: message`).
    pub line: usize,
    /// What is wrong and, where it helps, what is valid.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // A problem with the file or folder as a whole.
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl Problem {
    /// A problem in `file` at `line`.
    /// Both texts are sanitised: a message may quote pack text (a YAML key, a demo name)
    /// and a file name may hold any byte, and problems are printed to the terminal.
    pub fn new(file: &str, line: usize, message: impl Into<String>) -> Problem {
        let clean = |text: String| {
            if sanitize::is_clean(&text) && !text.contains('\n') {
                text
            } else {
                sanitize::sanitize_line(&text)
            }
        };
        Problem {
            file: clean(file.to_string()),
            line,
            message: clean(message.into()),
        }
    }

    /// `problems` one a line, as `pyconc check` prints them.
    pub fn lines(problems: &[Problem]) -> String {
        problems
            .iter()
            .map(Problem::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Lesson {
    /// Parses one lesson file. `path` is the name shown in problems; `text` is the raw,
    /// untrusted file content (it is sanitised here first). Every problem of the file is
    /// returned (front matter, quizzes, info strings, demo names and parameters); those that
    /// need the whole catalog (unique ids and orders, prerequisites) are checked by
    /// [`Catalog`].
    pub fn parse(path: &str, text: &str) -> Result<Lesson, Vec<Problem>> {
        let path = sanitize::sanitize_line(path);
        // Cheap checks first: what a file may cost is bounded before it is parsed.
        if text.len() as u64 > limits::MAX_LESSON_BYTES {
            return Err(vec![Problem::new(
                &path,
                0,
                format!(
                    "too large: a lesson file may be at most {}",
                    limits::bytes(limits::MAX_LESSON_BYTES)
                ),
            )]);
        }
        if let Some((line, length)) = limits::first_long_line(text) {
            return Err(vec![Problem::new(
                &path,
                line,
                format!(
                    "a line of {} bytes: lines may be at most {}",
                    length,
                    limits::bytes(limits::MAX_LINE_BYTES as u64)
                ),
            )]);
        }
        let text = sanitize::sanitize(text);
        let parsed = markdown::parse(&text);
        let mut problems: Vec<Problem> = parsed
            .problems
            .iter()
            .map(|(line, message)| Problem::new(&path, *line, message.clone()))
            .collect();
        problems.extend(check_demos(&path, &parsed.demos));
        let meta = match &parsed.front_matter {
            Some(fm) => match front_matter::read(fm) {
                Ok(read) => Some(read),
                Err(errors) => {
                    problems.extend(
                        errors
                            .into_iter()
                            .map(|(line, message)| Problem::new(&path, line, message)),
                    );
                    None
                }
            },
            None => {
                problems.push(Problem::new(
                    &path,
                    1,
                    "no front matter: a lesson starts with a `---` line, YAML with id, title, \
                     order (and optional concepts, prerequisites), and a closing `---`",
                ));
                None
            }
        };
        match meta {
            Some((meta, meta_lines)) if problems.is_empty() => Ok(Lesson {
                meta,
                meta_lines,
                path,
                blocks: parsed.blocks,
                demos: parsed.demos,
                quizzes: parsed.quizzes,
                exercises: parsed.exercises,
            }),
            _ => Err(problems),
        }
    }

    /// Every code block of the lesson, nested ones included, in document order.
    pub fn code_blocks(&self) -> Vec<&markdown::CodeBlock> {
        fn walk<'a>(blocks: &'a [Block], out: &mut Vec<&'a markdown::CodeBlock>) {
            for block in blocks {
                match block {
                    Block::Code(code) => out.push(code),
                    Block::Quote { blocks, .. } => walk(blocks, out),
                    Block::List { items, .. } => {
                        for item in items {
                            walk(&item.blocks, out);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.blocks, &mut out);
        out
    }
}

/// Checks that every demo block names a registered engine with valid parameters.
pub fn check_demos(path: &str, demos: &[DemoRef]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for demo in demos {
        match crate::sims::find(&demo.engine) {
            None => problems.push(Problem::new(
                path,
                demo.line,
                format!(
                    "unknown demo `{}`; known demos: {}",
                    demo.engine,
                    crate::sims::names().join(", ")
                ),
            )),
            Some(engine) => match engine.resolve(&demo.args) {
                Err(e) => problems.push(Problem::new(
                    path,
                    demo.line,
                    format!("demo `{}`: {e}", demo.engine),
                )),
                // A value set for a parameter the run does not use shows nothing.
                Ok(params) => {
                    let unused = crate::sims::ParamSpec::unused_overrides(
                        engine.params(),
                        &params,
                        &demo.args,
                    );
                    problems.extend(unused.into_iter().map(|why| {
                        Problem::new(
                            path,
                            demo.line,
                            format!("demo `{}`: {why}: drop it or set what uses it", demo.engine),
                        )
                    }));
                }
            },
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demo_block_setting_a_parameter_its_run_leaves_unused_is_a_problem() {
        let demo = |args: &[(&str, &str)]| DemoRef {
            engine: "asyncio".into(),
            args: crate::sims::test_support::overrides(args),
            caption: String::new(),
            line: 7,
        };
        let problems = check_demos(
            "l.md",
            &[
                demo(&[("scenario", "gather"), ("maxsize", "3")]),
                demo(&[("scenario", "queue"), ("maxsize", "3")]),
            ],
        );
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            text,
            [
                "l.md:7: demo `asyncio`: `maxsize` is unused while scenario is gather: drop it or \
              set what uses it"
            ]
        );
    }

    #[test]
    fn problems_are_sanitised_when_made() {
        let p = Problem::new("a\u{1b}[2J.md", 3, "unknown `\u{1b}]52;c;x\u{7}`\nnext");
        assert_eq!(p.to_string(), "a␛[2J.md:3: unknown `␛]52;c;x␇`␤next");
    }

    #[test]
    fn long_lines_and_big_files_are_refused_before_parsing() {
        let long = "x".repeat(limits::MAX_LINE_BYTES + 1);
        let text = format!("---\nid: a\ntitle: T\norder: 1\n---\n\n{long}\n");
        let problems = Lesson::parse("a.md", &text).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 7);
        assert!(problems[0].message.contains("lines may be at most 16 KiB"));
        let big = "text\n".repeat(limits::MAX_LESSON_BYTES as usize / 5 + 1);
        let problems = Lesson::parse("a.md", &big).unwrap_err();
        assert!(problems[0].message.contains("too large"), "{problems:?}");
    }
}
