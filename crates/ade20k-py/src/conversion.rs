//! `ade20k.convert`: the command line's `convert`, as a function.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ade20k_export::{
    export_to, find_format, ExportOptions, IdPatterns, ItemFilter, LabelList, LabelNaming,
    LabelSelection, MaxShortSide, MediaMode, OutputTarget, PartsMode, ProgressHook,
    SegmentationMode, SimplifyTolerance, Summary, YoloTask, FORMATS,
};
use ade20k_import::ImportOptions;
use ade20k_model::MaskKind;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::dataset::{input_format, open_source};
use crate::errors::{data_error, export_error, usage};

/// The value of `choices` called `given` for the option `option`.
fn choice<T: Copy>(option: &str, given: &str, choices: &[(&str, T)]) -> PyResult<T> {
    choices
        .iter()
        .find(|(name, _)| *name == given)
        .map(|&(_, value)| value)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
            usage(format!(
                "invalid value '{given}' for {option}; choose one of: {}",
                names.join(", ")
            ))
        })
}

/// The label list a label argument names (a preset or a file).
fn label_list(name: Option<PathBuf>) -> PyResult<Option<LabelList>> {
    name.map(|name| LabelList::read_or_preset(&name).map_err(data_error))
        .transpose()
}

/// The `max_short_side` keyword: a number of pixels, or a word (`off`,
/// `benchmark`) as `--max-short-side` takes it.
#[derive(FromPyObject)]
pub enum ShortSide {
    /// A number of pixels.
    Pixels(u32),
    /// `off`, `benchmark`, or a number written out.
    Word(String),
}

/// The options of `convert`, as the command line's flags name them.
pub struct ConvertRequest {
    pub input: PathBuf,
    pub format: String,
    pub output: PathBuf,
    pub input_format: Option<String>,
    pub max_pixels: u64,
    pub max_annotation_bytes: u64,
    pub overwrite: bool,
    pub skip_broken: bool,
    pub parts: String,
    pub parts_level: u32,
    pub amodal: bool,
    pub segmentation: String,
    pub label_name: String,
    pub media: String,
    pub labels: Option<PathBuf>,
    pub top_classes: Option<usize>,
    pub stuff: Option<PathBuf>,
    pub task: String,
    pub simplify: f64,
    pub max_short_side: Option<ShortSide>,
    pub shard_size: Option<u64>,
    pub subsets: Option<Vec<String>>,
    pub items: Vec<String>,
    pub limit: Option<usize>,
    pub min_area: u64,
    pub include_labels: Option<PathBuf>,
    pub exclude_labels: Option<PathBuf>,
    pub threads: Option<usize>,
    pub progress: Option<Py<PyAny>>,
}

impl ConvertRequest {
    /// The export options the request asks for, without progress.
    fn export_options(&self) -> PyResult<ExportOptions> {
        let labels = match (&self.labels, self.top_classes) {
            (Some(_), Some(_)) => {
                return Err(usage("labels and top_classes cannot be used together"))
            }
            (Some(path), None) => {
                LabelSelection::List(LabelList::read_or_preset(path).map_err(data_error)?)
            }
            (None, Some(0)) => return Err(usage("top_classes must be at least 1")),
            (None, Some(k)) => LabelSelection::TopClasses(k),
            (None, None) => LabelSelection::All,
        };
        let stuff = self
            .stuff
            .as_deref()
            .map(LabelList::read)
            .transpose()
            .map_err(data_error)?;
        let items = if self.items.is_empty() {
            None
        } else {
            Some(IdPatterns::new(self.items.iter().cloned()).map_err(usage)?)
        };
        let mut filter = ItemFilter::default();
        filter.items = items;
        filter.limit = self.limit;
        filter.min_area = self.min_area;
        filter.include = label_list(self.include_labels.clone())?;
        filter.exclude = label_list(self.exclude_labels.clone())?;
        let parts = [
            ("include", PartsMode::Include),
            ("exclude", PartsMode::Exclude),
        ];
        let segmentation = [
            ("rle", SegmentationMode::Rle),
            ("polygon", SegmentationMode::Polygon),
            ("source-polygon", SegmentationMode::SourcePolygon),
        ];
        let naming = [
            ("canonical", LabelNaming::Canonical),
            ("full", LabelNaming::Full),
            ("raw", LabelNaming::Raw),
        ];
        let media = [
            ("copy", MediaMode::Copy),
            ("hardlink", MediaMode::Hardlink),
            ("symlink", MediaMode::Symlink),
            ("none", MediaMode::None),
        ];
        let task = [("segment", YoloTask::Segment), ("detect", YoloTask::Detect)];
        Ok(ExportOptions {
            labels,
            stuff,
            parts: choice("parts", &self.parts, &parts)?,
            mask_kind: if self.amodal {
                MaskKind::Amodal
            } else {
                MaskKind::Visible
            },
            segmentation: choice("segmentation", &self.segmentation, &segmentation)?,
            label_naming: choice("label_name", &self.label_name, &naming)?,
            media: choice("media", &self.media, &media)?,
            part_level: self.parts_level,
            yolo_task: choice("task", &self.task, &task)?,
            yolo_simplify: SimplifyTolerance::pixels(self.simplify).ok_or_else(|| {
                usage(format!(
                    "simplify={} is not a number of pixels (0 or more)",
                    self.simplify
                ))
            })?,
            shard_bytes: match self.shard_size {
                Some(0) => return Err(usage("shard_size must be at least 1 byte")),
                size => size,
            },
            destination: None,
            filter,
            progress: None,
            // The passes before the writing one are not reported: `progress`
            // is told of each item written.
            phases: None,
            skip_broken: self.skip_broken,
            max_short_side: match &self.max_short_side {
                // The format's own choice, as the command line without the flag.
                None => MaxShortSide::FormatDefault,
                Some(ShortSide::Pixels(pixels)) => std::num::NonZeroU32::new(*pixels)
                    .map(MaxShortSide::Pixels)
                    .ok_or_else(|| usage("max_short_side must be at least 1"))?,
                Some(ShortSide::Word(word)) => word
                    .parse()
                    .map_err(|e| usage(format!("max_short_side: {e}")))?,
            },
        })
    }

    /// Runs the conversion with the GIL released; the summary as a dict.
    pub fn run(self, py: Python<'_>) -> PyResult<Py<PyDict>> {
        let format = find_format(&self.format).ok_or_else(|| {
            let names: Vec<&str> = FORMATS.iter().map(|format| format.name).collect();
            usage(format!(
                "unknown output format '{}'; choose one of: {}",
                self.format,
                names.join(", ")
            ))
        })?;
        let input_format = input_format(self.input_format.as_deref())?;
        let target = OutputTarget::resolve(&self.output)
            .and_then(|target| target.apart_from(&self.input))
            .map_err(export_error)?;
        let import_options = ImportOptions {
            subsets: self.subsets.clone(),
            max_pixels: self.max_pixels,
            max_annotation_bytes: self.max_annotation_bytes,
        };
        let mut options = self.export_options()?;
        let callback_error: Arc<Mutex<Option<PyErr>>> = Arc::default();
        if let Some(callback) = &self.progress {
            let callback = callback.clone_ref(py);
            let failed = Arc::clone(&callback_error);
            options.progress = Some(ProgressHook::new(move |item| {
                Python::attach(|py| {
                    let mut failed = failed.lock().unwrap_or_else(|e| e.into_inner());
                    if failed.is_some() {
                        return;
                    }
                    let told = (item.done, item.total, item.subset, item.id, item.objects);
                    if let Err(error) = callback.call1(py, told) {
                        *failed = Some(error);
                    }
                })
            }));
        }
        let pool = match self.threads {
            Some(0) => return Err(usage("threads must be at least 1")),
            Some(threads) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .map_err(|e| usage(format!("cannot start {threads} threads: {e}")))?,
            ),
            None => None,
        };
        let overwrite = self.overwrite;
        let input = self.input.clone();
        let summary = py.detach(|| {
            let run = || -> PyResult<Summary> {
                let dataset =
                    open_source(&input, input_format, &import_options).map_err(data_error)?;
                export_to(&*dataset, format, &target, &options, overwrite).map_err(export_error)
            };
            match &pool {
                Some(pool) => pool.install(run),
                None => run(),
            }
        })?;
        if let Some(error) = callback_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            return Err(error);
        }
        summary_dict(py, &summary)
    }
}

/// `summary` as a dict: `items`, `annotations`, `categories`, `subsets`
/// (name → `items`, `annotations`), `left_out` (reason → count), `notes`,
/// `skipped` (`name`, `reason` of each broken item left out), `warnings`.
fn summary_dict(py: Python<'_>, summary: &Summary) -> PyResult<Py<PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("items", summary.items())?;
    dict.set_item("annotations", summary.annotations())?;
    dict.set_item("categories", summary.categories)?;
    let subsets = PyDict::new(py);
    for (name, subset) in &summary.subsets {
        let counts = PyDict::new(py);
        counts.set_item("items", subset.items)?;
        counts.set_item("annotations", subset.annotations)?;
        subsets.set_item(name, counts)?;
    }
    dict.set_item("subsets", subsets)?;
    dict.set_item("left_out", summary.left_out.clone())?;
    dict.set_item("notes", summary.notes.clone())?;
    let skipped = PyList::empty(py);
    for item in &summary.skipped {
        let entry = PyDict::new(py);
        entry.set_item("name", item.name())?;
        entry.set_item("reason", item.reason())?;
        skipped.append(entry)?;
    }
    dict.set_item("skipped", skipped)?;
    dict.set_item("warnings", summary.warnings.clone())?;
    Ok(dict.unbind())
}
