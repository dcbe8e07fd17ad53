//! The wire format between pyconc and its worker processes, the analogue of what
//! `multiprocessing` pickles onto its pipes. Every message is one frame: a 4-byte
//! little-endian length, then a body whose first byte says what it is. Task data is
//! copied into the frame (serialising) and checksummed by the worker (deserialising), so
//! both ends really touch every byte, as pickling and unpickling do.

use std::io::{self, Read, Write};

/// The largest frame either side accepts (a corrupt length must not allocate gigabytes).
pub const MAX_FRAME_BYTES: usize = 128 << 20;
/// Bytes in a frame's length prefix.
pub const FRAME_HEADER_BYTES: usize = 4;

const TAG_HELLO: u8 = 1;
const TAG_CHUNK: u8 = 2;
const TAG_DONE: u8 = 3;

/// One task as the worker receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSpec {
    /// Its position in the task list.
    pub index: u32,
    /// Its cost in work units.
    pub units: u64,
    /// Die in the middle of this task (the `crash` parameter).
    pub crash: bool,
}

/// A decoded chunk: each task with the checksum of its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The chunk's number, echoed in the reply.
    pub id: u32,
    /// Its tasks with their data's checksum.
    pub tasks: Vec<(TaskSpec, u64)>,
}

/// A worker's reply to one chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// The chunk it answers.
    pub id: u32,
    /// Nanoseconds the worker spent decoding the chunk (unpickling).
    pub decode_ns: u64,
    /// Nanoseconds the worker spent computing.
    pub compute_ns: u64,
    /// (task index, result) for every task of the chunk.
    pub results: Vec<(u32, u64)>,
}

/// A protocol error: the other side sent something that is not a frame of ours.
fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Reads one frame body. `Ok(None)` when the stream ends cleanly between frames (the
/// other side closed its end).
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; FRAME_HEADER_BYTES];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len == 0 || len > MAX_FRAME_BYTES {
        return Err(bad("frame length out of range"));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok(Some(body))
}

/// Writes `frame` (length prefix included, as built by the `encode_*` functions) and
/// flushes it.
pub fn write_frame(w: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    w.write_all(frame)?;
    w.flush()
}

fn start_frame(out: &mut Vec<u8>, tag: u8) {
    out.clear();
    out.extend_from_slice(&[0; FRAME_HEADER_BYTES]);
    out.push(tag);
}

fn finish_frame(out: &mut [u8]) {
    let len = (out.len() - FRAME_HEADER_BYTES) as u32;
    out[..FRAME_HEADER_BYTES].copy_from_slice(&len.to_le_bytes());
}

/// The worker's first message: it is up and ready, with its pid.
pub fn encode_hello(pid: u32, out: &mut Vec<u8>) {
    start_frame(out, TAG_HELLO);
    out.extend_from_slice(&pid.to_le_bytes());
    finish_frame(out);
}

/// The pid in a hello body.
pub fn decode_hello(body: &[u8]) -> io::Result<u32> {
    Cursor::open(body, TAG_HELLO, "expected a hello")?.u32()
}

/// Serialises a chunk of tasks into `out`; every task carries a copy of `payload` with
/// its index in the first bytes (so no two tasks' data are alike).
pub fn encode_chunk(id: u32, tasks: &[TaskSpec], payload: &[u8], out: &mut Vec<u8>) {
    start_frame(out, TAG_CHUNK);
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&(tasks.len() as u32).to_le_bytes());
    for t in tasks {
        out.extend_from_slice(&t.index.to_le_bytes());
        out.extend_from_slice(&t.units.to_le_bytes());
        out.push(u8::from(t.crash));
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        let data_start = out.len();
        out.extend_from_slice(payload);
        let tag = t.index.to_le_bytes();
        let n = tag.len().min(payload.len());
        out[data_start..data_start + n].copy_from_slice(&tag[..n]);
    }
    finish_frame(out);
}

/// Deserialises a chunk body, checksumming every task's data.
pub fn decode_chunk(body: &[u8]) -> io::Result<Chunk> {
    let mut c = Cursor::open(body, TAG_CHUNK, "expected a chunk")?;
    let id = c.u32()?;
    let count = c.u32()? as usize;
    let mut tasks = Vec::with_capacity(count.min(body.len()));
    for _ in 0..count {
        let index = c.u32()?;
        let units = c.u64()?;
        let crash = c.u8()? != 0;
        let len = c.u32()? as usize;
        let data = c.bytes(len)?;
        tasks.push((
            TaskSpec {
                index,
                units,
                crash,
            },
            checksum(data),
        ));
    }
    Ok(Chunk { id, tasks })
}

/// Serialises a reply into `out`.
pub fn encode_done(done: &Done, out: &mut Vec<u8>) {
    start_frame(out, TAG_DONE);
    out.extend_from_slice(&done.id.to_le_bytes());
    out.extend_from_slice(&done.decode_ns.to_le_bytes());
    out.extend_from_slice(&done.compute_ns.to_le_bytes());
    out.extend_from_slice(&(done.results.len() as u32).to_le_bytes());
    for (index, value) in &done.results {
        out.extend_from_slice(&index.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }
    finish_frame(out);
}

/// Deserialises a reply body.
pub fn decode_done(body: &[u8]) -> io::Result<Done> {
    let mut c = Cursor::open(body, TAG_DONE, "expected a reply")?;
    let id = c.u32()?;
    let decode_ns = c.u64()?;
    let compute_ns = c.u64()?;
    let count = c.u32()? as usize;
    let mut results = Vec::with_capacity(count.min(body.len()));
    for _ in 0..count {
        results.push((c.u32()?, c.u64()?));
    }
    Ok(Done {
        id,
        decode_ns,
        compute_ns,
        results,
    })
}

/// A cheap checksum that reads every byte (8 at a time).
pub fn checksum(data: &[u8]) -> u64 {
    let mut words = data.chunks_exact(8);
    let mut sum = 0xcbf2_9ce4_8422_2325u64;
    for w in &mut words {
        let v = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        sum = (sum ^ v).wrapping_mul(0x0000_0100_0000_01b3);
    }
    for b in words.remainder() {
        sum = (sum ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    sum
}

struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor past the tag of `body`, which must be `tag` (else the error `what`).
    fn open(body: &'a [u8], tag: u8, what: &str) -> io::Result<Self> {
        let mut c = Cursor { data: body, at: 0 };
        if c.u8()? != tag {
            return Err(bad(what));
        }
        Ok(c)
    }
    fn bytes(&mut self, n: usize) -> io::Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.data.len())
            .ok_or_else(|| bad("frame ends early"))?;
        let out = &self.data[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.bytes(1)?[0])
    }
    fn u32(&mut self) -> io::Result<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> io::Result<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.bytes(8)?);
        Ok(u64::from_le_bytes(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(frame: &[u8]) -> Vec<u8> {
        read_frame(&mut &frame[..]).unwrap().unwrap()
    }

    #[test]
    fn chunks_round_trip_with_their_data() {
        let tasks = [
            TaskSpec {
                index: 7,
                units: 20_000,
                crash: false,
            },
            TaskSpec {
                index: 8,
                units: 2,
                crash: true,
            },
        ];
        let payload = vec![9u8; 1024];
        let mut frame = Vec::new();
        encode_chunk(3, &tasks, &payload, &mut frame);
        assert_eq!(frame.len(), 4 + 1 + 8 + 2 * (4 + 8 + 1 + 4 + 1024));
        let chunk = decode_chunk(&body(&frame)).unwrap();
        assert_eq!(chunk.id, 3);
        assert_eq!(chunk.tasks.len(), 2);
        assert_eq!(chunk.tasks[0].0, tasks[0]);
        assert_eq!(chunk.tasks[1].0, tasks[1]);
        assert_ne!(chunk.tasks[0].1, chunk.tasks[1].1, "data differs per task");
    }

    #[test]
    fn replies_and_hellos_round_trip() {
        let done = Done {
            id: 1,
            decode_ns: 5,
            compute_ns: 6,
            results: vec![(1, 2), (3, 4)],
        };
        let mut frame = Vec::new();
        encode_done(&done, &mut frame);
        assert_eq!(decode_done(&body(&frame)).unwrap(), done);
        encode_hello(4242, &mut frame);
        assert_eq!(decode_hello(&body(&frame)).unwrap(), 4242);
        assert!(decode_done(&body(&frame)).is_err());
    }

    #[test]
    fn end_of_stream_and_garbage_are_told_apart() {
        assert!(read_frame(&mut &[][..]).unwrap().is_none());
        assert!(read_frame(&mut &[0, 0, 0, 0][..]).is_err());
        assert!(read_frame(&mut &[255, 255, 255, 255][..]).is_err());
        assert!(read_frame(&mut &[5, 0, 0, 0, 1][..]).is_err());
        assert!(decode_chunk(&[TAG_CHUNK, 1, 0, 0, 0, 9, 0, 0, 0]).is_err());
    }
}
