//! Test-only helpers shared by the engines' real-thread tests.

use std::time::{Duration, Instant};

use crate::sims::{Demo, Engine, Params};

/// How long a test waits for something to happen. Generous on purpose: the tests check
/// that it happens, not how fast, on a machine that may be busy.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// How often a waiting test looks again.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Polls `cond` until it holds (true) or `limit` has passed (false).
pub fn wait_up_to(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    false
}

/// Polls `cond` until it holds (true) or [`PATIENCE`] has passed (false).
pub fn wait_for(cond: impl FnMut() -> bool) -> bool {
    wait_up_to(PATIENCE, cond)
}

/// Waits up to [`PATIENCE`] for `demo` to reach its end; true if it did.
pub fn wait_until_finished(demo: &dyn Demo) -> bool {
    wait_for(|| demo.is_finished())
}

/// `pairs` (name, value) as the owned overrides [`Engine::resolve`] takes.
pub fn overrides(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `pairs` resolved against `engine`'s declaration; panics on a value it refuses.
pub fn params(engine: &dyn Engine, pairs: &[(&str, &str)]) -> Params {
    engine.resolve(&overrides(pairs)).expect("valid parameters")
}

/// `engine` started with `pairs`; panics if it cannot start.
pub fn start(engine: &dyn Engine, pairs: &[(&str, &str)]) -> Box<dyn Demo> {
    engine.start(&params(engine, pairs)).expect("starts")
}

/// Asserts that `value` serialises to an object with `keys` (space-separated, in order),
/// that each `(field, keys)` of `nested` names an object with those keys, and that it
/// reads back as itself: a snapshot's keys as recordings carry them, whatever structs
/// embed its fields.
pub fn assert_json_keys<T>(value: &T, keys: &str, nested: &[(&str, &str)])
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).expect("serialises");
    let keys_of = |v: &serde_json::Value| {
        let object = v.as_object().expect("an object");
        object.keys().cloned().collect::<Vec<_>>().join(" ")
    };
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(keys_of(&json), words(keys));
    for (field, keys) in nested {
        assert_eq!(keys_of(&json[*field]), words(keys), "{field}");
    }
    let back: T = serde_json::from_value(json).expect("reads back");
    assert_eq!(&back, value);
}
