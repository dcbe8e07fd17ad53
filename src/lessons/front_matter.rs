//! A lesson's YAML front matter: read with `serde_yaml_ng`, with every error placed on its
//! real line in the file (the YAML parser's line plus where the block starts).

use serde::Deserialize;

use super::LessonMeta;
use super::markdown::FrontMatterText;

/// The file lines of the front matter's fields (the opening `---` line where a field is
/// missing), so catalog checks can point at the value they reject.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MetaLines {
    /// The line of the opening `---`.
    pub start: usize,
    /// `id:`.
    pub id: usize,
    /// `title:`.
    pub title: usize,
    /// `order:`.
    pub order: usize,
    /// `prerequisites:`.
    pub prerequisites: usize,
}

/// The front matter as written; required fields are options so that every missing one is
/// reported at once, in our words.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Option<String>,
    title: Option<String>,
    order: Option<u32>,
    #[serde(default)]
    concepts: Vec<String>,
    #[serde(default)]
    prerequisites: Vec<String>,
}

/// Reads and checks the front matter. Errors are (file line, message).
pub fn read(fm: &FrontMatterText) -> Result<(LessonMeta, MetaLines), Vec<(usize, String)>> {
    let start = fm.first_line.saturating_sub(1).max(1);
    let lines = MetaLines {
        start,
        id: field_line(fm, "id"),
        title: field_line(fm, "title"),
        order: field_line(fm, "order"),
        prerequisites: field_line(fm, "prerequisites"),
    };
    let raw: RawMeta = serde_yaml_ng::from_str(&fm.yaml).map_err(|e| {
        let mut message = e.to_string();
        let line = match e.location() {
            Some(at) => {
                // serde_yaml_ng counts lines from 1 within the YAML text and says so at the
                // end of its message; the file line replaces that.
                let suffix = format!(" at line {} column {}", at.line(), at.column());
                if let Some(stripped) = message.strip_suffix(&suffix) {
                    message = format!("{stripped} (column {})", at.column());
                }
                fm.first_line + at.line().saturating_sub(1)
            }
            None => start,
        };
        vec![(line, format!("front matter: {message}"))]
    })?;
    let mut problems = Vec::new();
    let mut missing = |name: &str, what: &str| {
        problems.push((start, format!("front matter has no `{name}` ({what})")));
    };
    if raw.id.is_none() {
        missing("id", "a unique lesson id such as `gil`");
    }
    if raw.title.is_none() {
        missing("title", "shown in the table of contents");
    }
    if raw.order.is_none() {
        missing(
            "order",
            "the lesson's position in the course, a whole number",
        );
    }
    // YAML escapes (`"\e[2J"`, `"\a"`) decode to control characters after the file was
    // sanitised: clean every decoded string again.
    let clean = |text: String| super::sanitize::sanitize_line(&text);
    let raw = RawMeta {
        id: raw.id.map(clean),
        title: raw.title.map(clean),
        order: raw.order,
        concepts: raw.concepts.into_iter().map(clean).collect(),
        prerequisites: raw.prerequisites.into_iter().map(clean).collect(),
    };
    let has_title = raw.title.is_some();
    let id = raw.id.unwrap_or_default();
    let title = raw.title.unwrap_or_default();
    if !id.is_empty() && !is_valid_id(&id) {
        problems.push((
            lines.id,
            format!("lesson id `{id}` must be lower-case letters, digits and `-`"),
        ));
    }
    if has_title && title.trim().is_empty() {
        problems.push((lines.title, "the title is empty".to_string()));
    }
    for prerequisite in &raw.prerequisites {
        if !is_valid_id(prerequisite) {
            problems.push((
                lines.prerequisites,
                format!("prerequisite `{prerequisite}` is not a lesson id"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((
        LessonMeta {
            id,
            title: title.trim().to_string(),
            order: raw.order.unwrap_or_default(),
            concepts: raw.concepts,
            prerequisites: raw.prerequisites,
        },
        lines,
    ))
}

/// Lesson ids: `gil`, `asyncio-basics`, `free-threading-3-14`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The file line of the top-level field `name`, or the opening `---` line.
fn field_line(fm: &FrontMatterText, name: &str) -> usize {
    fm.yaml
        .lines()
        .position(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(fm.first_line.saturating_sub(1).max(1), |i| {
            fm.first_line + i
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(yaml: &str) -> FrontMatterText {
        FrontMatterText {
            yaml: yaml.to_string(),
            first_line: 2,
        }
    }

    #[test]
    fn reads_all_fields_and_their_lines() {
        let (meta, lines) = read(&fm(
            "id: gil\ntitle: The GIL\norder: 2\nconcepts: [a, b]\nprerequisites: [intro]\n",
        ))
        .expect("valid");
        assert_eq!(meta.id, "gil");
        assert_eq!(meta.order, 2);
        assert_eq!(meta.concepts, vec!["a", "b"]);
        assert_eq!(meta.prerequisites, vec!["intro"]);
        assert_eq!(
            (lines.id, lines.title, lines.order, lines.prerequisites),
            (2, 3, 4, 6)
        );
    }

    #[test]
    fn yaml_errors_point_at_the_file_line() {
        let errors = read(&fm("id: gil\ntitle: T\norder: two\n")).unwrap_err();
        assert_eq!(errors[0].0, 4, "{errors:?}");
        let errors = read(&fm("id: gil\ntitle: [unclosed\norder: 1\n")).unwrap_err();
        assert!(errors[0].0 >= 3, "{errors:?}");
    }

    #[test]
    fn missing_and_unknown_fields() {
        let errors = read(&fm("title: T\n")).unwrap_err();
        let text = format!("{errors:?}");
        assert!(
            text.contains("no `id`") && text.contains("no `order`"),
            "{text}"
        );
        assert!(errors.iter().all(|(line, _)| *line == 1));
        let errors = read(&fm("id: a\ntitle: T\norder: 1\nprerequisite: [b]\n")).unwrap_err();
        assert!(errors[0].1.contains("prerequisite"), "{errors:?}");
        assert_eq!(errors[0].0, 5);
    }

    #[test]
    fn decoded_escapes_are_sanitised_again() {
        let (meta, _) = read(&fm("id: a\ntitle: \"Evil \\e[2J\\a\"\norder: 1\n")).expect("valid");
        assert_eq!(meta.title, "Evil ␛[2J␇");
    }

    #[test]
    fn id_format() {
        assert!(is_valid_id("free-threading-3-14"));
        assert!(!is_valid_id("Gil"));
        assert!(!is_valid_id("a b"));
        let errors = read(&fm("id: The GIL\ntitle: T\norder: 1\n")).unwrap_err();
        assert_eq!(errors[0].0, 2);
    }
}
