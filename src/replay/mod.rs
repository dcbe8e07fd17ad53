//! Rewind, replay and export of demo runs. A run is kept as its snapshot stream, never as
//! pixels, and the same views draw it again: [`history`] keeps a live demo's recent past
//! (bounded) for scrubbing while paused; [`record`] saves a run to a versioned file and
//! reads it back; [`moments`] finds the notable instants of a run; [`ansi`], [`cast`] and
//! [`svg`] turn drawn frames into an asciicast v2 file or an SVG still; [`export`] drives
//! those for the command line (`--record`, `--cast`, `--svg`, `pyconc replay`).

pub mod ansi;
pub mod cast;
pub mod export;
pub mod history;
pub mod moments;
pub mod record;
pub mod svg;
