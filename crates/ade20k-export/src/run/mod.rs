//! The runner every format goes through (see [`crate::formats`]): it refuses
//! the settings a format does not take, applies the item filter and
//! `--skip-broken`, runs the ordered parallel pipeline, writes each item's
//! files and counts what was written.

mod broken;
mod files;
pub mod manifest;
pub(crate) mod media;
pub mod output;
mod pipeline;
pub(crate) mod progress;
pub(crate) mod summary;

use std::path::Path;

use ade20k_model::{Error, ItemSource};

pub(crate) use broken::WholeDataset;
pub use broken::{SkippedItem, SKIPPED_FILE};
pub(crate) use files::ItemFiles;

use crate::formats::{Exporter, Format, Job, Setting};
use crate::labels::registry::RAW_NAMES_WITH_SELECTION;
use crate::source::resized::Resized;
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
    let (mut summary, skipped) = run_scaled(format, input, out, options)?;
    if !skipped.is_empty() {
        summary.skipped = skipped.into_iter().map(|(_, item)| item).collect();
        let path = out.join(SKIPPED_FILE);
        let text: String = summary
            .skipped
            .iter()
            .map(|item| format!("{item}\n"))
            .collect();
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
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

/// Runs `format` on `source`, its items scaled as
/// [`ExportOptions::max_short_side`] says (already resolved for the format):
/// through [`Resized`], whose items keep their indices in `source`.
fn run_scaled(
    format: &Format,
    source: &dyn ItemSource,
    out: &Path,
    options: &ExportOptions,
) -> Result<Ran, ExportError> {
    let resized = Resized::new(source, options.max_short_side);
    let source: &dyn ItemSource = match &resized {
        Some(resized) => resized,
        None => source,
    };
    (format.run)(&Job::new(source, out, options))
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
/// Returns the summary and the items left out as broken (only with
/// `skip_broken`), as (index in `job.source`, item) in item order.
pub(crate) fn run<E: Exporter>(job: &Job<'_>) -> Result<Ran, ExportError> {
    let exporter = E::start(job)?;
    // When a pass over the whole dataset left broken items out, they are not
    // written either.
    let (items, mut broken): (&dyn ItemSource, Vec<(usize, SkippedItem)>) =
        match job.dataset.readable() {
            Some(readable) => (&readable.items, readable.skipped.clone()),
            None => (job.source, Vec::new()),
        };
    let inner_index = |index: usize| match job.dataset.readable() {
        Some(readable) => readable.items.inner_index(index),
        None => index,
    };
    let mut sink = exporter.sink(job)?;
    let mut summary = Summary::default();
    let mut counts = summary.subsets.clone();
    pipeline::run(items, job.options, &exporter, |index, item| {
        match item {
            Ok((written, prepared)) => {
                for (reason, count) in written.left_out {
                    summary.leave_out_many(reason, count);
                }
                let annotations = exporter.write(&mut sink, prepared)?;
                let subset = counts.entry(written.subset.to_string()).or_default();
                subset.items += 1;
                subset.annotations += annotations;
            }
            Err(error) => broken.push((inner_index(index), SkippedItem::of(items, index, error))),
        }
        Ok(())
    })?;
    broken.sort_by_key(|(index, _)| *index);
    // A subset whose every item is broken is left out, as if it had none.
    let subsets: Vec<String> = job
        .source
        .subsets()
        .iter()
        .filter(|subset| {
            counts.contains_key(*subset) || !broken.iter().any(|(_, item)| item.subset == **subset)
        })
        .cloned()
        .collect();
    for subset in &subsets {
        counts.entry(subset.clone()).or_default();
    }
    summary.subsets = counts;
    exporter.finish(sink, job, &subsets, &mut summary)?;
    Ok((summary, broken))
}

/// What a run of a format gives: its summary and the items it left out as
/// broken, as (index in the job's source, item).
pub(crate) type Ran = (Summary, Vec<(usize, SkippedItem)>);
