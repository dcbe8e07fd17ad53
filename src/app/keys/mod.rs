//! The key map: which [`Action`] a key means on the screen the app is showing. The
//! bindings are data ([`BINDINGS`] in `table.rs`: screen, keys, action, help, hint); this
//! file holds their types, which [`Screen`]s are active ([`App::key_screens`]) and the
//! dispatcher ([`action_for`]). The `?` overlay, the status bar and the demo's key bar
//! list the same rows, so no screen can show a key that does nothing or hide one that works.
//!
//! To add keys for a new screen: a [`Screen`] variant with its [`Screen::section`] title,
//! its condition in [`App::key_screens`], its rows in `table.rs`, and the [`Action`]s.

mod table;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Pane};
use crate::lessons::render::Item;

pub use table::BINDINGS;

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
    /// Move the time cursor through the kept past (paused, or a replay).
    DemoSeek(super::Seek),
    /// Save the run to a recording file.
    DemoSave,
    /// Run the demo's real-Python twin beside it (or close the twin's panel).
    DemoTwin,
    /// Scroll the key overlay by lines (`isize::MIN` / `MAX`: to its top / end).
    HelpScroll(isize),
    /// Scroll the key overlay by pages.
    HelpPage(isize),
    /// An exercise screen action.
    Exercise(super::exercise::ExerciseAction),
}

impl Action {
    /// The action for the character `c` of a key class ([`Key::Letters`], [`Key::Digits`],
    /// [`Key::AnyChar`]): the option, choice or typed character it names.
    fn for_char(self, c: char) -> Action {
        match self {
            Action::Answer(_) => Action::Answer(c as usize - 'a' as usize),
            Action::DemoChoose(_) => Action::DemoChoose(c as usize - '0' as usize),
            Action::SearchInput(_) => Action::SearchInput(c),
            other => other,
        }
    }
}

/// Where a binding works. Several screens are active at once (see [`App::key_screens`]);
/// the earlier one in that list wins a key both bind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Whatever is shown.
    Anywhere,
    /// The `?` overlay is up (it takes every key).
    Help,
    /// A live demo fills the screen.
    Demo,
    /// A demo is paused (or frozen, or a replay): the arrows move through time.
    Rewind,
    /// The search prompt has the keys.
    Search,
    /// A search's matches are highlighted (prompt closed).
    Found,
    /// The lessons screen, either pane.
    Lessons,
    /// The contents pane has the keys.
    Contents,
    /// A quiz is focused in the lesson pane.
    Quiz,
    /// The lesson pane has the keys.
    Lesson,
    /// The exercise screen is up.
    Exercise,
    /// The exercise screen asks whether to reset the file (it takes every key).
    ExerciseReset,
}

impl Screen {
    /// The heading of this screen's keys in the `?` overlay (screens may share one).
    pub fn section(self) -> &'static str {
        match self {
            Screen::Anywhere => "Anywhere",
            Screen::Help => "In this help",
            Screen::Demo => "In a live demo",
            Screen::Rewind => "In a paused demo or a replay",
            Screen::Search => "Typing a search",
            Screen::Found | Screen::Lessons | Screen::Quiz | Screen::Lesson => "Reading lessons",
            Screen::Contents => "In the contents",
            Screen::Exercise => "Doing an exercise",
            Screen::ExerciseReset => "Answering the reset question",
        }
    }
}

/// A key, or a class of keys, as a binding names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// This key, whatever the modifiers (`G` comes with Shift).
    Code(KeyCode),
    /// Ctrl and this letter.
    Ctrl(char),
    /// Shift and this key (a table lists it before the same key without Shift).
    Shift(KeyCode),
    /// A letter `from..=to` other than those in `except`, without Ctrl.
    Letters {
        /// The first letter.
        from: char,
        /// The last letter.
        to: char,
        /// Letters of the range left to other bindings.
        except: &'static str,
    },
    /// A digit 1-9.
    Digits,
    /// Any character typed without Ctrl.
    AnyChar,
    /// The mouse wheel (dispatched from mouse events, listed for the help).
    Wheel,
}

impl Key {
    /// The character of `key` this matches, or `None`; a [`Key::Code`] or [`Key::Ctrl`]
    /// match gives `' '`.
    fn matches(self, key: KeyEvent) -> Option<char> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match (self, key.code) {
            (Key::Code(code), pressed) if code == pressed => Some(' '),
            (Key::Shift(code), pressed)
                if code == pressed && key.modifiers.contains(KeyModifiers::SHIFT) =>
            {
                Some(' ')
            }
            (Key::Ctrl(c), KeyCode::Char(pressed)) if ctrl && c == pressed => Some(' '),
            (Key::Letters { from, to, except }, KeyCode::Char(c))
                if !ctrl && (from..=to).contains(&c) && !except.contains(c) =>
            {
                Some(c)
            }
            (Key::Digits, KeyCode::Char(c @ '1'..='9')) => Some(c),
            (Key::AnyChar, KeyCode::Char(c)) if !ctrl => Some(c),
            _ => None,
        }
    }

    /// How the help names this key: `↑`, `PgDn`, `Ctrl-d`, `a-f h i`, `1-9`.
    pub fn name(self) -> String {
        match self {
            Key::Code(code) => match code {
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::BackTab => "Shift-Tab".into(),
                KeyCode::Char(' ') => "space".into(),
                KeyCode::Char(c) => c.to_string(),
                other => other.to_string(),
            },
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::Shift(code) => format!("Shift-{}", Key::Code(code).name()),
            Key::Letters { from, to, except } => letter_runs(from, to, except),
            Key::Digits => "1-9".into(),
            Key::AnyChar => "letters".into(),
            Key::Wheel => "mouse wheel".into(),
        }
    }
}

/// `a-f h i` for the letters `from..=to` without `except`: runs of three or more as ranges.
fn letter_runs(from: char, to: char, except: &str) -> String {
    let mut runs: Vec<(char, char)> = Vec::new();
    for c in (from..=to).filter(|c| !except.contains(*c)) {
        match runs.last_mut() {
            Some((_, end)) if (*end as u32) + 1 == c as u32 => *end = c,
            _ => runs.push((c, c)),
        }
    }
    let mut words = Vec::new();
    for (start, end) in runs {
        if (end as u32) - (start as u32) >= 2 {
            words.push(format!("{start}-{end}"));
        } else {
            words.extend((start..=end).map(String::from));
        }
    }
    words.join(" ")
}

/// A short hint for the status bar: shown most important (lowest rank) first, as room allows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hint {
    /// Lower shows first.
    pub rank: u8,
    /// The keys as the bar shows them (`↑↓`, `n/p`).
    pub keys: &'static str,
    /// One or two words.
    pub what: &'static str,
    /// Shown only while this screen is active too (`n/p` on the lesson pane, not the
    /// contents, though both panes bind it).
    pub only_on: Option<Screen>,
}

/// One row of the key table: on `screen`, each key of `keys` means its action; `help` is
/// the row's line in the `?` overlay, `hint` its place in the status bar (if any).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binding {
    /// Where the keys work.
    pub screen: Screen,
    /// Each key and what it does.
    pub keys: &'static [(Key, Action)],
    /// What the row does, for the help.
    pub help: &'static str,
    /// Its status-bar hint.
    pub hint: Option<Hint>,
}

impl Binding {
    /// The row's keys as the help shows them, each named once, in the table's order.
    pub fn keys_label(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for (key, _) in self.keys {
            let name = key.name();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.join(" ")
    }
}

/// The rows of `screens`, in the order of `screens` (then of the table).
pub fn bindings_for(screens: &[Screen]) -> impl Iterator<Item = &'static Binding> + '_ {
    screens
        .iter()
        .flat_map(|screen| BINDINGS.iter().filter(move |b| b.screen == *screen))
}

/// The status-bar hints of `screens`, most important first.
pub fn hints_for(screens: &[Screen]) -> Vec<(&'static Binding, Hint)> {
    let mut hints: Vec<(&Binding, Hint)> = bindings_for(screens)
        .filter_map(|b| b.hint.map(|h| (b, h)))
        .filter(|(_, h)| h.only_on.is_none_or(|s| screens.contains(&s)))
        .collect();
    hints.sort_by_key(|(_, h)| h.rank);
    hints
}

impl App {
    /// The screens whose keys work now, the one that wins a shared key first.
    pub fn key_screens(&self) -> Vec<Screen> {
        if self.help {
            vec![Screen::Anywhere, Screen::Help]
        } else {
            self.screens_beneath_help()
        }
    }

    /// The screens whose keys work when the `?` overlay is not up (the overlay lists their
    /// keys first).
    pub fn screens_beneath_help(&self) -> Vec<Screen> {
        let mut screens = vec![Screen::Anywhere];
        if let Some(host) = &self.demo {
            if host.can_scrub() {
                screens.push(Screen::Rewind);
            }
            screens.push(Screen::Demo);
        } else if let Some(exercise) = &self.exercise {
            screens.push(if exercise.confirm_reset {
                Screen::ExerciseReset
            } else {
                Screen::Exercise
            });
        } else if self.search.editing {
            screens.push(Screen::Search);
        } else {
            if self.search.highlight().is_some() {
                screens.push(Screen::Found);
            }
            screens.push(Screen::Lessons);
            match self.pane {
                Pane::Contents => screens.push(Screen::Contents),
                Pane::Lesson => {
                    if quiz_focused(self) {
                        screens.push(Screen::Quiz);
                    }
                    screens.push(Screen::Lesson);
                }
            }
        }
        screens
    }
}

/// What `key` means right now: the first row of the active screens that binds it.
pub fn action_for(app: &App, key: KeyEvent) -> Action {
    for binding in bindings_for(&app.key_screens()) {
        for (bound, action) in binding.keys {
            if let Some(c) = bound.matches(key) {
                return action.for_char(c);
            }
        }
    }
    Action::None
}

/// True when the focused item is a quiz (then letters answer it).
fn quiz_focused(app: &App) -> bool {
    matches!(
        app.focused_item
            .and_then(|i| app.rendered.items.get(i))
            .map(|s| s.item),
        Some(Item::Quiz(_))
    )
}

#[cfg(test)]
mod tests;
