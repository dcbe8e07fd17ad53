//! A worker process never starts workers of its own (its own test binary, because it
//! changes the environment).

use pyconc::sims::Engine;
use pyconc::sims::processes::{self, INSIDE_WORKER_ENV};

#[test]
fn a_worker_refuses_to_start_workers() {
    // SAFETY: the only test in this binary; nothing else reads the environment meanwhile.
    unsafe { std::env::set_var(INSIDE_WORKER_ENV, "1") };
    let params = processes::INFO.resolve(&[]).unwrap();
    let err = processes::INFO.start(&params).err().expect("must refuse");
    assert!(err.to_string().contains("itself a pyconc worker"), "{err}");
}
