//! Hostile lesson packs against the real binary: every case is generated in a temp folder,
//! then `check`, `list`, `show` (piped, and `show` on a pseudo-terminal) and the TUI's
//! loader run on it, each under a time bound and with its peak RSS measured by `wait4`.
//! Each run must: not panic or die of a signal, end within [`TIMEOUT`], stay under
//! [`MAX_PEAK_RSS_KIB`], exit 0 on a good pack and 1 with `file:line: message` on a bad one,
//! and print no raw escape, control or C1 character (only our own SGR codes on a terminal).
//!
//! `cargo test --test hostile_packs -- --nocapture` prints the table of figures (exit code,
//! seconds, peak RSS per case and command). One piece: one table of cases and its runner.

mod hostile;
mod os_support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use hostile::{Expect, Run, run_pyconc};

/// The longest a run may take (a debug build on 2 shared cores; the slowest case takes
/// well under a second in release).
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The most memory a run may use (a debug build starts at ~10 MiB).
const MAX_PEAK_RSS_KIB: i64 = 256 * 1024;

/// A file of `size` bytes whose every line is `line`.
fn repeat_lines(line: &str, size: usize) -> String {
    line.repeat(size / line.len() + 1)
}

fn lesson(id: &str, order: u32, body: &str) -> String {
    format!("---\nid: {id}\ntitle: Lesson {id}\norder: {order}\n---\n\n{body}\n")
}

fn write(dir: &Path, name: impl AsRef<Path>, text: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), text).expect("write case file");
}

/// A folder `name` in `dir` holding one lesson, `a`; its path.
fn one_lesson_folder(dir: &Path, name: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir(&folder).unwrap();
    write(&folder, "a.md", lesson("a", 1, "Text."));
    folder
}

/// `count` small lessons `l0`, `l1`, ... in files named by their number, `digits` wide.
fn many_lessons(dir: &Path, count: u32, digits: usize) {
    for i in 0..count {
        write(
            dir,
            format!("{i:0digits$}.md"),
            lesson(&format!("l{i}"), i, "Text."),
        );
    }
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, dir: &Path, name: &str) {
    std::os::unix::fs::symlink(target, dir.join(name)).expect("symlink");
}

/// One hostile case: its name, how to build it in an empty folder, what it must give.
struct Case {
    name: &'static str,
    build: fn(&Path),
    expect: Expect,
}

fn cases() -> Vec<Case> {
    use Expect::{Good, Problem};
    vec![
        Case {
            name: "escape key in front matter",
            build: |d| {
                write(
                    d,
                    "a.md",
                    "---\nid: a\ntitle: T\norder: 1\n\"\\e[2J\\e]52;c;aGk=\\a\": 1\n---\n",
                )
            },
            expect: Problem {
                needle: "unknown field `␛[2J␛]52;c;aGk=␇`",
                line: Some(5),
            },
        },
        Case {
            name: "escapes in ids and demo names",
            build: |d| {
                write(
                    d,
                    "a.md",
                    "---\nid: \"\\e[2J\"\ntitle: T\norder: 1\nprerequisites: [\"\\e]0;t\\a\"]\n---\n",
                );
                write(
                    d,
                    "b.md",
                    "---\nid: b\ntitle: T\norder: 2\n---\n\n```demo \u{1b}]52;c;aGk=\u{7} k\u{1b}[1m=v\n```\n",
                );
            },
            expect: Problem {
                needle: "lesson id `␛[2J` must be",
                line: Some(2),
            },
        },
        Case {
            name: "escapes in every field",
            build: |d| {
                for name in ["a.md", "b.md"] {
                    let text =
                        std::fs::read(Path::new("tests/fixtures/lessons-hostile").join(name))
                            .expect("fixture");
                    write(d, name, text);
                }
            },
            expect: Good {
                show: "hostile-fields",
            },
        },
        Case {
            name: "escapes in a file name",
            build: |d| write(d, "\u{1b}]0;pwned\u{7}\u{9b}2J.md", "no front matter"),
            expect: Problem {
                needle: "␛]0;pwned␇\u{FFFD}2J.md:1: no front matter",
                line: Some(1),
            },
        },
        Case {
            name: "escapes in the folder name",
            build: |d| {
                one_lesson_folder(d, "pack\u{1b}[2J\u{7}");
            },
            expect: Good { show: "a" },
        },
        Case {
            name: "invalid UTF-8",
            build: |d| {
                write(
                    d,
                    "a.md",
                    b"---\nid: a\ntitle: T\norder: 1\n---\n\ncaf\xe9 \xff\xfe\n",
                )
            },
            expect: Problem {
                needle: "not valid UTF-8",
                line: Some(7),
            },
        },
        Case {
            name: "file name not UTF-8",
            build: |d| {
                use std::os::unix::ffi::OsStrExt;
                let name = std::ffi::OsStr::from_bytes(b"caf\xe9\x1b.md");
                write(d, name, lesson("a", 1, "Text."));
            },
            expect: Good { show: "a" },
        },
        Case {
            name: "20 MB lesson",
            build: |d| {
                let code = repeat_lines("x = compute(1) + other(\"text\")  # comment\n", 20 << 20);
                write(d, "a.md", lesson("a", 1, &format!("```python\n{code}```")));
            },
            expect: Problem {
                needle: "too large: this file of a lesson pack may be at most 1.0 MiB",
                line: None,
            },
        },
        Case {
            name: "1 MB code block",
            build: |d| {
                let code = repeat_lines("x = compute(1) + other(\"text\")  # comment\n", 1_000_000);
                write(d, "a.md", lesson("a", 1, &format!("```python\n{code}```")));
            },
            expect: Good { show: "a" },
        },
        Case {
            name: "1 MB of paragraphs",
            build: |d| {
                let text = repeat_lines(
                    "Some *marked* text with `code` and a [link](https://x.org).\n\n",
                    1_000_000,
                );
                write(d, "a.md", lesson("a", 1, &text));
            },
            expect: Good { show: "a" },
        },
        Case {
            name: "2 GiB sparse file",
            build: |d| {
                let file = std::fs::File::create(d.join("a.md")).unwrap();
                file.set_len(2 << 30).unwrap();
            },
            expect: Problem {
                needle: "too large",
                line: None,
            },
        },
        Case {
            name: "10,000 lessons",
            build: |d| many_lessons(d, 10_000, 5),
            expect: Problem {
                needle: "10000 lesson files: a pack may hold at most 500",
                line: None,
            },
        },
        Case {
            name: "500 lessons",
            build: |d| many_lessons(d, 500, 3),
            expect: Good { show: "l499" },
        },
        Case {
            name: "10,000-deep lists",
            build: |d| {
                write(
                    d,
                    "a.md",
                    lesson("a", 1, &format!("{}x", "- ".repeat(10_000))),
                )
            },
            expect: Problem {
                needle: "a line of 20001 bytes: lines may be at most 16 KiB",
                line: Some(7),
            },
        },
        Case {
            name: "5,000-deep lists",
            build: |d| {
                write(
                    d,
                    "a.md",
                    lesson("a", 1, &format!("{}x", "- ".repeat(5_000))),
                )
            },
            expect: Problem {
                needle: "nest more than 32 levels deep",
                line: Some(7),
            },
        },
        Case {
            name: "10,000-deep quotes",
            build: |d| {
                write(
                    d,
                    "a.md",
                    lesson("a", 1, &format!("{}x", ">".repeat(10_000))),
                )
            },
            expect: Problem {
                needle: "nest more than 32 levels deep",
                line: Some(7),
            },
        },
        Case {
            name: "quotes and lists 3,000 deep",
            build: |d| {
                write(
                    d,
                    "a.md",
                    lesson("a", 1, &format!("{}x", "> - ".repeat(3_000))),
                )
            },
            expect: Problem {
                needle: "nest more than 32 levels deep",
                line: Some(7),
            },
        },
        Case {
            name: "100,000-char line",
            build: |d| write(d, "a.md", lesson("a", 1, &"word ".repeat(20_000))),
            expect: Problem {
                needle: "a line of 100000 bytes",
                line: Some(7),
            },
        },
        Case {
            name: "2 MB table",
            build: |d| {
                let rows = repeat_lines("| cell | other cell | third |\n", 2 << 20);
                write(
                    d,
                    "a.md",
                    lesson("a", 1, &format!("| a | b | c |\n|---|---|---|\n{rows}")),
                );
            },
            expect: Problem {
                needle: "too large",
                line: None,
            },
        },
        Case {
            name: "table of 50,000 cells",
            build: |d| {
                let rows = "|1|2|3|4|5|\n".repeat(10_000);
                write(
                    d,
                    "a.md",
                    lesson("a", 1, &format!("|a|b|c|d|e|\n|-|-|-|-|-|\n{rows}")),
                );
            },
            expect: Problem {
                needle: "a table of more than 4096 cells",
                line: Some(7),
            },
        },
        Case {
            name: "table of 1,000 columns",
            build: |d| {
                let head = "|a".repeat(1_000);
                let rule = "|-".repeat(1_000);
                write(d, "a.md", lesson("a", 1, &format!("{head}|\n{rule}|\n")));
            },
            expect: Problem {
                needle: "a table of 1000 columns",
                line: Some(7),
            },
        },
        Case {
            name: "table of 4,000 cells",
            build: |d| {
                let rows =
                    "| some text | more text that wraps in a narrow column |\n".repeat(1_999);
                write(
                    d,
                    "a.md",
                    lesson("a", 1, &format!("| a | b |\n|---|---|\n{rows}")),
                );
            },
            expect: Good { show: "a" },
        },
        Case {
            name: "alias bomb, 1 MB title",
            build: |d| {
                let aliases = vec!["*t"; 3_000].join(", ");
                let title = "x".repeat(1 << 20);
                write(
                    d,
                    "a.md",
                    format!(
                        "---\nid: a\ntitle: &t \"{title}\"\norder: 1\nconcepts: [{aliases}]\n---\n"
                    ),
                );
            },
            expect: Problem {
                needle: "too large",
                line: None,
            },
        },
        Case {
            name: "alias bomb in 16 KiB",
            build: |d| {
                let aliases = vec!["*t"; 1_000].join(", ");
                let title = "x".repeat(12 * 1024);
                write(
                    d,
                    "a.md",
                    format!(
                        "---\nid: a\ntitle: &t \"{title}\"\norder: 1\nconcepts: [{aliases}]\n---\n"
                    ),
                );
            },
            expect: Problem {
                needle: "decodes to more than 64 KiB",
                line: Some(3),
            },
        },
        Case {
            name: "nested alias bomb",
            build: |d| {
                let mut yaml = String::from(
                    "id: a\ntitle: T\norder: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
                );
                for i in 1..9 {
                    yaml.push_str(&format!(
                        "a{i}: &a{i} [{}]\n",
                        vec![format!("*a{}", i - 1); 10].join(", ")
                    ));
                }
                write(d, "a.md", format!("---\n{yaml}---\n"));
            },
            expect: Problem {
                needle: "unknown field `a0`",
                line: Some(5),
            },
        },
        Case {
            name: "garbage front matter",
            build: |d| {
                write(d, "1.md", "---\n[[[[{{{{: : :\n---\n");
                write(d, "2.md", "---\n- a list\n- not a map\n---\n");
                write(d, "3.md", "---\nid: a\ntitle: T\norder: -1\n---\n");
                write(d, "4.md", "---\nid: a\ntitle: T\norder: 1\n");
                write(d, "5.md", "---\n---\n");
                write(
                    d,
                    "6.md",
                    "---\nid: [1, 2]\ntitle: {a: b}\norder: 99999999999999999999\n---\n",
                );
                let noise: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 95 + 32) as u8).collect();
                let mut text = b"---\n".to_vec();
                text.extend(&noise);
                text.extend(b"\n---\n");
                write(d, "7.md", text);
            },
            expect: Problem {
                needle: "7.md:",
                line: None,
            },
        },
        Case {
            name: "symlink loop",
            build: |d| {
                write(d, "a.md", lesson("a", 1, "Text."));
                symlink(d.join("loop2.md"), d, "loop1.md");
                symlink(d.join("loop1.md"), d, "loop2.md");
                symlink(d.join("self.md"), d, "self.md");
            },
            expect: Problem {
                needle: "loop1.md: cannot follow link",
                line: None,
            },
        },
        Case {
            name: "link to /proc/kmsg",
            build: |d| symlink("/proc/kmsg", d, "a.md"),
            expect: Problem {
                needle: "links outside the lesson pack (to /proc/kmsg)",
                line: None,
            },
        },
        Case {
            name: "links to devices",
            build: |d| {
                symlink("/dev/zero", d, "zero.md");
                symlink("/dev/tty", d, "tty.md");
                symlink("/dev/urandom", d, "random.md");
            },
            expect: Problem {
                needle: "zero.md: links outside the lesson pack",
                line: None,
            },
        },
        Case {
            name: "link out of the pack",
            build: |d| {
                write(d, "a.md", lesson("a", 1, "Text."));
                symlink("/etc/passwd", d, "b.md");
            },
            expect: Problem {
                needle: "links outside the lesson pack (to /etc/passwd)",
                line: None,
            },
        },
        Case {
            name: "FIFO as a lesson",
            build: |d| {
                let path =
                    std::ffi::CString::new(d.join("a.md").to_string_lossy().as_bytes()).unwrap();
                // SAFETY: a valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
            },
            expect: Problem {
                needle: "is not a regular file",
                line: None,
            },
        },
        Case {
            name: "unreadable file",
            build: |d| {
                write(d, "a.md", lesson("a", 1, "Text."));
                write(d, "b.md", lesson("b", 2, "Text."));
                hostile::set_mode(&d.join("b.md"), 0o000);
            },
            expect: Problem {
                needle: "b.md: cannot read: Permission denied",
                line: None,
            },
        },
        Case {
            name: "unreadable folder",
            build: |d| {
                let inner = one_lesson_folder(d, "pack");
                hostile::set_mode(&inner, 0o000);
            },
            expect: Problem {
                needle: "cannot read lesson pack: Permission denied",
                line: None,
            },
        },
        Case {
            name: "folder where a file should be",
            build: |d| {
                write(d, "a.md", lesson("a", 1, "Text."));
                std::fs::create_dir(d.join("b.md")).unwrap();
            },
            expect: Problem {
                needle: "b.md: is a folder, not a file",
                line: None,
            },
        },
        Case {
            name: "empty pack",
            build: |_| {},
            expect: Problem {
                needle: "no lessons here",
                line: None,
            },
        },
    ]
}

/// The folder a case's pack is: the case folder, or its only sub-folder.
fn pack_of(dir: &Path) -> std::path::PathBuf {
    let entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    match entries.as_slice() {
        [only]
            if std::fs::symlink_metadata(only.path()).is_ok_and(|m| m.is_dir())
                && !only.file_name().to_string_lossy().ends_with(".md") =>
        {
            only.path()
        }
        _ => dir.to_path_buf(),
    }
}

/// Checks one run against the case, and returns its table row.
fn judge(case: &Case, command: &str, run: &Run, tty: bool, ui: bool) -> String {
    let what = format!("{} / {command}", case.name);
    assert!(!run.timed_out, "{what}: no answer in {TIMEOUT:?}");
    assert!(
        run.signal.is_none(),
        "{what}: killed by signal {:?}\n{}",
        run.signal,
        run.stderr_text()
    );
    assert_ne!(
        run.code,
        Some(101),
        "{what}: panicked\n{}",
        run.stderr_text()
    );
    assert!(
        run.peak_rss_kib < MAX_PEAK_RSS_KIB,
        "{what}: peak RSS {} KiB",
        run.peak_rss_kib
    );
    for (stream, bytes) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let checked = if ui && stream == "stdout" {
            hostile::only_ui_output(bytes)
        } else {
            hostile::only_safe_text(bytes, tty)
        };
        if let Err(bad) = checked {
            panic!("{what}: {stream} holds {bad}");
        }
    }
    match case.expect {
        Expect::Good { .. } => {
            assert_eq!(run.code, Some(0), "{what}: {}", run.stderr_text());
            if command == "check" {
                assert!(run.stdout_text().contains(": no problems"), "{what}");
            }
            if ui {
                // It drew the lesson, then restored the terminal.
                let shown = run.stdout_text();
                assert!(
                    shown.contains("\u{1b}[?1049h") && shown.contains("\u{1b}[?1049l"),
                    "{what}"
                );
            }
        }
        Expect::Problem { needle, line } => {
            assert_eq!(run.code, Some(1), "{what}: {}", run.stderr_text());
            let shown = run.stderr_text();
            let found = shown.lines().find(|l| l.contains(needle));
            let Some(found) = found else {
                panic!("{what}: `{needle}` not in\n{shown}");
            };
            if let Some(line) = line {
                assert!(
                    found.contains(&format!(":{line}: ")),
                    "{what}: not at line {line}: {found}"
                );
            }
        }
    }
    format!(
        "| {:<30} | {:<10} | {:>4} | {:>7.2} | {:>8.1} |",
        case.name,
        command,
        run.code.map_or("-".to_string(), |c| c.to_string()),
        run.seconds,
        run.peak_rss_kib as f64 / 1024.0
    )
}

#[test]
fn hostile_packs_never_panic_hang_bloat_or_leak_escapes() {
    let mut table = vec![
        "| case                           | command    | exit | seconds | peak MiB |".to_string(),
        "|--------------------------------|------------|------|---------|----------|".to_string(),
    ];
    for case in cases() {
        let root = tempfile::tempdir().expect("temp dir");
        hostile::set_mode(root.path(), 0o755);
        (case.build)(root.path());
        let pack = pack_of(root.path());
        let lessons = pack.as_os_str().to_owned();
        let id: OsString = match case.expect {
            Expect::Good { show } => show.into(),
            Expect::Problem { .. } => "a".into(),
        };
        let args =
            |words: &[&std::ffi::OsStr]| words.iter().map(|w| w.to_os_string()).collect::<Vec<_>>();
        let runs: Vec<(&str, Vec<OsString>, bool)> = {
            let mut runs = vec![
                ("check", args(&["check".as_ref(), &lessons]), false),
                (
                    "list",
                    args(&["--lessons".as_ref(), &lessons, "list".as_ref()]),
                    false,
                ),
                (
                    "show",
                    args(&["--lessons".as_ref(), &lessons, "show".as_ref(), &id]),
                    false,
                ),
                (
                    "show (tty)",
                    args(&["--lessons".as_ref(), &lessons, "show".as_ref(), &id]),
                    true,
                ),
            ];
            // The TUI on a terminal: a bad pack is refused by its loader before it starts;
            // a good one opens (at the lesson `show` opens) and `q` leaves it.
            let tui = match case.expect {
                Expect::Good { .. } => {
                    args(&["--lessons".as_ref(), &lessons, "lesson".as_ref(), &id])
                }
                Expect::Problem { .. } => args(&["--lessons".as_ref(), &lessons]),
            };
            runs.push(("tui (tty)", tui, true));
            runs
        };
        for (command, argv, tty) in runs {
            let ui = command.starts_with("tui") && matches!(case.expect, Expect::Good { .. });
            let run = if ui {
                hostile::run_pyconc_typing(&argv, tty, Some(b"q"), TIMEOUT)
            } else {
                run_pyconc(&argv, tty, TIMEOUT)
            };
            table.push(judge(&case, command, &run, tty, ui));
        }
        // The temp dir must be removable again.
        hostile::set_mode_all(root.path(), 0o755);
    }
    println!("{}", table.join("\n"));
}

#[test]
fn arguments_with_escapes_are_shown_sanitised() {
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}1m";
    let cases: Vec<Vec<String>> = vec![
        vec!["show".into(), evil.into()],
        vec!["lesson".into(), evil.into()],
        vec!["demo".into(), evil.into(), "--headless".into()],
        vec![
            "demo".into(),
            "cores".into(),
            "--set".into(),
            format!("{evil}=1"),
            "--headless".into(),
        ],
        vec![
            "demo".into(),
            "cores".into(),
            "--set".into(),
            format!("busy={evil}"),
            "--headless".into(),
        ],
        vec![
            "demo".into(),
            "cores".into(),
            "--headless".into(),
            "--seconds".into(),
            evil.into(),
        ],
        vec![evil.into()],
        vec!["--theme".into(), evil.into(), "list".into()],
        vec![format!("--{evil}")],
        vec!["check".into(), format!("/nonexistent/{evil}")],
        vec![
            "--lessons".into(),
            format!("/nonexistent/{evil}"),
            "list".into(),
        ],
    ];
    for argv in cases {
        let argv: Vec<OsString> = argv.into_iter().map(OsString::from).collect();
        let run = run_pyconc(&argv, false, TIMEOUT);
        assert!(
            run.signal.is_none() && run.code != Some(101),
            "{argv:?}: {}",
            run.stderr_text()
        );
        assert!(
            matches!(run.code, Some(1 | 2)),
            "{argv:?}: exit {:?}",
            run.code
        );
        for bytes in [&run.stdout, &run.stderr] {
            if let Err(bad) = hostile::only_safe_text(bytes, false) {
                panic!("{argv:?}: output holds {bad}: {}", run.stderr_text());
            }
        }
        // Our own messages show the escape as `␛`; clap's (usage errors) drop escape
        // sequences when rendered as plain text (`--ESC[2J` shows as `--`).
        let shown = run.stderr_text();
        let by_clap = shown.starts_with("error: ");
        assert!(
            by_clap || shown.contains("␛[2J␛]0;pwned␇"),
            "{argv:?}: {shown}"
        );
    }
}

/// Copies the good exercise pack fixture into `dir` (files only, recursively).
fn copy_exercise_pack(dir: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().filter_map(Result::ok) {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    copy(Path::new("tests/fixtures/exercise-pack"), dir);
}

/// The fixture's one exercise folder in a pack copied to `dir`.
fn exercise(dir: &Path) -> std::path::PathBuf {
    dir.join("exercises/sum-squares")
}

/// Hostile exercise folders (`PACK/exercises/ID/`): `check` and `exercises` refuse each with
/// `file: message` and exit 1, without hanging, bloating or printing a raw escape.
#[test]
fn hostile_exercise_folders_are_refused() {
    type Build = fn(&Path);
    let cases: Vec<(&str, Build, &str)> = vec![
        (
            "exercise file linked to /dev/zero",
            |d| {
                std::fs::remove_file(exercise(d).join("check.py")).unwrap();
                symlink("/dev/zero", &exercise(d), "check.py");
            },
            "check.py: links outside the lesson pack (to /dev/zero)",
        ),
        (
            "exercise file linked to /proc/kmsg",
            |d| {
                std::fs::remove_file(exercise(d).join("start.py")).unwrap();
                symlink("/proc/kmsg", &exercise(d), "start.py");
            },
            "start.py: links outside the lesson pack (to /proc/kmsg)",
        ),
        (
            "exercises folder linked out",
            |d| {
                std::fs::remove_dir_all(d.join("exercises")).unwrap();
                symlink("/etc", d, "exercises");
            },
            "exercises: links outside the lesson pack (to /etc)",
        ),
        (
            "exercise folder linked out",
            |d| symlink("/usr", &d.join("exercises"), "usr"),
            "exercises/usr: links outside the lesson pack (to /usr)",
        ),
        (
            "exercise file a FIFO",
            |d| {
                let path = exercise(d).join("solution.py");
                std::fs::remove_file(&path).unwrap();
                let c = std::ffi::CString::new(path.to_string_lossy().as_bytes()).unwrap();
                // SAFETY: a valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
            },
            "solution.py: is not a regular file",
        ),
        (
            "exercise file a folder",
            |d| {
                std::fs::remove_file(exercise(d).join("check.py")).unwrap();
                std::fs::create_dir(exercise(d).join("check.py")).unwrap();
            },
            "check.py: is a folder, not a file",
        ),
        (
            "exercise file of 2 GiB",
            |d| {
                let file = std::fs::File::create(exercise(d).join("check.py")).unwrap();
                file.set_len(2 << 30).unwrap();
            },
            "check.py: too large",
        ),
        (
            "300 exercise folders",
            |d| {
                for i in 0..300 {
                    std::fs::create_dir(d.join(format!("exercises/x{i}"))).unwrap();
                }
            },
            "301 exercise folders: a pack may hold at most 200",
        ),
        (
            "escape key in exercise.toml",
            |d| {
                let toml = exercise(d).join("exercise.toml");
                let mut text = std::fs::read_to_string(&toml).unwrap();
                text.push_str("\"\\e[2J\\e]52;c;aGk=\\u0007\" = 1\n");
                std::fs::write(toml, text).unwrap();
            },
            "exercise.toml:7: unknown field `␛[2J␛]52;c;aGk=␇`",
        ),
        (
            "deep arrays in exercise.toml",
            |d| {
                let toml = exercise(d).join("exercise.toml");
                let text = std::fs::read_to_string(&toml).unwrap();
                let deep = format!("hints = {}{}", "[".repeat(50_000), "]".repeat(50_000));
                let text: Vec<String> = text
                    .lines()
                    .map(|l| {
                        if l.starts_with("hints") {
                            deep.clone()
                        } else {
                            l.to_string()
                        }
                    })
                    .collect();
                std::fs::write(toml, text.join("\n")).unwrap();
            },
            "exercise.toml:",
        ),
        (
            "escapes in an exercise folder name",
            |d| {
                std::fs::rename(exercise(d), d.join("exercises/x\u{1b}]0;pwned\u{7}")).unwrap();
            },
            "differs from its folder `x␛]0;pwned␇`",
        ),
    ];
    let mut table = vec![
        "| case                                | command   | exit | seconds | peak MiB |"
            .to_string(),
        "|-------------------------------------|-----------|------|---------|----------|"
            .to_string(),
    ];
    for (name, build, needle) in cases {
        let root = tempfile::tempdir().expect("temp dir");
        hostile::set_mode(root.path(), 0o755);
        copy_exercise_pack(root.path());
        build(root.path());
        let pack = root.path().as_os_str().to_owned();
        for (command, argv) in [
            ("check", vec!["check".into(), pack.clone()]),
            (
                "exercises",
                vec!["--lessons".into(), pack.clone(), "exercises".into()],
            ),
        ] {
            let run = run_pyconc(&argv, false, TIMEOUT);
            let what = format!("{name} / {command}");
            assert!(!run.timed_out && run.signal.is_none(), "{what}: {run:?}");
            assert_eq!(run.code, Some(1), "{what}: {}", run.stderr_text());
            assert!(
                run.peak_rss_kib < MAX_PEAK_RSS_KIB,
                "{what}: {} KiB",
                run.peak_rss_kib
            );
            for bytes in [&run.stdout, &run.stderr] {
                if let Err(bad) = hostile::only_safe_text(bytes, false) {
                    panic!("{what}: output holds {bad}");
                }
            }
            assert!(
                run.stderr_text().contains(needle),
                "{what}: `{needle}` not in\n{}",
                run.stderr_text()
            );
            table.push(format!(
                "| {:<35} | {:<9} | {:>4} | {:>7.2} | {:>8.1} |",
                name,
                command,
                run.code.map_or("-".to_string(), |c| c.to_string()),
                run.seconds,
                run.peak_rss_kib as f64 / 1024.0
            ));
        }
        hostile::set_mode_all(root.path(), 0o755);
    }
    println!("{}", table.join("\n"));
}
