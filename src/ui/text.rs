//! Text helpers every view shares: cutting to a width with an ellipsis, wrapping at spaces,
//! plurals, and numbers for people (`100,001`, `12.3k`, `850 ms`, `1.5 MB`). Views format
//! through these so the same figure reads the same on every screen.

use unicode_width::UnicodeWidthStr;

/// `text` cut to `width` columns, with '…' when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + c.to_string().width() + 1 > width {
            break;
        }
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Splits `text` at spaces into at most `max_lines` lines of at most `width` characters;
/// the last line is cut with an ellipsis if the text is longer.
pub fn wrap_words(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            let keep: String = last.chars().take(width.saturating_sub(1)).collect();
            *last = format!("{keep}…");
        }
    }
    lines
}

/// How many of `fields` (their display widths, in order) fit on one line of `width`
/// columns with `sep` columns between neighbours. Fields are never cut: the first one that
/// does not fit, and every one after it, is left out whole.
pub fn fields_that_fit(fields: &[usize], sep: usize, width: usize) -> usize {
    let mut used = 0;
    for (i, w) in fields.iter().enumerate() {
        let need = if i == 0 { *w } else { sep + w };
        if used + need > width {
            return i;
        }
        used += need;
    }
    fields.len()
}

/// `1 thread`, `2 threads`, `5,000 tasks`: the count (with thousands separators) and the
/// noun, plural unless the count is one. `noun` is the singular; its plural adds `s` (an
/// irregular one goes through [`count_of`]). Every view says counts through this.
pub fn count(n: impl TryInto<u64>, noun: &str) -> String {
    let n = n.try_into().unwrap_or(u64::MAX);
    format!("{} {noun}{}", thousands(n), if n == 1 { "" } else { "s" })
}

/// `1 process`, `3 processes`: the count with a noun whose plural is given.
pub fn count_of(n: impl TryInto<u64>, singular: &str, plural_form: &str) -> String {
    let n = n.try_into().unwrap_or(u64::MAX);
    let noun = if n == 1 { singular } else { plural_form };
    format!("{} {noun}", thousands(n))
}

/// `s` unless `n` is one: `{n} thread{}`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `100,001`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `-12,345`: [`thousands`] for a figure that can go below zero.
pub fn signed_thousands(n: i64) -> String {
    let digits = thousands(n.unsigned_abs());
    if n < 0 { format!("-{digits}") } else { digits }
}

/// `950`, `12.3k`, `4.5M`.
pub fn compact(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// `5 ms`, `0.1 ms`, `1.25 s`.
pub fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// Seconds for people: `850 ms`, `1.28 s`, `42 s`.
pub fn format_seconds(s: f64) -> String {
    if !s.is_finite() || s <= 0.0 {
        "0 s".to_string()
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.0} s")
    }
}

/// Milliseconds as seconds to a tenth, `0.4 s`, `12.0 s`: waits and walls that grow in
/// steady steps, so the figure does not jump between units while a demo runs.
pub fn tenths_of_seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// Bytes for people: `512 B`, `64 KB`, `1.5 MB`.
pub fn format_bytes(b: u64) -> String {
    const KB: f64 = 1024.0;
    let f = b as f64;
    if f < KB {
        format!("{b} B")
    } else if f < KB * KB {
        format!("{:.0} KB", f / KB)
    } else if f < KB * KB * KB {
        format!("{:.1} MB", f / KB / KB)
    } else {
        format!("{:.2} GB", f / KB / KB / KB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("Concurrency", 20), "Concurrency");
        assert_eq!(truncate("Concurrency", 6), "Concu…");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn units_and_numbers_read_as_people_write_them() {
        assert_eq!(format_seconds(0.25), "250 ms");
        assert_eq!(format_seconds(1.284), "1.28 s");
        assert_eq!(format_seconds(42.2), "42 s");
        assert_eq!(signed_thousands(0), "0");
        assert_eq!(signed_thousands(1_000), "1,000");
        assert_eq!(signed_thousands(-12_345_678), "-12,345,678");
        assert_eq!(tenths_of_seconds(420), "0.4 s");
        assert_eq!(tenths_of_seconds(12_000), "12.0 s");
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(64 * 1024), "64 KB");
        assert_eq!(format_bytes(3 * 1024 * 1024 / 2), "1.5 MB");
        assert_eq!(thousands(100_001), "100,001");
        assert_eq!(compact(12_345), "12.3k");
        assert_eq!(plural(1), "");
        assert_eq!(plural(2), "s");
        assert_eq!(wrap_words("one two three", 7, 5), vec!["one two", "three"]);
        assert_eq!(count(1, "thread"), "1 thread");
        assert_eq!(count(0u64, "job"), "0 jobs");
        assert_eq!(count(5_000usize, "round trip"), "5,000 round trips");
        assert_eq!(count_of(3, "process", "processes"), "3 processes");
    }

    #[test]
    fn fields_that_fit_never_cut_a_field() {
        // 5 + 2 + 3 = 10 fits in 10, the 4-wide third does not.
        assert_eq!(fields_that_fit(&[5, 3, 4], 2, 10), 2);
        assert_eq!(fields_that_fit(&[5, 3, 4], 2, 16), 3);
        assert_eq!(fields_that_fit(&[5, 3, 4], 2, 4), 0);
        assert_eq!(fields_that_fit(&[], 2, 0), 0);
    }
}
