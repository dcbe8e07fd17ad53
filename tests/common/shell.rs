//! Driving the whole shell as a learner does: key presses fed to `App::update`, and the
//! screen `ui::draw` gives drawn into a TestBackend. Test code only: the integration tests
//! include it with `mod common;`.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pyconc::app::{App, Msg};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// Feeds one key press with `modifiers` to the app.
pub fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.update(Msg::Terminal(Event::Key(KeyEvent::new(code, modifiers))));
}

/// Feeds one key press without modifiers to the app.
pub fn press(app: &mut App, code: KeyCode) {
    key(app, code, KeyModifiers::NONE);
}

/// The shell drawn at `w`x`h` (whatever size the app believes it has).
pub fn terminal_at(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|frame| pyconc::ui::draw(app, frame)).unwrap();
    terminal
}

/// The screen's text at the app's size.
pub fn screen(app: &App) -> String {
    screen_at(app, app.size.0, app.size.1)
}

/// The screen's text drawn at `w`x`h`.
pub fn screen_at(app: &App, w: u16, h: u16) -> String {
    terminal_at(app, w, h).backend().to_string()
}

/// The screen's cells (with their styles) at the app's size.
pub fn buffer(app: &App) -> Buffer {
    terminal_at(app, app.size.0, app.size.1)
        .backend()
        .buffer()
        .clone()
}
