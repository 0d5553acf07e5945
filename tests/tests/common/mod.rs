//! Shared helpers of the end-to-end tests.

#![allow(dead_code)] // each test file uses its own subset of these helpers

use std::path::{Path, PathBuf};

use ade20k_export::{export, find_format, ExportOptions, MediaMode, Summary};
use ade20k_import::Ade20kDataset;
use serde_json::Value;

/// The fixture datasets written by `cargo xtask fixtures`.
pub const FIXTURES: &[&str] = &[
    "ade20k2020",
    "ade20k2020_binary",
    "ade20k2020_meta",
    "ade20k2020_release",
];

/// Path of fixture `name`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name)
}

/// Opens fixture `name`.
pub fn open(name: &str) -> Ade20kDataset {
    Ade20kDataset::open(fixture(name)).expect("fixture opens")
}

/// Options of a test export: defaults, without image files.
pub fn options() -> ExportOptions {
    ExportOptions {
        media: MediaMode::None,
        ..ExportOptions::default()
    }
}

/// Converts `dataset` to `format` into a fresh temporary folder.
pub fn convert(
    dataset: &Ade20kDataset,
    format: &str,
    options: &ExportOptions,
) -> (tempfile::TempDir, PathBuf, Summary) {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let format = find_format(format).expect("format is registered");
    let summary = export(dataset, format, &out, options, false).expect("export succeeds");
    (root, out, summary)
}

/// Parses the JSON file at `path`.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}
