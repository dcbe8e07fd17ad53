//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod fake_python;
pub mod python;
pub mod shell;
pub mod styled_dump;
