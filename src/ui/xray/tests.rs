//! The x-ray view drawn from a recorded run (`tests/fixtures/xray/convoy.jsonl`: two CPU
//! threads and a sleeper on CPython 3.11) at classroom and projector sizes, and at sizes
//! too small to draw on.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::theme::ThemeName;
use crate::xray::run::replay;

const CONVOY: &str = include_str!("../../../tests/fixtures/xray/convoy.jsonl");

fn draw(screen: &XrayScreen, width: u16, height: u16) -> String {
    let rec = replay(CONVOY);
    let view = rec.view(screen.frozen_at, screen.window_s, strip_cells(width));
    let output = vec!["done \u{1b}[31mred\u{1b}[0m".to_string()];
    let frame = XrayFrame {
        screen,
        view: &view,
        output: &output,
    };
    let theme = Theme::new(ThemeName::Dark, false);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| render(&frame, &theme, f.area(), f.buffer_mut()))
        .unwrap();
    terminal.backend().to_string()
}

#[test]
fn recorded_convoy_80x24() {
    let screen = XrayScreen::new("convoy.py".into());
    let text = draw(&screen, 80, 24);
    assert!(text.contains("cpu-1") && text.contains("sleeper"));
    assert!(text.contains("finished: exited with code 0"));
    // Child output reaches the screen sanitised: no escape byte.
    assert!(!text.contains('\u{1b}'));
    insta::assert_snapshot!(text);
}

#[test]
fn recorded_convoy_paused_200x60() {
    let mut screen = XrayScreen::new("convoy.py".into());
    screen.frozen_at = Some(0.3);
    screen.window_s = 0.2;
    let text = draw(&screen, 200, 60);
    assert!(text.contains("paused at 0.3 s"));
    insta::assert_snapshot!(text);
}

#[test]
fn tiny_screens_never_panic_and_say_too_small() {
    let screen = XrayScreen::new("convoy.py".into());
    for (w, h) in [(1, 1), (2, 1), (1, 3), (10, 4), (31, 30), (200, 7)] {
        let text = draw(&screen, w, h);
        if w >= 4 {
            assert!(text.contains("too"), "{w}x{h}: {text}");
        }
    }
    let text = draw(&screen, MIN_SIZE.0, MIN_SIZE.1);
    assert!(!text.contains("too small"));
}

#[test]
fn the_title_says_which_interpreter_ran() {
    let mut screen = XrayScreen::new("convoy.py".into());
    let text = draw(&screen, 120, 24);
    assert!(!text.contains("/opt/py/bin/python3.11"));
    screen.python = Some("/opt/py/bin/python3.11".into());
    let text = draw(&screen, 120, 24);
    assert!(text.contains("· /opt/py/bin/python3.11"), "{text}");
}

#[test]
fn threads_that_do_not_fit_are_counted() {
    let screen = XrayScreen::new("convoy.py".into());
    let text = draw(&screen, 80, 9);
    assert!(text.contains("more threads than fit"), "{text}");
}

#[test]
fn the_strip_uses_every_cell_it_is_given() {
    for w in [32u16, 63, 64, 80, 200] {
        let rec = replay(CONVOY);
        let view = rec.view(None, 5.0, strip_cells(w));
        assert!(view.threads.iter().all(|t| t.cells.len() == strip_cells(w)));
    }
}
