//! Drawing: reads the application state and draws it; never changes state, never starts
//! threads.

pub mod demo;
pub mod widgets;
