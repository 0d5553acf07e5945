//! Helpers the tests of the ade20k crates share, so that each exists once:
//! [`Fixture`] writes tiny ADE20K datasets into temporary folders,
//! [`images`] encodes and decodes the PNGs and JPEGs they hold, [`folders`]
//! copies and fingerprints folder trees, [`Binary`] runs the `ade20k` command
//! with a time limit, and [`synthetic`] builds datasets in code.
//!
//! It depends on `ade20k-model` only, so the importer's tests can use it
//! without the exporter; the conversion helpers over `ade20k-export` live in
//! the end-to-end `tests` crate.
#![warn(missing_docs)]

use std::path::{Path, PathBuf};

use serde_json::Value;

mod binary;
mod dataset;
pub mod folders;
pub mod images;
pub mod synthetic;

pub use binary::{output_within_limit, Binary, TIME_LIMIT};
pub use dataset::{
    object, standard_annotation, Fixture, CAR, CAR_MASK, HEIGHT, WHEEL, WHEEL_MASK, WIDTH,
};

/// Path of the committed sample dataset `name` (`tests/assets/<name>`,
/// written by `cargo xtask fixtures`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/assets")
        .join(name)
}

/// Bytes as text, invalid UTF-8 replaced.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `path` as a `&str`.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// The message of an error, for assertions on its content.
pub fn message<T: std::fmt::Debug, E: std::fmt::Display>(result: Result<T, E>) -> String {
    result.expect_err("expected an error").to_string()
}

/// Parses the JSON file at `path`.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{path:?}: {e}")))
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
}
