//! Render-time figures for the lesson pipeline (a plain program, not a timed test):
//! loading the highlighter, parsing the catalog, and rendering the longest lesson at 120
//! columns, cold (first render, code not yet highlighted) and warm (what a resize or a quiz
//! answer costs once the code is cached). Goal: a warm render well under 2 ms.
//!
//! ```text
//! cargo bench --bench render                 # the embedded lessons
//! cargo bench --bench render -- lessons-dir  # a lesson pack on disk
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

use pyconc::lessons::{Catalog, Highlighter, Lesson, RenderOptions, no_exercise_info, render};
use pyconc::theme::{Theme, ThemeName};

/// Pane width the figure is quoted for.
const WIDTH_COLUMNS: u16 = 120;
/// Warm renders measured.
const WARM_RUNS: usize = 200;
/// How many copies of the longest lesson's body make the synthetic long lesson.
const LONG_LESSON_REPEATS: usize = 6;

fn main() {
    let dir = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let started = Instant::now();
    let catalog = match &dir {
        Some(dir) => Catalog::from_dir(Path::new(dir)),
        None => Catalog::embedded(),
    };
    let parse_time = started.elapsed();
    let catalog = match catalog {
        Ok(c) => c,
        Err(problems) => {
            for p in problems {
                eprintln!("{p}");
            }
            std::process::exit(1);
        }
    };
    // The longest lesson: the most lines at this width.
    let theme = Theme::new(ThemeName::Dark, true);
    let answers = |_: usize| None;
    let plain = RenderOptions {
        width: WIDTH_COLUMNS,
        theme: &theme,
        highlighter: None,
        answers: &answers,
        focused: None,
        exercise: &no_exercise_info,
    };
    let Some(lesson) = catalog
        .lessons
        .iter()
        .max_by_key(|l| render(l, &plain).lines.len())
    else {
        eprintln!("no lessons");
        std::process::exit(1);
    };

    // Real lessons grow; a lesson of the longest one's body six times over shows how the
    // cost scales.
    let long_text = {
        let source = std::fs::read_to_string(&lesson.path).ok().or_else(|| {
            Catalog::embedded_sources()
                .iter()
                .find(|(p, _)| *p == lesson.path)
                .map(|(_, t)| t.to_string())
        });
        let source = source.unwrap_or_default();
        let body = source.splitn(3, "---\n").nth(2).unwrap_or("").to_string();
        format!(
            "---\nid: long\ntitle: Long\norder: 1\n---\n{}",
            body.repeat(LONG_LESSON_REPEATS)
        )
    };
    let long = Lesson::parse("long.md", &long_text).ok();

    let started = Instant::now();
    let highlighter = Highlighter::load();
    let load_time = started.elapsed();

    let opts = RenderOptions {
        width: WIDTH_COLUMNS,
        theme: &theme,
        highlighter: Some(&highlighter),
        answers: &answers,
        focused: None,
        exercise: &no_exercise_info,
    };
    let (lines, cold, median, p95, worst) = measure(lesson, &opts);
    let long_figures = long.as_ref().map(|l| (l, measure(l, &opts)));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "catalog: {} lessons parsed and validated in {:.2} ms",
        catalog.len(),
        ms(parse_time)
    );
    println!("highlighter load: {:.2} ms", ms(load_time));
    println!(
        "longest lesson `{}` ({}, {lines} lines at {WIDTH_COLUMNS} columns)",
        lesson.meta.id, lesson.path
    );
    println!(
        "  cold render (highlighting every block): {:.3} ms",
        ms(cold)
    );
    println!(
        "  warm render, CPU time over {WARM_RUNS} runs: median {:.3} ms, p95 {:.3} ms, worst {:.3} ms",
        ms(median),
        ms(p95),
        ms(worst)
    );
    if let Some((long, (lines, _, median, p95, worst))) = long_figures {
        println!(
            "synthetic lesson: that body x{LONG_LESSON_REPEATS} ({lines} lines, {} code blocks)",
            long.code_blocks().len()
        );
        println!(
            "  warm render: median {:.3} ms, p95 {:.3} ms, worst {:.3} ms",
            ms(median),
            ms(p95),
            ms(worst)
        );
    }
}

/// (lines, cold render, warm median, warm p95, warm worst) for one lesson.
fn measure(
    lesson: &Lesson,
    opts: &RenderOptions,
) -> (usize, Duration, Duration, Duration, Duration) {
    let started = Instant::now();
    let first = render(lesson, opts);
    let cold = started.elapsed();
    // CPU time of this thread, not wall time: on a shared machine a render that is
    // preempted mid-way would otherwise report the other programs' time slice.
    let mut samples: Vec<Duration> = (0..WARM_RUNS)
        .map(|_| {
            let started = thread_cpu_time();
            let rendered = render(lesson, opts);
            let elapsed = thread_cpu_time().saturating_sub(started);
            std::hint::black_box(rendered);
            elapsed
        })
        .collect();
    samples.sort();
    (
        first.lines.len(),
        cold,
        samples[samples.len() / 2],
        samples[samples.len() * 95 / 100],
        samples[samples.len() - 1],
    )
}

/// CPU time used by the calling thread (wall time where the OS has no per-thread clock).
fn thread_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec through a valid pointer.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}
