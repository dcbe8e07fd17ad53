//! Application state and its single writer, [`App::update`]. Keys become [`Action`]s
//! (see `keys.rs`); every change of state happens here, and drawing (`ui`) only reads.
//!
//! Over 500 lines on purpose: the state and every transition of it read together, so no
//! change of state hides in another file (search and the demo host have their own files).

pub mod demo_host;
pub mod exercise;
mod exercise_host;
pub mod input;
pub mod keys;
pub mod rewind;
pub mod run;
mod search;

use std::sync::Arc;
use std::thread::JoinHandle;

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::lessons::Catalog;
use crate::lessons::highlight::Highlighter;
use crate::lessons::render::{self, Item, RenderOptions, RenderedLesson};
use crate::progress::{Progress, ProgressStore};
use crate::sims::{Engine, Params};
use crate::theme::Theme;
use crate::ui::layout;

pub use demo_host::DemoHost;
pub use keys::Action;
pub use rewind::Seek;
pub use search::Search;

/// Lines the mouse wheel scrolls per notch.
pub const WHEEL_LINES: usize = 3;

/// Everything that can happen to the app.
pub enum Msg {
    /// A key, mouse or resize event from the terminal.
    Terminal(Event),
    /// Time for a new demo frame.
    Frame,
    /// The syntax highlighter finished loading.
    HighlighterReady(Arc<Highlighter>),
    /// Quit now (a signal arrived).
    Quit,
    /// The exercise screen's background parts have news (see [`exercise::ExerciseScreen::drain`]).
    ExerciseWake,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::Terminal(e) => write!(f, "Terminal({e:?})"),
            Msg::Frame => f.write_str("Frame"),
            Msg::HighlighterReady(_) => f.write_str("HighlighterReady"),
            Msg::Quit => f.write_str("Quit"),
            Msg::ExerciseWake => f.write_str("ExerciseWake"),
        }
    }
}

/// Which pane of the lessons screen has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The table of contents.
    Contents,
    /// The lesson text.
    Lesson,
}

/// A status bar message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// True for problems (drawn as such).
    pub is_error: bool,
}

/// The whole application state.
pub struct App {
    /// The lessons.
    pub catalog: Catalog,
    /// The styles.
    pub theme: Theme,
    /// The learner's progress.
    pub progress: Progress,
    store: Option<ProgressStore>,
    /// The index of the open lesson.
    pub current: usize,
    /// Which pane has the keys.
    pub pane: Pane,
    /// The highlighted row of the contents.
    pub contents_selected: usize,
    /// The first lesson line shown.
    pub scroll: usize,
    /// The focused demo card or quiz (index into `rendered.items`).
    pub focused_item: Option<usize>,
    /// True when the learner chose the focus (`]` `[`); false when scrolling gave it, so
    /// `]` first takes the card at the top of the page rather than the one after it.
    focus_chosen: bool,
    /// The terminal size.
    pub size: (u16, u16),
    /// The open lesson laid out for the lesson pane's width.
    pub rendered: RenderedLesson,
    /// The highlighter, once loaded.
    pub highlighter: Option<Arc<Highlighter>>,
    /// True while the key overlay is shown.
    pub help: bool,
    /// The first line of the key overlay shown.
    pub help_scroll: usize,
    /// Lesson text search.
    pub search: Search,
    /// The status bar message.
    pub notice: Option<Notice>,
    /// The running demo, when the demo screen is up.
    pub demo: Option<DemoHost>,
    /// `pyconc demo NAME`: leaving the demo quits.
    pub demo_only: bool,
    /// The exercises of the pack.
    pub exercises: crate::exercises::ExerciseSet,
    /// The open exercise, when the exercise screen is up.
    pub exercise: Option<exercise::ExerciseScreen>,
    /// Where exercises run: workspace folder, interpreter, interpreters found.
    pub exercise_setup: exercise_host::ExerciseSetup,
    /// True when the app should exit.
    pub quit: bool,
    /// True when the screen must be redrawn.
    pub dirty: bool,
    reapers: Vec<JoinHandle<serde_json::Value>>,
    /// Demo hosts being closed off the UI thread (a recording or save finishing); each
    /// says what it wrote.
    closers: Vec<JoinHandle<Vec<String>>>,
    /// What the learner must still be told when pyconc exits (progress-file problems, a
    /// recording written): printed on stderr once the terminal is restored.
    exit_messages: Vec<String>,
}

impl App {
    /// A new app over `catalog`, resuming from `store`'s progress (or at `open`, a lesson id).
    pub fn new(
        catalog: Catalog,
        theme: Theme,
        store: Option<ProgressStore>,
        open: Option<&str>,
    ) -> App {
        let (progress, notice) = match &store {
            Some(store) => {
                let loaded = store.load();
                (loaded.progress, loaded.notice)
            }
            None => (
                Progress::default(),
                Some("no data folder: progress is kept for this run only".to_string()),
            ),
        };
        let current = open
            .or(progress.last_lesson.as_deref())
            .and_then(|id| catalog.index_of(id))
            .unwrap_or(0);
        let mut app = App {
            catalog,
            theme,
            progress,
            store,
            current,
            pane: Pane::Lesson,
            contents_selected: current,
            scroll: 0,
            focused_item: None,
            focus_chosen: false,
            size: (80, 24),
            rendered: RenderedLesson::default(),
            highlighter: None,
            help: false,
            help_scroll: 0,
            search: Search::default(),
            notice: notice.map(|text| Notice {
                text,
                is_error: true,
            }),
            demo: None,
            demo_only: false,
            exercises: crate::exercises::ExerciseSet::default(),
            exercise: None,
            exercise_setup: exercise_host::ExerciseSetup::default(),
            quit: false,
            dirty: true,
            reapers: Vec::new(),
            closers: Vec::new(),
            exit_messages: Vec::new(),
        };
        if let Some(notice) = &app.notice {
            app.exit_messages.push(notice.text.clone());
        }
        app.open_lesson(current, true);
        app
    }

    /// An app that shows only the demo `engine` (for `pyconc demo NAME`).
    pub fn demo_only(
        catalog: Catalog,
        theme: Theme,
        engine: &'static dyn Engine,
        params: Params,
    ) -> Result<App, crate::sims::StartError> {
        let mut app = App::new(catalog, theme, None, None);
        app.notice = None;
        app.demo_only = true;
        app.demo = Some(DemoHost::start(engine, params)?);
        Ok(app)
    }

    /// An app that plays a recording (for `pyconc replay FILE`).
    pub fn replay(
        catalog: Catalog,
        theme: Theme,
        recording: crate::replay::record::Recording,
    ) -> Result<App, String> {
        let mut app = App::new(catalog, theme, None, None);
        app.notice = None;
        app.demo_only = true;
        app.demo = Some(DemoHost::replay(recording)?);
        Ok(app)
    }

    /// The open lesson's id.
    pub fn lesson_id(&self) -> &str {
        &self.catalog.lessons[self.current].meta.id
    }

    /// The lessons screen's geometry for the current size.
    pub fn lesson_screen(&self) -> layout::LessonScreen {
        layout::lesson_screen(
            Rect::new(0, 0, self.size.0, self.size.1),
            self.pane == Pane::Contents,
        )
    }

    /// How many lesson lines fit on screen.
    pub fn page_height(&self) -> usize {
        usize::from(self.lesson_screen().text.height.max(1))
    }

    /// The largest useful scroll offset.
    pub fn max_scroll(&self) -> usize {
        self.rendered.lines.len().saturating_sub(self.page_height())
    }

    /// The single place state changes.
    pub fn update(&mut self, msg: Msg) {
        self.dirty = true;
        match msg {
            Msg::Terminal(Event::Key(key)) => self.on_key(key),
            Msg::Terminal(Event::Mouse(mouse)) => self.on_mouse(mouse),
            Msg::Terminal(Event::Resize(w, h)) => {
                self.size = (w, h);
                self.relayout();
            }
            Msg::Terminal(_) => self.dirty = false,
            Msg::Frame => {
                let said = self.reap_finished();
                match self.demo.as_mut() {
                    Some(demo) => demo.refresh(),
                    None => self.dirty = said,
                }
            }
            Msg::HighlighterReady(h) => {
                self.highlighter = Some(h);
                self.relayout();
            }
            Msg::Quit => self.quit = true,
            Msg::ExerciseWake => self.exercise_wake(),
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            self.dirty = false;
            return;
        }
        let action = keys::action_for(self, key);
        self.apply(action);
    }

    /// Carries out one action (keys and tests come through here).
    pub fn apply(&mut self, action: Action) {
        use Action as A;
        // Any deliberate action on the lessons screen clears an old message (opening the
        // help keeps it, so it is still there when the help closes).
        if !matches!(action, A::None | A::ToggleHelp)
            && self.demo.is_none()
            && self.exercise.is_none()
            && !self.search.editing
        {
            self.notice = None;
        }
        match action {
            A::None => self.dirty = false,
            A::Quit => self.quit = true,
            A::ToggleHelp => {
                self.help = !self.help;
                self.help_scroll = 0;
            }
            A::CloseHelp => self.help = false,
            A::HelpScroll(delta) => self.scroll_help(delta),
            A::HelpPage(pages) => {
                let page = crate::ui::help::page_height(self) as isize;
                self.scroll_help(pages.saturating_mul(page.saturating_sub(1).max(1)));
            }
            A::SwitchPane => {
                self.pane = match self.pane {
                    Pane::Contents => Pane::Lesson,
                    Pane::Lesson => Pane::Contents,
                };
                self.contents_selected = self.current;
                // The lesson pane's width can change with the contents shown or hidden.
                self.relayout();
            }
            A::ScrollBy(delta) => self.scroll_to(self.scroll as isize + delta),
            A::PageDown => {
                self.scroll_to((self.scroll + self.page_height().saturating_sub(2)) as isize)
            }
            A::PageUp => {
                self.scroll_to(self.scroll as isize - self.page_height().saturating_sub(2) as isize)
            }
            A::Top => self.scroll_to(0),
            A::Bottom => self.scroll_to(self.max_scroll() as isize),
            A::NextLesson => {
                if self.current + 1 < self.catalog.lessons.len() {
                    self.open_lesson(self.current + 1, false);
                } else {
                    self.say("this is the last lesson");
                }
            }
            A::PrevLesson => {
                if self.current > 0 {
                    self.open_lesson(self.current - 1, false);
                } else {
                    self.say("this is the first lesson");
                }
            }
            A::ContentsMove(delta) => {
                let n = self.catalog.lessons.len() as isize;
                self.contents_selected =
                    (self.contents_selected as isize + delta).clamp(0, n - 1) as usize;
            }
            A::ContentsOpen => {
                self.open_lesson(self.contents_selected, false);
                self.pane = Pane::Lesson;
                self.relayout();
            }
            A::NextItem => self.focus_item(1),
            A::PrevItem => self.focus_item(-1),
            A::Activate => self.activate(),
            A::Answer(option) => self.answer(option),
            A::SearchStart => self.search.start(),
            A::SearchInput(c) => self.search.query.push(c),
            A::SearchBackspace => {
                self.search.query.pop();
            }
            A::SearchNext => self.search_next(),
            A::SearchClose => self.search.close(),
            A::DemoBack => self.close_demo(),
            A::DemoPause => self.with_demo(DemoHost::toggle_pause),
            A::DemoStep => self.with_demo(DemoHost::step),
            A::DemoSpeed(factor) => {
                let result = self.demo.as_mut().map(|d| d.change_speed(factor));
                self.after_restart(result);
            }
            A::DemoSelect(delta) => self.with_demo(|d| d.select(delta)),
            A::DemoChange(direction) => {
                let result = self.demo.as_mut().map(|d| d.change_param(direction));
                self.after_restart(result);
            }
            A::DemoRestart => {
                let result = self.demo.as_mut().map(DemoHost::restart);
                self.after_restart(result);
            }
            A::DemoChoose(n) => self.with_demo(|d| d.choose(n)),
            A::Exercise(action) => self.apply_exercise(action),
            A::DemoSeek(seek) => self.with_demo(|d| d.seek(seek)),
            A::DemoSave => self.with_demo(DemoHost::save_run),
            A::DemoTwin => self.toggle_twin(),
        }
    }

    fn scroll_help(&mut self, delta: isize) {
        let max = crate::ui::help::max_scroll(self);
        self.help_scroll = self.help_scroll.saturating_add_signed(delta).min(max);
    }

    fn with_demo(&mut self, f: impl FnOnce(&mut DemoHost)) {
        if let Some(demo) = self.demo.as_mut() {
            f(demo);
        }
    }

    fn after_restart(
        &mut self,
        result: Option<Result<Option<Box<dyn crate::sims::Demo>>, crate::sims::StartError>>,
    ) {
        match result {
            Some(Ok(Some(old))) => self.reap(old),
            Some(Err(e)) => {
                if let Some(d) = self.demo.as_mut() {
                    d.notice = Some(format!("could not restart: {e}"));
                }
            }
            _ => {}
        }
    }

    fn on_mouse(&mut self, mouse: MouseEvent) {
        let at = Position::new(mouse.column, mouse.row);
        match mouse.kind {
            MouseEventKind::ScrollDown if self.demo.is_none() => {
                self.scroll_to((self.scroll + WHEEL_LINES) as isize)
            }
            MouseEventKind::ScrollUp if self.demo.is_none() => {
                self.scroll_to(self.scroll as isize - WHEEL_LINES as isize)
            }
            MouseEventKind::Down(MouseButton::Left) if self.demo.is_none() => {
                let screen = self.lesson_screen();
                if let Some(contents) = screen.contents.filter(|c| c.contains(at)) {
                    let row = usize::from(at.y.saturating_sub(contents.y + 1));
                    let first = crate::ui::contents::first_visible(self, contents);
                    if row + first < self.catalog.lessons.len() && at.y > contents.y {
                        self.contents_selected = row + first;
                        self.apply(Action::ContentsOpen);
                    }
                } else if screen.lesson.contains(at) {
                    self.pane = Pane::Lesson;
                }
            }
            _ => self.dirty = false,
        }
    }

    /// Opens lesson `index`; `resume` restores its saved scroll position.
    fn open_lesson(&mut self, index: usize, resume: bool) {
        // Resuming opens the lesson whose saved position is about to be read: saving the
        // app's initial scroll of 0 over it first would lose it (issue 11, item 4).
        if !resume {
            self.save_scroll();
        }
        self.current = index.min(self.catalog.lessons.len().saturating_sub(1));
        self.contents_selected = self.current;
        let id = self.lesson_id().to_string();
        let entry = self.progress.lesson_mut(&id);
        entry.visited = true;
        let saved = entry.scroll;
        self.progress.last_lesson = Some(id);
        self.focused_item = None;
        self.focus_chosen = false;
        self.relayout();
        self.scroll_to(if resume { saved as isize } else { 0 });
        if !resume {
            self.save();
        }
    }

    /// Lays the open lesson out again (width, answers, focus or highlighter changed).
    pub fn relayout(&mut self) {
        let width = self.lesson_screen().text.width.max(1);
        let lesson = &self.catalog.lessons[self.current];
        let id = lesson.meta.id.clone();
        let progress = &self.progress;
        let answers = |quiz: usize| progress.answer(&id, quiz);
        let exercises = &self.exercises;
        let exercise = |ex: &str| {
            exercises
                .get(ex)
                .map(|e| render::ExerciseCardInfo::new(e, Some(progress)))
        };
        self.rendered = render::render(
            lesson,
            &RenderOptions {
                width,
                theme: &self.theme,
                highlighter: self.highlighter.as_deref(),
                answers: &answers,
                focused: self.focused_item,
                exercise: &exercise,
            },
        );
        self.scroll = self.scroll.min(self.max_scroll());
    }

    fn scroll_to(&mut self, line: isize) {
        // A focused card can lay out taller than an unfocused one, so "the bottom" is
        // remembered as such and re-applied after a focus change re-renders the lesson.
        let to_bottom = line >= self.max_scroll() as isize;
        self.scroll = line.clamp(0, self.max_scroll() as isize) as usize;
        let visible = self.scroll..self.scroll + self.page_height();
        let focus_visible = self
            .focused_item
            .and_then(|i| self.rendered.items.get(i))
            .is_some_and(|s| s.shows_in(&visible));
        if !focus_visible {
            let first_visible = self
                .rendered
                .items
                .iter()
                .position(|s| s.shows_in(&visible));
            if first_visible != self.focused_item {
                self.focused_item = first_visible;
                self.focus_chosen = false;
                self.relayout();
                if to_bottom {
                    self.scroll = self.max_scroll();
                }
            }
        }
        if self.scroll >= self.max_scroll() {
            let id = self.lesson_id().to_string();
            let entry = self.progress.lesson_mut(&id);
            if !entry.finished {
                entry.finished = true;
                self.save();
            }
        }
    }

    fn focus_item(&mut self, direction: isize) {
        let items = self.rendered.items.len();
        if items == 0 {
            self.say("no demo or quiz in this lesson");
            return;
        }
        // A focus that scrolling gave counts as none: `]` takes the first card from the top
        // of the page, even when that is the one already drawn focused (issue 11, item 5).
        let chosen = self.focused_item.filter(|_| self.focus_chosen);
        let next = match chosen {
            Some(i) => (i as isize + direction).clamp(0, items as isize - 1) as usize,
            None if direction > 0 => self
                .rendered
                .items
                .iter()
                .position(|s| s.first_line >= self.scroll)
                .unwrap_or(items - 1),
            None => self
                .rendered
                .items
                .iter()
                .rposition(|s| s.first_line < self.scroll)
                .unwrap_or(0),
        };
        self.focused_item = Some(next);
        self.focus_chosen = true;
        self.relayout();
        let span = self.rendered.items[next];
        let page = self.page_height();
        let visible = self.scroll..self.scroll + page;
        if !(visible.contains(&span.first_line) && visible.contains(&span.last_line)) {
            // Put the item a third of the way down, with context above it.
            self.scroll_to(span.first_line as isize - (page / 3) as isize);
        }
    }

    fn activate(&mut self) {
        let Some(span) = self.focused_item.and_then(|i| self.rendered.items.get(i)) else {
            self.say("no demo here: ] jumps to the next demo or quiz");
            return;
        };
        match span.item {
            Item::Demo(d) => {
                let demo = &self.catalog.lessons[self.current].demos[d];
                let Some(engine) = crate::sims::find(&demo.engine) else {
                    self.error(format!("unknown demo `{}`", demo.engine));
                    return;
                };
                match engine
                    .resolve(&demo.args)
                    .map_err(|e| e.to_string())
                    .and_then(|p| DemoHost::start(engine, p).map_err(|e| e.to_string()))
                {
                    Ok(host) => self.demo = Some(host),
                    Err(e) => self.error(format!("could not start `{}`: {e}", engine.name())),
                }
            }
            Item::Quiz(_) => self.say("answer with the letter of an option (a, b, c…)"),
            Item::Exercise(e) => {
                let id = self.catalog.lessons[self.current].exercises[e].id.clone();
                self.open_exercise(&id);
            }
        }
    }

    fn answer(&mut self, option: usize) {
        let Some(Item::Quiz(q)) = self
            .focused_item
            .and_then(|i| self.rendered.items.get(i))
            .map(|s| s.item)
        else {
            return;
        };
        let quiz = &self.catalog.lessons[self.current].quizzes[q];
        if option >= quiz.options.len() {
            self.say(format!(
                "this question has options a to {}",
                (b'a' + quiz.options.len() as u8 - 1) as char
            ));
            return;
        }
        let id = self.lesson_id().to_string();
        self.progress.set_answer(&id, q, option);
        self.save();
        self.relayout();
        // Keep the explanation in view.
        if let Some(span) = self.focused_item.and_then(|i| self.rendered.items.get(i)) {
            let bottom = self.scroll + self.page_height();
            if span.last_line >= bottom {
                let want = span.last_line + 1 - self.page_height();
                self.scroll_to(want.min(span.first_line) as isize);
            }
        }
    }

    /// `x`: stops the simulation (its final figures are the table's "simulation" column)
    /// and runs the demo's real twin on the interpreter chosen; `x` again closes it.
    fn toggle_twin(&mut self) {
        let Some(host) = self.demo.as_mut() else {
            return;
        };
        if host.twin.take().is_some() {
            host.notice = Some("real twin closed; r runs the simulation again".into());
            return;
        }
        let name = host.engine.name();
        let params = host.params.to_json();
        if let Err(e) = crate::xray::twins::for_demo(name, &params, 1.0) {
            host.notice = Some(crate::lessons::sanitize::sanitize_line(&e));
            return;
        }
        // Chosen on the twin's thread, as the exercise screen would choose.
        let python = crate::xray::twin_runner::TwinPython::Choose {
            flag: self.exercise_setup.python.clone(),
            kept: self.progress.python.clone(),
        };
        let Some(demo) = host.take_running() else {
            host.notice = Some("the simulation is not running: r starts it, then x".into());
            return;
        };
        let stopping = match demo_host::reap(demo) {
            Ok(h) => h,
            Err(e) => {
                self.error(format!("could not stop the demo in the background: {e}"));
                return;
            }
        };
        match crate::xray::demo_twin::DemoTwin::start(name, params, stopping, python) {
            Ok(twin) => {
                host.twin = Some(twin);
                host.notice = None;
            }
            Err((e, stopping)) => {
                host.notice = Some(crate::lessons::sanitize::sanitize_line(&e));
                self.reapers.push(stopping);
            }
        }
    }

    fn close_demo(&mut self) {
        if let Some(host) = self.demo.take() {
            match host.close_in_background() {
                Ok(handle) => self.closers.push(handle),
                Err(e) => self.error(format!("could not stop the demo in the background: {e}")),
            }
        }
        if self.demo_only {
            self.quit = true;
        }
    }

    fn reap(&mut self, demo: Box<dyn crate::sims::Demo>) {
        match demo_host::reap(demo) {
            Ok(handle) => self.reapers.push(handle),
            Err(e) => self.error(format!("could not stop the demo in the background: {e}")),
        }
    }

    /// Joins background stops and closes that have ended; true if one had something to say.
    fn reap_finished(&mut self) -> bool {
        let (done, running): (Vec<_>, Vec<_>) =
            self.reapers.drain(..).partition(|h| h.is_finished());
        self.reapers = running;
        for handle in done {
            let _ = handle.join();
        }
        let (done, running): (Vec<_>, Vec<_>) =
            self.closers.drain(..).partition(|h| h.is_finished());
        self.closers = running;
        let mut said_any = false;
        for handle in done {
            for said in handle.join().unwrap_or_default() {
                self.say(said);
                said_any = true;
            }
        }
        said_any
    }

    /// True while something in the background will still report (a demo being stopped
    /// or closed): the event loop keeps ticking until it has.
    pub fn has_background_work(&self) -> bool {
        !self.reapers.is_empty() || !self.closers.is_empty()
    }

    /// Stops any demo and joins every thread it started, then saves progress. Called on
    /// the way out; may wait for engines. Returns what the learner must still be told
    /// (progress-file problems, recordings written), for the caller to print once the
    /// terminal is restored.
    pub fn shutdown(&mut self) -> Vec<String> {
        if let Some(mut screen) = self.exercise.take()
            && let Some(discovery) = screen.stop()
        {
            self.exercise_setup.leftover.push(discovery);
        }
        self.reap_exercise_threads(true);
        if let Some(host) = self.demo.take() {
            match host.close_in_background() {
                Ok(handle) => self.closers.push(handle),
                Err(e) => self
                    .exit_messages
                    .push(format!("could not stop the demo: {e}")),
            }
        }
        for handle in self.reapers.drain(..) {
            let _ = handle.join();
        }
        for handle in std::mem::take(&mut self.closers) {
            self.exit_messages.extend(handle.join().unwrap_or_default());
        }
        self.save_scroll();
        self.save();
        std::mem::take(&mut self.exit_messages)
    }

    fn save_scroll(&mut self) {
        if let Some(lesson) = self.catalog.lessons.get(self.current) {
            let id = lesson.meta.id.clone();
            self.progress.lesson_mut(&id).scroll = self.scroll;
        }
    }

    fn save(&mut self) {
        if self.demo_only {
            return;
        }
        let Some(store) = &self.store else {
            return;
        };
        match store.save(&self.progress) {
            // Another pyconc's answers, merged in, show from the next layout on.
            Ok(merged) => self.progress = merged,
            Err(crate::progress::ProgressError::ReadOnly(_)) => {
                // Said once when loading; not repeated on every save.
            }
            Err(e) => {
                let text = e.to_string();
                if !self.exit_messages.contains(&text) {
                    self.exit_messages.push(text.clone());
                }
                self.notice = Some(Notice {
                    text,
                    is_error: true,
                });
            }
        }
    }

    fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: false,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: true,
        });
    }
}
