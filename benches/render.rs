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

use pyconc::lessons::{Catalog, Highlighter, RenderOptions, render};
use pyconc::theme::{Theme, ThemeName};

/// Pane width the figure is quoted for.
const WIDTH_COLUMNS: u16 = 120;
/// Warm renders measured.
const WARM_RUNS: usize = 200;

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
    let Some(lesson) = catalog.lessons.iter().max_by_key(|l| {
        l.blocks.len()
            + l.code_blocks()
                .iter()
                .map(|c| c.text.len() / 40)
                .sum::<usize>()
    }) else {
        eprintln!("no lessons");
        std::process::exit(1);
    };

    let started = Instant::now();
    let highlighter = Highlighter::load();
    let load_time = started.elapsed();

    let theme = Theme::new(ThemeName::Dark, true);
    let answers = |_: usize| None;
    let opts = RenderOptions {
        width: WIDTH_COLUMNS,
        theme: &theme,
        highlighter: Some(&highlighter),
        answers: &answers,
        focused: None,
    };
    let started = Instant::now();
    let first = render(lesson, &opts);
    let cold = started.elapsed();

    let mut samples: Vec<Duration> = (0..WARM_RUNS)
        .map(|_| {
            let started = Instant::now();
            let rendered = render(lesson, &opts);
            let elapsed = started.elapsed();
            std::hint::black_box(rendered);
            elapsed
        })
        .collect();
    samples.sort();
    let median = samples[samples.len() / 2];
    let p95 = samples[samples.len() * 95 / 100];
    let worst = samples[samples.len() - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "catalog: {} lessons parsed and validated in {:.2} ms",
        catalog.len(),
        ms(parse_time)
    );
    println!("highlighter load: {:.2} ms", ms(load_time));
    println!(
        "longest lesson `{}` ({}, {} lines at {WIDTH_COLUMNS} columns)",
        lesson.meta.id,
        lesson.path,
        first.lines.len()
    );
    println!(
        "  cold render (highlighting every block): {:.3} ms",
        ms(cold)
    );
    println!(
        "  warm render over {WARM_RUNS} runs: median {:.3} ms, p95 {:.3} ms, worst {:.3} ms",
        ms(median),
        ms(p95),
        ms(worst)
    );
}
