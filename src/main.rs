//! The `pyconc` command line: parses arguments and hands over to the TUI, the headless demo
//! runner, or the text commands (`list`, `show`, `check`). User mistakes end with a clear
//! message on stderr and exit code 2; `check` exits 1 when a lesson pack has problems.
//!
//! One file on purpose: the whole command-line surface (every subcommand, flag and exit
//! code) is declared and dispatched here, so `pyconc --help` and the code read alike; the
//! work of each command lives in the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::{Value, json};

use pyconc::app::{self, App};
use pyconc::lessons::render::{self, RenderOptions};
use pyconc::lessons::sanitize::{sanitize, sanitize_line, sanitize_path};
use pyconc::lessons::{Catalog, Problem, highlight::Highlighter};
use pyconc::progress::ProgressStore;
use pyconc::replay::export;
use pyconc::sims::{self, Engine, Params};
use pyconc::theme::{Theme, ThemeName};
use pyconc::xray;

mod exercise_cli;

/// Learn Python concurrency in your terminal: short lessons beside live demos that run on
/// your machine's real cores.
#[derive(Parser, Debug)]
#[command(name = "pyconc", version, about, long_about = None)]
struct Cli {
    /// Read lessons from this folder (a lesson pack) instead of the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    lessons: Option<PathBuf>,
    /// Colour theme (NO_COLOR turns colours off in any theme).
    #[arg(long, global = true, value_enum, default_value_t = ThemeName::Dark)]
    theme: ThemeName,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Open the tutorial at a lesson.
    Lesson {
        /// The lesson's id (see `pyconc list`).
        id: String,
    },
    /// Run one live demo full screen, or headless with --headless.
    Demo {
        /// The demo's name (see `pyconc list`).
        name: String,
        /// Set a parameter, e.g. --set threads=4 (repeat for more).
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Run without the TUI and print the final metrics.
        #[arg(long)]
        headless: bool,
        /// How long to run headless, in seconds.
        #[arg(long, default_value_t = 5.0, requires = "headless")]
        seconds: f64,
        /// Print the metrics as one JSON object.
        #[arg(long, requires = "headless")]
        json: bool,
        /// Also run the demo's real-Python twin and add its figures as `real`.
        #[arg(long, requires = "headless")]
        real: bool,
        /// The interpreter for --real (default: $PYCONC_PYTHON, else python3 on PATH).
        #[arg(long, value_name = "PY", requires = "real")]
        python: Option<PathBuf>,
        /// Write the run to FILE as a recording (`pyconc replay FILE` plays it).
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// Headless: write an asciicast v2 file of the run, drawn at --size.
        #[arg(long, value_name = "FILE", requires = "headless")]
        cast: Option<PathBuf>,
        /// Headless: write an SVG still of the final frame, drawn at --size.
        #[arg(long, value_name = "FILE", requires = "headless")]
        svg: Option<PathBuf>,
        /// The size casts and stills are drawn at, COLUMNSxROWS.
        #[arg(long, value_name = "WxH", default_value = "100x30")]
        size: String,
    },
    /// Replay a recording in the demo view (read-only), or export it as a cast or still.
    Replay {
        /// The recording (written by `w` in a demo or `pyconc demo --record FILE`).
        file: PathBuf,
        /// The instant the still shows, from the recording's start (e.g. 2.5s; default: the end).
        #[arg(long, value_name = "T", requires = "svg")]
        at: Option<String>,
        /// Write an asciicast v2 file of the whole recording.
        #[arg(long, value_name = "OUT")]
        cast: Option<PathBuf>,
        /// Write an SVG still of one instant.
        #[arg(long, value_name = "OUT")]
        svg: Option<PathBuf>,
        /// The size casts and stills are drawn at, COLUMNSxROWS.
        #[arg(long, value_name = "WxH", default_value = "100x30")]
        size: String,
    },
    /// List the lessons and the demos with their parameters.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a lesson as text.
    Show {
        /// The lesson's id.
        id: String,
    },
    /// Run a real Python program and draw its threads live (running, waiting for the GIL,
    /// on a lock, in I/O). Options go before SCRIPT; words after it are the script's.
    Xray {
        /// The interpreter (default: $PYCONC_PYTHON, else python3 on PATH).
        #[arg(long, value_name = "PY")]
        python: Option<PathBuf>,
        /// Print one JSON object when the script ends, instead of drawing.
        #[arg(long)]
        json: bool,
        /// Kill the script (and its process group) after this many seconds.
        #[arg(long, value_name = "S", default_value_t = xray::cli::DEFAULT_LIMIT_S)]
        seconds: f64,
        /// Write every raw sample and bootstrap line to FILE (how test fixtures are made).
        #[arg(long, value_name = "FILE", hide = true)]
        raw_out: Option<PathBuf>,
        /// Show only what every platform can (no /proc), to test that path on Linux.
        #[arg(long, hide = true)]
        portable: bool,
        /// SCRIPT [ARGS]... [--json]
        #[arg(
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "SCRIPT [ARGS]"
        )]
        script: Vec<std::ffi::OsString>,
    },
    /// Check a lesson pack (default: the built-in lessons) and print every problem; where a
    /// python3 is found, also grade every exercise's starter (must fail) and solution (must pass).
    Check {
        /// The folder of the pack.
        dir: Option<PathBuf>,
    },
    /// List the Python interpreters found, with version and GIL status.
    Pythons {
        /// As JSON.
        #[arg(long)]
        json: bool,
        /// Also probe this interpreter (listed first); PYCONC_PYTHON does the same.
        #[arg(long, value_name = "PATH")]
        python: Option<PathBuf>,
    },
    /// List the exercises: id, lesson, title, state.
    Exercises {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Do an exercise: a screen that grades your file on every save (or --check, --path).
    Exercise(ExerciseArgs),
}

/// `pyconc exercise ID ...`.
#[derive(clap::Args, Debug)]
struct ExerciseArgs {
    /// The exercise's id (see `pyconc exercises`).
    id: String,
    /// Keep your exercise files in this folder (default: the data folder's `exercises/`).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Grade without the TUI: exit 0 pass, 1 fail, 2 usage.
    #[arg(long, conflicts_with = "path")]
    check: bool,
    /// With --check: grade this file instead of your workspace file.
    #[arg(long, value_name = "PATH", requires = "check")]
    file: Option<PathBuf>,
    /// Grade with this interpreter (default: the one chosen before, else the first found).
    #[arg(long, value_name = "PY")]
    python: Option<PathBuf>,
    /// With --check: print the result as one JSON object.
    #[arg(long, requires = "check")]
    json: bool,
    /// Print the path of your workspace file (created from the starter if missing).
    #[arg(long)]
    path: bool,
}

/// A user-facing failure: the message and the exit code.
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 2,
        }
    }
}

impl Failure {
    fn from_message(message: String) -> Failure {
        Failure { message, code: 1 }
    }

    /// `WHAT have problems:` and one problem (`file:line: message`) a line; exit code 1.
    fn problems(what: &str, problems: &[Problem]) -> Failure {
        Failure::from_message(format!(
            "{what} have problems:\n{}",
            Problem::lines(problems)
        ))
    }
}

fn export_failure(e: export::ExportError) -> Failure {
    match e {
        export::ExportError::Usage(m) => Failure::usage(m),
        export::ExportError::Failed(m) => Failure::from_message(m),
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure {
            message: format!("{e:#}"),
            code: 1,
        }
    }
}

/// The longest headless run allowed, in seconds.
const MAX_HEADLESS_SECONDS: f64 = 3600.0;

fn main() -> ExitCode {
    // A worker process of the `processes` demo: before clap, which would reject the word.
    if std::env::args().nth(1).as_deref() == Some(sims::processes::WORKER_ARG) {
        return ExitCode::from(sims::processes::worker_main().clamp(0, 255) as u8);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_failure(&e),
    };
    match run(cli) {
        Ok(code) => code,
        Err(f) => {
            // Messages quote the user's arguments and pack text: never raw to the terminal.
            let _ = writeln!(std::io::stderr(), "pyconc: {}", sanitize(&f.message));
            ExitCode::from(f.code)
        }
    }
}

/// Prints clap's help, version or usage error. Errors quote the user's arguments (`pyconc
/// "$(printf '\e[2J')"`), so they are printed as plain, sanitised text.
fn clap_failure(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let code = ExitCode::from(e.exit_code().clamp(0, 255) as u8);
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        // Our own text only.
        let _ = e.print();
        return code;
    }
    let text = sanitize(&e.render().to_string());
    let _ = write!(std::io::stderr(), "{text}");
    code
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let theme = Theme::from_env(cli.theme);
    match cli.command {
        None => tui(
            load_catalog(cli.lessons.as_deref())?,
            cli.lessons.as_deref(),
            theme,
            None,
        ),
        Some(Command::Lesson { id }) => {
            let catalog = load_catalog(cli.lessons.as_deref())?;
            if catalog.get(&id).is_none() {
                return Err(unknown_lesson(&catalog, &id));
            }
            tui(catalog, cli.lessons.as_deref(), theme, Some(&id))
        }
        Some(Command::Demo {
            name,
            set,
            headless,
            seconds,
            json,
            real,
            python,
            record,
            cast,
            svg,
            size,
        }) => {
            let engine = find_engine(&name)?;
            let overrides = Params::split_assignments(&set).map_err(|e| {
                Failure::usage(format!(
                    "{e}\nvalid parameters of `{name}`: {}",
                    sims::params::describe_all(engine.params())
                ))
            })?;
            let params = engine
                .resolve(&overrides)
                .map_err(|e| Failure::usage(e.to_string()))?;
            // Not an error (the value is valid), but it would change nothing on screen.
            for why in sims::ParamSpec::unused_overrides(engine.params(), &params, &overrides) {
                eprintln!("pyconc: note: {why}: the value set changes nothing");
            }
            let size = export::parse_size(&size).map_err(Failure::usage)?;
            let outputs = export::Outputs {
                record,
                cast,
                svg,
                size,
            };
            if headless {
                let twin = if real {
                    let twin = xray::twins::for_demo(&name, &params.to_json(), seconds)
                        .map_err(Failure::usage)?;
                    let py = chosen_python(python.as_deref())?;
                    Some((twin, py))
                } else {
                    None
                };
                headless_demo(engine, &params, seconds, json, &outputs, cli.theme, twin)
            } else {
                require_terminal()?;
                let catalog = load_catalog(cli.lessons.as_deref())?;
                let mut app = App::demo_only(catalog, theme, engine, params)
                    .map_err(|e| Failure::from(anyhow::anyhow!(e)))?;
                if let Some(path) = &outputs.record {
                    export::attach_recorder(&mut app, path).map_err(export_failure)?;
                }
                app::run::run(app)?;
                Ok(ExitCode::SUCCESS)
            }
        }
        Some(Command::Replay {
            file,
            at,
            cast,
            svg,
            size,
        }) => {
            let size = export::parse_size(&size).map_err(Failure::usage)?;
            let at = at
                .map(|a| export::parse_at(&a))
                .transpose()
                .map_err(Failure::usage)?;
            let recording = export::read_recording(&file).map_err(export_failure)?;
            if cast.is_some() || svg.is_some() {
                let outputs = export::Outputs {
                    record: None,
                    cast,
                    svg,
                    size,
                };
                // Files are drawn in colour whatever NO_COLOR says: they are not this terminal.
                let notes =
                    export::from_recording(recording, at, &Theme::new(cli.theme, true), &outputs)
                        .map_err(export_failure)?;
                let mut err = std::io::stderr().lock();
                for note in notes {
                    let _ = writeln!(err, "pyconc: {}", sanitize(&note.to_string()));
                }
                Ok(ExitCode::SUCCESS)
            } else {
                require_terminal()?;
                let catalog = load_catalog(cli.lessons.as_deref())?;
                let app = App::replay(catalog, theme, recording).map_err(Failure::from_message)?;
                app::run::run(app)?;
                Ok(ExitCode::SUCCESS)
            }
        }
        Some(Command::List { json }) => {
            list(&load_catalog(cli.lessons.as_deref())?, json);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Show { id }) => show(
            &load_catalog(cli.lessons.as_deref())?,
            cli.lessons.as_deref(),
            &id,
            cli.theme,
        ),
        Some(Command::Check { dir }) => Ok(check(dir.or(cli.lessons))),
        Some(Command::Xray {
            python,
            json,
            seconds,
            raw_out,
            portable,
            script,
        }) => xray_command(python, json, seconds, raw_out, portable, &script, theme),
        Some(Command::Pythons { json, python }) => exercise_cli::pythons(python.as_deref(), json),
        Some(Command::Exercises { json }) => exercise_cli::list(cli.lessons.as_deref(), json),
        Some(Command::Exercise(args)) => {
            let target = exercise_cli::Target {
                pack: cli.lessons.clone(),
                id: args.id,
                dir: args.dir,
                python: args.python,
            };
            if args.check {
                exercise_cli::check(&target, args.file.as_deref(), args.json)
            } else if args.path {
                exercise_cli::print_path(&target)
            } else {
                require_terminal()?;
                let (catalog, set) = exercise_cli::load(target.pack.as_deref())?;
                exercise_cli::find(&set, &target.id)?;
                let mut app = App::new(catalog, theme, ProgressStore::locate(), None);
                app.exercises = set;
                app.exercise_setup.dir = target.dir;
                app.exercise_setup.python = target.python;
                app.exercise_setup.only = true;
                app.exercise_setup.open = Some(target.id);
                app::run::run(app)?;
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

fn xray_command(
    python: Option<PathBuf>,
    json: bool,
    seconds: f64,
    raw_out: Option<PathBuf>,
    portable: bool,
    words: &[std::ffi::OsString],
    theme: Theme,
) -> Result<ExitCode, Failure> {
    let split = xray::cli::split_script_args(words)
        .ok_or_else(|| Failure::usage("`xray` needs a SCRIPT to run"))?;
    if !(seconds > 0.0 && seconds <= MAX_HEADLESS_SECONDS) {
        return Err(Failure::usage(format!(
            "bad value `{seconds}` for `--seconds`: expected a number above 0 and at most {MAX_HEADLESS_SECONDS}"
        )));
    }
    let python = chosen_python(python.as_deref())?;
    let opts = xray::run::XrayOptions {
        python,
        script: split.script,
        args: split.args,
        time_limit: Some(std::time::Duration::from_secs_f64(seconds)),
        raw_out,
        portable,
        die_with_parent: true,
    };
    let usage = |e: xray::run::XrayError| match e {
        xray::run::XrayError::Setup(_) => Failure::from(anyhow::anyhow!(e)),
        other => Failure::usage(pyconc::lessons::sanitize::sanitize_line(&other.to_string())),
    };
    if json || split.json {
        let (report, outcome) = xray::cli::run_headless(&opts).map_err(usage)?;
        let _ = writeln!(std::io::stdout().lock(), "{report}");
        return Ok(if outcome.exit == pyconc::child::Exit::Code(0) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    require_terminal()?;
    xray::tui::run(&opts, theme).map_err(|e| match e {
        xray::tui::TuiError::Start(e) => usage(e),
        xray::tui::TuiError::Terminal(e) => Failure::from(anyhow::anyhow!(e)),
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The interpreter x-ray and `demo --real` run: `--python`, else `PYCONC_PYTHON`, else the
/// learner's choice kept in progress, else the first usable one (as the exercise screen).
fn chosen_python(flag: Option<&std::path::Path>) -> Result<std::ffi::OsString, Failure> {
    let kept = pyconc::progress::ProgressStore::locate().and_then(|s| s.load().progress.python);
    pyconc::pythons::choose(flag, kept.as_deref())
        .map(|i| i.path.into_os_string())
        .map_err(Failure::usage)
}

fn tui(
    catalog: Catalog,
    pack: Option<&std::path::Path>,
    theme: Theme,
    open: Option<&str>,
) -> Result<ExitCode, Failure> {
    require_terminal()?;
    // An exercise that does not load hides only itself; the status bar says so.
    let loaded = pyconc::exercises::ExerciseSet::load_usable(pack);
    let mut app = App::new(catalog, theme, ProgressStore::locate(), open);
    app.exercises = loaded.set;
    app.report_exercise_problems(&loaded.problems);
    app.relayout(); // the exercise cards now know their titles and states
    app::run::run(app)?;
    Ok(ExitCode::SUCCESS)
}

fn require_terminal() -> Result<(), Failure> {
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(Failure::usage(
            "the tutorial needs a terminal; without one, try `pyconc show ID`, `pyconc list` \
             or `pyconc demo NAME --headless`",
        ))
    }
}

/// The lessons of `--lessons DIR`, or the embedded ones.
fn load_catalog(dir: Option<&Path>) -> Result<Catalog, Failure> {
    match dir {
        Some(dir) => Catalog::from_dir(dir),
        None => Catalog::embedded(),
    }
    .map_err(|problems| Failure::problems("the lessons", &problems))
}

fn find_engine(name: &str) -> Result<&'static dyn Engine, Failure> {
    sims::find(name).ok_or_else(|| {
        Failure::usage(format!(
            "unknown demo `{name}`; demos: {}",
            sims::names().join(", ")
        ))
    })
}

fn unknown_lesson(catalog: &Catalog, id: &str) -> Failure {
    let ids: Vec<&str> = catalog.lessons.iter().map(|l| l.meta.id.as_str()).collect();
    Failure::usage(format!(
        "unknown lesson `{id}`; lessons: {}",
        ids.join(", ")
    ))
}

fn headless_demo(
    engine: &'static dyn Engine,
    params: &Params,
    seconds: f64,
    as_json: bool,
    outputs: &export::Outputs,
    theme_name: ThemeName,
    twin: Option<(xray::twins::Twin, std::ffi::OsString)>,
) -> Result<ExitCode, Failure> {
    if !(seconds > 0.0 && seconds <= MAX_HEADLESS_SECONDS) {
        return Err(Failure::usage(format!(
            "bad value `{seconds}` for `--seconds`: expected a number above 0 and at most {MAX_HEADLESS_SECONDS}"
        )));
    }
    let mut metrics = if outputs.record.is_some() || outputs.cast.is_some() || outputs.svg.is_some()
    {
        // Files are drawn in colour whatever NO_COLOR says: they are not this terminal.
        let theme = Theme::new(theme_name, true);
        let (metrics, notes) =
            export::run_live(engine, params, seconds, &theme, outputs).map_err(export_failure)?;
        let mut err = std::io::stderr().lock();
        for note in notes {
            let _ = writeln!(err, "pyconc: {}", sanitize(&note.to_string()));
        }
        metrics
    } else {
        sims::headless::run(engine, params, seconds).map_err(|e| {
            Failure::from(anyhow::anyhow!("could not start `{}`: {e}", engine.name()))
        })?
    };
    let mut code = ExitCode::SUCCESS;
    if let Some((twin, python)) = twin {
        let real = match xray::twins::run(python, &twin) {
            Ok(run) => xray::twins::real_json(engine.name(), &metrics, &run),
            Err(e) => {
                code = ExitCode::from(1);
                json!({ "error": pyconc::lessons::sanitize::sanitize_line(&e) })
            }
        };
        if let Value::Object(map) = &mut metrics {
            map.insert("real".into(), real);
        }
    }
    let mut out = std::io::stdout().lock();
    let text = if as_json {
        metrics.to_string()
    } else {
        human_metrics(&metrics)
    };
    let _ = writeln!(out, "{text}");
    Ok(code)
}

/// `key: value` lines, nested values as compact JSON.
fn human_metrics(metrics: &Value) -> String {
    match metrics {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

fn list(catalog: &Catalog, as_json: bool) {
    let demos: Vec<Value> = sims::registry()
        .iter()
        .map(|e| {
            json!({
                "name": e.name(),
                "title": e.title(),
                "about": e.about(),
                "params": e.params().iter().map(|p| json!({
                    "name": p.name,
                    "default": p.default,
                    "range": p.kind.describe(),
                    "help": p.help,
                    // null: always used; else only while `param` is one of `values`.
                    "used_when": p.used_when.map(|w| json!({"param": w.param, "values": w.values})),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if as_json {
        let lessons: Vec<Value> = catalog
            .lessons
            .iter()
            .map(|l| json!({"id": l.meta.id, "title": l.meta.title, "order": l.meta.order}))
            .collect();
        let _ = writeln!(out, "{}", json!({"lessons": lessons, "demos": demos}));
        return;
    }
    let _ = writeln!(out, "Lessons (pyconc lesson ID):");
    for l in &catalog.lessons {
        let _ = writeln!(
            out,
            "  {:>2}  {:<28} {}",
            l.meta.order,
            sanitize_line(&l.meta.id),
            sanitize_line(&l.meta.title)
        );
    }
    let _ = writeln!(out, "\nDemos (pyconc demo NAME --set name=value):");
    for e in sims::registry() {
        let _ = writeln!(out, "  {:<11} {}", e.name(), e.about());
        for p in e.params() {
            let only = p.used_when.map_or_else(String::new, |w| {
                format!(" (only with {}={})", w.param, w.values.join("|"))
            });
            let _ = writeln!(
                out,
                "      {:<20} default {:<10} {}; {}{only}",
                p.name,
                p.default,
                p.help,
                p.kind.describe()
            );
        }
    }
}

fn show(
    catalog: &Catalog,
    pack: Option<&std::path::Path>,
    id: &str,
    theme_name: ThemeName,
) -> Result<ExitCode, Failure> {
    let lesson = catalog.get(id).ok_or_else(|| unknown_lesson(catalog, id))?;
    let tty = std::io::stdout().is_terminal();
    let width = if tty {
        crossterm::terminal::size().map_or(80, |(w, _)| w.clamp(40, 120))
    } else {
        80
    };
    let theme = if tty {
        Theme::from_env(theme_name)
    } else {
        Theme::new(theme_name, false)
    };
    let highlighter = (tty && theme.color).then(Highlighter::load);
    let no_answers = |_: usize| None;
    // The card's title and what it practises; the learner's state is the TUI's business.
    // Those that load (`pyconc check` names what is wrong with the rest).
    let exercises = pyconc::exercises::ExerciseSet::load_usable(pack).set;
    let exercise = |ex: &str| {
        exercises
            .get(ex)
            .map(|e| render::ExerciseCardInfo::new(e, None))
    };
    let laid_out = render::render(
        lesson,
        &RenderOptions {
            width,
            theme: &theme,
            highlighter: highlighter.as_ref(),
            answers: &no_answers,
            focused: None,
            exercise: &exercise,
        },
    );
    let text = if tty {
        render::to_ansi(&laid_out.lines)
    } else {
        render::to_plain_text(&laid_out.lines)
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    Ok(ExitCode::SUCCESS)
}

fn check(dir: Option<PathBuf>) -> ExitCode {
    let mut problems = pyconc::lessons::check(dir.as_deref());
    // One interpreter for both Python steps, chosen as everywhere else.
    let python = match pyconc::pythons::choose(None, None) {
        Ok(python) => Some(python),
        Err(why) => {
            if pyconc::pythons::choice::named(None).is_some() {
                eprintln!("note: {why}");
            }
            None
        }
    };
    if problems.is_empty() {
        let blocks_python = python.as_ref().map(|p| p.path.as_path());
        let python = pyconc::lessons::python_blocks::check_pack(dir.as_deref(), blocks_python);
        if let Some(note) = &python.note {
            eprintln!("{}", sanitize(note));
        }
        problems.extend(python.problems);
    }
    let what = dir
        .as_ref()
        .map_or_else(|| "the built-in lessons".to_string(), |d| sanitize_path(d));
    let (exercise_problems, ran) = exercise_cli::check_exercises(dir.as_deref(), python.as_ref());
    problems.extend(exercise_problems);
    if let Some(ran) = &ran {
        // It names the interpreter (a path from PYCONC_PYTHON) and exercise ids.
        println!("{}", sanitize(ran));
    }
    if problems.is_empty() {
        println!("{what}: no problems");
        ExitCode::SUCCESS
    } else {
        let mut err = std::io::stderr().lock();
        for p in &problems {
            // Problem fields are sanitised when made; again here, at the terminal's door.
            let _ = writeln!(err, "{}", sanitize_line(&p.to_string()));
        }
        let _ = writeln!(err, "{what}: {} problem(s)", problems.len());
        ExitCode::from(1)
    }
}
