//! A ` ```quiz ` block's body: the question, options (`- [ ]` / `- [x]`), the explanation,
//! each problem at its own line.

use crate::lessons::{Quiz, QuizOption};

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
pub(super) fn parse_quiz(
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
