//! Recordings written and read back: the round trip, and files cut short, damaged, of
//! another version or not recordings at all, which must give a clear message, never a panic.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::*;
use crate::replay::history::Frame;
use crate::sims::gil::GilEngine;

/// `n` distinct snapshots of the deterministic GIL model, one step apart.
fn model_snapshots(n: usize) -> (Params, Vec<Snapshot>) {
    let params = GilEngine
        .resolve(&[("engine".into(), "model".into())])
        .unwrap();
    let mut demo = GilEngine.start(&params).unwrap();
    assert!(demo.set_paused(true));
    let mut out = vec![demo.snapshot()];
    while out.len() < n {
        assert!(demo.step());
        let s = demo.snapshot();
        if out.last() != Some(&s) {
            out.push(s);
        }
    }
    demo.stop();
    (params, out)
}

fn recording_bytes(n: usize) -> (Header, Vec<Snapshot>, Vec<u8>) {
    let (params, snaps) = model_snapshots(n);
    let header = Header::for_run(&GilEngine, &params);
    let mut w = RecordingWriter::new(Vec::new(), &header).unwrap();
    for (i, s) in snaps.iter().enumerate() {
        w.frame(i as f64 * 0.1, s).unwrap();
    }
    let (frames, duration_s, bytes) = w.finish().unwrap();
    assert_eq!(frames, n as u64);
    assert!((duration_s - (n - 1) as f64 * 0.1).abs() < 1e-9);
    (header, snaps, bytes)
}

fn gzip(text: &str) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap()
}

#[test]
fn a_recording_reads_back_frame_for_frame() {
    let (header, snaps, bytes) = recording_bytes(40);
    let rec = read(&bytes[..], "mem").unwrap();
    assert_eq!(rec.header, header);
    assert_eq!(rec.stop, None);
    assert_eq!(rec.frames.len(), snaps.len());
    for (i, (frame, snap)) in rec.frames.frames().zip(&snaps).enumerate() {
        assert_eq!(&frame.snapshot, snap, "frame {i}");
        assert!((frame.t - i as f64 * 0.1).abs() < 1e-9);
    }
    let params = GilEngine.resolve(&header.param_pairs()).unwrap();
    assert_eq!(params.text("engine"), "model");
}

#[test]
fn a_truncated_file_replays_what_it_can_and_says_where_it_stops() {
    let (_, snaps, bytes) = recording_bytes(60);
    for cut in [bytes.len() - 1, bytes.len() * 2 / 3, bytes.len() / 3] {
        let rec = read(&bytes[..cut], "cut.pyconc").unwrap();
        let stop = rec.stop.expect("a cut file says so");
        assert!(stop.starts_with("cut.pyconc:"), "{stop}");
        if cut == bytes.len() - 1 {
            // Only the trailer's last byte is gone: every frame is there, the end is not.
            assert!(stop.contains("end is damaged"), "{stop}");
            assert_eq!(rec.frames.len(), snaps.len());
        } else {
            assert!(stop.contains("stops after frame"), "{stop}");
            assert!(rec.frames.len() < snaps.len());
        }
        assert!(rec.frames.len() <= snaps.len());
        for (frame, snap) in rec.frames.frames().zip(&snaps) {
            assert_eq!(&frame.snapshot, snap);
        }
    }
}

#[test]
fn a_damaged_file_never_panics_and_keeps_the_frames_before_the_damage() {
    let (_, snaps, bytes) = recording_bytes(60);
    // Damage at several places past the header; each read must end with a message.
    for at in [bytes.len() / 2, bytes.len() * 3 / 4, bytes.len() - 12] {
        let mut bad = bytes.clone();
        for b in &mut bad[at..at + 8] {
            *b ^= 0x5a;
        }
        match read(&bad[..], "bad.pyconc") {
            Ok(rec) => {
                assert!(rec.stop.is_some(), "damage at {at} went unnoticed");
                assert!(rec.frames.len() <= snaps.len());
            }
            Err(e) => assert!(e.to_string().contains("bad.pyconc"), "{e}"),
        }
    }
    // Lines that do not read as frames (compressed correctly) are left out, the rest
    // replays, and the message names the first one.
    let (params, _) = model_snapshots(1);
    let header = serde_json::to_string(&Header::for_run(&GilEngine, &params)).unwrap();
    let frame = |i: usize| {
        serde_json::to_string(&FrameLine {
            t: i as f64,
            snapshot: &snaps[i],
        })
        .unwrap()
    };
    let text = format!(
        "{header}\n{}\n{{\"t\": 0.1, \"snapshot\": {{\"Gil\": 3}}}}\n{{not json\n{}\n{{\"end\": {{\"frames\": 4, \"duration_s\": 2.0}}}}\n",
        frame(0),
        frame(2)
    );
    let rec = read(&gzip(&text)[..], "x").unwrap();
    assert_eq!(rec.frames.len(), 2);
    assert_eq!(rec.frames.last().unwrap().snapshot, snaps[2]);
    let stop = rec.stop.unwrap();
    assert!(
        stop.starts_with("x:3: a frame left out: unreadable snapshot") && stop.contains("1 more"),
        "{stop}"
    );
}

#[test]
fn another_format_version_gets_a_clear_message() {
    let newer = gzip("{\"format\": \"pyconc-recording\", \"version\": 7, \"whatever\": 1}\n");
    let e = read(&newer[..], "new.pyconc").unwrap_err().to_string();
    assert!(
        e.contains("version 7") && e.contains("update pyconc"),
        "{e}"
    );
    let older = gzip("{\"format\": \"pyconc-recording\", \"version\": 0}\n");
    let e = read(&older[..], "old.pyconc").unwrap_err().to_string();
    assert!(e.contains("version 0") && e.contains("older"), "{e}");
    let other = gzip("{\"format\": \"something-else\", \"version\": 1}\n");
    assert!(matches!(
        read(&other[..], "o"),
        Err(ReadError::NotARecording { .. })
    ));
    assert!(matches!(
        read(&b"plain text"[..], "p"),
        Err(ReadError::NotARecording { .. })
    ));
    assert!(matches!(
        read(&b""[..], "e"),
        Err(ReadError::NotARecording { .. })
    ));
}

#[test]
fn strings_read_from_a_file_are_sanitised() {
    let (_, snaps, _) = recording_bytes(1);
    let Snapshot::Gil(s) = &snaps[0] else {
        panic!("gil")
    };
    let mut evil = (**s).clone();
    evil.last_event = "\u{1b}]52;c;owned\u{7}\u{1b}[2J\nnext".into();
    let evil = Snapshot::Gil(std::sync::Arc::new(evil));
    let (params, _) = model_snapshots(1);
    let mut w = RecordingWriter::new(Vec::new(), &Header::for_run(&GilEngine, &params)).unwrap();
    w.frame(0.0, &evil).unwrap();
    let (_, _, bytes) = w.finish().unwrap();
    let rec = read(&bytes[..], "evil").unwrap();
    let Snapshot::Gil(s) = &rec.frames.first().unwrap().snapshot else {
        panic!("gil")
    };
    assert!(!s.last_event.contains('\u{1b}') && !s.last_event.contains('\n'));
    assert!(s.last_event.contains('␛'), "{}", s.last_event);
}

#[test]
fn dates_are_utc_civil_time() {
    assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(compact_utc(1_796_117_424), "20261201-093024");
}

#[test]
fn the_background_writer_and_the_save_write_the_same_readable_file() {
    let dir = tempfile::tempdir().unwrap();
    let (params, snaps) = model_snapshots(10);
    let header = Header::for_run(&GilEngine, &params);
    let sink = RecordSink::start(&dir.path().join("a.pyconc"), header.clone()).unwrap();
    for (i, s) in snaps.iter().enumerate() {
        sink.send(i as f64, s);
    }
    let written = sink.finish().unwrap();
    assert_eq!(written.frames, 10);
    assert_eq!(written.dropped, 0);
    let frames: Vec<Frame> = snaps
        .iter()
        .enumerate()
        .map(|(i, s)| Frame {
            t: i as f64,
            snapshot: s.clone(),
        })
        .collect();
    let saved = save_in_background(dir.path().join("b.pyconc"), header, frames)
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(saved.frames, 10);
    let a = read_file(&written.path).unwrap();
    let b = read_file(&saved.path).unwrap();
    assert_eq!(a.frames.len(), 10);
    assert!(
        a.frames
            .frames()
            .zip(b.frames.frames())
            .all(|(x, y)| x.snapshot == y.snapshot)
    );
    assert!(matches!(
        read_file(&dir.path().join("missing")),
        Err(ReadError::Open { .. })
    ));
}
