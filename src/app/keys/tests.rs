//! The key table against the dispatcher and the help: every row's keys do what the row
//! says on its screen, the help lists every row, and the overlay scrolls and fits.

use std::path::Path;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::app::{App, Msg};
use crate::lessons::Catalog;
use crate::theme::{Theme, ThemeName};

fn app(w: u16, h: u16) -> App {
    let catalog = Catalog::from_dir(Path::new("tests/fixtures/pack")).expect("fixture pack");
    let mut app = App::new(catalog, Theme::new(ThemeName::Dark, true), None, None);
    app.update(Msg::Terminal(Event::Resize(w, h)));
    app
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Terminal(Event::Key(key(code, KeyModifiers::NONE))));
}

/// An app showing `screen` (with its keys active).
fn app_on(screen: Screen) -> App {
    let mut app = app(120, 40);
    let screen_wanted = screen;
    match screen {
        Screen::Anywhere | Screen::Lessons | Screen::Lesson => {}
        Screen::Help => app.help = true,
        Screen::Search => app.search.start(),
        Screen::Found => app.search.query = "thread".into(),
        Screen::Contents => app.pane = Pane::Contents,
        Screen::Quiz => {
            for _ in 0..10 {
                press(&mut app, KeyCode::Char(']'));
                if quiz_focused(&app) {
                    break;
                }
            }
        }
        Screen::Demo => {
            press(&mut app, KeyCode::Char(']'));
            press(&mut app, KeyCode::Enter);
        }
        Screen::Exercise | Screen::ExerciseReset => {
            // The screen alone, with no file and no background parts.
            let set =
                crate::exercises::ExerciseSet::from_pack(Path::new("tests/fixtures/exercise-pack"))
                    .expect("fixture exercises");
            let exercise = std::sync::Arc::new(set.exercises[0].clone());
            let mut screen =
                crate::app::exercise::ExerciseScreen::new(exercise, Err("none".into()));
            screen.confirm_reset = matches!(screen_wanted, Screen::ExerciseReset);
            app.exercise = Some(screen);
        }
        Screen::Rewind => {
            press(&mut app, KeyCode::Char(']'));
            press(&mut app, KeyCode::Enter);
            press(&mut app, KeyCode::Char(' '));
        }
    }
    assert!(
        app.key_screens().contains(&screen),
        "could not reach {screen:?}"
    );
    app
}

/// A key event `bound` matches, and the character it stands for.
fn example(bound: Key) -> Option<(KeyEvent, char)> {
    let none = KeyModifiers::NONE;
    Some(match bound {
        Key::Code(code) => (key(code, none), ' '),
        Key::Ctrl(c) => (key(KeyCode::Char(c), KeyModifiers::CONTROL), ' '),
        Key::Shift(code) => (key(code, KeyModifiers::SHIFT), ' '),
        Key::Letters { from, to, except } => {
            let c = (from..=to).rev().find(|c| !except.contains(*c))?;
            (key(KeyCode::Char(c), none), c)
        }
        Key::Digits => (key(KeyCode::Char('7'), none), '7'),
        Key::AnyChar => (key(KeyCode::Char('x'), none), 'x'),
        Key::Wheel => return None,
    })
}

#[test]
fn every_key_in_the_table_does_what_its_row_says() {
    for binding in BINDINGS {
        let mut app = app_on(binding.screen);
        for (bound, action) in binding.keys {
            let Some((event, c)) = example(*bound) else {
                continue;
            };
            assert_eq!(
                action_for(&app, event),
                action.for_char(c),
                "{:?} on {:?} ({})",
                bound,
                binding.screen,
                binding.help
            );
        }
        if app.demo.is_some() {
            app.apply(Action::DemoBack);
        }
        app.shutdown();
    }
}

#[test]
fn the_mouse_wheel_scrolls_the_lesson_as_listed() {
    let mut app = app(80, 24);
    app.update(Msg::Terminal(Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 40,
        row: 10,
        modifiers: KeyModifiers::NONE,
    })));
    assert_eq!(app.scroll, crate::app::WHEEL_LINES);
}

#[test]
fn every_row_has_help_and_is_listed_in_the_overlay() {
    let app = app(120, 40);
    let text: Vec<String> = crate::ui::help::lines(&app)
        .iter()
        .map(|l| l.to_string())
        .collect();
    for binding in BINDINGS {
        assert!(!binding.help.is_empty(), "{binding:?}");
        let label = binding.keys_label();
        let on_one_line = text
            .iter()
            .any(|l| l.contains(&label) && l.contains(binding.help));
        let on_two = text
            .windows(2)
            .any(|w| w[0].trim() == label && w[1].contains(binding.help));
        assert!(
            on_one_line || on_two,
            "the help does not list {label} {}",
            binding.help
        );
    }
}

#[test]
fn keys_name_themselves_as_the_help_shows_them() {
    assert_eq!(letter_runs('a', 'i', "g"), "a-f h i");
    assert_eq!(letter_runs('a', 'c', "b"), "a c");
    assert_eq!(Key::Ctrl('d').name(), "Ctrl-D");
    assert_eq!(Key::Code(KeyCode::PageDown).name(), "PgDn");
}

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|frame| crate::ui::draw(app, frame)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn the_overlay_scrolls_to_its_last_row_at_80x24() {
    let mut app = app(80, 24);
    press(&mut app, KeyCode::Char('?'));
    let last = BINDINGS.last().unwrap();
    let last = format!("{:<18}  {}", last.keys_label(), last.help);
    let last = last.as_str();
    let first_screen = draw(&app);
    assert!(first_screen.contains("↓ more"), "{first_screen}");
    assert!(
        !first_screen.contains(last),
        "all of it fits? {first_screen}"
    );
    press(&mut app, KeyCode::End);
    let end = draw(&app);
    assert!(end.contains(last), "{end}");
    assert!(end.contains("↑ more"), "{end}");
    // Scrolling past the end stays at the end; Home is back at the top.
    press(&mut app, KeyCode::Down);
    assert_eq!(app.help_scroll, crate::ui::help::max_scroll(&app));
    press(&mut app, KeyCode::Home);
    assert_eq!(app.help_scroll, 0);
    press(&mut app, KeyCode::PageDown);
    assert!(app.help_scroll > 0);
    press(&mut app, KeyCode::Esc);
    assert!(!app.help);
}

#[test]
fn the_overlay_draws_at_every_small_size() {
    let mut app = app(80, 24);
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::End);
    for w in 1..=40 {
        for h in 1..=16 {
            app.update(Msg::Terminal(Event::Resize(w, h)));
            draw(&app);
        }
    }
}

#[test]
fn inside_a_demo_the_overlay_starts_with_the_demo_keys() {
    let mut app = app_on(Screen::Demo);
    press(&mut app, KeyCode::Char('?'));
    let lines = crate::ui::help::lines(&app);
    assert_eq!(lines[0].to_string(), Screen::Demo.section());
    app.apply(Action::CloseHelp);
    app.apply(Action::DemoBack);
    app.shutdown();
    let lessons = crate::ui::help::lines(&app);
    assert_eq!(lessons[0].to_string(), Screen::Lesson.section());
}

#[test]
fn a_demo_alone_lists_its_own_keys_and_says_esc_quits() {
    let catalog = Catalog::from_dir(Path::new("tests/fixtures/pack")).expect("fixture pack");
    let engine = crate::sims::find("race").unwrap();
    let params = engine.resolve(&[]).unwrap();
    let mut app =
        App::demo_only(catalog, Theme::new(ThemeName::Dark, true), engine, params).unwrap();
    app.update(Msg::Terminal(Event::Resize(120, 40)));
    let text: Vec<String> = crate::ui::help::lines(&app)
        .iter()
        .map(|l| l.to_string())
        .collect();
    let all = text.join("\n");
    assert!(all.contains(Screen::Demo.section()), "{all}");
    for gone in [Screen::Lesson, Screen::Contents, Screen::Exercise] {
        assert!(!all.contains(gone.section()), "{all}");
    }
    assert!(
        text.iter()
            .any(|l| l.contains("Esc") && l.trim_end().ends_with(" quit")),
        "{all}"
    );
    assert!(!all.contains("back to the lesson"), "{all}");
    // The threads engine's number keys choose nothing, and the race demo has no twin.
    assert!(!all.contains("be the scheduler"), "{all}");
    assert!(!all.contains("real-Python twin"), "{all}");
    app.shutdown();
}
