//! Searching lesson text: `/` opens a prompt, typing edits the query, Enter jumps to the
//! next match (in this lesson, then the following ones, wrapping), Esc closes the prompt.
//! Matches are case-insensitive and found in the text as laid out, so a jump lands on the
//! line where the match is drawn.

use crate::lessons::render::{self, RenderOptions};

use super::App;

/// The search prompt and the last match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// What is being looked for.
    pub query: String,
    /// True while the prompt has the keys.
    pub editing: bool,
    /// The last match: lesson index and line.
    pub last: Option<(usize, usize)>,
}

impl Search {
    /// Opens the prompt with an empty query.
    pub fn start(&mut self) {
        self.editing = true;
        self.query.clear();
        self.last = None;
    }

    /// Closes the prompt; the highlight of matches goes with it.
    pub fn close(&mut self) {
        self.editing = false;
        self.query.clear();
        self.last = None;
    }

    /// The query to highlight on screen, if any.
    pub fn highlight(&self) -> Option<&str> {
        (!self.query.is_empty()).then_some(self.query.as_str())
    }
}

/// True when `line` contains `needle_lower` (already lowercased), ignoring case.
pub fn line_matches(line: &str, needle_lower: &str) -> bool {
    line.to_lowercase().contains(needle_lower)
}

impl App {
    /// Jumps to the next match after the last one (or after the top of the screen).
    pub(super) fn search_next(&mut self) {
        let needle = self.search.query.to_lowercase();
        if needle.is_empty() {
            return;
        }
        let count = self.catalog.lessons.len();
        let start_line = match self.search.last {
            Some((lesson, line)) if lesson == self.current => line + 1,
            _ => self.scroll,
        };
        let width = self.lesson_screen().text.width.max(1);
        // The current lesson from start_line, every other lesson from its top, and the
        // current lesson again from its top (wrapping around).
        for step in 0..=count {
            let index = (self.current + step) % count;
            let from = if step == 0 { start_line } else { 0 };
            let found = if index == self.current {
                self.rendered
                    .lines
                    .iter()
                    .enumerate()
                    .skip(from)
                    .find(|(_, l)| line_matches(&l.to_string(), &needle))
                    .map(|(i, _)| i)
            } else {
                let no_answers = |_: usize| None;
                let exercise = |ex: &str| {
                    self.exercises
                        .get(ex)
                        .map(|e| render::ExerciseCardInfo::new(e, Some(&self.progress)))
                };
                let laid_out = render::render(
                    &self.catalog.lessons[index],
                    &RenderOptions {
                        width,
                        theme: &self.theme,
                        highlighter: None,
                        answers: &no_answers,
                        focused: None,
                        exercise: &exercise,
                    },
                );
                laid_out
                    .lines
                    .iter()
                    .position(|l| line_matches(&l.to_string(), &needle))
            };
            if let Some(line) = found {
                if index != self.current {
                    self.open_lesson(index, false);
                }
                self.search.last = Some((index, line));
                self.scroll_to(line as isize - (self.page_height() / 3) as isize);
                let title = self.catalog.lessons[index].meta.title.clone();
                self.say(format!(
                    "found in “{title}”, line {}: Enter for the next, Esc to close",
                    line + 1
                ));
                return;
            }
        }
        self.error(format!("“{}” is not in any lesson", self.search.query));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_ignores_case() {
        assert!(line_matches("The GIL is a lock", "gil"));
        assert!(!line_matches("threads", "gil"));
    }

    #[test]
    fn start_and_close_reset_the_query() {
        let mut s = Search::default();
        s.start();
        s.query.push_str("gil");
        assert_eq!(s.highlight(), Some("gil"));
        s.close();
        assert!(!s.editing);
        assert_eq!(s.highlight(), None);
    }
}
