//! The state of the `pyconc xray` screen and its one writer, [`XrayScreen::update`]: keys
//! become [`ScreenAction`]s (pause, scrub, zoom, quit); the picture's window (live, or
//! frozen at a moment while the program runs on) lives here. No terminal code: the loop is
//! in `tui.rs`, the drawing in `ui::xray`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The shortest and longest window shown, in seconds.
pub const WINDOW_RANGE_S: (f64, f64) = (0.5, 60.0);
/// The window at start, in seconds.
pub const DEFAULT_WINDOW_S: f64 = 5.0;
/// One scrub step is this share of the window.
const SCRUB_STEP_SHARE: f64 = 0.1;

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenAction {
    /// Freeze the picture or go live again.
    TogglePause,
    /// Move the frozen picture back in time (pauses first).
    ScrubBack,
    /// Move it forward (going live again at the newest sample).
    ScrubForward,
    /// Jump to the oldest kept moment.
    Oldest,
    /// Back to live.
    Live,
    /// Show a longer span.
    ZoomOut,
    /// Show a shorter span.
    ZoomIn,
    /// Stop the program and leave.
    Quit,
}

/// What `q` says once the program has ended (there is nothing left to stop).
pub const QUIT_AFTER_EXIT: &str = "quit";

/// The key line, declared once: the keys, what they do, and the actions they stand for,
/// most important first (a narrow screen drops hints from the end).
pub const KEYS: &[(&str, &str, &[ScreenAction])] = &[
    ("q", "stop it and quit", &[ScreenAction::Quit]),
    ("space", "pause", &[ScreenAction::TogglePause]),
    (
        "←→",
        "scrub",
        &[ScreenAction::ScrubBack, ScreenAction::ScrubForward],
    ),
    (
        "home/end",
        "oldest/live",
        &[ScreenAction::Oldest, ScreenAction::Live],
    ),
    (
        "+/-",
        "zoom",
        &[ScreenAction::ZoomIn, ScreenAction::ZoomOut],
    ),
];

/// Maps a key to an action.
pub fn action_for(key: KeyEvent) -> Option<ScreenAction> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(ScreenAction::Quit);
    }
    Some(match key.code {
        KeyCode::Char(' ') | KeyCode::Char('p') => ScreenAction::TogglePause,
        KeyCode::Left | KeyCode::Char('h') => ScreenAction::ScrubBack,
        KeyCode::Right | KeyCode::Char('l') => ScreenAction::ScrubForward,
        KeyCode::Home => ScreenAction::Oldest,
        KeyCode::End => ScreenAction::Live,
        KeyCode::Char('+') | KeyCode::Char('=') => ScreenAction::ZoomIn,
        KeyCode::Char('-') => ScreenAction::ZoomOut,
        KeyCode::Char('q') | KeyCode::Esc => ScreenAction::Quit,
        _ => return None,
    })
}

/// The screen's state.
#[derive(Debug, Clone, PartialEq)]
pub struct XrayScreen {
    /// The script's name as shown (sanitised).
    pub script: String,
    /// The interpreter's path as shown (sanitised), when known: the screen says which ran.
    pub python: Option<String>,
    /// `Some(t)`: the picture is frozen with its window ending at run time `t` seconds.
    pub frozen_at: Option<f64>,
    /// The window's length, in seconds.
    pub window_s: f64,
    /// True when the loop should end.
    pub quit: bool,
}

impl XrayScreen {
    /// A live screen for `script`.
    pub fn new(script: String) -> XrayScreen {
        XrayScreen {
            script,
            python: None,
            frozen_at: None,
            window_s: DEFAULT_WINDOW_S,
            quit: false,
        }
    }

    /// Applies `action`; `newest_s` and `oldest_s` bound scrubbing (the kept samples).
    pub fn update(&mut self, action: ScreenAction, newest_s: f64, oldest_s: f64) {
        let step = self.window_s * SCRUB_STEP_SHARE;
        let lowest = (oldest_s + self.window_s).min(newest_s);
        match action {
            ScreenAction::TogglePause => {
                self.frozen_at = match self.frozen_at {
                    Some(_) => None,
                    None => Some(newest_s),
                }
            }
            ScreenAction::ScrubBack => {
                let at = self.frozen_at.unwrap_or(newest_s);
                self.frozen_at = Some((at - step).max(lowest));
            }
            ScreenAction::ScrubForward => {
                if let Some(at) = self.frozen_at {
                    let next = at + step;
                    self.frozen_at = Some(next.min(newest_s));
                }
            }
            ScreenAction::Oldest => self.frozen_at = Some(lowest),
            ScreenAction::Live => self.frozen_at = None,
            ScreenAction::ZoomIn => {
                self.window_s = (self.window_s / 2.0).max(WINDOW_RANGE_S.0);
            }
            ScreenAction::ZoomOut => {
                self.window_s = (self.window_s * 2.0).min(WINDOW_RANGE_S.1);
            }
            ScreenAction::Quit => self.quit = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn every_declared_action_has_a_key_and_quit_has_three() {
        for action in KEYS.iter().flat_map(|k| k.2.iter()) {
            let found = [
                KeyCode::Char(' '),
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::Char('+'),
                KeyCode::Char('-'),
                KeyCode::Char('q'),
            ]
            .into_iter()
            .any(|k| action_for(key(k)) == Some(*action));
            assert!(found, "{action:?} has no key");
        }
        assert_eq!(action_for(key(KeyCode::Esc)), Some(ScreenAction::Quit));
        assert_eq!(
            action_for(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(ScreenAction::Quit)
        );
        assert_eq!(action_for(key(KeyCode::Char('z'))), None);
    }

    #[test]
    fn scrubbing_stays_inside_the_kept_samples() {
        let mut s = XrayScreen::new("x.py".into());
        s.update(ScreenAction::TogglePause, 10.0, 0.0);
        assert_eq!(s.frozen_at, Some(10.0));
        for _ in 0..1000 {
            s.update(ScreenAction::ScrubBack, 12.0, 2.0);
        }
        assert_eq!(s.frozen_at, Some(2.0 + DEFAULT_WINDOW_S));
        for _ in 0..1000 {
            s.update(ScreenAction::ScrubForward, 12.0, 2.0);
        }
        assert_eq!(s.frozen_at, Some(12.0));
        s.update(ScreenAction::Live, 12.0, 2.0);
        assert_eq!(s.frozen_at, None);
        // Live, forward does nothing; back pauses.
        s.update(ScreenAction::ScrubForward, 12.0, 2.0);
        assert_eq!(s.frozen_at, None);
        s.update(ScreenAction::ScrubBack, 12.0, 2.0);
        assert!(s.frozen_at.is_some_and(|t| t < 12.0));
    }

    #[test]
    fn zoom_is_bounded() {
        let mut s = XrayScreen::new("x.py".into());
        for _ in 0..20 {
            s.update(ScreenAction::ZoomOut, 1.0, 0.0);
        }
        assert_eq!(s.window_s, WINDOW_RANGE_S.1);
        for _ in 0..20 {
            s.update(ScreenAction::ZoomIn, 1.0, 0.0);
        }
        assert_eq!(s.window_s, WINDOW_RANGE_S.0);
    }
}
