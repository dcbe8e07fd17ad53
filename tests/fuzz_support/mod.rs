//! The in-process fuzzer's parts: the events it feeds ([`Ev`], printable and parsable so a
//! failing run can be replayed), the generator (every key of the key table plus random
//! others, mouse, resizes, frames) and the screens a run starts on ([`Start`]).

#![allow(dead_code)]

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use pyconc::app::keys::{BINDINGS, Key};
use pyconc::app::{App, DemoHost, Msg, Pane};
use pyconc::lessons::Catalog;
use pyconc::progress::ProgressStore;
use pyconc::sims::{Engine, ParamKind, ParamSpec, registry};
use pyconc::theme::{Theme, ThemeName};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// One thing that happens to the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Ev {
    /// A key press (or repeat / release).
    Key(KeyCode, KeyModifiers, KeyEventKind),
    /// A mouse event at column, row.
    Mouse(MouseEventKind, u16, u16),
    /// The terminal resized, and the app told so.
    Resize(u16, u16),
    /// The terminal resized, the app not told yet (a frame drawn before the event arrives).
    Terminal(u16, u16),
    /// A demo frame tick.
    Frame,
}

impl fmt::Display for Ev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ev::Key(code, mods, kind) => {
                let code = match code {
                    KeyCode::Char(c) => format!("'{}'", c.escape_unicode()),
                    KeyCode::F(n) => format!("F{n}"),
                    other => format!("{other:?}"),
                };
                let kind = match kind {
                    KeyEventKind::Press => "",
                    KeyEventKind::Repeat => "+repeat",
                    KeyEventKind::Release => "+release",
                };
                write!(f, "k:{code}:{}{kind}", mods.bits())
            }
            Ev::Mouse(kind, x, y) => {
                let kind = match kind {
                    MouseEventKind::ScrollUp => "wheelup".to_string(),
                    MouseEventKind::ScrollDown => "wheeldown".to_string(),
                    MouseEventKind::Down(b) => format!("down-{b:?}"),
                    MouseEventKind::Up(b) => format!("up-{b:?}"),
                    MouseEventKind::Drag(b) => format!("drag-{b:?}"),
                    MouseEventKind::Moved => "moved".to_string(),
                    MouseEventKind::ScrollLeft => "wheelleft".to_string(),
                    MouseEventKind::ScrollRight => "wheelright".to_string(),
                };
                write!(f, "m:{kind}:{x},{y}")
            }
            Ev::Resize(w, h) => write!(f, "r:{w}x{h}"),
            Ev::Terminal(w, h) => write!(f, "t:{w}x{h}"),
            Ev::Frame => f.write_str("f"),
        }
    }
}

fn button(name: &str) -> Option<MouseButton> {
    Some(match name {
        "Left" => MouseButton::Left,
        "Right" => MouseButton::Right,
        "Middle" => MouseButton::Middle,
        _ => return None,
    })
}

fn size(text: &str) -> Option<(u16, u16)> {
    let (w, h) = text.split_once('x')?;
    Some((w.parse().ok()?, h.parse().ok()?))
}

fn key_code(text: &str) -> Option<KeyCode> {
    if let Some(hex) = text
        .strip_prefix("'\\u{")
        .and_then(|t| t.strip_suffix("}'"))
    {
        return char::from_u32(u32::from_str_radix(hex, 16).ok()?).map(KeyCode::Char);
    }
    if let Some(n) = text.strip_prefix('F') {
        return n.parse().ok().map(KeyCode::F);
    }
    Some(match text {
        "Up" => KeyCode::Up,
        "Down" => KeyCode::Down,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "PageUp" => KeyCode::PageUp,
        "PageDown" => KeyCode::PageDown,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "BackTab" => KeyCode::BackTab,
        "Backspace" => KeyCode::Backspace,
        "Delete" => KeyCode::Delete,
        "Insert" => KeyCode::Insert,
        "Null" => KeyCode::Null,
        _ => return None,
    })
}

/// Parses one printed event (the inverse of `Display`).
pub fn parse_event(token: &str) -> Option<Ev> {
    let (tag, rest) = token.split_once(':').unwrap_or((token, ""));
    match tag {
        "f" => Some(Ev::Frame),
        "r" => size(rest).map(|(w, h)| Ev::Resize(w, h)),
        "t" => size(rest).map(|(w, h)| Ev::Terminal(w, h)),
        "m" => {
            let (kind, at) = rest.split_once(':')?;
            let (x, y) = at.split_once(',')?;
            let kind = match kind {
                "wheelup" => MouseEventKind::ScrollUp,
                "wheeldown" => MouseEventKind::ScrollDown,
                "wheelleft" => MouseEventKind::ScrollLeft,
                "wheelright" => MouseEventKind::ScrollRight,
                "moved" => MouseEventKind::Moved,
                other => {
                    let (what, b) = other.split_once('-')?;
                    let b = button(b)?;
                    match what {
                        "down" => MouseEventKind::Down(b),
                        "up" => MouseEventKind::Up(b),
                        "drag" => MouseEventKind::Drag(b),
                        _ => return None,
                    }
                }
            };
            Some(Ev::Mouse(kind, x.parse().ok()?, y.parse().ok()?))
        }
        "k" => {
            // The code may itself hold ':' only inside '\u{..}', which has none.
            let (code, mods) = rest.rsplit_once(':')?;
            let (mods, kind) = match mods.split_once('+') {
                Some((m, "repeat")) => (m, KeyEventKind::Repeat),
                Some((m, "release")) => (m, KeyEventKind::Release),
                Some(_) => return None,
                None => (mods, KeyEventKind::Press),
            };
            Some(Ev::Key(
                key_code(code)?,
                KeyModifiers::from_bits(mods.parse().ok()?)?,
                kind,
            ))
        }
        _ => None,
    }
}

/// Parses a printed event list (tokens separated by white space).
pub fn parse_events(text: &str) -> Vec<Ev> {
    text.split_whitespace()
        .map(|t| parse_event(t).unwrap_or_else(|| panic!("not an event: {t}")))
        .collect()
}

/// Every key the key table binds, as presses: read from the table, so a new binding is
/// fuzzed without a change here.
pub fn bound_keys() -> Vec<Ev> {
    let press = |code, mods| Ev::Key(code, mods, KeyEventKind::Press);
    let mut keys = Vec::new();
    for binding in BINDINGS {
        for (key, _) in binding.keys {
            match *key {
                Key::Code(code) => {
                    keys.push(press(code, KeyModifiers::NONE));
                    if let KeyCode::Char(c) = code
                        && c.is_ascii_uppercase()
                    {
                        keys.push(press(code, KeyModifiers::SHIFT));
                    }
                }
                Key::Shift(code) => keys.push(press(code, KeyModifiers::SHIFT)),
                Key::Ctrl(c) => keys.push(press(KeyCode::Char(c), KeyModifiers::CONTROL)),
                Key::Letters { from, to, .. } => {
                    for c in from..=to {
                        keys.push(press(KeyCode::Char(c), KeyModifiers::NONE));
                    }
                }
                Key::Digits => {
                    for c in '0'..='9' {
                        keys.push(press(KeyCode::Char(c), KeyModifiers::NONE));
                    }
                }
                Key::AnyChar => {
                    for c in ['x', 'Z', 'é', '日', '\u{0}', '\u{1b}', '\u{7f}', ' '] {
                        keys.push(press(KeyCode::Char(c), KeyModifiers::NONE));
                    }
                }
                Key::Wheel => {
                    keys.push(Ev::Mouse(MouseEventKind::ScrollDown, 10, 10));
                    keys.push(Ev::Mouse(MouseEventKind::ScrollUp, 10, 10));
                }
            }
        }
    }
    keys.dedup();
    keys
}

/// Keys no binding names: function keys, Alt and Ctrl chords, random characters.
fn random_other_key(rng: &mut fastrand::Rng) -> Ev {
    let code = match rng.u8(0..6) {
        0 => KeyCode::F(rng.u8(1..=24)),
        1 => [
            KeyCode::Delete,
            KeyCode::Insert,
            KeyCode::Null,
            KeyCode::Backspace,
            KeyCode::Esc,
        ][rng.usize(0..5)],
        2 => KeyCode::Char(rng.char('\u{20}'..='\u{7e}')),
        3 => KeyCode::Char(rng.char('\u{a0}'..='\u{2fff}')),
        4 => KeyCode::Char(rng.char('\u{0}'..='\u{1f}')),
        _ => KeyCode::Char(rng.char(..)),
    };
    let mods = KeyModifiers::from_bits_truncate(rng.u8(..));
    let kind = match rng.u8(0..10) {
        0 => KeyEventKind::Release,
        1 => KeyEventKind::Repeat,
        _ => KeyEventKind::Press,
    };
    Ev::Key(code, mods, kind)
}

fn random_mouse(rng: &mut fastrand::Rng, (w, h): (u16, u16)) -> Ev {
    let b = [MouseButton::Left, MouseButton::Right, MouseButton::Middle][rng.usize(0..3)];
    let kind = match rng.u8(0..8) {
        0 | 1 => MouseEventKind::ScrollDown,
        2 | 3 => MouseEventKind::ScrollUp,
        4 => MouseEventKind::Down(b),
        5 => MouseEventKind::Up(b),
        6 => MouseEventKind::Drag(b),
        _ => MouseEventKind::Moved,
    };
    // Mostly on screen, sometimes anywhere (a stale position after a resize).
    let (x, y) = if rng.u8(0..8) == 0 {
        (rng.u16(..), rng.u16(..))
    } else {
        (rng.u16(0..w.max(1)), rng.u16(0..h.max(1)))
    };
    Ev::Mouse(kind, x, y)
}

fn random_size(rng: &mut fastrand::Rng) -> (u16, u16) {
    match rng.u8(0..4) {
        // Around the sizes people use, where drawing is not the too-small screen.
        0 | 1 => (rng.u16(55..=220), rng.u16(14..=70)),
        2 => (rng.u16(1..=300), rng.u16(1..=100)),
        _ => (rng.u16(58..=64), rng.u16(14..=20)),
    }
}

/// The generator: bound keys most often, then frames, other keys, mouse and resizes.
pub struct Generator {
    rng: fastrand::Rng,
    bound: Vec<Ev>,
}

impl Generator {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: fastrand::Rng::with_seed(seed),
            bound: bound_keys(),
        }
    }

    /// The next event for a terminal of `size`.
    pub fn next(&mut self, size: (u16, u16)) -> Ev {
        match self.rng.u8(0..100) {
            0..=54 => self.bound[self.rng.usize(0..self.bound.len())].clone(),
            55..=69 => Ev::Frame,
            70..=79 => random_other_key(&mut self.rng),
            80..=91 => random_mouse(&mut self.rng, size),
            92..=96 => {
                let (w, h) = random_size(&mut self.rng);
                Ev::Resize(w, h)
            }
            _ => {
                let (w, h) = random_size(&mut self.rng);
                Ev::Terminal(w, h)
            }
        }
    }
}

/// Where a run starts.
#[derive(Debug, Clone)]
pub enum Start {
    /// The built-in lesson with this index, lesson pane focused.
    Lesson(usize),
    /// The contents pane focused.
    Contents,
    /// The search prompt open with a query.
    Search,
    /// The `?` overlay up.
    Help,
    /// The first quiz of the first lesson that has one, focused.
    Quiz,
    /// A demo with these overrides; reopened with them whenever the fuzzer leaves it.
    Demo(&'static str, Vec<(String, String)>),
    /// `pyconc replay FILE` of a recording of this engine's step model; reopened likewise.
    Replay(&'static str),
    /// The exercise screen of this built-in exercise; with real Python discovery and
    /// grading when true, else with no Python found.
    Exercise(String, bool),
}

impl fmt::Display for Start {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Start::Demo(name, overrides) => {
                write!(f, "demo {name}")?;
                for (k, v) in overrides {
                    write!(f, " {k}={v}")?;
                }
                Ok(())
            }
            Start::Replay(name) => write!(f, "replay {name}"),
            Start::Exercise(id, python) => write!(f, "exercise {id} {python}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The smallest or largest value of a parameter, as `--set` takes it.
fn extreme(spec: &ParamSpec, max: bool) -> String {
    match spec.kind {
        ParamKind::Int { min, max: hi } => (if max { hi } else { min }).to_string(),
        ParamKind::Float { min, max: hi } => (if max { hi } else { min }).to_string(),
        ParamKind::Choice(options) => options[if max { options.len() - 1 } else { 0 }].into(),
        ParamKind::List { options, max_items } => {
            if max {
                vec![options[options.len() - 1]; max_items].join(",")
            } else {
                options[0].to_string()
            }
        }
        ParamKind::Bool => max.to_string(),
    }
}

/// Parameters that make a real-thread demo cost a lot at their maximum (threads, workers,
/// tasks, sizes): kept at their default in the "all at maximum" start, which is otherwise
/// every parameter at its maximum, so the CI run stays short on a shared machine. They are
/// still pushed to their maximum by the fuzzer's own `+` presses in the long run.
const COSTLY: &[&str] = &[
    "busy",
    "threads",
    "workers",
    "tasks",
    "items",
    "clients",
    "producers",
    "consumers",
    "philosophers",
    "max_workers",
    "increments",
    "rounds",
    "units",
    "payload_kb",
    "item_kib",
    "work_ms",
    "hold_ms",
    "io_ms",
    "block_ms",
    "server_delay_ms",
    "produce_ms",
    "consume_ms",
    "min_ms",
    "max_ms",
    "timescale",
];

/// Every demo start: each engine at its defaults, with every `engine` choice (real
/// threads and the model), every parameter at its minimum, and at its maximum.
pub fn demo_starts() -> Vec<Start> {
    let mut starts = Vec::new();
    for engine in registry() {
        let name = engine.name();
        starts.push(Start::Demo(name, vec![]));
        for spec in engine.params() {
            if let ParamKind::Choice(options) = spec.kind
                && (spec.name == "engine" || spec.name == "mode" || spec.name == "scenario")
            {
                for option in options.iter().filter(|o| **o != spec.default) {
                    starts.push(Start::Demo(
                        name,
                        vec![(spec.name.into(), option.to_string())],
                    ));
                }
            }
        }
        let all = |max: bool| -> Vec<(String, String)> {
            engine
                .params()
                .iter()
                .filter(|s| !(max && COSTLY.contains(&s.name)))
                .map(|s| (s.name.to_string(), extreme(s, max)))
                .collect()
        };
        starts.push(Start::Demo(name, all(false)));
        starts.push(Start::Demo(name, all(true)));
    }
    starts
}

/// Every lesson screen start over the built-in pack, and a replay of each engine with
/// a step model.
pub fn screen_starts(catalog: &Catalog) -> Vec<Start> {
    let mut starts: Vec<Start> = (0..catalog.lessons.len()).map(Start::Lesson).collect();
    starts.extend([Start::Contents, Start::Search, Start::Help, Start::Quiz]);
    starts.extend(
        ["gil", "race", "deadlock"]
            .into_iter()
            .map(|name| Start::Replay(pyconc::sims::find(name).expect("an engine").name())),
    );
    let exercises = pyconc::exercises::ExerciseSet::embedded().expect("built-in exercises");
    for (i, id) in exercises.ids().into_iter().enumerate() {
        starts.push(Start::Exercise(id.to_string(), false));
        if i == 0 {
            starts.push(Start::Exercise(id.to_string(), true));
        }
    }
    starts
}

/// A recording (the file's bytes) of `name`'s step model, stepped 80 times.
pub fn model_recording(name: &str) -> Vec<u8> {
    use pyconc::replay::record::{Header, RecordingWriter};
    let engine = pyconc::sims::find(name).expect("an engine");
    let params = engine
        .resolve(&[("engine".into(), "model".into())])
        .expect("a model engine");
    let mut demo = engine.start(&params).expect("the model starts");
    demo.set_paused(true);
    let mut writer =
        RecordingWriter::new(Vec::new(), &Header::for_run(engine, &params)).expect("a header");
    for i in 0..80 {
        demo.step();
        writer
            .frame(f64::from(i) * 0.05, &demo.snapshot())
            .expect("a frame");
    }
    demo.stop();
    writer.finish().expect("the end mark").2
}

fn open_replay(app: &mut App, bytes: &[u8]) {
    let recording = pyconc::replay::record::read(bytes, "fuzz").expect("the recording reads");
    app.demo = Some(DemoHost::replay(recording).expect("the recording plays"));
}

/// Points worker processes at the pyconc binary (inside a test the program is the test).
pub fn use_pyconc_as_worker() {
    static SET: std::sync::Once = std::sync::Once::new();
    SET.call_once(|| {
        // SAFETY: called before any demo starts, under a Once; tests of this binary that
        // start demos call it first.
        unsafe {
            std::env::set_var(
                pyconc::sims::processes::WORKER_EXE_ENV,
                env!("CARGO_BIN_EXE_pyconc"),
            )
        };
    });
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Terminal(Event::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))));
}

fn open_demo(app: &mut App, name: &str, overrides: &[(String, String)]) {
    let engine: &'static dyn Engine = pyconc::sims::find(name).expect("a registered engine");
    let params = engine
        .resolve(overrides)
        .unwrap_or_else(|e| panic!("demo {name} {overrides:?}: {e}"));
    app.demo = Some(DemoHost::start(engine, params).expect("the demo starts"));
}

/// An app on `start`, its progress in `home`, at `size`.
pub fn app_at(start: &Start, home: &Path, size: (u16, u16)) -> App {
    let catalog = Catalog::embedded().expect("the built-in lessons are valid");
    let theme = Theme::new(ThemeName::Dark, true);
    let mut app = App::new(catalog, theme, Some(ProgressStore::in_dir(home)), None);
    app.exercises = pyconc::exercises::ExerciseSet::embedded().expect("built-in exercises");
    app.exercise_setup.dir = Some(home.join("exercises"));
    if !matches!(start, Start::Exercise(_, true)) {
        // No interpreter discovery and no grading (each would start Pythons).
        app.exercise_setup.found = Some(pyconc::pythons::Found::default());
    }
    app.update(Msg::Terminal(Event::Resize(size.0, size.1)));
    match start {
        Start::Lesson(i) => {
            app.pane = Pane::Contents;
            app.contents_selected = *i;
            press(&mut app, KeyCode::Enter);
        }
        Start::Contents => press(&mut app, KeyCode::Tab),
        Start::Search => {
            press(&mut app, KeyCode::Char('/'));
            for c in "thread".chars() {
                press(&mut app, KeyCode::Char(c));
            }
        }
        Start::Help => press(&mut app, KeyCode::Char('?')),
        Start::Quiz => {
            let lesson = app
                .catalog
                .lessons
                .iter()
                .position(|l| !l.quizzes.is_empty())
                .expect("a lesson with a quiz");
            app.pane = Pane::Contents;
            app.contents_selected = lesson;
            press(&mut app, KeyCode::Enter);
            for _ in 0..40 {
                if app.key_screens().contains(&pyconc::app::keys::Screen::Quiz) {
                    break;
                }
                press(&mut app, KeyCode::Char(']'));
            }
        }
        Start::Demo(name, overrides) => open_demo(&mut app, name, overrides),
        Start::Replay(name) => open_replay(&mut app, &model_recording(name)),
        Start::Exercise(id, _) => app.open_exercise(id),
    }
    app
}

/// The outcome of one run.
pub struct Run {
    /// Events fed.
    pub events: usize,
    /// The panic message, the run's start and every event up to the panic, if it panicked.
    pub failure: Option<String>,
}

/// Feeds `events` (drawn from `seed` when `None`, `count` of them) to an app on `start`,
/// drawing every event's frame at the terminal's size. Catches a panic and reports it with
/// the events to replay (see `replay` in tests/fuzz.rs).
pub fn run(start: &Start, seed: u64, count: usize, fixed: Option<&[Ev]>) -> Run {
    let home = tempfile::tempdir().expect("a temporary folder");
    let mut size = (80, 24);
    let mut app = app_at(start, home.path(), size);
    let recording = match start {
        Start::Replay(name) => model_recording(name),
        _ => Vec::new(),
    };
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).expect("a test terminal");
    let mut generator = Generator::new(seed);
    let mut fed: Vec<Ev> = Vec::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        for i in 0..fixed.map_or(count, <[Ev]>::len) {
            let ev = match fixed {
                Some(list) => list[i].clone(),
                None => generator.next(size),
            };
            fed.push(ev.clone());
            match ev {
                Ev::Key(code, mods, kind) => {
                    let mut key = KeyEvent::new(code, mods);
                    key.kind = kind;
                    app.update(Msg::Terminal(Event::Key(key)));
                }
                Ev::Mouse(kind, column, row) => {
                    app.update(Msg::Terminal(Event::Mouse(MouseEvent {
                        kind,
                        column,
                        row,
                        modifiers: KeyModifiers::NONE,
                    })))
                }
                Ev::Resize(w, h) => {
                    size = (w, h);
                    app.update(Msg::Terminal(Event::Resize(w, h)));
                }
                Ev::Terminal(w, h) => size = (w, h),
                Ev::Frame => app.update(Msg::Frame),
            }
            // Quitting ends a real session; here the run goes on from the same state.
            app.quit = false;
            // `e` asks the event loop for an editor: here none comes.
            if app.take_editor_request().is_some() {
                app.editor_finished(Err("no editor in the fuzzer".into()));
            }
            if app.demo.is_none() {
                match start {
                    Start::Demo(name, overrides) => open_demo(&mut app, name, overrides),
                    Start::Replay(_) => open_replay(&mut app, &recording),
                    Start::Exercise(id, _) if app.exercise.is_none() => app.open_exercise(id),
                    _ => {}
                }
            }
            let area = terminal.backend().buffer().area;
            if (area.width, area.height) != size {
                terminal = Terminal::new(TestBackend::new(size.0, size.1)).expect("a terminal");
            }
            if std::env::var_os("PYCONC_FUZZ_NODRAW").is_some() {
                continue;
            }
            terminal
                .draw(|frame| pyconc::ui::draw(&app, frame))
                .expect("drawing into a TestBackend");
        }
    }));
    let _ = app.shutdown();
    let failure = outcome.err().map(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into());
        let list: Vec<String> = fed.iter().map(Ev::to_string).collect();
        format!(
            "panic: {message}\nstart: {start}\nseed: {seed}\nevents ({}):\n{}",
            fed.len(),
            list.join(" ")
        )
    });
    Run {
        events: fed.len(),
        failure,
    }
}

/// The process's thread count (Linux), for checking every demo's threads are gone.
pub fn threads_now() -> Option<usize> {
    pyconc::sims::thread_count()
}

/// Parses a printed start (the inverse of `Display`): `Lesson(3)`, `Contents`, `Search`,
/// `Help`, `Quiz`, `demo gil engine=model threads=4`.
pub fn parse_start(text: &str) -> Option<Start> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("exercise ") {
        let (id, python) = rest.trim().split_once(' ')?;
        return Some(Start::Exercise(id.to_string(), python.parse().ok()?));
    }
    if let Some(rest) = text.strip_prefix("replay ") {
        return pyconc::sims::find(rest.trim()).map(|e| Start::Replay(e.name()));
    }
    if let Some(rest) = text.strip_prefix("demo ") {
        let mut words = rest.split_whitespace();
        let name = pyconc::sims::find(words.next()?)?.name();
        let overrides = words
            .map(|w| {
                w.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect::<Option<Vec<_>>>()?;
        return Some(Start::Demo(name, overrides));
    }
    if let Some(i) = text
        .strip_prefix("Lesson(")
        .and_then(|t| t.strip_suffix(')'))
    {
        return i.parse().ok().map(Start::Lesson);
    }
    Some(match text {
        "Contents" => Start::Contents,
        "Search" => Start::Search,
        "Help" => Start::Help,
        "Quiz" => Start::Quiz,
        _ => return None,
    })
}

/// The recorded x-ray runs shipped as fixtures (`pyconc xray` drawn from them).
pub const XRAY_RECORDINGS: &[(&str, &str)] = &[
    ("convoy", include_str!("../fixtures/xray/convoy.jsonl")),
    (
        "queue_lock",
        include_str!("../fixtures/xray/queue_lock.jsonl"),
    ),
];

/// Draws the `pyconc xray` screen for `screen` over `recording` into `buf` at `size`.
pub fn draw_xray(
    recording: &pyconc::xray::recording::Recording,
    screen: &pyconc::xray::screen::XrayScreen,
    output: &[String],
    (w, h): (u16, u16),
    buf: &mut ratatui::buffer::Buffer,
) {
    let area = ratatui::layout::Rect::new(0, 0, w, h);
    buf.resize(area);
    buf.reset();
    let view = recording.view(
        screen.frozen_at,
        screen.window_s,
        pyconc::ui::xray::strip_cells(w),
    );
    let frame = pyconc::ui::xray::XrayFrame {
        screen,
        view: &view,
        output,
    };
    pyconc::ui::xray::render(&frame, &Theme::new(ThemeName::Dark, true), area, buf);
}

/// Fuzzes the `pyconc xray` screen (its own keys, outside the key table) over a recorded
/// run: `count` events from `seed`; returns the events fed, or the failure to replay.
pub fn fuzz_xray(name: &str, text: &str, seed: u64, count: usize) -> Result<usize, String> {
    let recording = pyconc::xray::run::replay(text);
    let mut screen = pyconc::xray::screen::XrayScreen::new(format!("{name}.py"));
    let output = vec![
        "done \u{1b}[31mred\u{1b}[0m".to_string(),
        "日本語 ".repeat(40),
    ];
    let mut generator = Generator::new(seed);
    let mut size = (80, 24);
    let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 1, 1));
    let mut fed = Vec::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        for _ in 0..count {
            let ev = generator.next(size);
            fed.push(ev.clone());
            match ev {
                Ev::Key(code, mods, kind) if kind != KeyEventKind::Release => {
                    if let Some(action) =
                        pyconc::xray::screen::action_for(KeyEvent::new(code, mods))
                    {
                        let v = recording.view(None, screen.window_s, 1);
                        screen.update(action, v.window_end_s, v.kept_from_s);
                        screen.quit = false;
                    }
                }
                Ev::Resize(w, h) | Ev::Terminal(w, h) => size = (w, h),
                _ => {}
            }
            draw_xray(&recording, &screen, &output, size, &mut buf);
        }
    }));
    match outcome {
        Ok(()) => Ok(fed.len()),
        Err(_) => Err(format!(
            "xray {name} panicked; seed {seed}; events:\n{}",
            fed.iter().map(Ev::to_string).collect::<Vec<_>>().join(" ")
        )),
    }
}
