//! Shared helpers of the end-to-end tests.

#![allow(dead_code)] // each test file uses its own subset of these helpers

use std::path::{Path, PathBuf};

use ade20k_export::{export, find_format, ExportOptions, MediaMode, Summary};
use ade20k_import::Ade20kDataset;
use ade20k_model::{Error, Item, ItemSource};
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
    dataset: &dyn ItemSource,
    format: &str,
    options: &ExportOptions,
) -> (tempfile::TempDir, PathBuf, Summary) {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let format = find_format(format).expect("format is registered");
    let summary = export(dataset, format, &out, options, false).expect("export succeeds");
    (root, out, summary)
}

/// A dataset of items built in code, for cases no fixture has.
pub struct Synthetic {
    /// Subset names, in output order.
    pub subsets: Vec<String>,
    /// The items, ordered by subset, then id.
    pub items: Vec<Item>,
}

impl ItemSource for Synthetic {
    fn subsets(&self) -> &[String] {
        &self.subsets
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn subset_of(&self, index: usize) -> &str {
        &self.items[index].subset
    }

    fn load(&self, index: usize) -> Result<Item, Error> {
        Ok(self.items[index].clone())
    }
}

/// Parses the JSON file at `path`.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A decoded PNG: every channel sample widened to `u32`, row-major.
#[derive(Debug, PartialEq, Eq)]
pub struct Png {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Colour type as stored.
    pub color_type: png::ColorType,
    /// Bits per sample as stored.
    pub bit_depth: png::BitDepth,
    /// Samples, `color_type.samples()` per pixel.
    pub samples: Vec<u32>,
}

/// Decodes the PNG at `path` as stored (no palette expansion), 8- or 16-bit.
pub fn read_png(path: &Path) -> Png {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    let bytes = &buffer[..frame.buffer_size()];
    let samples = match frame.bit_depth {
        png::BitDepth::Eight => bytes.iter().map(|&v| u32::from(v)).collect(),
        png::BitDepth::Sixteen => bytes
            .chunks_exact(2)
            .map(|pair| u32::from(u16::from_be_bytes([pair[0], pair[1]])))
            .collect(),
        other => panic!("{path:?}: unexpected bit depth {other:?}"),
    };
    Png {
        width: frame.width,
        height: frame.height,
        color_type: frame.color_type,
        bit_depth: frame.bit_depth,
        samples,
    }
}
