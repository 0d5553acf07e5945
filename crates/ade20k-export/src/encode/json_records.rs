//! JSON arrays written one record at a time, so that no more than one record
//! is ever held in memory.
//!
//! Formats that must write a list (categories, labels) before the records it
//! depends on spool the records to a hidden part file first, then assemble
//! the final file from a header, the part file and a trailer: COCO
//! ([`crate::formats::coco_json`]) and Datumaro do; CVAT spools its XML
//! `<image>` elements the same way, as raw bytes.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use ade20k_model::Error;
use serde::Serialize;

/// Writes JSON records, one per line, separated by commas.
pub(crate) struct RecordWriter {
    path: PathBuf,
    out: BufWriter<File>,
    first: bool,
}

impl RecordWriter {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: PathBuf) -> Result<Self, Error> {
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(RecordWriter {
            path,
            out: BufWriter::with_capacity(1 << 20, file),
            first: true,
        })
    }

    /// Writes `record` on a line of its own, after a comma unless it is the
    /// first of its list.
    pub fn record(&mut self, record: &impl Serialize) -> Result<(), Error> {
        let separator: &[u8] = if self.first { b"\n" } else { b",\n" };
        self.first = false;
        self.raw(separator)?;
        serde_json::to_writer(&mut self.out, record)
            .map_err(|e| Error::io(&self.path, io::Error::other(e)))
    }

    /// Writes `bytes` as they are: JSON punctuation and keys around records.
    pub fn raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))
    }

    /// Writes `opening` (which ends with `[`), after which the next record is
    /// the first of a new list.
    pub fn open_list(&mut self, opening: &[u8]) -> Result<(), Error> {
        self.raw(opening)?;
        self.first = true;
        Ok(())
    }

    /// Copies the records spooled to the file at `part`.
    pub fn append_file(&mut self, part: &Path) -> Result<(), Error> {
        let mut file = File::open(part).map_err(|e| Error::io(part, e))?;
        io::copy(&mut file, &mut self.out).map_err(|e| Error::io(&self.path, e))?;
        Ok(())
    }

    /// Flushes and closes the file, returning its path.
    pub fn finish(self) -> Result<PathBuf, Error> {
        self.out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        Ok(self.path)
    }
}
