//! An engine's typed configuration: one struct per engine, filled from validated
//! [`Params`] through one `apply(name, value)` that sits beside the parameter declarations
//! (the only place a parameter's name meets its field), and updated by the same `apply`
//! when a value changes while the demo runs.

use crate::sims::params::{ParamError, ParamSpec, ParamValue, Params};

/// A typed configuration built from an engine's declared parameters.
pub trait EngineConfig: Default + Sized {
    /// Takes one validated value. An undeclared name or a value of the wrong kind is an
    /// error, never ignored.
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError>;

    /// The configuration for `params` (every declared parameter, defaults filled in).
    fn from_params(params: &Params) -> Result<Self, ParamError> {
        let mut config = Self::default();
        for (name, value) in params.iter() {
            config.apply(name, value)?;
        }
        Ok(config)
    }
}

/// The error for a name `apply` does not know, naming the declared ones.
pub fn unknown(engine: &str, name: &str, specs: &[ParamSpec]) -> ParamError {
    ParamError::Unknown {
        demo: engine.to_string(),
        name: name.to_string(),
        valid: specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
    }
}

/// `value` as a whole number (its range was checked against the declaration when it
/// was parsed).
pub fn whole(name: &str, value: &ParamValue) -> Result<i64, ParamError> {
    int_in(name, value, i64::MIN, i64::MAX)
}

/// `value` as a whole number in `min..=max` (already range-checked when it resolved).
pub fn int_in(name: &str, value: &ParamValue, min: i64, max: i64) -> Result<i64, ParamError> {
    match value {
        ParamValue::Int(v) if (min..=max).contains(v) => Ok(*v),
        other => Err(ParamError::Invalid {
            name: name.to_string(),
            value: other.to_string(),
            expected: format!("a whole number from {min} to {max}"),
        }),
    }
}

/// `value` as a count in `min..=max`.
pub fn count_in(name: &str, value: &ParamValue, min: i64, max: i64) -> Result<usize, ParamError> {
    int_in(name, value, min, max).map(|v| v as usize)
}

/// `value` as a real number.
pub fn float(name: &str, value: &ParamValue) -> Result<f64, ParamError> {
    match value {
        ParamValue::Float(v) => Ok(*v),
        ParamValue::Int(v) => Ok(*v as f64),
        other => Err(ParamError::Invalid {
            name: name.to_string(),
            value: other.to_string(),
            expected: "a number".to_string(),
        }),
    }
}

/// `value` as a flag.
pub fn flag(name: &str, value: &ParamValue) -> Result<bool, ParamError> {
    match value {
        ParamValue::Bool(v) => Ok(*v),
        other => Err(ParamError::Invalid {
            name: name.to_string(),
            value: other.to_string(),
            expected: "true or false".to_string(),
        }),
    }
}
