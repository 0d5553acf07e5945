#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

use std::path::Path;

use ade20k_model::{Error, ItemSource};
pub use ade20k_model::{Phase, PhaseHook, PhaseProgress};
use resized::Resized;
use selection::check_label_lists;

mod ade20k2020;
mod ade20k_challenge;
mod broken;
pub mod centre_trace;
mod cityscapes;
mod coco;
mod coco_json;
mod coco_panoptic;
mod composite;
mod datumaro;
mod filter;
mod hierarchy;
mod json_records;
mod labels;
pub mod manifest;
mod media;
mod options;
pub mod output;
mod palette;
mod picked;
mod pipeline;
mod png_out;
pub mod preview;
mod progress;
mod resize;
mod resized;
pub mod rle;
mod selection;
mod semantic;
mod source_json;
mod summary;
pub mod trace;
mod voc;
mod yolo;

pub use broken::{SkippedItem, SKIPPED_FILE};
pub use filter::{FilteredSource, IdPatterns, ItemFilter};
pub use manifest::{Manifest, MANIFEST_FILE};
pub use media::JPEG_QUALITY;
pub use options::{
    ExportOptions, LabelNaming, MaxShortSide, MediaMode, PartsMode, SegmentationMode,
    SimplifyTolerance, YoloTask, BENCHMARK_SHORT_SIDE,
};
pub use output::{Committed, OutputTarget, StagedOutput};
pub use progress::{ItemProgress, ProgressHook};
pub use selection::{
    ClassRef, LabelList, LabelSelection, ListOrigin, ListedLabel, Member, Preset, MAX_RELEASE_CLASS,
};
pub use summary::{SubsetSummary, Summary};

/// An output format: its name on the command line and the function that writes it.
#[derive(Clone, Copy, Debug)]
pub struct Format {
    /// Name used to select the format, e.g. `coco`.
    pub name: &'static str,
    /// One line on what the format is and who reads it.
    pub description: &'static str,
    write: fn(&dyn ItemSource, &Path, &ExportOptions) -> Result<Summary, ExportError>,
    /// What of each item the format reads: what `--skip-broken` checks.
    reads: Reads,
    /// Whether the format can write items scaled ([`ExportOptions::max_short_side`]).
    scaling: Scaling,
}

/// Whether a format writes items scaled down ([`MaxShortSide`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scaling {
    /// It copies its source's files unchanged: it cannot.
    Never,
    /// When asked; by default not.
    Optional,
    /// By default as this limit says (never [`MaxShortSide::FormatDefault`]).
    ByDefault(MaxShortSide),
}

/// What of an item a format decodes, and so what [`ExportOptions::skip_broken`]
/// decodes before the format starts: a file the format never decodes does
/// not make an item broken for it, unless its header is wrong (every format
/// checks the header of every file of an item, `Item::check_files`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reads {
    /// The annotation, the class maps of every part level and the instance
    /// mask of every object.
    Everything,
    /// The annotation and the class maps of every part level: no instance mask.
    ClassMaps,
}

impl Format {
    /// Writes the items of `source` that [`ExportOptions::filter`] keeps into
    /// the existing, empty folder `dir`. Prefer [`export`], which stages the
    /// output and moves it into place.
    ///
    /// The label lists of the options are checked against the dataset first
    /// (a class they name that the dataset lacks is an [`ExportError::Usage`];
    /// see [`LabelList`]). With [`ExportOptions::skip_broken`], the kept items
    /// are read first and the broken ones left out (see [`SkippedItem`]); they
    /// are listed in the summary and in [`SKIPPED_FILE`] at the top of `dir`.
    /// When every item is broken, `dir` holds what the format writes of no
    /// item, and [`SKIPPED_FILE`] listing them all.
    pub fn write_into(
        &self,
        source: &dyn ItemSource,
        dir: &Path,
        options: &ExportOptions,
    ) -> Result<Summary, ExportError> {
        let options = self.resolve_scaling(options)?;
        let (options, warnings) = check_label_lists(source, &options)?;
        let mut summary = self.write_checked(source, dir, &options)?;
        summary.warnings.splice(0..0, warnings);
        Ok(summary)
    }

    /// `options` with [`ExportOptions::max_short_side`] resolved for this
    /// format (never [`MaxShortSide::FormatDefault`]) and, when images are
    /// scaled, [`MediaMode::Copy`] made [`MediaMode::Scaled`]. A limit the
    /// format cannot honour, or scaled images asked to be links to the
    /// full-size photos, is an [`ExportError::Usage`].
    fn resolve_scaling(&self, options: &ExportOptions) -> Result<ExportOptions, ExportError> {
        let limit = match (options.max_short_side, self.scaling) {
            (MaxShortSide::FormatDefault, Scaling::ByDefault(limit)) => limit,
            (MaxShortSide::FormatDefault | MaxShortSide::Off, _) => MaxShortSide::Off,
            (MaxShortSide::Pixels(_) | MaxShortSide::Benchmark, Scaling::Never) => {
                return Err(ExportError::Usage(format!(
                    "{} copies the dataset's files unchanged and cannot scale them; \
                     a maximum short side does not apply",
                    self.name
                )))
            }
            (limit, _) => limit,
        };
        let shorter_side = match limit {
            MaxShortSide::Pixels(pixels) => pixels.get(),
            MaxShortSide::Benchmark => BENCHMARK_SHORT_SIDE,
            MaxShortSide::Off | MaxShortSide::FormatDefault => {
                return Ok(ExportOptions {
                    max_short_side: MaxShortSide::Off,
                    ..options.clone()
                })
            }
        };
        let media = match options.media {
            MediaMode::Copy | MediaMode::Scaled => MediaMode::Scaled,
            MediaMode::None => MediaMode::None,
            MediaMode::Hardlink | MediaMode::Symlink => {
                return Err(ExportError::Usage(format!(
                    "{} scales images to a shorter side of at most {shorter_side} pixels, so they \
                     cannot be links to the full-size photos: copy them (they are encoded \
                     again at the scaled size), write none, or turn scaling off",
                    self.name
                )))
            }
        };
        Ok(ExportOptions {
            max_short_side: limit,
            media,
            ..options.clone()
        })
    }

    /// [`Format::write_into`] with label lists already checked.
    fn write_checked(
        &self,
        source: &dyn ItemSource,
        dir: &Path,
        options: &ExportOptions,
    ) -> Result<Summary, ExportError> {
        let filtered = if options.filter.keeps_everything() {
            None
        } else {
            Some(FilteredSource::new(source, &options.filter)?)
        };
        let input: &dyn ItemSource = match &filtered {
            Some(filtered) => filtered,
            None => source,
        };
        let write = |input: &dyn ItemSource| match Resized::new(input, options.max_short_side) {
            Some(resized) => (self.write)(&resized, dir, options),
            None => (self.write)(input, dir, options),
        };
        let mut summary = if options.skip_broken {
            let (checked, skipped) =
                broken::check(input, self.reads, options.media, options.phases.as_ref());
            let mut summary = write(&checked)?;
            if !skipped.is_empty() {
                let path = dir.join(SKIPPED_FILE);
                let text: String = skipped.iter().map(|item| format!("{item}\n")).collect();
                std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
            }
            summary.skipped = skipped;
            summary
        } else {
            write(input)?
        };
        if let Some(filtered) = &filtered {
            for (reason, count) in filtered.left_out() {
                *summary.left_out.entry(reason).or_default() += count;
            }
            if options.filter.selects_items() {
                summary.notes.push(format!(
                    "the item filter kept {} of {} items",
                    filtered.len(),
                    source.len()
                ));
            }
        }
        Ok(summary)
    }
}

/// Every format this crate writes. Adding a format means adding its module
/// and one line here.
pub const FORMATS: &[Format] = &[
    coco::FORMAT,
    coco_panoptic::FORMAT,
    semantic::FORMAT,
    voc::FORMAT,
    cityscapes::FORMAT,
    datumaro::FORMAT,
    ade20k2020::FORMAT,
    yolo::FORMAT,
    ade20k_challenge::FORMAT,
];

/// The format called `name`.
pub fn find_format(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|format| format.name == name)
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file of the dataset or of the output could not be read or written.
    #[error(transparent)]
    Data(#[from] Error),
    /// The export was asked for something it cannot do (e.g. a non-empty output).
    #[error("{0}")]
    Usage(String),
}

/// Writes `source` as `format` into the folder `target`, resolved by
/// [`OutputTarget::resolve`]; see [`export_to`], which this calls. To keep the
/// output apart from the dataset's folder, resolve the target yourself with
/// [`OutputTarget::apart_from`] and call [`export_to`].
pub fn export(
    source: &dyn ItemSource,
    format: &Format,
    target: &Path,
    options: &ExportOptions,
    overwrite: bool,
) -> Result<Summary, ExportError> {
    export_to(
        source,
        format,
        &OutputTarget::resolve(target)?,
        options,
        overwrite,
    )
}

/// Writes `source` as `format` into `target`: staged beside it and renamed
/// into place when complete, so `target` is either the whole output or as it
/// was (see [`output`] for the rules: what may be replaced, the lock, the
/// commit point). A non-empty `target` is replaced only when `overwrite` is
/// true and it holds the [`Manifest`] of a previous output; the new output
/// gets its own. The format is told `target` as
/// [`ExportOptions::destination`]. The label lists of the options are
/// checked against the dataset before anything is staged (see
/// [`Format::write_into`]). A previous output that could not be removed once
/// the new one was in place is reported in [`Summary::warnings`].
pub fn export_to(
    source: &dyn ItemSource,
    format: &Format,
    target: &OutputTarget,
    options: &ExportOptions,
    overwrite: bool,
) -> Result<Summary, ExportError> {
    let started = std::time::SystemTime::now();
    let options = format.resolve_scaling(options)?;
    let (options, warnings) = check_label_lists(source, &options)?;
    let staged = StagedOutput::begin(target, overwrite)?;
    let options = ExportOptions {
        destination: Some(staged.target().to_path_buf()),
        ..options
    };
    let mut summary = format.write_checked(source, staged.path(), &options)?;
    summary.warnings.splice(0..0, warnings);
    Manifest::new(format.name, &options, target.input(), &summary, started).write(staged.path())?;
    let committed = staged.commit()?;
    summary
        .warnings
        .extend(committed.leftover.map(|error| error.to_string()));
    Ok(summary)
}
