//! A fenced block's info string: ` ```demo NAME k=v ... ` names a demo and its parameters,
//! ` ```quiz ` a quiz, ` ```exercise ID ` an exercise card, anything else is code: its language word, ` run ` (the learner may run
//! it) and ` requires=3.13 ` (the Python it needs). Other words are allowed and ignored.

/// What an info string makes of its block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Info {
    /// A demo card: the engine and its `name=value` parameters.
    Demo {
        /// The engine's name.
        engine: String,
        /// The parameters, in order.
        args: Vec<(String, String)>,
    },
    /// A quiz block.
    Quiz,
    /// An exercise card: the exercise's id.
    Exercise(String),
    /// Code: language word (lower case, may be empty), runnable, needed Python.
    Code {
        /// The language word.
        lang: String,
        /// ` run ` was given.
        run: bool,
        /// ` requires=M.N `.
        requires: Option<(u32, u32)>,
    },
}

/// Reads `info` (already sanitised): the block's kind, `None` when the block must be
/// dropped (a demo naming no demo), and the problems found, each a message for the fence's line.
pub fn parse(info: &str) -> (Option<Info>, Vec<String>) {
    let mut problems = Vec::new();
    let mut words = info.split_whitespace();
    let lang = words.next().unwrap_or("").to_ascii_lowercase();
    let kind = match lang.as_str() {
        "demo" => match words.next() {
            None => {
                problems.push("demo block names no demo: write ```demo NAME k=v ...".to_string());
                None
            }
            Some(engine) => {
                let mut args = Vec::new();
                for word in words {
                    match word.split_once('=') {
                        Some((k, v)) if !k.is_empty() => args.push((k.to_string(), v.to_string())),
                        _ => problems.push(format!(
                            "demo parameter `{word}` is not of the form name=value"
                        )),
                    }
                }
                Some(Info::Demo {
                    engine: engine.to_string(),
                    args,
                })
            }
        },
        "quiz" => Some(Info::Quiz),
        "exercise" => match (words.next(), words.next()) {
            (Some(id), None) => Some(Info::Exercise(id.to_string())),
            _ => {
                problems.push("exercise block needs one exercise id: ```exercise ID".to_string());
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
                        None => problems.push(format!(
                            "bad `requires={version}`: expected a Python version such as requires=3.13"
                        )),
                    }
                }
            }
            Some(Info::Code {
                lang,
                run,
                requires,
            })
        }
    };
    (kind, problems)
}

/// `3.13` -> (3, 13).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_info_string() {
        assert_eq!(
            parse("demo gil threads=4 bad"),
            (
                Some(Info::Demo {
                    engine: "gil".into(),
                    args: vec![("threads".into(), "4".into())]
                }),
                vec!["demo parameter `bad` is not of the form name=value".to_string()]
            )
        );
        assert_eq!(parse("demo").0, None);
        assert_eq!(parse("quiz"), (Some(Info::Quiz), vec![]));
        assert_eq!(
            parse("Python run requires=3.13 extra"),
            (
                Some(Info::Code {
                    lang: "python".into(),
                    run: true,
                    requires: Some((3, 13))
                }),
                vec![]
            )
        );
        assert_eq!(parse("py requires=x").1.len(), 1);
    }

    #[test]
    fn exercise_blocks_name_one_exercise() {
        assert_eq!(
            parse("exercise lost-update"),
            (Some(Info::Exercise("lost-update".into())), vec![])
        );
        for bad in ["exercise", "exercise a b"] {
            let (kind, problems) = parse(bad);
            assert_eq!(kind, None, "{bad}");
            assert!(
                problems[0].contains("one exercise id"),
                "{bad}: {problems:?}"
            );
        }
    }
}
