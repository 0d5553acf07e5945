//! The runner every format goes through (see [`crate::exporter`]): it refuses
//! the settings a format does not take, applies the item filter and
//! `--skip-broken`, runs the ordered parallel pipeline, writes each item's
//! files and counts what was written.

mod broken;
mod files;
mod picked;
mod pipeline;

use std::path::Path;

use ade20k_model::{Error, ItemSource};

pub(crate) use broken::Reads;
pub use broken::{SkippedItem, SKIPPED_FILE};
pub(crate) use files::ItemFiles;
pub(crate) use picked::PickedItems;

use crate::exporter::{Exporter, Format, Job, Setting};
use crate::labels::RAW_NAMES_WITH_SELECTION;
use crate::{ExportError, ExportOptions, FilteredSource, LabelNaming, LabelSelection, Summary};

/// Writes the items of `source` that [`ExportOptions::filter`] keeps as
/// `format` into the existing, empty folder `out`, the label lists of
/// `options` already checked against the dataset.
pub(crate) fn write_checked(
    format: &Format,
    source: &dyn ItemSource,
    out: &Path,
    options: &ExportOptions,
) -> Result<Summary, ExportError> {
    refuse_settings_not_taken(format, options)?;
    let filtered = if options.filter.keeps_everything() {
        None
    } else {
        Some(FilteredSource::new(source, &options.filter)?)
    };
    let input: &dyn ItemSource = match &filtered {
        Some(filtered) => filtered,
        None => source,
    };
    let mut summary = if options.skip_broken {
        let (checked, skipped) = broken::check(input, format.reads, options.media);
        let mut summary = (format.run)(&Job {
            source: &checked,
            out,
            options,
        })?;
        if !skipped.is_empty() {
            let path = out.join(SKIPPED_FILE);
            let text: String = skipped.iter().map(|item| format!("{item}\n")).collect();
            std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        }
        summary.skipped = skipped;
        summary
    } else {
        (format.run)(&Job {
            source: input,
            out,
            options,
        })?
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

/// A usage error for the first setting `format` does not take that
/// `options` change, and for raw naming with a class selection.
fn refuse_settings_not_taken(format: &Format, options: &ExportOptions) -> Result<(), ExportError> {
    for setting in Setting::ALL {
        if format.takes(setting) {
            continue;
        }
        if let Some(value) = setting.changed_in(options) {
            return Err(ExportError::NotTaken {
                format: format.name,
                setting,
                value,
            });
        }
    }
    if options.label_naming == LabelNaming::Raw && options.labels != LabelSelection::All {
        return Err(ExportError::Usage(RAW_NAMES_WITH_SELECTION.into()));
    }
    Ok(())
}

/// Runs the exporter `E` on `job`: what every format's [`Format::run`] is.
pub(crate) fn run<E: Exporter>(job: &Job<'_>) -> Result<Summary, ExportError> {
    let exporter = E::start(job)?;
    let mut sink = exporter.sink(job)?;
    let mut summary = Summary::default();
    let mut counts = summary.subsets.clone();
    pipeline::run(job.source, job.options, &exporter, |subset, prepared| {
        let annotations = exporter.write(&mut sink, prepared, &mut summary)?;
        let subset = counts.entry(subset.to_string()).or_default();
        subset.items += 1;
        subset.annotations += annotations;
        Ok(())
    })?;
    let subsets = job.source.subsets();
    for subset in subsets {
        counts.entry(subset.clone()).or_default();
    }
    summary.subsets = counts;
    exporter.finish(sink, job, subsets, &mut summary)?;
    Ok(summary)
}
