//! The progress store under hostile files, two writers and the merge.

use super::*;

#[test]
fn round_trip_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::in_dir(dir.path());
    let mut p = Progress {
        last_lesson: Some("gil".into()),
        ..Progress::default()
    };
    p.lesson_mut("gil").visited = true;
    p.lesson_mut("gil").scroll = 42;
    p.lesson_mut("welcome").finished = true;
    p.set_answer("gil", 2, 1);
    store.save(&p).unwrap();
    let loaded = store.load();
    assert_eq!(loaded.notice, None);
    assert_eq!(loaded.progress, p);
    assert_eq!(loaded.progress.answer("gil", 2), Some(1));
    assert_eq!(loaded.progress.answer("gil", 0), None);
}

#[test]
fn missing_file_is_a_fresh_start_without_notice() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = ProgressStore::in_dir(&dir.path().join("nested")).load();
    assert_eq!(loaded.progress, Progress::default());
    assert!(loaded.notice.is_none());
}

#[test]
fn corrupt_file_is_kept_aside_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::in_dir(dir.path());
    std::fs::write(store.path(), "last_lesson = [this is not toml").unwrap();
    let loaded = store.load();
    assert_eq!(loaded.progress, Progress::default());
    let notice = loaded.notice.expect("user is told");
    assert!(notice.contains("corrupt-1"), "{notice}");
    let kept = dir.path().join("progress.toml.corrupt-1");
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        "last_lesson = [this is not toml"
    );
    // A second corrupt file gets a new name; the first is never overwritten.
    std::fs::write(store.path(), "{{{").unwrap();
    let notice = store.load().notice.unwrap();
    assert!(notice.contains("corrupt-2"), "{notice}");
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        "last_lesson = [this is not toml"
    );
    // Saving afterwards writes a fresh, valid file.
    store.save(&Progress::default()).unwrap();
    assert!(store.load().notice.is_none());
}

#[test]
fn exercise_progress_round_trips_and_old_files_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::in_dir(dir.path());
    // A file written before exercises existed.
    std::fs::write(
        store.path(),
        "last_lesson = \"gil\"\n[lessons.gil]\nscroll = 3\n",
    )
    .unwrap();
    let mut p = store.load().progress;
    assert_eq!(p.exercise_state("lost-update"), ExerciseState::NotStarted);
    let e = p.exercise_mut("lost-update");
    e.state = ExerciseState::Attempted;
    e.failed_tries = 2;
    e.hints_seen = 1;
    e.python = Some("/usr/bin/python3.13".into());
    store.save(&p).unwrap();
    let text = std::fs::read_to_string(store.path()).unwrap();
    assert!(text.contains("state = \"attempted\""), "{text}");
    assert_eq!(store.load().progress, p);
    assert_eq!(store.load().progress.lesson("gil").unwrap().scroll, 3);
}

#[test]
fn wrong_types_count_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::in_dir(dir.path());
    std::fs::write(store.path(), "[lessons.gil]\nscroll = \"far\"\n").unwrap();
    assert!(store.load().notice.is_some());
}

fn answered(store: &ProgressStore, lesson: &str, quiz: usize, option: usize) -> Progress {
    let mut p = store.load().progress;
    p.set_answer(lesson, quiz, option);
    p
}

#[test]
fn a_file_that_is_not_utf8_is_kept_aside_not_overwritten() {
    for bytes in [
        &b"\xff\xfe\x00binary"[..],
        &b"last_lesson = \"caf\xe9\"\n"[..],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::in_dir(dir.path());
        std::fs::write(store.path(), bytes).unwrap();
        let notice = store.load().notice.expect("told");
        assert!(notice.contains("not UTF-8"), "{notice}");
        store.save(&Progress::default()).unwrap();
        let kept = dir.path().join("progress.toml.corrupt-1");
        assert_eq!(std::fs::read(kept).unwrap(), bytes);
    }
}

#[test]
fn a_huge_file_is_kept_aside_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::in_dir(dir.path());
    let file = std::fs::File::create(store.path()).unwrap();
    // Sparse: 2 GiB on paper, nothing on disk.
    file.set_len(2 << 30).unwrap();
    let notice = store.load().notice.expect("told");
    assert!(notice.contains("too large"), "{notice}");
    assert!(dir.path().join("progress.toml.corrupt-1").exists());
}

#[test]
fn with_thousands_kept_aside_already_the_next_name_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::in_dir(dir.path());
    for n in 1..=9_999 {
        std::fs::write(dir.path().join(format!("progress.toml.corrupt-{n}")), "old").unwrap();
    }
    std::fs::write(store.path(), "{{{").unwrap();
    let notice = store.load().notice.unwrap();
    assert!(notice.contains("corrupt-10000"), "{notice}");
    for n in [1, 5_000, 9_999] {
        let old = dir.path().join(format!("progress.toml.corrupt-{n}"));
        assert_eq!(std::fs::read_to_string(old).unwrap(), "old");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("progress.toml.corrupt-10000")).unwrap(),
        "{{{"
    );
}

#[test]
fn a_folder_in_place_of_the_file_is_left_alone_and_saving_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::in_dir(dir.path());
    std::fs::create_dir(store.path()).unwrap();
    std::fs::write(store.path().join("mine.txt"), "keep").unwrap();
    let notice = store.load().notice.expect("told");
    assert!(notice.contains("a folder"), "{notice}");
    assert!(notice.contains("this run only"), "{notice}");
    assert!(matches!(
        store.save(&Progress::default()),
        Err(ProgressError::ReadOnly(_))
    ));
    assert_eq!(
        std::fs::read_to_string(store.path().join("mine.txt")).unwrap(),
        "keep"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_the_file_never_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::in_dir(dir.path());
    let c_path = std::ffi::CString::new(store.path().to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system node.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    // Would block for ever if opened for reading without a writer.
    let notice = store.load().notice.expect("told");
    assert!(notice.contains("a FIFO"), "{notice}");
    assert!(store.save(&Progress::default()).is_err());
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata(store.path())
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn a_home_that_is_a_file_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("hostname");
    std::fs::write(&home, "box").unwrap();
    let store = ProgressStore::in_dir(&home);
    let notice = store.load().notice.expect("told at start");
    assert!(notice.contains("is not a folder"), "{notice}");
    let err = store.save(&Progress::default()).unwrap_err().to_string();
    assert!(err.contains("is not a folder"), "{err}");
    assert!(err.contains("hostname"), "{err}");
    assert!(err.contains(HOME_ENV), "{err}");
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_fails_to_save_with_the_path_and_keeps_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::in_dir(dir.path());
    store.save(&answered(&store, "gil", 0, 1)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o500)).unwrap();
    // root ignores permissions: then the save simply works, which is also right.
    let result = store.save(&answered(&store, "gil", 1, 2));
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    if let Err(e) = result {
        let e = e.to_string();
        assert!(e.contains("progress.toml"), "{e}");
    }
    assert_eq!(store.load().progress.answer("gil", 0), Some(1));
}

#[test]
fn two_pyconc_at_once_keep_both_answers() {
    let dir = tempfile::tempdir().unwrap();
    let first = ProgressStore::in_dir(dir.path());
    let second = ProgressStore::in_dir(dir.path());
    let mut a = first.load().progress;
    let mut b = second.load().progress;
    a.set_answer("gil", 0, 1);
    a.lesson_mut("gil").visited = true;
    b.set_answer("threads", 2, 0);
    b.lesson_mut("threads").finished = true;
    first.save(&a).unwrap();
    let merged_b = second.save(&b).unwrap();
    // The second saver's view now has the first's answer too.
    assert_eq!(merged_b.answer("gil", 0), Some(1));
    // And the first keeps the second's when it saves again later.
    a.set_answer("gil", 1, 2);
    let merged_a = first.save(&a).unwrap();
    let on_disk = ProgressStore::in_dir(dir.path()).load().progress;
    assert_eq!(on_disk, merged_a);
    assert_eq!(on_disk.answer("gil", 0), Some(1));
    assert_eq!(on_disk.answer("gil", 1), Some(2));
    assert_eq!(on_disk.answer("threads", 2), Some(0));
    assert!(on_disk.lesson("gil").unwrap().visited);
    assert!(on_disk.lesson("threads").unwrap().finished);
}

#[test]
fn a_changed_answer_wins_over_the_old_one_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let first = ProgressStore::in_dir(dir.path());
    first.save(&answered(&first, "gil", 0, 0)).unwrap();
    let second = ProgressStore::in_dir(dir.path());
    let mut b = second.load().progress;
    let mut a = first.load().progress;
    b.set_answer("gil", 0, 2);
    second.save(&b).unwrap();
    // The first run did not touch quiz 0: the other run's newer answer stays.
    a.lesson_mut("gil").scroll = 9;
    let merged = first.save(&a).unwrap();
    assert_eq!(merged.answer("gil", 0), Some(2));
    assert_eq!(merged.lesson("gil").unwrap().scroll, 9);
}

#[test]
fn saves_racing_from_threads_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let store = ProgressStore::in_dir(&dir);
                let mut p = store.load().progress;
                for quiz in 0..5 {
                    p.set_answer(&format!("lesson-{t}"), quiz, quiz);
                    p = store.save(&p).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let p = ProgressStore::in_dir(dir.path()).load().progress;
    for t in 0..8 {
        for quiz in 0..5 {
            assert_eq!(
                p.answer(&format!("lesson-{t}"), quiz),
                Some(quiz),
                "{t}/{quiz}"
            );
        }
    }
}
