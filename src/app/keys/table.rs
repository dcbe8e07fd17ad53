//! Every key binding of pyconc, as data: the dispatcher ([`super::action_for`]), the `?`
//! overlay, the status bar and the demo screen's key bar all read this one table. A new
//! screen adds a [`Screen`] variant (and when it is active, in `App::key_screens`) and its
//! rows here; nothing else needs to know its keys.
//!
//! One piece on purpose: it is the one table of every binding, read by the dispatcher,
//! the help overlay and the key bars; splitting it would split that declaration.

use crossterm::event::KeyCode;

use super::{Action, Binding, Hint, Key, Screen};
use crate::app::Seek;

const fn code(code: KeyCode) -> Key {
    Key::Code(code)
}

const fn ch(c: char) -> Key {
    Key::Code(KeyCode::Char(c))
}

const fn hint(rank: u8, keys: &'static str, what: &'static str) -> Option<Hint> {
    Some(Hint {
        rank,
        keys,
        what,
        only_on: None,
    })
}

/// A hint shown only while `screen` is active as well.
const fn hint_on(screen: Screen, rank: u8, keys: &'static str, what: &'static str) -> Option<Hint> {
    Some(Hint {
        rank,
        keys,
        what,
        only_on: Some(screen),
    })
}

/// A row: where, which keys do what, the help line, the status-bar hint.
const fn row(
    screen: Screen,
    keys: &'static [(Key, Action)],
    help: &'static str,
    hint: Option<Hint>,
) -> Binding {
    Binding {
        screen,
        keys,
        help,
        hint,
    }
}

use super::super::exercise::ExerciseAction as X;
use Action as A;
use Screen as S;

/// The bindings, in priority order within a screen (the first row whose key matches wins).
pub static BINDINGS: &[Binding] = &[
    // The lesson pane.
    row(
        S::Lesson,
        &[
            (code(KeyCode::Up), A::ScrollBy(-1)),
            (code(KeyCode::Down), A::ScrollBy(1)),
            (ch('k'), A::ScrollBy(-1)),
            (ch('j'), A::ScrollBy(1)),
        ],
        "scroll a line",
        hint(1, "↑↓", "scroll"),
    ),
    row(
        S::Lesson,
        &[(Key::Wheel, A::ScrollBy(super::super::WHEEL_LINES as isize))],
        "scroll",
        None,
    ),
    row(
        S::Lesson,
        &[
            (code(KeyCode::PageUp), A::PageUp),
            (code(KeyCode::PageDown), A::PageDown),
            (ch('b'), A::PageUp),
            (ch(' '), A::PageDown),
            (Key::Ctrl('u'), A::PageUp),
            (Key::Ctrl('d'), A::PageDown),
        ],
        "scroll a page",
        None,
    ),
    row(
        S::Lesson,
        &[
            (code(KeyCode::Home), A::Top),
            (code(KeyCode::End), A::Bottom),
            (ch('g'), A::Top),
            (ch('G'), A::Bottom),
        ],
        "top / end of the lesson",
        None,
    ),
    row(
        S::Lesson,
        &[(ch(']'), A::NextItem), (ch('['), A::PrevItem)],
        "next / previous demo or quiz",
        hint(3, "][", "demo/quiz"),
    ),
    row(
        S::Lesson,
        &[(code(KeyCode::Enter), A::Activate)],
        "run the focused demo",
        hint(2, "Enter", "run demo"),
    ),
    row(
        S::Lesson,
        &[
            (code(KeyCode::Tab), A::SwitchPane),
            (code(KeyCode::BackTab), A::SwitchPane),
        ],
        "switch to the contents",
        None,
    ),
    // A focused quiz: every option letter answers (b and d too, which scroll otherwise).
    row(
        S::Quiz,
        &[(
            Key::Letters {
                from: 'a',
                to: 'i',
                except: "g",
            },
            A::Answer(0),
        )],
        "answer the focused quiz",
        hint(2, "a-d", "answer"),
    ),
    // Both panes of the lessons screen.
    row(
        S::Lessons,
        &[(ch('q'), A::Quit)],
        "quit (progress is saved)",
        hint(9, "q", "quit"),
    ),
    row(
        S::Lessons,
        &[(ch('?'), A::ToggleHelp)],
        "this help",
        hint(8, "?", "keys"),
    ),
    row(
        S::Lessons,
        &[(ch('n'), A::NextLesson), (ch('p'), A::PrevLesson)],
        "next / previous lesson",
        hint_on(S::Lesson, 4, "n/p", "lesson"),
    ),
    row(
        S::Lessons,
        &[(ch('/'), A::SearchStart)],
        "search lessons (Enter: next match, Esc: close)",
        hint_on(S::Lesson, 5, "/", "search"),
    ),
    // After a search: the matches stay highlighted until Esc.
    row(
        S::Found,
        &[(code(KeyCode::Esc), A::SearchClose)],
        "clear the search highlight",
        None,
    ),
    // The contents pane.
    row(
        S::Contents,
        &[
            (code(KeyCode::Up), A::ContentsMove(-1)),
            (code(KeyCode::Down), A::ContentsMove(1)),
            (ch('k'), A::ContentsMove(-1)),
            (ch('j'), A::ContentsMove(1)),
        ],
        "choose a lesson",
        hint(1, "↑↓", "choose"),
    ),
    row(
        S::Contents,
        &[
            (code(KeyCode::Home), A::ContentsMove(-1000)),
            (code(KeyCode::End), A::ContentsMove(1000)),
            (ch('g'), A::ContentsMove(-1000)),
            (ch('G'), A::ContentsMove(1000)),
        ],
        "first / last lesson",
        None,
    ),
    row(
        S::Contents,
        &[
            (code(KeyCode::Enter), A::ContentsOpen),
            (code(KeyCode::Right), A::ContentsOpen),
            (ch('l'), A::ContentsOpen),
        ],
        "open the chosen lesson",
        hint(2, "Enter", "open"),
    ),
    row(
        S::Contents,
        &[
            (code(KeyCode::Tab), A::SwitchPane),
            (code(KeyCode::BackTab), A::SwitchPane),
        ],
        "back to the lesson",
        hint(3, "Tab", "lesson"),
    ),
    // A live demo.
    row(
        S::Demo,
        &[
            (code(KeyCode::Esc), A::DemoBack),
            (ch('q'), A::DemoBack),
            (code(KeyCode::Backspace), A::DemoBack),
        ],
        "back to the lesson (the demo is stopped)",
        hint(0, "Esc", "back"),
    ),
    row(
        S::Demo,
        &[(Key::Digits, A::DemoChoose(0))],
        "be the scheduler: run that thread next",
        hint(1, "1-9", "choose"),
    ),
    row(
        S::Demo,
        &[(ch(' '), A::DemoPause)],
        "pause / resume",
        hint(2, "space", "pause"),
    ),
    row(
        S::Demo,
        &[
            (code(KeyCode::Up), A::DemoSelect(-1)),
            (code(KeyCode::Down), A::DemoSelect(1)),
            (ch('k'), A::DemoSelect(-1)),
            (ch('j'), A::DemoSelect(1)),
            (code(KeyCode::Tab), A::DemoSelect(1)),
        ],
        "choose a parameter",
        hint(3, "↑↓ +-", "params"),
    ),
    row(
        S::Demo,
        &[
            (ch('+'), A::DemoChange(1)),
            (ch('-'), A::DemoChange(-1)),
            (ch('='), A::DemoChange(1)),
            (ch('_'), A::DemoChange(-1)),
            (code(KeyCode::Right), A::DemoChange(1)),
            (code(KeyCode::Left), A::DemoChange(-1)),
            (ch('l'), A::DemoChange(1)),
            (ch('h'), A::DemoChange(-1)),
        ],
        "change it (applied live; → ← while running)",
        None,
    ),
    row(
        S::Demo,
        &[(ch('.'), A::DemoStep)],
        "one step (demos with a step mode)",
        hint(4, ".", "step"),
    ),
    row(
        S::Demo,
        &[
            (ch('<'), A::DemoSpeed(0.5)),
            (ch('>'), A::DemoSpeed(2.0)),
            (ch(','), A::DemoSpeed(0.5)),
        ],
        "slower / faster",
        hint(5, "< >", "speed"),
    ),
    row(
        S::Demo,
        &[(ch('r'), A::DemoRestart)],
        "restart",
        hint(6, "r", "restart"),
    ),
    row(
        S::Demo,
        &[(ch('x'), A::DemoTwin)],
        "run the real-Python twin beside the simulation (x again closes it)",
        hint(8, "x", "real twin"),
    ),
    row(
        S::Demo,
        &[(ch('?'), A::ToggleHelp)],
        "this help",
        hint(7, "?", "keys"),
    ),
    row(
        S::Demo,
        &[
            (code(KeyCode::Home), A::DemoSeek(Seek::First)),
            (code(KeyCode::End), A::DemoSeek(Seek::Last)),
        ],
        "first / last kept instant (the last 10 minutes)",
        None,
    ),
    row(
        S::Demo,
        &[
            (code(KeyCode::PageUp), A::DemoSeek(Seek::Seconds(-10.0))),
            (code(KeyCode::PageDown), A::DemoSeek(Seek::Seconds(10.0))),
        ],
        "10 s back / forward in time (pauses)",
        None,
    ),
    row(
        S::Demo,
        &[(ch('w'), A::DemoSave)],
        "save the run to a file (pyconc replay FILE)",
        hint_on(S::Rewind, 8, "w", "save"),
    ),
    // A paused demo or a replay: the arrows move through time (before the demo's rows,
    // where they change the parameter); Shift first, as plain arrows match it too.
    row(
        S::Rewind,
        &[
            (Key::Shift(KeyCode::Left), A::DemoSeek(Seek::Seconds(-1.0))),
            (Key::Shift(KeyCode::Right), A::DemoSeek(Seek::Seconds(1.0))),
        ],
        "1 s back / forward in time",
        None,
    ),
    row(
        S::Rewind,
        &[
            (code(KeyCode::Left), A::DemoSeek(Seek::Frames(-1))),
            (code(KeyCode::Right), A::DemoSeek(Seek::Frames(1))),
            (ch('h'), A::DemoSeek(Seek::Frames(-1))),
            (ch('l'), A::DemoSeek(Seek::Frames(1))),
        ],
        "one kept frame back / forward (space: live)",
        hint(3, "← →", "rewind"),
    ),
    // The search prompt.
    row(
        S::Search,
        &[(code(KeyCode::Enter), A::SearchNext)],
        "jump to the next match",
        hint(0, "Enter", "next"),
    ),
    row(
        S::Search,
        &[(code(KeyCode::Esc), A::SearchClose)],
        "close the search",
        hint(1, "Esc", "close"),
    ),
    row(
        S::Search,
        &[(code(KeyCode::Backspace), A::SearchBackspace)],
        "delete the last character",
        None,
    ),
    row(
        S::Search,
        &[(Key::AnyChar, A::SearchInput(' '))],
        "type what to look for",
        None,
    ),
    // The exercise screen.
    row(
        S::Exercise,
        &[(ch('e'), A::Exercise(X::Edit))],
        "edit in $VISUAL or $EDITOR (any editor works)",
        hint(0, "e", "edit"),
    ),
    row(
        S::Exercise,
        &[(ch('h'), A::Exercise(X::Hint))],
        "show the next hint",
        hint(1, "h", "hint"),
    ),
    row(
        S::Exercise,
        &[
            (code(KeyCode::Enter), A::Exercise(X::Regrade)),
            (ch('c'), A::Exercise(X::Regrade)),
        ],
        "grade again now",
        hint(2, "Enter", "grade"),
    ),
    row(
        S::Exercise,
        &[(ch('p'), A::Exercise(X::SwitchPython))],
        "grade with the next Python found (remembered)",
        hint(3, "p", "python"),
    ),
    row(
        S::Exercise,
        &[(ch('s'), A::Exercise(X::Solution))],
        "the solution (after a pass or 3 tries)",
        hint(4, "s", "solution"),
    ),
    row(
        S::Exercise,
        &[(ch('r'), A::Exercise(X::Reset))],
        "back to the starter (asks; keeps a .bak-N copy)",
        hint(5, "r", "reset"),
    ),
    row(
        S::Exercise,
        &[
            (code(KeyCode::Up), A::Exercise(X::Scroll(-1))),
            (code(KeyCode::Down), A::Exercise(X::Scroll(1))),
            (ch('k'), A::Exercise(X::Scroll(-1))),
            (ch('j'), A::Exercise(X::Scroll(1))),
        ],
        "scroll the output",
        None,
    ),
    row(
        S::Exercise,
        &[
            (code(KeyCode::PageUp), A::Exercise(X::Scroll(-10))),
            (code(KeyCode::PageDown), A::Exercise(X::Scroll(10))),
            (ch(' '), A::Exercise(X::Scroll(10))),
        ],
        "scroll the output a page",
        None,
    ),
    row(
        S::Exercise,
        &[(ch('?'), A::ToggleHelp)],
        "this help",
        hint(6, "?", "keys"),
    ),
    row(
        S::Exercise,
        &[
            (code(KeyCode::Esc), A::Exercise(X::Back)),
            (ch('q'), A::Exercise(X::Back)),
            (code(KeyCode::Backspace), A::Exercise(X::Back)),
        ],
        "back to the lesson (your file stays)",
        hint(7, "Esc", "back"),
    ),
    row(
        S::ExerciseReset,
        &[
            (ch('y'), A::Exercise(X::ConfirmReset(true))),
            (ch('Y'), A::Exercise(X::ConfirmReset(true))),
        ],
        "yes: keep a .bak-N copy, put the starter back",
        hint(0, "y", "yes"),
    ),
    row(
        S::ExerciseReset,
        &[
            (ch('n'), A::Exercise(X::ConfirmReset(false))),
            (code(KeyCode::Esc), A::Exercise(X::ConfirmReset(false))),
            (ch('q'), A::Exercise(X::ConfirmReset(false))),
        ],
        "no: keep the file as it is",
        hint(1, "n", "no"),
    ),
    // The key overlay.
    row(
        S::Help,
        &[
            (ch('q'), A::CloseHelp),
            (code(KeyCode::Esc), A::CloseHelp),
            (ch('?'), A::CloseHelp),
            (code(KeyCode::Enter), A::CloseHelp),
        ],
        "close this help",
        None,
    ),
    row(
        S::Help,
        &[
            (code(KeyCode::Up), A::HelpScroll(-1)),
            (code(KeyCode::Down), A::HelpScroll(1)),
            (ch('k'), A::HelpScroll(-1)),
            (ch('j'), A::HelpScroll(1)),
        ],
        "scroll this help a line",
        None,
    ),
    row(
        S::Help,
        &[
            (code(KeyCode::PageUp), A::HelpPage(-1)),
            (code(KeyCode::PageDown), A::HelpPage(1)),
            (ch(' '), A::HelpPage(1)),
            (ch('b'), A::HelpPage(-1)),
        ],
        "scroll this help a page",
        None,
    ),
    row(
        S::Help,
        &[
            (code(KeyCode::Home), A::HelpScroll(isize::MIN)),
            (code(KeyCode::End), A::HelpScroll(isize::MAX)),
        ],
        "top / end of this help",
        None,
    ),
    // Whatever is shown.
    row(
        S::Anywhere,
        &[(Key::Ctrl('c'), A::Quit)],
        "quit (progress is saved)",
        None,
    ),
];
