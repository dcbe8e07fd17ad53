//! The exercise commands run as a script or a workshop's CI would: `pyconc pythons`,
//! `pyconc exercises`, `pyconc exercise ID --path | --check` and their exit codes (0 pass,
//! 1 fail, 2 usage), `pyconc check` grading a pack's starters and solutions, and the
//! free-threaded path through a fake interpreter that answers the probe.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exercise-pack")
}

fn pyconc_in(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pyconc"));
    cmd.args(args)
        .env("PYCONC_HOME", home)
        .env_remove("PYCONC_PYTHON");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("pyconc runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn have_python3() -> bool {
    common::python::python3_or_skip("the exercise commands").is_some()
}

#[test]
fn path_creates_the_workspace_file_once() {
    let home = tempfile::tempdir().unwrap();
    let p = pack();
    let args = [
        "--lessons",
        p.to_str().unwrap(),
        "exercise",
        "sum-squares",
        "--path",
    ];
    let o = pyconc_in(home.path(), &args, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let path = PathBuf::from(text(&o.stdout).trim());
    assert!(path.starts_with(home.path()));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("return sum(numbers)")
    );
    std::fs::write(&path, "# mine\n").unwrap();
    let o = pyconc_in(home.path(), &args, &[]);
    assert_eq!(PathBuf::from(text(&o.stdout).trim()), path);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
    // --dir puts it elsewhere.
    let other = tempfile::tempdir().unwrap();
    let mut with_dir = args.to_vec();
    with_dir.extend(["--dir", other.path().to_str().unwrap()]);
    let o = pyconc_in(home.path(), &with_dir, &[]);
    assert!(PathBuf::from(text(&o.stdout).trim()).starts_with(other.path()));
}

#[test]
fn check_exit_codes_are_0_pass_1_fail_2_usage() {
    if !have_python3() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let p = pack();
    let p = p.to_str().unwrap();
    let solution = format!("{p}/exercises/sum-squares/solution.py");
    let base = ["--lessons", p, "exercise", "sum-squares", "--check"];
    // The fresh workspace file is the starter: it fails.
    let o = pyconc_in(home.path(), &base, &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains("✗ sums squares: sum_squares([1, 2, 3]) gave 6, not 14"));
    // The solution passes, as JSON too.
    let mut pass = base.to_vec();
    pass.extend(["--file", &solution, "--json"]);
    let o = pyconc_in(home.path(), &pass, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["runs"][0]["verdict"], "passed");
    // Progress keeps the state; `pyconc exercises --json` shows it.
    let o = pyconc_in(home.path(), &["--lessons", p, "exercises", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["id"], "sum-squares");
    assert_eq!(v[0]["lesson"], "squares");
    assert_eq!(v[0]["state"], "passed");
    // Usage errors: unknown id, missing file, a --python that is not one, --file without --check.
    for (args, needle) in [
        (
            vec!["--lessons", p, "exercise", "nope", "--check"],
            "unknown exercise `nope`; exercises: sum-squares",
        ),
        (
            vec![
                "--lessons",
                p,
                "exercise",
                "sum-squares",
                "--check",
                "--file",
                "/no/such.py",
            ],
            "no such file",
        ),
        (
            vec![
                "--lessons",
                p,
                "exercise",
                "sum-squares",
                "--check",
                "--python",
                "/no/python",
            ],
            "--python /no/python",
        ),
        (
            vec!["--lessons", p, "exercise", "sum-squares", "--file", "x.py"],
            "--check",
        ),
    ] {
        let o = pyconc_in(home.path(), &args, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains(needle),
            "{args:?}: {}",
            text(&o.stderr)
        );
    }
}

#[test]
fn pack_check_grades_starters_and_solutions() {
    if !have_python3() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let o = pyconc_in(home.path(), &["check", pack().to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("graded 2 starters and solutions"),
        "{}",
        text(&o.stdout)
    );
    // A starter that passes is a problem: copy the pack with the solution as starter.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&pack(), copy.path());
    let ex = copy.path().join("exercises/sum-squares");
    std::fs::copy(ex.join("solution.py"), ex.join("start.py")).unwrap();
    let o = pyconc_in(home.path(), &["check", copy.path().to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("sum-squares/start.py: the starter passes every check"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn bad_exercise_packs_name_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exercise-pack-bad");
    let o = pyconc_in(home.path(), &["check", bad.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("bad-one/exercise.toml:6: `time_limit_s` = 500 is out of range")
    );
}

#[cfg(unix)]
#[test]
fn a_free_threaded_interpreter_is_listed_and_also_grades() {
    if !have_python3() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    common::fake_python::free_threaded(bin.path());
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    let env = [("PATH", path.as_str())];
    let o = pyconc_in(home.path(), &["pythons", "--json"], &env);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let free: Vec<&serde_json::Value> = v["interpreters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["free_threaded"] == true)
        .collect();
    assert_eq!(free.len(), 1, "{v}");
    assert_eq!(free[0]["gil_enabled"], false);
    assert_eq!(free[0]["start_method"], "forkserver");
    let o = pyconc_in(home.path(), &["pythons"], &env);
    assert!(text(&o.stdout).contains("GIL off"), "{}", text(&o.stdout));
    // --check grades with python3 and again with the free-threaded one.
    let p = pack();
    let solution = format!("{}/exercises/sum-squares/solution.py", p.display());
    let o = pyconc_in(
        home.path(),
        &[
            "--lessons",
            p.to_str().unwrap(),
            "exercise",
            "sum-squares",
            "--check",
            "--file",
            &solution,
            "--json",
        ],
        &env,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{v}");
    assert!(
        runs[1]["python_name"]
            .as_str()
            .unwrap()
            .contains("free-threaded")
    );
}

#[test]
fn pythons_lists_something_or_says_none() {
    let home = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    // No interpreter anywhere: a clear sentence, exit 0.
    let o = pyconc_in(
        home.path(),
        &["pythons"],
        &[
            ("PATH", empty.path().to_str().unwrap()),
            ("PYENV_ROOT", empty.path().to_str().unwrap()),
            ("HOME", empty.path().to_str().unwrap()),
        ],
    );
    assert!(o.status.success());
    assert!(
        text(&o.stdout).contains("no Python found"),
        "{}",
        text(&o.stdout)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
