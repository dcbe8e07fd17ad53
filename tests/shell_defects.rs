//! Defects a learner met in the shell (issue 11), each driven as the learner did: keys fed
//! to `App::update` over the built-in lessons, checked on the state and the drawn screen.

mod common;

use common::shell::{press, screen, screen_at};
use crossterm::event::{Event, KeyCode};
use pyconc::app::{App, Msg, Pane};
use pyconc::lessons::Catalog;
use pyconc::lessons::render::Item;
use pyconc::progress::ProgressStore;
use pyconc::theme::{Theme, ThemeName};

fn app(home: &std::path::Path, w: u16, h: u16) -> App {
    let catalog = Catalog::embedded().expect("built-in lessons");
    let mut app = App::new(
        catalog,
        Theme::new(ThemeName::Dark, true),
        Some(ProgressStore::in_dir(home)),
        None,
    );
    app.update(Msg::Terminal(Event::Resize(w, h)));
    app
}

fn open(app: &mut App, index: usize) {
    app.pane = Pane::Contents;
    app.contents_selected = index;
    press(app, KeyCode::Enter);
}

/// Items 1 and 19: a frame drawn at a new size before its Resize arrives (the layout came
/// from `App.size`) panicked in the Scrollbar with `index outside of buffer`.
#[test]
fn a_frame_smaller_than_the_last_resize_draws() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app(home.path(), 72, 42);
    for _ in 0..10 {
        press(&mut app, KeyCode::PageDown);
    }
    let drawn = screen_at(&app, 99, 35);
    assert!(drawn.contains("Welcome"), "{drawn}");
    app.update(Msg::Terminal(Event::Resize(99, 35)));
    screen_at(&app, 99, 35);
}

/// Item 3: a quiz scrolled until only its frame shows must not take a letter.
#[test]
fn a_quiz_showing_only_its_border_takes_no_answer() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app(home.path(), 80, 24);
    let lesson = app.current;
    let quiz_item = app
        .rendered
        .items
        .iter()
        .position(|s| matches!(s.item, Item::Quiz(_)))
        .expect("the first lesson has a quiz");
    while app.focused_item != Some(quiz_item) {
        press(&mut app, KeyCode::Char(']'));
    }
    press(&mut app, KeyCode::Char('a'));
    let id = app.catalog.lessons[lesson].meta.id.clone();
    assert_eq!(app.progress.answer(&id, 0), Some(0));
    // Scroll until only the quiz's bottom border is on screen.
    // (A focused card can lay out taller, so its span is read again after each line.)
    while app.scroll < app.rendered.items[quiz_item].last_line {
        let before = app.scroll;
        press(&mut app, KeyCode::Down);
        assert!(app.scroll > before, "the lesson goes on below the quiz");
    }
    assert_eq!(
        app.scroll, app.rendered.items[quiz_item].last_line,
        "{:?}",
        app.rendered.items
    );
    // The frame alone shows: the quiz is no longer the one letters answer.
    assert_ne!(app.focused_item, Some(quiz_item));
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(
        app.progress.answer(&id, 0),
        Some(0),
        "answer replaced off screen"
    );
}

/// Item 4: resuming reopens the lesson at the saved scroll position.
#[test]
fn resume_restores_the_scroll_position() {
    let home = tempfile::tempdir().unwrap();
    let mut first = app(home.path(), 80, 24);
    open(&mut first, 3);
    for _ in 0..57 {
        press(&mut first, KeyCode::Down);
    }
    let (lesson, scroll) = (first.current, first.scroll);
    assert!(scroll >= 50, "scrolled to {scroll}");
    first.shutdown();
    let again = app(home.path(), 80, 24);
    assert_eq!(again.current, lesson);
    assert_eq!(again.scroll, scroll);
}

/// Item 5: `]` on a freshly opened lesson focuses the first card on the page, not the
/// second (lessons 8, 9 at 80x24; lesson 2 at 200x60).
#[test]
fn next_item_takes_the_first_visible_card_first() {
    let home = tempfile::tempdir().unwrap();
    for (index, (w, h)) in [(8, (80, 24)), (9, (80, 24)), (2, (200, 60))] {
        let mut app = app(home.path(), w, h);
        open(&mut app, index);
        let visible = app.scroll..app.scroll + app.page_height();
        let first_on_page = app
            .rendered
            .items
            .iter()
            .position(|s| s.first_line >= app.scroll && s.first_line < visible.end)
            .expect("a card on the first page");
        press(&mut app, KeyCode::Char(']'));
        assert_eq!(app.focused_item, Some(first_on_page), "lesson {index}");
        press(&mut app, KeyCode::Char(']'));
        assert_eq!(app.focused_item, Some(first_on_page + 1), "lesson {index}");
    }
}

/// Item 7: at 60x20 the parameter panel scrolls, so the selected parameter stays in view.
#[test]
fn the_parameter_panel_keeps_the_selection_in_view() {
    let home = tempfile::tempdir().unwrap();
    let mut app = app(home.path(), 60, 20);
    let engine = pyconc::sims::find("gil").unwrap();
    let params = engine
        .resolve(&[("engine".into(), "model".into())])
        .unwrap();
    app.demo = Some(pyconc::app::DemoHost::start(engine, params).unwrap());
    for spec in engine.params().iter().skip(1) {
        press(&mut app, KeyCode::Down);
        let drawn = screen(&app);
        let selected = drawn
            .lines()
            .find(|l| l.contains('▸'))
            .unwrap_or_else(|| panic!("no selection drawn:\n{drawn}"));
        assert!(
            selected.contains(spec.name),
            "{} not shown:\n{drawn}",
            spec.name
        );
    }
    app.shutdown();
}
