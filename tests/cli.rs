//! The `pyconc` binary run as a user would, without a terminal: every subcommand, and the
//! errors a user can cause (each a clear message on stderr and exit code 2, never a panic).

use std::process::{Command, Output};

fn pyconc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pyconc"))
        .args(args)
        .env("PYCONC_HOME", std::env::temp_dir().join("pyconc-cli-tests"))
        .env("PYCONC_WORKER_EXE", env!("CARGO_BIN_EXE_pyconc"))
        .output()
        .expect("pyconc runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn version_and_help() {
    let o = pyconc(&["--version"]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("pyconc "), "{}", stdout(&o));
    let o = pyconc(&["--help"]);
    assert!(o.status.success());
    for word in [
        "lesson",
        "demo",
        "list",
        "show",
        "check",
        "--lessons",
        "--theme",
    ] {
        assert!(stdout(&o).contains(word), "help lacks {word}");
    }
}

#[test]
fn list_json_has_lessons_and_demos_with_parameters() {
    let o = pyconc(&["list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let lessons = v["lessons"].as_array().unwrap();
    assert!(!lessons.is_empty());
    for l in lessons {
        assert!(l["id"].is_string() && l["title"].is_string() && l["order"].is_number());
    }
    let demos = v["demos"].as_array().unwrap();
    let cores = demos
        .iter()
        .find(|d| d["name"] == "cores")
        .expect("cores listed");
    let busy = &cores["params"][0];
    assert_eq!(busy["name"], "busy");
    assert_eq!(busy["default"], "1");
    assert!(busy["range"].as_str().unwrap().contains("0 to 32"));
    assert!(!busy["help"].as_str().unwrap().is_empty());
    assert!(busy["used_when"].is_null());
    let asyncio = demos.iter().find(|d| d["name"] == "asyncio").unwrap();
    let params = asyncio["params"].as_array().unwrap();
    let maxsize = params.iter().find(|p| p["name"] == "maxsize").unwrap();
    assert_eq!(
        maxsize["used_when"],
        serde_json::json!({"param": "scenario", "values": ["queue"]})
    );
}

#[test]
fn list_as_text() {
    let o = pyconc(&["list"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Demos"));
    assert!(stdout(&o).contains("cores"));
}

/// Runs pyconc with `args` and checks it is a usage error (exit code 2, no panic) whose
/// message on stderr says every one of `says`.
fn assert_usage_error(args: &[&str], says: &[&str]) {
    let o = pyconc(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    for words in says {
        assert!(err.contains(words), "{args:?} should say {words:?}: {err}");
    }
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn bad_set_values_name_the_valid_range() {
    let busy_99 = [
        "demo",
        "cores",
        "--set",
        "busy=99",
        "--headless",
        "--seconds",
        "0.2",
    ];
    assert_usage_error(&busy_99, &["bad value `99` for `busy`", "from 0 to 32"]);
    let threads = ["demo", "cores", "--set", "threads=2", "--headless"];
    assert_usage_error(&threads, &["unknown parameter `threads`", "busy ("]);
    let no_value = ["demo", "cores", "--set", "busy", "--headless"];
    assert_usage_error(&no_value, &["name=value"]);
    let no_time = ["demo", "cores", "--headless", "--seconds", "0"];
    assert_usage_error(&no_time, &["--seconds"]);
}

#[test]
fn a_set_value_the_run_leaves_unused_is_noted_not_refused() {
    let set = |scenario: &str| {
        let scenario = format!("scenario={scenario}");
        let args = ["demo", "asyncio", "--set", &scenario, "--set", "maxsize=3"];
        let o = pyconc(&[&args[..], &["--headless", "--seconds", "0.3", "--json"]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(v["params"]["maxsize"], 3);
        stderr(&o)
    };
    let note = set("gather");
    assert!(
        note.contains("note: `maxsize` is unused while scenario is gather"),
        "{note}"
    );
    assert!(!set("queue").contains("unused"));
}

#[test]
fn unknown_demo_and_lesson_list_what_exists() {
    let demo = ["demo", "nosuch", "--headless"];
    assert_usage_error(&demo, &["unknown demo `nosuch`; demos: cores"]);
    assert_usage_error(&["show", "nosuch"], &["unknown lesson `nosuch`"]);
}

#[test]
fn headless_cores_prints_one_json_object() {
    let o = pyconc(&[
        "demo",
        "cores",
        "--set",
        "busy=1",
        "--headless",
        "--seconds",
        "0.6",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["demo"], "cores");
    assert_eq!(v["params"]["busy"], 1);
    assert!(v["elapsed_s"].as_f64().unwrap() >= 0.6);
    assert_eq!(v["busy"], 1);
    assert!(v["spin_batches_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_tui_without_a_terminal_says_what_to_do() {
    assert_usage_error(&[], &["needs a terminal"]);
}

#[test]
fn show_prints_plain_text_when_not_a_terminal() {
    let o = pyconc(&[
        "--lessons",
        "tests/fixtures/pack",
        "show",
        "threads-fixture",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Threads, briefly"));
    assert!(text.contains("threading.Thread"));
    assert!(!text.contains('\u{1b}'), "escape codes in plain output");
}

#[test]
fn check_passes_a_good_pack_and_names_file_and_line_in_a_bad_one() {
    let o = pyconc(&["check", "tests/fixtures/pack"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("01-bad.md"),
        "---\nid: bad\ntitle: Bad\norder: 1\n---\n\nText.\n\n```demo nosuch x=1\n```\n",
    )
    .unwrap();
    let o = pyconc(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("01-bad.md:9:"), "{err}");
    assert!(err.contains("nosuch"), "{err}");
    // A broken pack also stops the TUI with the same messages.
    let o = pyconc(&["--lessons", dir.path().to_str().unwrap(), "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("01-bad.md:9:"), "{}", stderr(&o));
}

#[test]
fn the_built_in_lessons_check_clean() {
    let o = pyconc(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn check_reports_a_python_block_that_does_not_compile() {
    let have_python = Command::new("python3")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    let o = pyconc(&["check", "tests/fixtures/lessons-bad/python-syntax"]);
    if !have_python {
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("no python3 found"), "{}", stderr(&o));
        return;
    }
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "tests/fixtures/lessons-bad/python-syntax/a.md:16: python block does not compile: "
        ),
        "{}",
        stderr(&o)
    );
    let o = pyconc(&["check", "tests/fixtures/lessons-good"]);
    assert!(o.status.success(), "{}", stderr(&o));
}
