//! The input formats `-if` names, and opening a dataset in one of them.

use std::path::Path;

use ade20k_import::{open_any, ImportOptions, DEFAULT_MAX_ANNOTATION_BYTES, DEFAULT_MAX_PIXELS};
use ade20k_model::{Error, ItemSource};
use clap::ValueEnum;

/// An input format (`--input-format`, `-if`).
#[derive(Clone, Copy, ValueEnum)]
pub enum InputFormat {
    /// ADE20K 2020/2021 (`<name>.json` + `_seg.png` + instance masks).
    Ade20k2020,
    /// ADE20K 2016/2017 full release (`<name>_atr.txt` + `_seg.png` + `_parts_N.png`).
    Ade20k2017,
}

/// The flags of every command that reads a dataset, beside its path and format.
#[derive(clap::Args)]
pub struct ImportFlags {
    /// Refuse a mask PNG whose header claims more than N pixels, before
    /// decoding it: a guard against decompression bombs.
    #[arg(long = "max-pixels", value_name = "N", default_value_t = DEFAULT_MAX_PIXELS)]
    pub max_pixels: u64,
    /// Refuse an annotation file (`<name>.json`, `<name>_atr.txt`,
    /// `dataset_meta.json`) of more than N bytes, before reading it.
    #[arg(
        long = "max-annotation-bytes",
        value_name = "N",
        default_value_t = DEFAULT_MAX_ANNOTATION_BYTES
    )]
    pub max_annotation_bytes: u64,
}

impl ImportFlags {
    /// The import options these flags give, reading only `subsets` (all when `None`).
    pub fn options(&self, subsets: Option<Vec<String>>) -> ImportOptions {
        ImportOptions {
            subsets,
            max_pixels: self.max_pixels,
            max_annotation_bytes: self.max_annotation_bytes,
        }
    }
}

/// Opens the dataset at `path` as `format`; detected when `None`.
pub fn open(
    path: &Path,
    format: Option<InputFormat>,
    options: &ImportOptions,
) -> Result<Box<dyn ItemSource>, Error> {
    let chosen = match format {
        None => return Ok(open_any(path, options)?),
        Some(InputFormat::Ade20k2020) => ade20k_import::InputFormat::Ade20k2020,
        Some(InputFormat::Ade20k2017) => ade20k_import::InputFormat::Ade20k2017,
    };
    Ok(chosen.open(path, options)?)
}
