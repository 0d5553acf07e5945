//! The flags of every command that reads a dataset, and opening it in the
//! input format `-if` names (`ade20k_import::InputFormat`) or the one detected.

use std::path::Path;

use ade20k_import::{ImportOptions, InputFormat, DEFAULT_MAX_ANNOTATION_BYTES, DEFAULT_MAX_PIXELS};
use ade20k_model::{Error, ItemSource};

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
    Ok(match format {
        None => ade20k_import::open(path, options)?,
        Some(format) => format.open(path, options)?,
    })
}
