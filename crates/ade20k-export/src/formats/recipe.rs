//! The recipe for a new format, compiled and run by `cargo test`: a format
//! `areas` that writes, per item, `areas/<subset>/<item id>.txt` with one
//! line `<label id> <pixels>` per kept object, and `labels.txt` once every
//! item is written. A real format is this module under `formats/` and its
//! line in [`FORMATS`](super::FORMATS); everything else (the settings it
//! does not take refused, the item filter, `--skip-broken`, staging, the
//! parallel ordered pipeline, the counts of the summary) is the runner's.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use ade20k_model::{Error, Item};

use crate::formats::{Exporter, Format, Job, Scaling, Setting};
use crate::labels::selection::LabelPlan;
use crate::labels::LabelId;
use crate::run::{self, ItemFiles};
use crate::{ExportError, ExportOptions, LeftOut, Summary};

/// The format: what `start` resolved, shared by every thread.
struct Areas {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
}

impl Exporter for Areas {
    // Name, description, and the settings it honours: `--parts` and `--amodal`.
    const FORMAT: Format = Format {
        name: "areas",
        description: "object areas in text files (an example)",
        takes: &[Setting::Parts, Setting::MaskKind],
        run: run::run::<Areas>,
        scaling: Scaling::Optional,
    };
    // The labels of the item's lines.
    type Prepared = Vec<LabelId>;
    // Labels seen, in order: the state `write` keeps.
    type Sink<'e> = Vec<LabelId>;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        Ok(Areas {
            out: job.out.to_path_buf(),
            options: job.options.clone(),
            plan: LabelPlan::resolve(&job.options.labels, &job.dataset, None)?,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<Vec<LabelId>, Error> {
        Ok(Vec::new())
    }

    // On any thread: read the masks, write nothing but through `files`.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<Vec<LabelId>, Error> {
        let mut left_out = Vec::new();
        let mut labels = Vec::new();
        let mut text = String::new();
        for (index, object) in self
            .plan
            .selected_objects(&item, self.options.parts, &mut left_out)
        {
            let Some(label) = self.plan.label_of(object) else {
                left_out.push(LeftOut::NotSelected);
                continue;
            };
            let area = item.cropped_mask(index, self.options.mask_kind)?.area();
            if area == 0 {
                left_out.push(LeftOut::NoPixels);
                continue;
            }
            let _ = writeln!(text, "{label} {area}");
            labels.push(label);
        }
        files.leave_out_all(left_out);
        let path = self.out.join("areas").join(&item.subset);
        files.file(path.join(format!("{}.txt", item.id)), text.into_bytes());
        Ok(labels)
    }

    // In item order: number, append, remember.
    fn write(&self, labels: &mut Vec<LabelId>, item: Vec<LabelId>) -> Result<u64, Error> {
        let annotations = item.len() as u64;
        labels.extend(item);
        Ok(annotations)
    }

    fn finish(
        &self,
        mut labels: Vec<LabelId>,
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        labels.sort_unstable();
        labels.dedup();
        let text: String = labels.iter().map(|label| format!("{label}\n")).collect();
        let path = self.out.join("labels.txt");
        fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        summary.categories = labels.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::filter::tests::dataset;
    use crate::PartsMode;
    use ade20k_model::MaskKind;

    #[test]
    fn the_recipe_format_writes_its_files_and_the_runner_counts_them() {
        let root = tempfile::tempdir().unwrap();
        let options = ExportOptions {
            parts: PartsMode::Exclude,
            media: crate::MediaMode::None,
            ..ExportOptions::default()
        };
        let summary = Areas::FORMAT
            .write_into(&dataset(), root.path(), &options)
            .unwrap();
        assert_eq!(summary.items(), 2);
        assert_eq!(summary.annotations(), 4);
        assert_eq!(summary.categories, 2);
        let text = fs::read_to_string(root.path().join("areas/training/a/x.txt")).unwrap();
        assert_eq!(text, "10 3\n20 1\n");
        let labels = fs::read_to_string(root.path().join("labels.txt")).unwrap();
        assert_eq!(labels, "10\n20\n");

        let amodal = ExportOptions {
            mask_kind: MaskKind::Amodal,
            parts: PartsMode::Exclude,
            ..ExportOptions::default()
        };
        let other = tempfile::tempdir().unwrap();
        Areas::FORMAT
            .write_into(&dataset(), other.path(), &amodal)
            .unwrap();
        let text = fs::read_to_string(other.path().join("areas/training/a/x.txt")).unwrap();
        assert_eq!(
            text, "10 3\n20 2\n",
            "the amodal mask of object 1 has 2 pixels"
        );

        let refused = ExportOptions {
            part_level: 1,
            ..ExportOptions::default()
        };
        let error = Areas::FORMAT
            .write_into(&dataset(), tempfile::tempdir().unwrap().path(), &refused)
            .unwrap_err();
        assert!(matches!(
            error,
            ExportError::NotTaken {
                format: "areas",
                setting: Setting::PartLevel,
                ..
            }
        ));
    }
}
