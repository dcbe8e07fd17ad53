//! What a lesson pack may cost: every limit on untrusted pack input, declared once with its
//! unit. A pack over a limit is refused with a `file:line: message` problem naming the limit,
//! before the costly step (reading, YAML decoding, parsing, rendering) runs.
//!
//! The built-in lessons are far below every limit (the largest is ~10 KB, the deepest list
//! is 3 levels, the widest table 5 columns); `lessons::catalog`'s tests check they pass.

/// The largest lesson file, in bytes (a file is read no further than this plus one byte).
pub const MAX_LESSON_BYTES: u64 = 1024 * 1024;

/// The largest pack: the sum of its lesson files, in bytes.
pub const MAX_PACK_BYTES: u64 = 8 * 1024 * 1024;

/// The most lesson files in one pack.
pub const MAX_PACK_LESSONS: usize = 500;

/// The most exercise folders (`exercises/ID/`) in one pack.
pub const MAX_PACK_EXERCISES: usize = 200;

/// The longest line of a lesson file, in bytes.
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// The largest front matter block (the YAML between the `---` lines), in bytes.
pub const MAX_FRONT_MATTER_BYTES: usize = 16 * 1024;

/// The most text the front matter may decode to, in bytes: YAML aliases (`*name`) repeat
/// an anchored value, so a small block can otherwise expand to gigabytes.
pub const MAX_FRONT_MATTER_DECODED_BYTES: usize = 64 * 1024;

/// The deepest nesting of lists and block quotes, in levels.
pub const MAX_NESTING_DEPTH: usize = 32;

/// The most cells (header included) in one table.
pub const MAX_TABLE_CELLS: usize = 4096;

/// The most columns in one table.
pub const MAX_TABLE_COLUMNS: usize = 64;

/// The longest code block that is syntax highlighted, in bytes: longer blocks are shown
/// plain (highlighting costs ~40x more per byte than drawing: a 1 MB block took 10 s).
pub const MAX_HIGHLIGHTED_BYTES: usize = 64 * 1024;

/// A byte count for messages: `1.0 MiB`, `16 KiB`, `512 bytes`.
pub fn bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else if n >= KIB {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

/// The first line of `text` longer than [`MAX_LINE_BYTES`]: (1-based line, its length).
pub fn first_long_line(text: &str) -> Option<(usize, usize)> {
    text.split('\n')
        .enumerate()
        .find(|(_, line)| line.len() > MAX_LINE_BYTES)
        .map(|(i, line)| (i + 1, line.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_read_well() {
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(16 * 1024), "16 KiB");
        assert_eq!(bytes(MAX_LESSON_BYTES), "1.0 MiB");
    }

    #[test]
    fn long_lines_are_found_with_their_line() {
        let long = "x".repeat(MAX_LINE_BYTES + 1);
        assert_eq!(first_long_line("a\nb\n"), None);
        assert_eq!(
            first_long_line(&format!("a\n{long}\n")),
            Some((2, MAX_LINE_BYTES + 1))
        );
    }
}
