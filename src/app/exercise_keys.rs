//! The exercise screen's keys, declared once: [`EXERCISE_KEYS`] feeds both [`action_for`]
//! and the help overlay (and folds into the app's key table as one block).

use crossterm::event::{KeyCode, KeyEvent};

/// Something the learner asked for on the exercise screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExerciseAction {
    /// Back to the lesson (or quit, for `pyconc exercise ID`).
    Back,
    /// Open the file in `$VISUAL` / `$EDITOR`.
    Edit,
    /// Grade again now.
    Regrade,
    /// Ask to put the starter back.
    Reset,
    /// Answer the reset question.
    ConfirmReset(bool),
    /// Show the next hint.
    Hint,
    /// Show or hide the solution.
    Solution,
    /// Grade with the next interpreter.
    SwitchPython,
    /// Scroll the output by lines.
    Scroll(isize),
    /// Show the key overlay.
    Help,
}

/// One binding: the keys, what they mean, the help text.
pub struct Binding {
    /// The keys as shown in help.
    pub keys: &'static str,
    /// The codes that trigger it.
    pub codes: &'static [KeyCode],
    /// The action.
    pub action: ExerciseAction,
    /// What it does.
    pub help: &'static str,
}

/// Every key of the exercise screen.
pub const EXERCISE_KEYS: &[Binding] = &[
    Binding {
        keys: "e",
        codes: &[KeyCode::Char('e')],
        action: ExerciseAction::Edit,
        help: "edit in $VISUAL / $EDITOR (or any editor: saves are watched)",
    },
    Binding {
        keys: "Enter",
        codes: &[KeyCode::Enter, KeyCode::Char('c')],
        action: ExerciseAction::Regrade,
        help: "grade again now",
    },
    Binding {
        keys: "h",
        codes: &[KeyCode::Char('h')],
        action: ExerciseAction::Hint,
        help: "show the next hint",
    },
    Binding {
        keys: "s",
        codes: &[KeyCode::Char('s')],
        action: ExerciseAction::Solution,
        help: "show / hide the solution (after a pass or 3 tries)",
    },
    Binding {
        keys: "p",
        codes: &[KeyCode::Char('p')],
        action: ExerciseAction::SwitchPython,
        help: "grade with the next Python found",
    },
    Binding {
        keys: "r",
        codes: &[KeyCode::Char('r')],
        action: ExerciseAction::Reset,
        help: "back to the starter (asks; keeps a .bak-N copy)",
    },
    Binding {
        keys: "↑ ↓  j k",
        codes: &[KeyCode::Up, KeyCode::Char('k')],
        action: ExerciseAction::Scroll(-1),
        help: "scroll the output",
    },
    Binding {
        keys: "",
        codes: &[KeyCode::Down, KeyCode::Char('j')],
        action: ExerciseAction::Scroll(1),
        help: "",
    },
    Binding {
        keys: "PgUp PgDn",
        codes: &[KeyCode::PageUp],
        action: ExerciseAction::Scroll(-10),
        help: "scroll the output a page",
    },
    Binding {
        keys: "",
        codes: &[KeyCode::PageDown, KeyCode::Char(' ')],
        action: ExerciseAction::Scroll(10),
        help: "",
    },
    Binding {
        keys: "?",
        codes: &[KeyCode::Char('?')],
        action: ExerciseAction::Help,
        help: "this help",
    },
    Binding {
        keys: "Esc  q",
        codes: &[KeyCode::Esc, KeyCode::Char('q'), KeyCode::Backspace],
        action: ExerciseAction::Back,
        help: "back to the lesson (your file stays)",
    },
];

/// What `key` means on the exercise screen; `confirming` while the reset question is up
/// (then only y / n / Esc mean anything).
pub fn action_for(key: KeyEvent, confirming: bool) -> Option<ExerciseAction> {
    if confirming {
        return match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(ExerciseAction::ConfirmReset(true)),
            KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('q') => {
                Some(ExerciseAction::ConfirmReset(false))
            }
            _ => None,
        };
    }
    EXERCISE_KEYS
        .iter()
        .find(|b| b.codes.contains(&key.code))
        .map(|b| b.action)
}

/// The help rows: (keys, what they do), for the overlay.
pub fn help_rows() -> Vec<(&'static str, &'static str)> {
    EXERCISE_KEYS
        .iter()
        .filter(|b| !b.keys.is_empty())
        .map(|b| (b.keys, b.help))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn every_code_is_bound_once() {
        let mut seen = Vec::new();
        for b in EXERCISE_KEYS {
            for c in b.codes {
                assert!(!seen.contains(c), "{c:?} bound twice");
                seen.push(*c);
            }
        }
    }

    #[test]
    fn keys_map_and_the_reset_question_takes_over() {
        assert_eq!(
            action_for(key(KeyCode::Char('e')), false),
            Some(ExerciseAction::Edit)
        );
        assert_eq!(
            action_for(key(KeyCode::Char('r')), false),
            Some(ExerciseAction::Reset)
        );
        assert_eq!(action_for(key(KeyCode::Char('x')), false), None);
        assert_eq!(
            action_for(key(KeyCode::Char('y')), true),
            Some(ExerciseAction::ConfirmReset(true))
        );
        assert_eq!(
            action_for(key(KeyCode::Esc), true),
            Some(ExerciseAction::ConfirmReset(false))
        );
        assert_eq!(action_for(key(KeyCode::Char('e')), true), None);
        assert!(
            help_rows()
                .iter()
                .all(|(k, h)| !k.is_empty() && !h.is_empty())
        );
    }
}
