//! Demo parameters: the one declaration (name, kind, default, range, help) that drives
//! `--set k=v` on the CLI, the TUI's parameter panel, `demo` blocks in lessons and validation.

use std::fmt;

use serde::Serialize;

/// The type and valid range of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A whole number in `min..=max`.
    Int { min: i64, max: i64 },
    /// A real number in `min..=max`.
    Float { min: f64, max: f64 },
    /// One word out of `options`.
    Choice(&'static [&'static str]),
    /// A comma-separated list of words out of `options`, 1 to `max_items` long
    /// (per-thread settings such as `cpu,io,io`).
    List {
        options: &'static [&'static str],
        max_items: usize,
    },
    /// `true` or `false` (also `on`/`off`, `yes`/`no`, `1`/`0`).
    Bool,
}

/// One declared parameter of a demo engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// The name used by `--set`, lessons and the panel.
    pub name: &'static str,
    /// Its type and range.
    pub kind: ParamKind,
    /// The default, written as on the command line.
    pub default: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// Where it matters only while another parameter has one of some values (an
    /// asyncio scenario's own settings, a threads-engine-only count); `None`: always.
    pub used_when: Option<UsedWhen>,
}

/// "Only while `param` is one of `values`" (for a list parameter: while the list holds
/// one of them). The panel dims a parameter that is not used by the values set now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsedWhen {
    /// The choice or list parameter it depends on.
    pub param: &'static str,
    /// The words of that parameter under which it is used.
    pub values: &'static [&'static str],
}

/// Static text in a declaration.
type Text = &'static str;

impl ParamSpec {
    const fn new(name: Text, kind: ParamKind, default: Text, help: Text) -> Self {
        ParamSpec {
            name,
            kind,
            default,
            help,
            used_when: None,
        }
    }

    /// The same parameter, used only while `param` is one of `values`.
    pub const fn used_when(self, param: Text, values: &'static [Text]) -> Self {
        ParamSpec {
            used_when: Some(UsedWhen { param, values }),
            ..self
        }
    }

    /// Why the run `params` describe leaves this parameter unused ("`maxsize` is unused
    /// while scenario is gather"), or `None` where it is used.
    pub fn unused_reason(&self, params: &Params) -> Option<String> {
        let when = self.used_when.filter(|_| !self.is_used(params))?;
        Some(format!(
            "`{}` is unused while {} is {}",
            self.name,
            when.param,
            params.get(when.param)
        ))
    }

    /// Why, for each of `specs` (in their order, once each) that `overrides` (`name=value`
    /// as given) set but the run `params` describe leaves unused: what `--set` notes and
    /// `pyconc check` reports.
    pub fn unused_overrides(
        specs: &[ParamSpec],
        params: &Params,
        overrides: &[(String, String)],
    ) -> Vec<String> {
        specs
            .iter()
            .filter(|spec| overrides.iter().any(|(name, _)| name == spec.name))
            .filter_map(|spec| spec.unused_reason(params))
            .collect()
    }

    /// True if the run `params` describe uses this parameter.
    pub fn is_used(&self, params: &Params) -> bool {
        let Some(when) = self.used_when else {
            return true;
        };
        match params.get(when.param) {
            ParamValue::Text(words) => words.split(',').any(|w| when.values.contains(&w)),
            _ => true,
        }
    }

    /// A whole-number parameter in `min..=max`.
    pub const fn int(name: Text, min: i64, max: i64, default: Text, help: Text) -> Self {
        Self::new(name, ParamKind::Int { min, max }, default, help)
    }

    /// A real-number parameter in `min..=max`.
    pub const fn float(name: Text, min: f64, max: f64, default: Text, help: Text) -> Self {
        Self::new(name, ParamKind::Float { min, max }, default, help)
    }

    /// A `true`/`false` parameter.
    pub const fn flag(name: Text, default: Text, help: Text) -> Self {
        Self::new(name, ParamKind::Bool, default, help)
    }

    /// A comma list of 1 to `max_items` words out of `options`.
    pub const fn list(
        name: Text,
        options: &'static [Text],
        max_items: usize,
        default: Text,
        help: Text,
    ) -> Self {
        Self::new(name, ParamKind::List { options, max_items }, default, help)
    }

    /// One word out of `options`.
    pub const fn choice(name: Text, options: &'static [Text], default: Text, help: Text) -> Self {
        Self::new(name, ParamKind::Choice(options), default, help)
    }
}

/// The largest `seed` any engine takes.
pub const MAX_SEED: i64 = 1_000_000;

/// The `seed` parameter (0 to [`MAX_SEED`], default 1) of engines with random choices;
/// `help` says what it seeds.
pub const fn seed_spec(help: &'static str) -> ParamSpec {
    ParamSpec::int("seed", 0, MAX_SEED, "1", help)
}

/// A parsed parameter value. Choices and lists are kept as their text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Float(v) => write!(f, "{}", format_float(*v)),
            ParamValue::Text(v) => f.write_str(v),
            ParamValue::Bool(v) => write!(f, "{v}"),
        }
    }
}

/// Formats a float without trailing noise: `5`, `0.1`, `2.5`.
pub fn format_float(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A user-facing problem with a parameter; the message names what is valid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    #[error("unknown parameter `{name}` for demo `{demo}`; valid parameters: {valid}")]
    Unknown {
        demo: String,
        name: String,
        valid: String,
    },
    #[error("bad value `{value}` for `{name}`: expected {expected}")]
    Invalid {
        name: String,
        value: String,
        expected: String,
    },
    #[error("`{0}` is not of the form name=value")]
    Malformed(String),
}

impl ParamKind {
    /// Human description of what is accepted, used in every error message.
    pub fn describe(&self) -> String {
        match self {
            ParamKind::Int { min, max } => format!("a whole number from {min} to {max}"),
            ParamKind::Float { min, max } => {
                format!(
                    "a number from {} to {}",
                    format_float(*min),
                    format_float(*max)
                )
            }
            ParamKind::Choice(options) => format!("one of {}", options.join(", ")),
            ParamKind::List { options, max_items } => format!(
                "one of {} or a comma list of them (up to {max_items})",
                options.join(", ")
            ),
            ParamKind::Bool => "true or false".to_string(),
        }
    }

    /// Parses and range-checks `text`.
    pub fn parse(&self, name: &str, text: &str) -> Result<ParamValue, ParamError> {
        let invalid = || ParamError::Invalid {
            name: name.to_string(),
            value: text.to_string(),
            expected: self.describe(),
        };
        let text = text.trim();
        match *self {
            ParamKind::Int { min, max } => {
                let v: i64 = text.replace('_', "").parse().map_err(|_| invalid())?;
                if (min..=max).contains(&v) {
                    Ok(ParamValue::Int(v))
                } else {
                    Err(invalid())
                }
            }
            ParamKind::Float { min, max } => {
                let v: f64 = text.parse().map_err(|_| invalid())?;
                if v.is_finite() && v >= min && v <= max {
                    Ok(ParamValue::Float(v))
                } else {
                    Err(invalid())
                }
            }
            ParamKind::Choice(options) => options
                .iter()
                .find(|o| o.eq_ignore_ascii_case(text))
                .map(|o| ParamValue::Text(o.to_string()))
                .ok_or_else(invalid),
            ParamKind::List { options, max_items } => {
                let mut items = Vec::new();
                for part in text.split(',') {
                    let part = part.trim();
                    let found = options
                        .iter()
                        .find(|o| o.eq_ignore_ascii_case(part))
                        .ok_or_else(invalid)?;
                    items.push(*found);
                }
                if items.is_empty() || items.len() > max_items {
                    return Err(invalid());
                }
                Ok(ParamValue::Text(items.join(",")))
            }
            ParamKind::Bool => match text.to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => Ok(ParamValue::Bool(true)),
                "false" | "off" | "no" | "0" => Ok(ParamValue::Bool(false)),
                _ => Err(invalid()),
            },
        }
    }

    /// The next value up (`direction > 0`) or down from `current`, clamped to the range:
    /// what `+`/`-` do in the parameter panel. Numbers move along 1-2-5 steps once they are
    /// past small values, so wide ranges (1 to 100,000) are crossed in a few presses.
    pub fn step(&self, current: &ParamValue, direction: i32) -> ParamValue {
        match (*self, current) {
            (ParamKind::Int { min, max }, ParamValue::Int(v)) => {
                let next = if max - min <= 32 || *v < 10 || (*v == 10 && direction < 0) {
                    v + i64::from(direction.signum())
                } else {
                    nice_step(*v as f64, direction).round() as i64
                };
                ParamValue::Int(next.clamp(min, max))
            }
            (ParamKind::Float { min, max }, ParamValue::Float(v)) => {
                ParamValue::Float(nice_step(*v, direction).clamp(min, max))
            }
            (ParamKind::Choice(options), ParamValue::Text(v)) => {
                let i = options.iter().position(|o| o == v).unwrap_or(0) as i64;
                let n = options.len() as i64;
                let next = (i + i64::from(direction.signum())).rem_euclid(n);
                ParamValue::Text(options[next as usize].to_string())
            }
            (ParamKind::List { options, .. }, ParamValue::Text(v)) => {
                // Cycle through each option alone, then all of them mixed.
                let mut presets: Vec<String> = options.iter().map(|o| o.to_string()).collect();
                presets.push(options.join(","));
                let i = presets.iter().position(|p| p == v).unwrap_or(0) as i64;
                let n = presets.len() as i64;
                let next = (i + i64::from(direction.signum())).rem_euclid(n);
                ParamValue::Text(presets[next as usize].clone())
            }
            (ParamKind::Bool, ParamValue::Bool(b)) => ParamValue::Bool(!b),
            _ => current.clone(),
        }
    }
}

/// The next value on the 1-2-5 ladder (…, 0.5, 1, 2, 5, 10, …) above or below `v`.
fn nice_step(v: f64, direction: i32) -> f64 {
    let ladder = |exp: i32| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(exp));
    let start = if v > 0.0 {
        v.log10().floor() as i32 - 1
    } else {
        -3
    };
    let mut candidates: Vec<f64> = (start..start + 3).flat_map(ladder).collect();
    candidates.sort_by(f64::total_cmp);
    let eps = v.abs() * 1e-9 + 1e-12;
    if direction > 0 {
        candidates
            .into_iter()
            .find(|c| *c > v + eps)
            .unwrap_or(v * 2.0)
    } else {
        candidates
            .into_iter()
            .rev()
            .find(|c| *c < v - eps)
            .unwrap_or(v / 2.0)
    }
}

/// A full, validated set of values for one engine, in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    values: Vec<(&'static str, ParamValue)>,
}

impl Params {
    /// Defaults overridden by `overrides` (name, text); every name and value is checked.
    pub fn resolve(
        demo: &str,
        specs: &[ParamSpec],
        overrides: &[(String, String)],
    ) -> Result<Params, ParamError> {
        let mut values: Vec<(&'static str, ParamValue)> = specs
            .iter()
            .map(|s| {
                let v = s
                    .kind
                    .parse(s.name, s.default)
                    .unwrap_or_else(|e| panic!("default of {demo}.{} is invalid: {e}", s.name));
                (s.name, v)
            })
            .collect();
        for (name, text) in overrides {
            let spec =
                specs
                    .iter()
                    .find(|s| s.name == name)
                    .ok_or_else(|| ParamError::Unknown {
                        demo: demo.to_string(),
                        name: name.clone(),
                        valid: describe_all(specs),
                    })?;
            let v = spec.kind.parse(spec.name, text)?;
            if let Some(slot) = values.iter_mut().find(|(n, _)| *n == spec.name) {
                slot.1 = v;
            }
        }
        Ok(Params { values })
    }

    /// Parses `k=v` words (as given to `--set` or in a `demo` block) into pairs.
    ///
    /// ```
    /// use pyconc::sims::{self, Params};
    ///
    /// let pairs = Params::split_assignments(&["busy=2"]).unwrap();
    /// let cores = sims::find("cores").unwrap();
    /// assert_eq!(cores.resolve(&pairs).unwrap().int("busy"), 2);
    ///
    /// // Out of range: the message names the valid range.
    /// let bad = Params::split_assignments(&["busy=99"]).unwrap();
    /// let err = cores.resolve(&bad).unwrap_err().to_string();
    /// assert!(err.contains("from 0 to 32"));
    /// ```
    pub fn split_assignments<S: AsRef<str>>(
        words: &[S],
    ) -> Result<Vec<(String, String)>, ParamError> {
        words
            .iter()
            .map(|w| {
                let w = w.as_ref();
                match w.split_once('=') {
                    Some((k, v)) if !k.trim().is_empty() => {
                        Ok((k.trim().to_string(), v.trim().to_string()))
                    }
                    _ => Err(ParamError::Malformed(w.to_string())),
                }
            })
            .collect()
    }

    /// The value of `name`. Panics on a name the engine did not declare: that is a bug.
    pub fn get(&self, name: &str) -> &ParamValue {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("parameter `{name}` is not declared"))
    }

    /// Replaces one value (already validated by its kind).
    pub fn set(&mut self, name: &str, value: ParamValue) {
        if let Some(slot) = self.values.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = value;
        }
    }

    /// A whole-number parameter.
    pub fn int(&self, name: &str) -> i64 {
        match self.get(name) {
            ParamValue::Int(v) => *v,
            ParamValue::Float(v) => *v as i64,
            other => panic!("parameter `{name}` is not a number: {other:?}"),
        }
    }

    /// A real-number parameter.
    pub fn float(&self, name: &str) -> f64 {
        match self.get(name) {
            ParamValue::Float(v) => *v,
            ParamValue::Int(v) => *v as f64,
            other => panic!("parameter `{name}` is not a number: {other:?}"),
        }
    }

    /// A choice or list parameter, as text.
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            ParamValue::Text(v) => v,
            other => panic!("parameter `{name}` is not text: {other:?}"),
        }
    }

    /// A list parameter, split on commas.
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.text(name).split(',').collect()
    }

    /// A boolean parameter.
    pub fn flag(&self, name: &str) -> bool {
        match self.get(name) {
            ParamValue::Bool(v) => *v,
            other => panic!("parameter `{name}` is not a flag: {other:?}"),
        }
    }

    /// Every (name, value) pair in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &ParamValue)> {
        self.values.iter().map(|(n, v)| (*n, v))
    }

    /// The values as a JSON object, for headless output.
    pub fn to_json(&self) -> serde_json::Value {
        let map = self
            .values
            .iter()
            .map(|(n, v)| (n.to_string(), serde_json::to_value(v).unwrap_or_default()))
            .collect();
        serde_json::Value::Object(map)
    }
}

/// `name (range)` for every spec, for error messages.
pub fn describe_all(specs: &[ParamSpec]) -> String {
    specs
        .iter()
        .map(|s| format!("{} ({})", s.name, s.kind.describe()))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests;
