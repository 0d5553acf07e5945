//! MOTS PNG: one 16-bit instance map per image, as the MOTS benchmark
//! (KITTI MOTS, MOTSChallenge) writes its annotations and Datumaro's `mots`
//! reads them.
//!
//! # Layout
//!
//! ```text
//! <subset>/images/<item id>.<ext>   the photo, placed as --media says
//! <subset>/instances/<item id>.png  16-bit grey: id × 1000 + instance, 0 = background
//! <subset>/instances/labels.txt     one label name per line, line n (from 1) naming id n
//! ```
//!
//! The item's scene folders are kept below `images/` and `instances/`, where
//! MOTS has its sequences; Datumaro names each item by its `instances/` path
//! without `.png`.
//!
//! # Labels and pixels
//!
//! Label ids are 1..=N in the order of the label plan (`--labels`,
//! `--top-classes`, or every class by class index); names are the plan's.
//! Every object is a tracked instance: a pixel holds `id × 1000 + instance`,
//! instances numbered from 1 per class and image in annotation order, and 0
//! where no kept object is seen. Capacity: 16 bits hold ids up to 65
//! (65 535 = 65 × 1000 + 535), so the plan holds at most 65 labels; objects
//! of a class past its last number in one image (999, or 535 for id 65) are
//! written with instance 0, as their class's group (counted in the summary).
//! Only whole objects (part level 0) of kept classes are written, from their
//! visible masks, which partition the image, as MOTS masks do: MOTS has no
//! parts, no amodal masks and no stuff, so `--parts`, `--parts-level`,
//! `--amodal` and `--stuff` are refused.
//!
//! # Where Datumaro differs
//!
//! MOTS itself has no label file: its class ids are fixed (1 car,
//! 2 pedestrian, 10 an ignored region). `labels.txt` is Datumaro's: it takes
//! line n as the label of class id n (the mask's label index being id − 1)
//! and the instance as the `track_id` attribute. Datumaro reads class id 10 as
//! `ignored` only when fewer than 10 labels are listed, which never meets an
//! id written here; MOTS tools, which take 10 as an ignored region, read the
//! tenth label of an export of 10 labels or more as one.

use std::fs;
use std::path::PathBuf;

use ade20k_model::{Error, Item};

use crate::encode::numbered::NumberedObjects;
use crate::encode::png_out::PngPixels;
use crate::formats::{Exporter, Format, Job, Scaling};
use crate::labels::selection::LabelPlan;
use crate::run::{self, ItemFiles};
use crate::{ExportError, Summary};

/// Instances one class can number in one image: `id × 1000 + instance`.
const INSTANCES_PER_CLASS: u32 = 1000;
/// Highest label id: `id × 1000 + instance` must fit 16 bits.
const MAX_LABEL_ID: u32 = u16::MAX as u32 / INSTANCES_PER_CLASS;

/// The `mots` format: the label plan.
pub(crate) struct Mots {
    /// The output folder.
    out: PathBuf,
    /// Which classes are kept, under which ids.
    plan: LabelPlan,
}

impl Exporter for Mots {
    const FORMAT: Format = Format {
        name: "mots",
        description: "MOTS PNG: 16-bit class × 1000 + instance maps with labels.txt \
                      (MOTS tools, Datumaro)",
        takes: &[],
        run: run::run::<Mots>,
        scaling: Scaling::Optional,
    };
    type Prepared = u64;
    type Sink<'e> = ();

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let plan = LabelPlan::resolve(
            &job.options.labels,
            &job.dataset,
            Some((MAX_LABEL_ID as usize, Mots::FORMAT.name)),
        )?;
        Ok(Mots {
            out: job.out.to_path_buf(),
            plan,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<(), Error> {
        Ok(())
    }

    /// Numbers the item's visible objects and draws its instance map.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<u64, Error> {
        let subset_dir = self.out.join(&item.subset);
        let image_name = match item.image.path.extension().and_then(|ext| ext.to_str()) {
            Some(ext) => format!("{}.{ext}", item.id),
            None => item.id.clone(),
        };
        files.image(&item, subset_dir.join("images").join(image_name))?;
        let mut left_out = Vec::new();
        let numbered = NumberedObjects::of(&item, &self.plan, last_instance, &mut left_out)?;
        // Values fit 16 bits: ids go up to 65 and instances to `last_instance`.
        let pixels =
            numbered.pixels(|label, instance| (label * INSTANCES_PER_CLASS + instance) as u16);
        let path = subset_dir
            .join("instances")
            .join(format!("{}.png", item.id));
        let (width, height) = (numbered.map.width, numbered.map.height);
        files.png(path, width, height, PngPixels::Gray16(pixels));
        files.leave_out_all(left_out);
        Ok(numbered.objects)
    }

    fn write(&self, _sink: &mut (), objects: u64) -> Result<u64, Error> {
        Ok(objects)
    }

    /// Writes `labels.txt` into the `instances/` folder of every subset written.
    fn finish(
        &self,
        _sink: (),
        _job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let text: String = self
            .plan
            .labels()
            .iter()
            .map(|label| format!("{}\n", label.name))
            .collect();
        for subset in subsets {
            let dir = self.out.join(subset).join("instances");
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            let path = dir.join("labels.txt");
            fs::write(&path, &text).map_err(|e| Error::io(&path, e))?;
        }
        summary.categories = self.plan.labels().len();
        Ok(())
    }
}

/// The last instance number of label `id`: 999, or what 16 bits leave above
/// `id × 1000`.
fn last_instance(id: u32) -> u32 {
    (INSTANCES_PER_CLASS - 1).min(u32::from(u16::MAX).saturating_sub(id * INSTANCES_PER_CLASS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_fit_sixteen_bits() {
        assert_eq!(MAX_LABEL_ID, 65);
        assert_eq!(last_instance(1), 999);
        assert_eq!(last_instance(64), 999);
        assert_eq!(last_instance(65), 535);
    }
}
