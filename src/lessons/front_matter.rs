//! A lesson's YAML front matter: read with `serde_yaml_ng`, with every error placed on its
//! real line in the file (the YAML parser's line plus where the block starts).

use serde::Deserialize;

use super::LessonMeta;
use super::limits::{self, MAX_FRONT_MATTER_BYTES, MAX_FRONT_MATTER_DECODED_BYTES};
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
    id: Option<Text>,
    title: Option<Text>,
    order: Option<u32>,
    #[serde(default)]
    concepts: Vec<Text>,
    #[serde(default)]
    prerequisites: Vec<Text>,
}

thread_local! {
    /// Bytes of text the front matter being read may still decode to (see [`Text`]).
    static DECODE_BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A front matter string, counted against [`MAX_FRONT_MATTER_DECODED_BYTES`] while it is
/// decoded: YAML aliases copy an anchored value once per use, so without the count
/// 3,000 aliases of a 1 MB title cost gigabytes before any check could run.
#[derive(Debug)]
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                let left = DECODE_BUDGET.get();
                if v.len() > left {
                    return Err(E::custom(format!(
                        "the front matter decodes to more than {} (YAML aliases?)",
                        limits::bytes(MAX_FRONT_MATTER_DECODED_BYTES as u64)
                    )));
                }
                DECODE_BUDGET.set(left - v.len());
                Ok(Text(v.to_string()))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
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
    if fm.yaml.len() > MAX_FRONT_MATTER_BYTES {
        return Err(vec![(
            start,
            format!(
                "the front matter is {}: it may be at most {}",
                limits::bytes(fm.yaml.len() as u64),
                limits::bytes(MAX_FRONT_MATTER_BYTES as u64)
            ),
        )]);
    }
    DECODE_BUDGET.set(MAX_FRONT_MATTER_DECODED_BYTES);
    let decoded = serde_yaml_ng::from_str::<RawMeta>(&fm.yaml);
    DECODE_BUDGET.set(0);
    let raw = decoded.map_err(|e| {
        // The message may quote the YAML's decoded text (an unknown key `"\e[2J"`).
        let mut message = super::sanitize::sanitize_line(&e.to_string());
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
    let clean = |text: Text| super::sanitize::sanitize_line(&text.0);
    let concepts: Vec<String> = raw.concepts.into_iter().map(clean).collect();
    let prerequisites: Vec<String> = raw.prerequisites.into_iter().map(clean).collect();
    let has_title = raw.title.is_some();
    let id = raw.id.map(clean).unwrap_or_default();
    let title = raw.title.map(clean).unwrap_or_default();
    if !id.is_empty() && !is_valid_id(&id) {
        problems.push((
            lines.id,
            format!("lesson id `{id}` must be lower-case letters, digits and `-`"),
        ));
    }
    if has_title && title.trim().is_empty() {
        problems.push((lines.title, "the title is empty".to_string()));
    }
    for prerequisite in &prerequisites {
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
            concepts,
            prerequisites,
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
    fn escapes_in_keys_do_not_reach_the_message() {
        let errors = read(&fm(
            "id: a\ntitle: T\norder: 1\n\"\\e[2J\\e]52;c;aGk=\\a\": 1\n",
        ))
        .unwrap_err();
        let message = &errors[0].1;
        assert!(message.contains("unknown field"), "{message}");
        assert!(crate::lessons::sanitize::is_clean(message), "{message:?}");
        assert!(message.contains("␛[2J"), "{message}");
    }

    #[test]
    fn front_matter_size_and_alias_expansion_are_bounded() {
        let big = format!(
            "id: a\ntitle: \"{}\"\norder: 1\n",
            "x".repeat(MAX_FRONT_MATTER_BYTES)
        );
        let errors = read(&fm(&big)).unwrap_err();
        assert!(errors[0].1.contains("may be at most"), "{errors:?}");
        // 8 KB anchored once, repeated by 500 aliases: 4 MB if expanded.
        let title = "x".repeat(8 * 1024);
        let aliases = vec!["*t"; 500].join(", ");
        let bomb = format!("id: a\ntitle: &t \"{title}\"\norder: 1\nconcepts: [{aliases}]\n");
        assert!(bomb.len() <= MAX_FRONT_MATTER_BYTES);
        let errors = read(&fm(&bomb)).unwrap_err();
        assert!(errors[0].1.contains("decodes to more than"), "{errors:?}");
        // serde_yaml_ng places it at the anchored value the aliases repeat.
        assert_eq!(errors[0].0, 3, "{errors:?}");
        // A few aliases within the budget are fine.
        let ok = "id: a\ntitle: &t T\norder: 1\nconcepts: [*t, *t]\n";
        assert_eq!(read(&fm(ok)).expect("valid").0.concepts, vec!["T", "T"]);
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
