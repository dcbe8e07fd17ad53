//! asciicast v2 output: a header line, then `[time, "o", text]` events with the escape
//! codes of each drawn frame (only the cells that changed; see [`super::ansi`]) and
//! `[time, "m", label]` markers at notable moments. asciinema-player and agg play it.

use std::io::Write;

use ratatui::buffer::Buffer;
use serde_json::json;

use super::ansi;

/// What the header line says.
#[derive(Debug, Clone, PartialEq)]
pub struct CastHeader {
    /// Columns.
    pub width: u16,
    /// Rows.
    pub height: u16,
    /// When the run started, Unix seconds.
    pub timestamp: u64,
    /// The cast's title.
    pub title: String,
}

/// Writes one cast: [`new`](Self::new) writes the header, then frames and markers in time
/// order, then [`finish`](Self::finish).
pub struct CastWriter<W: Write> {
    out: W,
    prev: Option<Buffer>,
    last_t: f64,
    events: u64,
}

impl<W: Write> CastWriter<W> {
    /// Starts a cast with `header`.
    pub fn new(mut out: W, header: &CastHeader) -> std::io::Result<CastWriter<W>> {
        let line = json!({
            "version": 2,
            "width": header.width,
            "height": header.height,
            "timestamp": header.timestamp,
            "env": {"TERM": "xterm-256color", "SHELL": "pyconc"},
            "title": header.title,
        });
        writeln!(out, "{line}")?;
        Ok(CastWriter {
            out,
            prev: None,
            last_t: 0.0,
            events: 0,
        })
    }

    /// Adds the frame `buf` drawn at `t` seconds (nothing when no cell changed).
    pub fn frame(&mut self, t: f64, buf: &Buffer) -> std::io::Result<()> {
        let text = ansi::frame(self.prev.as_ref(), buf);
        if !text.is_empty() {
            self.event(t, "o", &text)?;
        }
        match &mut self.prev {
            Some(prev) if prev.area == buf.area => prev.clone_from(buf),
            _ => self.prev = Some(buf.clone()),
        }
        Ok(())
    }

    /// Adds a marker `label` at `t`.
    pub fn marker(&mut self, t: f64, label: &str) -> std::io::Result<()> {
        self.event(t, "m", label)
    }

    fn event(&mut self, t: f64, kind: &str, data: &str) -> std::io::Result<()> {
        // Times never go backwards, and are written to the microsecond.
        let t = t.max(self.last_t);
        self.last_t = t;
        self.events += 1;
        let t = (t * 1e6).round() / 1e6;
        writeln!(self.out, "{}", json!([t, kind, data]))
    }

    /// Flushes; returns how many events were written and the writer.
    pub fn finish(mut self) -> std::io::Result<(u64, W)> {
        self.out.flush()?;
        Ok((self.events, self.out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn header_events_and_markers_are_json_lines_in_time_order() {
        let header = CastHeader {
            width: 6,
            height: 2,
            timestamp: 1_764_580_500,
            title: "t".into(),
        };
        let mut cast = CastWriter::new(Vec::new(), &header).unwrap();
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 2));
        cast.frame(0.0, &buf).unwrap();
        buf.set_string(0, 0, "hi", Style::new());
        cast.frame(0.5, &buf).unwrap();
        cast.frame(0.6, &buf).unwrap(); // unchanged: no event
        cast.marker(0.4, "late marker").unwrap(); // earlier time: kept in order
        let (events, out) = cast.finish().unwrap();
        assert_eq!(events, 3);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["version"], 2);
        assert_eq!(lines[0]["width"], 6);
        assert_eq!(lines[2][1], "o");
        assert!(lines[2][2].as_str().unwrap().contains("hi"));
        assert_eq!(lines[3], json!([0.5, "m", "late marker"]));
    }
}
