//! Figure: time from saving the learner's file to the verdict on the exercise screen, for
//! the trivial fixture exercise (`tests/fixtures/exercise-pack`, `sum-squares`), against the
//! grader's own run time. Goal: the overhead (latency minus the run) under 300 ms.
//!
//!     cargo run --example save_to_verdict [-- ROUNDS]
//!
//! Alternates starter and solution saves through the real watcher and grader, with python3.

use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use pyconc::app::exercise::ExerciseScreen;
use pyconc::exercises::ExerciseSet;
use pyconc::progress::Progress;
use pyconc::pythons::{self, Found};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let python = pythons::probe(&which::which("python3").expect("python3 on PATH")).unwrap();
    let pack =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exercise-pack");
    let exercise = ExerciseSet::from_pack(&pack)
        .unwrap()
        .get("sum-squares")
        .unwrap()
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sum_squares.py");
    std::fs::write(&file, &exercise.start).unwrap();
    let mut screen = ExerciseScreen::new(Arc::new(exercise.clone()), Ok(file.clone()));
    let (tx, rx) = mpsc::channel::<()>();
    let tx = Mutex::new(tx);
    screen.start(
        Some(Found {
            interpreters: vec![python.clone()],
            failures: vec![],
        }),
        None,
        Arc::new(move || {
            let _ = tx.lock().unwrap().send(());
        }),
    );
    let mut progress = Progress::default();
    let mut wait = |screen: &mut ExerciseScreen| -> f64 {
        loop {
            rx.recv_timeout(Duration::from_secs(60)).expect("a verdict");
            screen.drain(&mut progress);
            if let Some(Ok(report)) = screen.last.take() {
                return report.seconds;
            }
        }
    };
    wait(&mut screen); // the grading on open
    let mut overheads = Vec::new();
    let mut latencies = Vec::new();
    for round in 0..rounds {
        std::thread::sleep(Duration::from_millis(300));
        let text = if round % 2 == 0 {
            &exercise.solution
        } else {
            &exercise.start
        };
        let saved = Instant::now();
        std::fs::write(&file, text).unwrap();
        let run = wait(&mut screen);
        let latency = saved.elapsed().as_secs_f64();
        latencies.push(latency * 1000.0);
        overheads.push((latency - run) * 1000.0);
    }
    screen.stop();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let worst = overheads.iter().cloned().fold(0.0, f64::max);
    println!(
        "{} with {}: save to verdict median {:.0} ms; overhead beyond the grader's run median {:.0} ms, worst {:.0} ms ({} saves)",
        exercise.id,
        python.describe(),
        median(&mut latencies),
        median(&mut overheads),
        worst,
        rounds
    );
}
