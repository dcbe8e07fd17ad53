//! The built-in quizzes test knowledge, not a pattern (issue 15): the right answer's
//! position is spread over a) to d) (no letter holds more than [`MAX_SHARE_PERCENT`] of the
//! quizzes, every letter is used), the right answer is not usually the longest (nor the
//! shortest) option but sometimes is, every quiz has one right answer and at most four options (the welcome
//! lesson says "press a to d"), and every lesson asks at least one "what does this print /
//! what happens" question.

use pyconc::lessons::{Catalog, Quiz};

/// No answer letter may be right in more than this share of the built-in quizzes.
const MAX_SHARE_PERCENT: usize = 35;
/// The right answer may be the (strictly) longest option in at most this share of quizzes.
const MAX_LONGEST_PERCENT: usize = 35;
/// ... and must be in at least this share: "never the longest" would be a tell too.
const MIN_LONGEST_PERCENT: usize = 10;
/// Nor the (strictly) shortest in more than this share: a reversed tell is a tell too.
const MAX_SHORTEST_PERCENT: usize = 40;
/// The welcome lesson tells learners to press `a` to `d`.
const MAX_OPTIONS: usize = 4;

fn quizzes() -> Vec<(String, Quiz)> {
    let catalog = Catalog::embedded().expect("built-in lessons are valid");
    catalog
        .lessons
        .iter()
        .flat_map(|l| {
            l.quizzes
                .iter()
                .map(move |q| (format!("{}:{}", l.path, q.line), q.clone()))
        })
        .collect()
}

fn right_answer(quiz: &Quiz) -> usize {
    quiz.options
        .iter()
        .position(|o| o.correct)
        .expect("a right answer")
}

/// Letter histogram of the right answers, a) first.
fn histogram(quizzes: &[(String, Quiz)]) -> [usize; MAX_OPTIONS] {
    let mut counts = [0; MAX_OPTIONS];
    for (_, q) in quizzes {
        counts[right_answer(q)] += 1;
    }
    counts
}

#[test]
fn every_quiz_has_one_right_answer_and_at_most_four_options() {
    for (at, q) in quizzes() {
        let right = q.options.iter().filter(|o| o.correct).count();
        assert_eq!(right, 1, "{at}: {right} right answers");
        assert!(
            (2..=MAX_OPTIONS).contains(&q.options.len()),
            "{at}: {} options; keys a to d answer at most {MAX_OPTIONS}",
            q.options.len()
        );
    }
}

#[test]
fn right_answers_are_spread_over_the_letters() {
    let all = quizzes();
    let counts = histogram(&all);
    println!(
        "right answer by letter (a b c d): {counts:?} of {}",
        all.len()
    );
    for (k, n) in counts.iter().enumerate() {
        let letter = (b'a' + k as u8) as char;
        assert!(*n > 0, "no quiz has {letter}) as its answer: {counts:?}");
        assert!(
            n * 100 <= all.len() * MAX_SHARE_PERCENT,
            "{letter}) is right in {n} of {} quizzes, over {MAX_SHARE_PERCENT}%: {counts:?}",
            all.len()
        );
    }
}

/// The quizzes whose right answer is strictly longer (`longer`) or shorter than every other.
fn length_tells(quizzes: &[(String, Quiz)], longer: bool) -> Vec<&str> {
    quizzes
        .iter()
        .filter(|(_, q)| {
            let right = q.options[right_answer(q)].text.chars().count();
            q.options.iter().filter(|o| !o.correct).all(|o| {
                let other = o.text.chars().count();
                if longer { other < right } else { other > right }
            })
        })
        .map(|(at, _)| at.as_str())
        .collect()
}

#[test]
fn option_length_gives_the_answer_away_neither_way() {
    let all = quizzes();
    let longest = length_tells(&all, true).len();
    assert!(
        longest * 100 >= all.len() * MIN_LONGEST_PERCENT,
        "the right answer is the longest option in only {longest} of {} quizzes: \
         learners could rule the longest out",
        all.len()
    );
    for (longer, limit, word) in [
        (true, MAX_LONGEST_PERCENT, "longest"),
        (false, MAX_SHORTEST_PERCENT, "shortest"),
    ] {
        let tells = length_tells(&all, longer);
        println!(
            "the right answer is the {word} option in {} of {} quizzes",
            tells.len(),
            all.len()
        );
        assert!(
            tells.len() * 100 <= all.len() * limit,
            "the right answer is the {word} option in {} of {} quizzes (limit {limit}%):\n{}",
            tells.len(),
            all.len(),
            tells.join("\n")
        );
    }
}

#[test]
fn every_lesson_asks_what_code_prints_or_does() {
    let catalog = Catalog::embedded().expect("built-in lessons are valid");
    for lesson in &catalog.lessons {
        let asks = lesson.quizzes.iter().any(|q| {
            let q = q.question.to_lowercase();
            q.contains("print") || q.contains("what happens")
        });
        assert!(
            asks,
            "{}: no quiz asks what code prints or what happens",
            lesson.path
        );
    }
}

#[test]
fn the_welcome_lesson_names_the_answer_keys() {
    let catalog = Catalog::embedded().expect("built-in lessons are valid");
    let welcome = catalog.get("welcome").expect("welcome lesson");
    let source = Catalog::embedded_sources()
        .iter()
        .find(|(path, _)| *path == welcome.path)
        .map(|(_, text)| *text)
        .expect("welcome source");
    let last = (b'a' + MAX_OPTIONS as u8 - 1) as char;
    assert!(
        source.contains(&format!("(`a` to `{last}`)")),
        "the welcome lesson should say the answer keys are `a` to `{last}`"
    );
}
