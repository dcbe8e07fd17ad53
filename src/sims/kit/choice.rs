//! Choice parameters as enums: one enum per choice gives its words, parsing and option
//! list (derived with `strum`), so the [`ParamSpec`] lists the options once and no engine
//! re-parses a word or falls back to a default on one it does not know.
//!
//! The pattern, for an engine's choice `mode` (`choice_enum!` adds the derives: words
//! are the variants in kebab-case, `FreeThreaded` is `free-threaded`):
//!
//! ```ignore
//! choice_enum! {
//!     /// How it runs.
//!     #[derive(Default)]
//!     pub enum Mode { #[default] Fast, Slow }
//! }
//!
//! const MODE: ParamSpec = choice_spec::<Mode>("mode", "fast", "how it runs");
//! // in Config::from_params:  mode: params.choice("mode")?,
//! // in Config::apply:        "mode" => self.mode = value.choice("mode")?,
//! ```

use std::str::FromStr;

/// Declares a choice parameter's enum with every derive a choice needs: `Debug`, `Clone`,
/// `Copy`, `PartialEq`, `Eq`, serde (for snapshots), and strum's `EnumString`,
/// `VariantNames`, `IntoStaticStr` with kebab-case words. Add `#[derive(Default)]` and
/// `#[default]` where a default is wanted.
macro_rules! choice_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[derive(strum::EnumString, strum::VariantNames, strum::IntoStaticStr)]
        #[strum(serialize_all = "kebab-case")]
        $vis enum $name { $($body)* }
    };
}
pub(crate) use choice_enum;

use strum::VariantNames;

use crate::sims::params::{ParamError, ParamKind, ParamSpec, ParamValue, Params};

/// An enum that is a choice parameter's set of words.
pub trait Choice: Copy + FromStr + VariantNames + Into<&'static str> + 'static {
    /// The word for this value, as the CLI, lessons and JSON spell it.
    fn word(self) -> &'static str {
        self.into()
    }

    /// Parses `text` for the parameter `name`; an unknown word is an error naming the
    /// valid ones, never a default.
    fn parse_word(name: &str, text: &str) -> Result<Self, ParamError> {
        Self::from_str(text).map_err(|_| ParamError::Invalid {
            name: name.to_string(),
            value: text.to_string(),
            expected: ParamKind::Choice(Self::VARIANTS).describe(),
        })
    }
}

impl<T> Choice for T where T: Copy + FromStr + VariantNames + Into<&'static str> + 'static {}

/// The declaration of a choice parameter whose options are `T`'s words.
pub const fn choice_spec<T: VariantNames>(
    name: &'static str,
    default: &'static str,
    help: &'static str,
) -> ParamSpec {
    ParamSpec::choice(name, T::VARIANTS, default, help)
}

impl ParamValue {
    /// This value as the choice `T` (for the parameter `name`).
    pub fn choice<T: Choice>(&self, name: &str) -> Result<T, ParamError> {
        T::parse_word(name, &self.to_string())
    }
}

impl Params {
    /// The choice parameter `name` as its enum.
    pub fn choice<T: Choice>(&self, name: &str) -> Result<T, ParamError> {
        self.get(name).choice(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(
        Debug, Clone, Copy, PartialEq, strum::EnumString, strum::VariantNames, strum::IntoStaticStr,
    )]
    #[strum(serialize_all = "kebab-case")]
    enum Speed {
        Slow,
        FreeThreaded,
    }

    #[test]
    fn words_options_and_errors_come_from_the_enum() {
        let spec = choice_spec::<Speed>("speed", "slow", "how fast");
        assert_eq!(spec.kind, ParamKind::Choice(&["slow", "free-threaded"]));
        assert_eq!(Speed::FreeThreaded.word(), "free-threaded");
        let value = ParamValue::Text("free-threaded".into());
        assert_eq!(value.choice::<Speed>("speed"), Ok(Speed::FreeThreaded));
        let err = ParamValue::Text("fast".into())
            .choice::<Speed>("speed")
            .unwrap_err();
        assert!(
            err.to_string().contains("one of slow, free-threaded"),
            "{err}"
        );
    }
}
