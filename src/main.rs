fn main() {
    if std::env::args().nth(1).as_deref() == Some(pyconc::sims::processes::WORKER_ARG) {
        std::process::exit(pyconc::sims::processes::worker_main());
    }
}
