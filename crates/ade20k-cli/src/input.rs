//! The input formats `-if` names, and opening a dataset in one of them.

use std::path::Path;

use ade20k_import::{open_any, ImportOptions};
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
