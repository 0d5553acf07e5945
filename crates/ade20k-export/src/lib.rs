#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

use std::path::Path;

use ade20k_model::{Error, ItemSource};
pub use ade20k_model::{Phase, PhaseHook, PhaseProgress};
use labels::selection::check_label_lists;

pub mod encode;
mod formats;
mod labels;
mod options;
pub(crate) mod run;
mod source;

pub use encode::{centre_trace, rle, trace};
pub use formats::{Format, Setting, FORMATS};
pub use labels::selection::{
    ClassRef, LabelList, LabelSelection, ListOrigin, ListedLabel, Member, Preset, MAX_RELEASE_CLASS,
};
pub use options::{
    ExportOptions, LabelNaming, MaxShortSide, MediaMode, PartsMode, SegmentationMode,
    SimplifyTolerance, YoloTask, BENCHMARK_SHORT_SIDE,
};
pub use run::manifest::{self, Manifest, MANIFEST_FILE};
pub use run::media::image_file_name;
pub use run::media::JPEG_QUALITY;
pub use run::output::{self, Committed, OutputTarget, StagedOutput};
pub use run::progress::{ItemProgress, ProgressHook};
pub use run::summary::{LeftOut, SubsetSummary, Summary};
pub use run::{SkippedItem, SKIPPED_FILE};
pub use source::filter::{FilteredSource, IdPatterns, ItemFilter};

impl Format {
    /// Writes the items of `source` that [`ExportOptions::filter`] keeps into
    /// the existing, empty folder `dir`. Prefer [`export`], which stages the
    /// output and moves it into place.
    ///
    /// The label lists of the options are checked against the dataset first
    /// (a class they name that the dataset lacks is an [`ExportError::Usage`];
    /// see [`LabelList`]). With [`ExportOptions::skip_broken`], the broken
    /// items are left out (see [`SkippedItem`]): each item is read once, by
    /// the format, unless the format first makes a pass over the whole
    /// dataset (collecting labels, counting pixels), which the kept items are
    /// then checked for first; they
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
        let mut summary = run::write_checked(self, source, dir, &options)?;
        summary.warnings.splice(0..0, warnings);
        Ok(summary)
    }
}

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
    /// The options change a setting the format does not take, or give it a
    /// value the format cannot honour.
    #[error("{}", not_taken(format, *setting, value, in_words))]
    NotTaken {
        /// The format's name.
        format: &'static str,
        /// The setting.
        setting: Setting,
        /// Its value, in words.
        value: String,
    },
}

impl ExportError {
    /// [`ExportError::NotTaken`] for the value `options` give `setting`.
    pub(crate) fn not_taken(format: Format, setting: Setting, options: &ExportOptions) -> Self {
        ExportError::NotTaken {
            format: format.name,
            setting,
            value: setting.changed_in(options).unwrap_or_default(),
        }
    }
}

impl ExportError {
    /// The message of this error, with the setting of an
    /// [`ExportError::NotTaken`] spelled as the command line's flag
    /// ([`Setting::flag`]), for front ends whose options are those flags.
    pub fn in_flags(&self) -> String {
        match self {
            ExportError::NotTaken {
                format,
                setting,
                value,
            } => not_taken(format, *setting, value, Setting::flag),
            error => error.to_string(),
        }
    }
}

/// The setting and `value` in the library's words: "the part level `1`",
/// or with no value "the part level".
fn in_words(setting: Setting, value: &str) -> String {
    match value {
        "" => format!("the {}", setting.name()),
        value => format!("the {} `{value}`", setting.name()),
    }
}

/// The message of [`ExportError::NotTaken`]: the format, the setting and its
/// value as `words` says them, and which formats take the setting when
/// `format` takes none of it.
fn not_taken(
    format: &str,
    setting: Setting,
    value: &str,
    words: fn(Setting, &str) -> String,
) -> String {
    let message = format!("{format} does not take {}", words(setting, value));
    if find_format(format).is_some_and(|format| format.takes(setting)) {
        return message;
    }
    let takers: Vec<&str> = FORMATS
        .iter()
        .filter(|format| format.takes(setting))
        .map(|format| format.name)
        .collect();
    match takers.as_slice() {
        [] => message,
        takers => format!(
            "{message}; {} applies to {}",
            words(setting, ""),
            takers.join(", ")
        ),
    }
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
    let mut summary = run::write_checked(format, source, staged.path(), &options)?;
    summary.warnings.splice(0..0, warnings);
    Manifest::new(format.name, &options, target.input(), &summary, started).write(staged.path())?;
    let committed = staged.commit()?;
    summary
        .warnings
        .extend(committed.leftover.map(|error| error.to_string()));
    Ok(summary)
}
