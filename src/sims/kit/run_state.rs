//! Run states: what a thread, task or worker in a demo is doing, with the glyph and word
//! every view uses for it. The theme maps a state to a style; nothing here draws.

/// The state of a thread, task or worker in a demo: each has its own style and glyph so
/// views stay readable without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RunState {
    /// Executing now (holding the GIL, being polled, computing).
    Running,
    /// Ready to run, waiting its turn (waiting for the GIL, in the ready queue).
    Ready,
    /// Waiting on something (a lock, a semaphore, a queue, a timer).
    Waiting,
    /// In blocking I/O.
    Io,
    /// Finished normally.
    Done,
    /// Ended with an error.
    Failed,
    /// Cancelled.
    Cancelled,
    /// Nothing to do.
    Idle,
}

impl RunState {
    /// Every state, in declaration order.
    pub const ALL: [RunState; 8] = [
        RunState::Running,
        RunState::Ready,
        RunState::Waiting,
        RunState::Io,
        RunState::Done,
        RunState::Failed,
        RunState::Cancelled,
        RunState::Idle,
    ];

    /// The one-cell glyph used in time strips and tables.
    pub fn glyph(self) -> char {
        match self {
            RunState::Running => '█',
            RunState::Ready => '░',
            RunState::Waiting => '·',
            RunState::Io => '≈',
            RunState::Done => '✓',
            RunState::Failed => '✗',
            RunState::Cancelled => '⊘',
            RunState::Idle => ' ',
        }
    }

    /// The word used in legends.
    pub fn label(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Ready => "ready",
            RunState::Waiting => "waiting",
            RunState::Io => "I/O",
            RunState::Done => "done",
            RunState::Failed => "failed",
            RunState::Cancelled => "cancelled",
            RunState::Idle => "idle",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_stay_distinct_without_colour_through_glyphs_and_words() {
        let glyphs: std::collections::HashSet<char> = RunState::ALL.map(RunState::glyph).into();
        let words: std::collections::HashSet<&str> = RunState::ALL.map(RunState::label).into();
        assert_eq!(glyphs.len(), RunState::ALL.len());
        assert_eq!(words.len(), RunState::ALL.len());
    }

    #[test]
    fn all_lists_every_state_once_in_declaration_order() {
        for (i, state) in RunState::ALL.iter().enumerate() {
            assert_eq!(*state as usize, i, "{state:?}");
        }
    }
}
