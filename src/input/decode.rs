//! Terminal input bytes to key and mouse events, with no terminal code: the reader
//! (`super::reader`) feeds bytes as they come and calls [`Decoder::flush`] after a quiet
//! moment, so a truncated escape sequence (`ESC [ <`) or a lone UTF-8 lead byte never
//! holds later input, Ctrl-C included (issue 11, item 25). A control byte inside an
//! unfinished sequence ends it there and counts as itself.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// Bytes of one escape sequence past which it is dropped as garbage.
const MAX_SEQUENCE: usize = 64;

/// An incremental decoder of terminal input.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<u8>,
}

/// What the bytes so far make.
enum Parse {
    /// An event, from this many bytes.
    Event(Option<Event>, usize),
    /// Not finished: wait for more bytes (or the quiet timeout).
    Incomplete,
    /// Not a sequence: drop this many bytes.
    Invalid(usize),
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Option<Event> {
    Some(Event::Key(KeyEvent::new(code, modifiers)))
}

impl Decoder {
    /// A decoder with nothing pending.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// True while part of a sequence waits for more bytes.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Decodes `bytes`, returning every event they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut start = 0;
        while start < self.pending.len() {
            match parse(&self.pending[start..]) {
                Parse::Event(event, used) => {
                    events.extend(event);
                    start += used;
                }
                Parse::Invalid(used) => start += used.max(1),
                Parse::Incomplete => break,
            }
        }
        self.pending.drain(..start);
        events
    }

    /// Input has been quiet: what is pending is complete as it stands. A lone `ESC` is the
    /// Esc key; an unfinished sequence or character is dropped.
    pub fn flush(&mut self) -> Vec<Event> {
        let pending = std::mem::take(&mut self.pending);
        match pending.as_slice() {
            [0x1b] => key(KeyCode::Esc, KeyModifiers::NONE).into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// Parses one event from the start of `b` (not empty).
fn parse(b: &[u8]) -> Parse {
    match b[0] {
        0x1b => parse_escape(b),
        0x00..=0x1f | 0x7f => Parse::Event(control(b[0]), 1),
        0x20..=0x7e => Parse::Event(key(KeyCode::Char(b[0] as char), KeyModifiers::NONE), 1),
        _ => match parse_utf8(b) {
            Ok(Some((c, used))) => Parse::Event(key(KeyCode::Char(c), KeyModifiers::NONE), used),
            Ok(None) => Parse::Incomplete,
            Err(used) => Parse::Invalid(used),
        },
    }
}

/// The key of a control byte: Enter, Tab, Backspace, Ctrl and a letter.
fn control(byte: u8) -> Option<Event> {
    let ctrl = KeyModifiers::CONTROL;
    match byte {
        b'\r' | b'\n' => key(KeyCode::Enter, KeyModifiers::NONE),
        b'\t' => key(KeyCode::Tab, KeyModifiers::NONE),
        0x7f | 0x08 => key(KeyCode::Backspace, KeyModifiers::NONE),
        0x00 => key(KeyCode::Char(' '), ctrl),
        0x01..=0x1a => key(KeyCode::Char((b'a' + byte - 1) as char), ctrl),
        0x1c..=0x1f => key(KeyCode::Char((b'4' + byte - 0x1c) as char), ctrl),
        _ => None,
    }
}

/// A UTF-8 character at the start of `b`: `Ok(None)` while incomplete, `Err(n)` to drop
/// `n` bytes that cannot start or continue one.
fn parse_utf8(b: &[u8]) -> Result<Option<(char, usize)>, usize> {
    let len = match b[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Err(1),
    };
    for (i, byte) in b.iter().enumerate().take(len).skip(1) {
        if byte & 0xc0 != 0x80 {
            // Cut short by a byte that starts something else: that byte is kept.
            return Err(i);
        }
    }
    if b.len() < len {
        return Ok(None);
    }
    match std::str::from_utf8(&b[..len]) {
        Ok(s) => Ok(s.chars().next().map(|c| (c, len))),
        Err(_) => Err(len),
    }
}

/// `ESC …`: Alt and a key, an SS3 or a CSI sequence.
fn parse_escape(b: &[u8]) -> Parse {
    let Some(&second) = b.get(1) else {
        return Parse::Incomplete;
    };
    match second {
        b'[' => parse_csi(b),
        b'O' => match b.get(2) {
            None => Parse::Incomplete,
            Some(&c @ 0x20..=0x7e) => Parse::Event(ss3(c), 3),
            // Not an SS3 key: Alt-O, and the byte after it read for itself.
            Some(_) => Parse::Event(key(KeyCode::Char('O'), KeyModifiers::ALT), 2),
        },
        // ESC ESC: the first is the Esc key, the second starts anew.
        0x1b => Parse::Event(key(KeyCode::Esc, KeyModifiers::NONE), 1),
        0x20..=0x7e => Parse::Event(key(KeyCode::Char(second as char), KeyModifiers::ALT), 2),
        // A control byte after ESC: Esc, then the control byte on its own.
        _ => Parse::Event(key(KeyCode::Esc, KeyModifiers::NONE), 1),
    }
}

/// `ESC O c`: an arrow, Home, End or F1-F4.
fn ss3(c: u8) -> Option<Event> {
    key(final_letter_key(c)?, KeyModifiers::NONE)
}

/// The key a final letter names in both `ESC O c` and `ESC [ params c`: the arrows, Home,
/// End and F1-F4.
fn final_letter_key(c: u8) -> Option<KeyCode> {
    Some(match c {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P'..=b'S' => KeyCode::F(c - b'P' + 1),
        _ => return None,
    })
}

/// `ESC [ params final`.
fn parse_csi(b: &[u8]) -> Parse {
    // (The legacy X10 mouse form, `ESC [ M` and three raw bytes, is not read: a cut one
    // would swallow the bytes after it, Ctrl-C included. crossterm turns on SGR mouse.)
    for (i, &byte) in b.iter().enumerate().skip(2) {
        match byte {
            0x20..=0x3f => {
                if i + 1 >= MAX_SEQUENCE {
                    return Parse::Invalid(i + 1);
                }
            }
            0x40..=0x7e => return Parse::Event(csi(&b[2..i], byte), i + 1),
            // Anything else (a control byte, ESC, a non-ASCII byte) ends the sequence
            // unfinished: drop it, and read that byte for itself.
            _ => return Parse::Invalid(i),
        }
    }
    Parse::Incomplete
}

/// Modifiers from an xterm modifier parameter (1 + shift 1, alt 2, ctrl 4).
fn modifiers(param: u16) -> KeyModifiers {
    modifier_bits(param.saturating_sub(1))
}

/// Modifiers from the bits xterm gives them in both keys and mouse buttons: shift 1, alt
/// 2, ctrl 4 (other bits are ignored).
fn modifier_bits(bits: u16) -> KeyModifiers {
    let mut m = KeyModifiers::NONE;
    if bits & 1 != 0 {
        m |= KeyModifiers::SHIFT;
    }
    if bits & 2 != 0 {
        m |= KeyModifiers::ALT;
    }
    if bits & 4 != 0 {
        m |= KeyModifiers::CONTROL;
    }
    m
}

fn csi(params: &[u8], last: u8) -> Option<Event> {
    let text = std::str::from_utf8(params).ok()?;
    if let Some(sgr) = text.strip_prefix('<') {
        let mut parts = sgr.split(';').map(|p| p.parse::<u16>().ok());
        let (cb, x, y) = (parts.next()??, parts.next()??, parts.next()??);
        return mouse(cb, x.saturating_sub(1), y.saturating_sub(1), last == b'm');
    }
    let numbers: Vec<u16> = text
        .split(';')
        .map(|p| p.parse::<u16>().unwrap_or(0))
        .collect();
    let first = numbers.first().copied().unwrap_or(0);
    let mods = modifiers(numbers.get(1).copied().unwrap_or(1));
    let code = match last {
        b'Z' => return key(KeyCode::BackTab, KeyModifiers::SHIFT),
        b'~' => match first {
            1 | 7 => KeyCode::Home,
            2 => KeyCode::Insert,
            3 => KeyCode::Delete,
            4 | 8 => KeyCode::End,
            5 => KeyCode::PageUp,
            6 => KeyCode::PageDown,
            11..=15 => KeyCode::F((first - 10) as u8),
            17..=21 => KeyCode::F((first - 11) as u8),
            23..=26 => KeyCode::F((first - 12) as u8),
            28 | 29 | 31..=34 => KeyCode::F((first - 15).min(20) as u8),
            _ => return None,
        },
        letter => final_letter_key(letter)?,
    };
    key(code, mods)
}

/// A mouse event from an xterm button code at 0-based `x`, `y`.
fn mouse(cb: u16, x: u16, y: u16, release: bool) -> Option<Event> {
    let button = match cb & 0b11 {
        0 => MouseButton::Left,
        1 => MouseButton::Middle,
        2 => MouseButton::Right,
        _ => MouseButton::Left,
    };
    let kind = if cb & 64 != 0 {
        match cb & 0b11 {
            0 => MouseEventKind::ScrollUp,
            1 => MouseEventKind::ScrollDown,
            2 => MouseEventKind::ScrollLeft,
            _ => MouseEventKind::ScrollRight,
        }
    } else if cb & 32 != 0 {
        if cb & 0b11 == 3 {
            MouseEventKind::Moved
        } else {
            MouseEventKind::Drag(button)
        }
    } else if release || cb & 0b11 == 3 {
        MouseEventKind::Up(button)
    } else {
        MouseEventKind::Down(button)
    };
    Some(Event::Mouse(MouseEvent {
        kind,
        column: x,
        row: y,
        // The button code's modifier bits: shift 4, meta 8, ctrl 16.
        modifiers: modifier_bits(cb >> 2),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(events: &[Event]) -> Vec<(KeyCode, KeyModifiers)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Key(k) => Some((k.code, k.modifiers)),
                _ => None,
            })
            .collect()
    }

    const NONE: KeyModifiers = KeyModifiers::NONE;
    const CTRL: KeyModifiers = KeyModifiers::CONTROL;

    #[test]
    fn plain_keys_and_controls() {
        let mut d = Decoder::new();
        let got = keys(&d.feed(b"q\r\t\x7f\x03 "));
        assert_eq!(
            got,
            vec![
                (KeyCode::Char('q'), NONE),
                (KeyCode::Enter, NONE),
                (KeyCode::Tab, NONE),
                (KeyCode::Backspace, NONE),
                (KeyCode::Char('c'), CTRL),
                (KeyCode::Char(' '), NONE),
            ]
        );
        assert!(!d.has_pending());
    }

    #[test]
    fn escape_sequences_in_pieces() {
        let mut d = Decoder::new();
        let mut got = Vec::new();
        for byte in b"\x1b[A\x1b[6~\x1bOP\x1b[1;5C\x1b[Z" {
            got.extend(d.feed(&[*byte]));
        }
        assert_eq!(
            keys(&got),
            vec![
                (KeyCode::Up, NONE),
                (KeyCode::PageDown, NONE),
                (KeyCode::F(1), NONE),
                (KeyCode::Right, CTRL),
                (KeyCode::BackTab, KeyModifiers::SHIFT),
            ]
        );
    }

    /// The mouse events `bytes` decode to (any other event fails the test).
    fn mouse_events(bytes: &[u8]) -> Vec<MouseEvent> {
        Decoder::new()
            .feed(bytes)
            .into_iter()
            .map(|e| match e {
                Event::Mouse(m) => m,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn sgr_mouse_wheel_and_click() {
        let got = mouse_events(b"\x1b[<65;10;5M\x1b[<0;3;4M\x1b[<0;3;4m");
        assert_eq!(
            got.iter()
                .map(|m| (m.kind, m.column, m.row))
                .collect::<Vec<_>>(),
            vec![
                (MouseEventKind::ScrollDown, 9, 4),
                (MouseEventKind::Down(MouseButton::Left), 2, 3),
                (MouseEventKind::Up(MouseButton::Left), 2, 3),
            ]
        );
    }

    #[test]
    fn sgr_mouse_modifier_bits_give_shift_alt_and_ctrl() {
        let got = mouse_events(b"\x1b[<4;1;1M\x1b[<8;1;1M\x1b[<16;1;1M\x1b[<93;1;1M");
        assert_eq!(
            got.iter().map(|m| m.modifiers).collect::<Vec<_>>(),
            vec![
                KeyModifiers::SHIFT,
                KeyModifiers::ALT,
                CTRL,
                // 64 + 16 + 8 + 4 + 1: a wheel with all three held.
                KeyModifiers::SHIFT | KeyModifiers::ALT | CTRL,
            ]
        );
    }

    #[test]
    fn a_truncated_sequence_does_not_hold_ctrl_c() {
        // crossterm waits for a final byte here and swallows the Ctrl-C.
        let mut d = Decoder::new();
        assert!(d.feed(b"\x1b[<").is_empty());
        assert!(d.has_pending());
        assert_eq!(keys(&d.feed(b"\x03")), vec![(KeyCode::Char('c'), CTRL)]);
        assert!(!d.has_pending());
    }

    #[test]
    fn a_quiet_timeout_flushes_what_is_pending() {
        let mut d = Decoder::new();
        assert!(d.feed(b"\x1b[<").is_empty());
        assert!(d.flush().is_empty());
        assert_eq!(keys(&d.feed(b"q")), vec![(KeyCode::Char('q'), NONE)]);
        // A lone ESC is the Esc key once input is quiet.
        assert!(d.feed(b"\x1b").is_empty());
        assert_eq!(keys(&d.flush()), vec![(KeyCode::Esc, NONE)]);
        // A lone UTF-8 lead byte is dropped.
        assert!(d.feed(&[0xe6]).is_empty());
        assert!(d.flush().is_empty());
        assert_eq!(keys(&d.feed(b"j")), vec![(KeyCode::Char('j'), NONE)]);
    }

    #[test]
    fn a_lone_utf8_lead_byte_does_not_hold_the_next_key() {
        let mut d = Decoder::new();
        assert_eq!(
            keys(&d.feed(&[0xe6, b'q', 0xc3, 0xa9])),
            vec![(KeyCode::Char('q'), NONE), (KeyCode::Char('é'), NONE)]
        );
        assert_eq!(
            keys(&d.feed("日".as_bytes())),
            vec![(KeyCode::Char('日'), NONE)]
        );
        assert_eq!(
            keys(&d.feed(&[0xff, 0x80, b'k'])),
            vec![(KeyCode::Char('k'), NONE)]
        );
    }

    #[test]
    fn an_endless_sequence_is_dropped() {
        let mut d = Decoder::new();
        let mut bytes = b"\x1b[".to_vec();
        bytes.extend(std::iter::repeat_n(b'1', 200));
        bytes.push(b'q');
        let got = keys(&d.feed(&bytes));
        assert_eq!(got.last(), Some(&(KeyCode::Char('q'), NONE)));
        assert!(!d.has_pending());
    }

    #[test]
    fn random_bytes_never_panic_and_never_pend_after_a_flush() {
        let mut rng = fastrand::Rng::with_seed(11);
        let mut d = Decoder::new();
        for _ in 0..20_000 {
            let n = rng.usize(1..8);
            let bytes: Vec<u8> = (0..n)
                .map(|_| match rng.u8(0..4) {
                    0 => 0x1b,
                    1 => b"[<;0123456789mMO~"[rng.usize(0..17)],
                    _ => rng.u8(..),
                })
                .collect();
            d.feed(&bytes);
            if rng.u8(0..10) == 0 {
                d.flush();
                assert!(!d.has_pending());
            }
            // Ctrl-C always gets through, whatever came before it.
            let got = keys(&d.feed(b"\x03"));
            assert_eq!(got.last(), Some(&(KeyCode::Char('c'), CTRL)), "{bytes:?}");
        }
    }
}
