//! The in-process part of start-up: load the embedded lessons, build the app (reading
//! progress) and draw the first lesson at 80x24, as `pyconc` does before its first frame.
//! Prints the median over many runs. Run: `cargo bench --bench startup`.
//! (Process start and terminal set-up are measured by benches/tty_figures.sh.)

use std::time::{Duration, Instant};

use pyconc::app::{App, Msg};
use pyconc::lessons::Catalog;
use pyconc::progress::ProgressStore;
use pyconc::theme::{Theme, ThemeName};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const RUNS: usize = 50;

fn main() {
    let home = tempfile::tempdir().expect("temp dir");
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let catalog = Catalog::embedded().expect("embedded lessons are valid");
            let mut app = App::new(
                catalog,
                Theme::new(ThemeName::Dark, true),
                Some(ProgressStore::in_dir(home.path())),
                None,
            );
            app.update(Msg::Terminal(crossterm::event::Event::Resize(80, 24)));
            let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("backend");
            terminal.draw(|f| pyconc::ui::draw(&app, f)).expect("draw");
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "start-up to first drawn lesson (in process, 80x24): median {:.2} ms, max {:.2} ms over {RUNS} runs",
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3
    );
}
