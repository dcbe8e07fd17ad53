//! Final figures: how an engine's typed figures become the JSON object `--headless --json`
//! prints, and the rounding every figure meant to be read goes through.

use serde::Serialize;
use serde_json::Value;

/// Rounds to three decimals, for figures meant to be read.
pub fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Rounds every value to three decimals.
pub fn round3_all(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    values.into_iter().map(round3).collect()
}

/// An engine's figures struct as a JSON object, keys in field order. A plain-data struct
/// always serialises; if one ever did not, the figures say why instead of panicking.
pub fn to_json<T: Serialize>(figures: &T) -> Value {
    serde_json::to_value(figures)
        .unwrap_or_else(|e| serde_json::json!({ "figures_error": e.to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample {
        b: f64,
        a: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        hidden: Option<bool>,
    }

    #[test]
    fn figures_keep_field_order_nulls_and_skipped_fields() {
        let json = to_json(&Sample {
            b: round3(1.23456),
            a: None,
            hidden: None,
        });
        assert_eq!(json.to_string(), r#"{"b":1.235,"a":null}"#);
        assert_eq!(round3_all([0.0004, 2.0]), vec![0.0, 2.0]);
    }
}
