//! The Python package `ade20k` (its native module `ade20k._native`): the
//! ADE20K dataset read by `ade20k-import`, its masks as NumPy arrays, and
//! the conversions of `ade20k-export`, with the GIL released while they run.
//! Built with maturin (`pyproject.toml` beside this crate); the Python part
//! of the package is in `python/ade20k/`.
#![warn(missing_docs)]

mod conversion;
mod dataset;
mod errors;
mod item;

use std::path::PathBuf;

use ade20k_import::{
    Ade20k2020Dataset, ImportOptions, DEFAULT_MAX_ANNOTATION_BYTES, DEFAULT_MAX_PIXELS,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::conversion::{ConvertRequest, ShortSide};
use crate::dataset::{input_format, Dataset};
use crate::errors::{data_error, DataError, UsageError};
use crate::item::{Category, Item, Object, NO_OBJECT};

/// Opens the dataset at `path`: the release root, its `images/ADE`, or a
/// folder of subsets; `format` is `"ade20k2020"`, `"ade20k2017"`, or None
/// to detect it.
#[pyfunction]
#[pyo3(signature = (path, format = None, *, subsets = None, max_pixels = DEFAULT_MAX_PIXELS,
                    max_annotation_bytes = DEFAULT_MAX_ANNOTATION_BYTES))]
fn open(
    py: Python<'_>,
    path: PathBuf,
    format: Option<&str>,
    subsets: Option<Vec<String>>,
    max_pixels: u64,
    max_annotation_bytes: u64,
) -> PyResult<Dataset> {
    let format = input_format(format)?;
    let options = ImportOptions {
        subsets,
        max_pixels,
        max_annotation_bytes,
    };
    py.detach(|| Dataset::open(path, format, &options))
        .map_err(data_error)
}

/// Reads the one item whose photo is `photo` (ADE20K 2020 layout: the
/// `.json`, `_seg.png`, `_parts_N.png` and instance masks beside it),
/// without looking for the rest of its dataset.
#[pyfunction]
#[pyo3(signature = (photo, *, max_pixels = DEFAULT_MAX_PIXELS,
                    max_annotation_bytes = DEFAULT_MAX_ANNOTATION_BYTES))]
fn load_item(
    py: Python<'_>,
    photo: PathBuf,
    max_pixels: u64,
    max_annotation_bytes: u64,
) -> PyResult<Item> {
    let options = ImportOptions {
        subsets: None,
        max_pixels,
        max_annotation_bytes,
    };
    let item = py
        .detach(|| Ade20k2020Dataset::load_photo(&photo, &options))
        .map_err(data_error)?;
    Ok(Item::new(item, max_pixels))
}

/// Converts the dataset at `input` to `format` in the folder `output`, as
/// `ade20k convert` does, with every option of the command line as a
/// keyword (dashes as underscores). `progress(done, total, subset, id,
/// objects)` is called after each item written. Returns the summary.
#[pyfunction]
#[pyo3(signature = (input, format, output, *, input_format = None,
    max_pixels = DEFAULT_MAX_PIXELS, max_annotation_bytes = DEFAULT_MAX_ANNOTATION_BYTES,
    overwrite = false, skip_broken = false, parts = "include".to_string(), parts_level = 0,
    amodal = false, segmentation = "rle".to_string(), label_name = "canonical".to_string(),
    media = "copy".to_string(), labels = None, top_classes = None, stuff = None,
    task = "segment".to_string(), simplify = ade20k_export::SimplifyTolerance::DEFAULT.get(),
    max_short_side = None, shard_size = None,
    subsets = None, items = Vec::new(), limit = None, min_area = 0, include_labels = None,
    exclude_labels = None, threads = None, progress = None))]
#[allow(clippy::too_many_arguments)]
fn convert(
    py: Python<'_>,
    input: PathBuf,
    format: String,
    output: PathBuf,
    input_format: Option<String>,
    max_pixels: u64,
    max_annotation_bytes: u64,
    overwrite: bool,
    skip_broken: bool,
    parts: String,
    parts_level: u32,
    amodal: bool,
    segmentation: String,
    label_name: String,
    media: String,
    labels: Option<PathBuf>,
    top_classes: Option<usize>,
    stuff: Option<PathBuf>,
    task: String,
    simplify: f64,
    max_short_side: Option<ShortSide>,
    shard_size: Option<u64>,
    subsets: Option<Vec<String>>,
    items: Vec<String>,
    limit: Option<usize>,
    min_area: u64,
    include_labels: Option<PathBuf>,
    exclude_labels: Option<PathBuf>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Py<PyDict>> {
    ConvertRequest {
        input,
        format,
        output,
        input_format,
        max_pixels,
        max_annotation_bytes,
        overwrite,
        skip_broken,
        parts,
        parts_level,
        amodal,
        segmentation,
        label_name,
        media,
        labels,
        top_classes,
        stuff,
        task,
        simplify,
        max_short_side,
        shard_size,
        subsets,
        items,
        limit,
        min_area,
        include_labels,
        exclude_labels,
        threads,
        progress,
    }
    .run(py)
}

/// The names of the output formats `convert` writes, with their descriptions.
#[pyfunction]
fn formats() -> Vec<(&'static str, &'static str)> {
    ade20k_export::FORMATS
        .iter()
        .map(|format| (format.name, format.description))
        .collect()
}

/// The native module.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add_function(wrap_pyfunction!(open, module)?)?;
    module.add_function(wrap_pyfunction!(load_item, module)?)?;
    module.add_function(wrap_pyfunction!(convert, module)?)?;
    module.add_function(wrap_pyfunction!(formats, module)?)?;
    module.add_class::<Dataset>()?;
    module.add_class::<Item>()?;
    module.add_class::<Object>()?;
    module.add_class::<Category>()?;
    module.add("DataError", py.get_type::<DataError>())?;
    module.add("UsageError", py.get_type::<UsageError>())?;
    module.add("NO_OBJECT", NO_OBJECT)?;
    module.add("DEFAULT_MAX_PIXELS", DEFAULT_MAX_PIXELS)?;
    module.add("DEFAULT_MAX_ANNOTATION_BYTES", DEFAULT_MAX_ANNOTATION_BYTES)?;
    Ok(())
}
