//! Tests of `crate::sims::params`.

use super::*;

#[rustfmt::skip] // a table: one row per parameter
const SPECS: &[ParamSpec] = &[
    ParamSpec::int("threads", 1, 16, "2", "threads"),
    ParamSpec::float("interval", 0.1, 100.0, "5", "ms"),
    ParamSpec::choice("mode", &["gil", "free-threaded"], "gil", "mode"),
    ParamSpec::list("workload", &["cpu", "io"], 16, "cpu", "per thread"),
    ParamSpec::flag("verbose", "false", "flag"),
];

fn resolve(pairs: &[(&str, &str)]) -> Result<Params, ParamError> {
    let owned: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Params::resolve("test", SPECS, &owned)
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let p = resolve(&[]).unwrap();
    assert_eq!(p.int("threads"), 2);
    assert_eq!(p.float("interval"), 5.0);
    assert_eq!(p.text("mode"), "gil");
    assert_eq!(p.list("workload"), vec!["cpu"]);
    assert!(!p.flag("verbose"));
}

#[test]
fn overrides_are_parsed_and_normalised() {
    let p = resolve(&[
        ("threads", "8"),
        ("mode", "FREE-THREADED"),
        ("workload", "cpu, io"),
        ("verbose", "on"),
    ])
    .unwrap();
    assert_eq!(p.int("threads"), 8);
    assert_eq!(p.text("mode"), "free-threaded");
    assert_eq!(p.text("workload"), "cpu,io");
    assert!(p.flag("verbose"));
}

#[test]
fn out_of_range_names_the_range() {
    let err = resolve(&[("threads", "17")]).unwrap_err().to_string();
    assert_eq!(
        err,
        "bad value `17` for `threads`: expected a whole number from 1 to 16"
    );
    let err = resolve(&[("interval", "0")]).unwrap_err().to_string();
    assert!(err.contains("a number from 0.1 to 100"), "{err}");
    let err = resolve(&[("mode", "fast")]).unwrap_err().to_string();
    assert!(err.contains("one of gil, free-threaded"), "{err}");
    let err = resolve(&[("workload", "cpu,disk")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("comma list"), "{err}");
}

#[test]
fn unknown_name_lists_every_valid_parameter() {
    let err = resolve(&[("thread", "2")]).unwrap_err().to_string();
    assert!(err.contains("unknown parameter `thread`"), "{err}");
    for name in [
        "threads (",
        "interval (",
        "mode (",
        "workload (",
        "verbose (",
    ] {
        assert!(err.contains(name), "{err} lacks {name}");
    }
}

#[test]
fn assignments_must_have_an_equals_sign() {
    assert!(Params::split_assignments(&["threads"]).is_err());
    assert!(Params::split_assignments(&["=3"]).is_err());
    assert_eq!(
        Params::split_assignments(&["a=1", "b = x"]).unwrap(),
        vec![("a".into(), "1".into()), ("b".into(), "x".into())]
    );
}

#[test]
fn stepping_stays_in_range_and_cycles_choices() {
    let int = ParamKind::Int { min: 1, max: 16 };
    assert_eq!(int.step(&ParamValue::Int(16), 1), ParamValue::Int(16));
    assert_eq!(int.step(&ParamValue::Int(1), -1), ParamValue::Int(1));
    assert_eq!(int.step(&ParamValue::Int(4), 1), ParamValue::Int(5));
    let wide = ParamKind::Int {
        min: 1,
        max: 100_000,
    };
    assert_eq!(wide.step(&ParamValue::Int(100), 1), ParamValue::Int(200));
    assert_eq!(wide.step(&ParamValue::Int(200), -1), ParamValue::Int(100));
    assert_eq!(wide.step(&ParamValue::Int(2), -1), ParamValue::Int(1));
    let float = ParamKind::Float {
        min: 0.1,
        max: 100.0,
    };
    assert_eq!(
        float.step(&ParamValue::Float(5.0), 1),
        ParamValue::Float(10.0)
    );
    assert_eq!(
        float.step(&ParamValue::Float(5.0), -1),
        ParamValue::Float(2.0)
    );
    assert_eq!(
        float.step(&ParamValue::Float(0.1), -1),
        ParamValue::Float(0.1)
    );
    let choice = ParamKind::Choice(&["a", "b"]);
    assert_eq!(
        choice.step(&ParamValue::Text("b".into()), 1),
        ParamValue::Text("a".into())
    );
    let list = ParamKind::List {
        options: &["cpu", "io"],
        max_items: 4,
    };
    assert_eq!(
        list.step(&ParamValue::Text("io".into()), 1),
        ParamValue::Text("cpu,io".into())
    );
}

#[test]
fn json_keeps_declaration_order_and_types() {
    let p = resolve(&[("threads", "3")]).unwrap();
    assert_eq!(
        p.to_json().to_string(),
        r#"{"threads":3,"interval":5.0,"mode":"gil","workload":"cpu","verbose":false}"#
    );
}
