//! The lesson catalog: every lesson of the course (embedded at build time) or of a lesson
//! pack on disk, validated as a whole (unique ids and orders, known prerequisites that come
//! first, demo blocks that name registered engines with valid parameters), sorted by order.

use std::collections::HashMap;
use std::path::Path;

use super::{Lesson, Problem};

include!(concat!(env!("OUT_DIR"), "/embedded_lessons.rs"));

/// A validated set of lessons.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// Every lesson, sorted by `order`.
    pub lessons: Vec<Lesson>,
}

impl Catalog {
    /// The lessons compiled into the binary (`lessons/*.md`).
    pub fn embedded() -> Result<Catalog, Vec<Problem>> {
        Catalog::from_sources(
            EMBEDDED_LESSONS
                .iter()
                .map(|(path, text)| (path.to_string(), text.to_string()))
                .collect(),
        )
    }

    /// The raw embedded sources, (path, text), for tools and tests.
    pub fn embedded_sources() -> &'static [(&'static str, &'static str)] {
        EMBEDDED_LESSONS
    }

    /// A lesson pack: every `*.md` file directly in `dir` (a `README.md` is the pack's own
    /// documentation and is skipped).
    pub fn from_dir(dir: &Path) -> Result<Catalog, Vec<Problem>> {
        Catalog::from_sources(super::pack::read_pack(dir)?)
    }

    /// Lessons from (path, text) pairs; `path` is what problems name.
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<Catalog, Vec<Problem>> {
        let mut lessons = Vec::new();
        let mut problems = Vec::new();
        let mut failed = 0usize;
        for (path, text) in &sources {
            match Lesson::parse(path, text) {
                Ok(lesson) => lessons.push(lesson),
                Err(p) => {
                    failed += 1;
                    problems.extend(p);
                }
            }
        }
        problems.extend(cross_check(&lessons, failed > 0));
        if !problems.is_empty() {
            problems.sort();
            problems.dedup();
            return Err(problems);
        }
        lessons.sort_by_key(|l| l.meta.order);
        Ok(Catalog { lessons })
    }

    /// The lesson with id `id`.
    pub fn get(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.meta.id == id)
    }

    /// The position of lesson `id` in course order.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.lessons.iter().position(|l| l.meta.id == id)
    }

    /// How many lessons there are.
    pub fn len(&self) -> usize {
        self.lessons.len()
    }

    /// True if there are no lessons.
    pub fn is_empty(&self) -> bool {
        self.lessons.is_empty()
    }
}

/// `pyconc check [DIR]`: every problem in every file (the embedded lessons when `dir` is
/// `None`), sorted by file and line; empty when all is well.
pub fn check(dir: Option<&Path>) -> Vec<Problem> {
    let result = match dir {
        Some(dir) => Catalog::from_dir(dir),
        None => Catalog::embedded(),
    };
    result.err().unwrap_or_default()
}

/// Checks that need every lesson: unique ids and orders, prerequisites that exist and come
/// earlier. `some_failed`: a file did not parse, so an unknown prerequisite may be its id
/// (not reported, to avoid a cascade of errors from one typo).
fn cross_check(lessons: &[Lesson], some_failed: bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut by_id: HashMap<&str, &Lesson> = HashMap::new();
    let mut by_order: HashMap<u32, &Lesson> = HashMap::new();
    for lesson in lessons {
        let meta = &lesson.meta;
        if let Some(first) = by_id.get(meta.id.as_str()) {
            problems.push(Problem::new(
                &lesson.path,
                lesson.meta_lines.id,
                format!("duplicate lesson id `{}` (also in {})", meta.id, first.path),
            ));
        } else {
            by_id.insert(&meta.id, lesson);
        }
        if let Some(first) = by_order.get(&meta.order) {
            problems.push(Problem::new(
                &lesson.path,
                lesson.meta_lines.order,
                format!(
                    "order {} is also used by {} (`{}`): each lesson needs its own place",
                    meta.order, first.path, first.meta.id
                ),
            ));
        } else {
            by_order.insert(meta.order, lesson);
        }
    }
    for lesson in lessons {
        for prerequisite in &lesson.meta.prerequisites {
            let line = lesson.meta_lines.prerequisites;
            match by_id.get(prerequisite.as_str()) {
                None if !some_failed => problems.push(Problem::new(
                    &lesson.path,
                    line,
                    format!("unknown prerequisite `{prerequisite}`: no lesson has that id"),
                )),
                None => {}
                Some(other) if other.meta.order >= lesson.meta.order => {
                    problems.push(Problem::new(
                        &lesson.path,
                        line,
                        format!(
                            "prerequisite `{prerequisite}` (order {}) must come before this \
                             lesson (order {})",
                            other.meta.order, lesson.meta.order
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(id: &str, order: u32, prereqs: &str, body: &str) -> String {
        format!(
            "---\nid: {id}\ntitle: Lesson {id}\norder: {order}\nprerequisites: [{prereqs}]\n---\n\n{body}\n"
        )
    }

    #[test]
    fn sorted_by_order_and_found_by_id() {
        let catalog = Catalog::from_sources(vec![
            ("b.md".into(), lesson("b", 2, "a", "Text.")),
            ("a.md".into(), lesson("a", 1, "", "Text.")),
        ])
        .expect("valid");
        assert_eq!(catalog.lessons[0].meta.id, "a");
        assert_eq!(catalog.index_of("b"), Some(1));
        assert_eq!(catalog.get("b").map(|l| l.path.as_str()), Some("b.md"));
        assert!(catalog.get("c").is_none());
    }

    #[test]
    fn cross_lesson_problems_name_file_and_line() {
        let problems = Catalog::from_sources(vec![
            ("a.md".into(), lesson("a", 1, "", "")),
            ("b.md".into(), lesson("a", 1, "zzz", "")),
            ("c.md".into(), lesson("c", 0, "a", "")),
        ])
        .unwrap_err();
        let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        let expect = [
            "b.md:2: duplicate lesson id `a` (also in a.md)",
            "b.md:4: order 1 is also used by a.md",
            "b.md:5: unknown prerequisite `zzz`",
            "c.md:5: prerequisite `a` (order 1) must come before this lesson (order 0)",
        ];
        for e in expect {
            assert!(
                shown.iter().any(|s| s.starts_with(e)),
                "{e} not in {shown:#?}"
            );
        }
    }

    #[test]
    fn windows_line_endings_read_the_same() {
        let text = lesson("a", 1, "", "```demo cores busy=1\n```").replace('\n', "\r\n");
        let catalog = Catalog::from_sources(vec![("a.md".into(), text)]).expect("valid");
        assert_eq!(catalog.lessons[0].demos[0].line, 8);
    }

    #[test]
    fn catalog_and_highlighter_can_move_to_a_loader_thread() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Catalog>();
        send_sync::<super::super::Highlighter>();
    }

    #[test]
    fn embedded_lessons_are_valid() {
        let problems = check(None);
        assert!(problems.is_empty(), "{}", Problem::lines(&problems));
    }
}
