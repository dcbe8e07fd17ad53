//! The key map: which [`Action`] a key means on the screen the app is showing. One table,
//! so the help overlay and the status bar can list exactly the keys that work.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Pane};

/// Something the learner asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Nothing (an unbound key).
    None,
    /// Leave pyconc.
    Quit,
    /// Show or hide the key overlay.
    ToggleHelp,
    /// Hide the key overlay.
    CloseHelp,
    /// Move the keys between contents and lesson.
    SwitchPane,
    /// Scroll the lesson by lines.
    ScrollBy(isize),
    /// Scroll a page down.
    PageDown,
    /// Scroll a page up.
    PageUp,
    /// To the top of the lesson.
    Top,
    /// To the end of the lesson.
    Bottom,
    /// Open the next lesson.
    NextLesson,
    /// Open the previous lesson.
    PrevLesson,
    /// Move the contents selection.
    ContentsMove(isize),
    /// Open the selected lesson.
    ContentsOpen,
    /// Focus the next demo card or quiz.
    NextItem,
    /// Focus the previous demo card or quiz.
    PrevItem,
    /// Run the focused demo.
    Activate,
    /// Answer the focused quiz with option N (0-based).
    Answer(usize),
    /// Open the search prompt.
    SearchStart,
    /// Type into the search prompt.
    SearchInput(char),
    /// Delete the last character of the query.
    SearchBackspace,
    /// Jump to the next match.
    SearchNext,
    /// Close the search prompt.
    SearchClose,
    /// Leave the demo (stopping it).
    DemoBack,
    /// Pause or resume the demo.
    DemoPause,
    /// One step of the demo.
    DemoStep,
    /// Multiply the demo's speed.
    DemoSpeed(f64),
    /// Move the parameter selection.
    DemoSelect(isize),
    /// Change the selected parameter up (1) or down (-1).
    DemoChange(i32),
    /// Restart the demo with the current parameters.
    DemoRestart,
    /// Be the scheduler: run choice N (1-based).
    DemoChoose(usize),
    /// An exercise screen action (its keys: `exercise_keys.rs`).
    Exercise(super::exercise_keys::ExerciseAction),
}

/// One row of the key help: keys, what they do.
pub type KeyHelp = (&'static str, &'static str);

/// Every key of the lessons screen, for the help overlay.
pub const LESSON_KEYS: &[KeyHelp] = &[
    ("↑ ↓  j k", "scroll a line"),
    ("PgUp PgDn  space b", "scroll a page"),
    ("g G  Home End", "top / end of the lesson"),
    ("mouse wheel", "scroll"),
    ("n p", "next / previous lesson"),
    ("Tab", "switch between contents and lesson"),
    ("] [", "next / previous demo or quiz"),
    ("Enter", "run the focused demo (contents: open lesson)"),
    ("a b c d …", "answer the focused quiz"),
    ("/", "search lessons (Enter: next match, Esc: close)"),
    ("?", "this help"),
    ("q  Ctrl-C", "quit (progress is saved)"),
];

/// Every key of the demo screen, for the help overlay.
pub const DEMO_KEYS: &[KeyHelp] = &[
    ("space", "pause / resume"),
    (".", "one step (demos with a step mode)"),
    ("< >", "slower / faster"),
    ("↑ ↓", "choose a parameter"),
    ("+ -  → ←", "change it (applied live)"),
    ("1-9", "be the scheduler: run that thread next"),
    ("r", "restart"),
    ("Esc  q", "back to the lesson (the demo is stopped)"),
];

/// What `key` means right now.
pub fn action_for(app: &App, key: KeyEvent) -> Action {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Action::Quit;
    }
    if app.help {
        return match key.code {
            KeyCode::Char('q') | KeyCode::Esc | KeyCode::Char('?') | KeyCode::Enter => {
                Action::CloseHelp
            }
            _ => Action::None,
        };
    }
    if app.demo.is_some() {
        return demo_action(key);
    }
    if let Some(screen) = &app.exercise {
        return super::exercise_keys::action_for(key, screen.confirm_reset)
            .map_or(Action::None, Action::Exercise);
    }
    if app.search.editing {
        return match key.code {
            KeyCode::Esc => Action::SearchClose,
            KeyCode::Enter => Action::SearchNext,
            KeyCode::Backspace => Action::SearchBackspace,
            KeyCode::Char(c) if !ctrl => Action::SearchInput(c),
            _ => Action::None,
        };
    }
    let common = match key.code {
        KeyCode::Char('q') => Some(Action::Quit),
        KeyCode::Char('?') => Some(Action::ToggleHelp),
        KeyCode::Tab | KeyCode::BackTab => Some(Action::SwitchPane),
        KeyCode::Char('n') => Some(Action::NextLesson),
        KeyCode::Char('p') => Some(Action::PrevLesson),
        KeyCode::Char('/') => Some(Action::SearchStart),
        KeyCode::Esc if app.search.highlight().is_some() => Some(Action::SearchClose),
        _ => None,
    };
    if let Some(action) = common {
        return action;
    }
    match app.pane {
        Pane::Contents => match key.code {
            KeyCode::Up | KeyCode::Char('k') => Action::ContentsMove(-1),
            KeyCode::Down | KeyCode::Char('j') => Action::ContentsMove(1),
            KeyCode::Home | KeyCode::Char('g') => Action::ContentsMove(-1000),
            KeyCode::End | KeyCode::Char('G') => Action::ContentsMove(1000),
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => Action::ContentsOpen,
            _ => Action::None,
        },
        Pane::Lesson => match key.code {
            // With a quiz focused, b and d answer instead of scrolling.
            KeyCode::Char(c @ ('b' | 'd')) if !ctrl && quiz_focused(app) => {
                Action::Answer(c as usize - 'a' as usize)
            }
            KeyCode::Down | KeyCode::Char('j') => Action::ScrollBy(1),
            KeyCode::Up | KeyCode::Char('k') => Action::ScrollBy(-1),
            KeyCode::PageDown | KeyCode::Char(' ') => Action::PageDown,
            KeyCode::Char('d') if ctrl => Action::PageDown,
            KeyCode::PageUp | KeyCode::Char('b') => Action::PageUp,
            KeyCode::Char('u') if ctrl => Action::PageUp,
            KeyCode::Home | KeyCode::Char('g') => Action::Top,
            KeyCode::End | KeyCode::Char('G') => Action::Bottom,
            KeyCode::Char(']') => Action::NextItem,
            KeyCode::Char('[') => Action::PrevItem,
            KeyCode::Enter => Action::Activate,
            KeyCode::Char(c @ 'a'..='i') if !ctrl && c != 'b' && c != 'd' && c != 'g' => {
                Action::Answer(c as usize - 'a' as usize)
            }
            _ => Action::None,
        },
    }
}

/// True when the focused item is a quiz (then `b` and `d` answer instead of scrolling).
fn quiz_focused(app: &App) -> bool {
    matches!(
        app.focused_item
            .and_then(|i| app.rendered.items.get(i))
            .map(|s| s.item),
        Some(crate::lessons::render::Item::Quiz(_))
    )
}

fn demo_action(key: KeyEvent) -> Action {
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Backspace => Action::DemoBack,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char(' ') => Action::DemoPause,
        KeyCode::Char('.') => Action::DemoStep,
        KeyCode::Char('<') | KeyCode::Char(',') => Action::DemoSpeed(0.5),
        KeyCode::Char('>') => Action::DemoSpeed(2.0),
        KeyCode::Up | KeyCode::Char('k') => Action::DemoSelect(-1),
        KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => Action::DemoSelect(1),
        KeyCode::Char('+') | KeyCode::Char('=') | KeyCode::Right | KeyCode::Char('l') => {
            Action::DemoChange(1)
        }
        KeyCode::Char('-') | KeyCode::Char('_') | KeyCode::Left | KeyCode::Char('h') => {
            Action::DemoChange(-1)
        }
        KeyCode::Char('r') => Action::DemoRestart,
        KeyCode::Char(c @ '1'..='9') => Action::DemoChoose(c as usize - '0' as usize),
        _ => Action::None,
    }
}
