//! KITTI semantic and instance segmentation, in the layout of the KITTI 2015
//! segmentation benchmark (`devkit_semantics`), as Datumaro's
//! `kitti_segmentation` reads it.
//!
//! # Layout
//!
//! ```text
//! <subset>/image_2/<name>.<ext>     the photo, placed as --media says
//! <subset>/semantic/<name>.png      8-bit grey: label id, 0 = unlabeled
//! <subset>/semantic_rgb/<name>.png  8-bit RGB: the colour of the pixel's label
//! <subset>/instance/<name>.png      16-bit grey: id × 256 + instance (things, from 1), id × 256 (stuff)
//! label_colors.txt                  `r g b name`, one line per label id from 0 (Datumaro)
//! ```
//!
//! `<name>` is the item's id with `/` replaced by `_`
//! (`urban/street/ADE_train_00000001` → `urban_street_ADE_train_00000001`):
//! KITTI's folders are flat. Two items whose ids flatten to the same name are
//! an error. Datumaro names each item by its `instance/` file without `.png`.
//!
//! # Labels and pixels
//!
//! Label ids are 1..=N in the order of the label plan (`--labels`,
//! `--top-classes`, or every class by class index), 0 is `unlabeled`; names
//! and colours are those of the `cityscapes` format (white space replaced by
//! `_`, the list's colour else the VOC colour of the id). As the KITTI
//! devkit describes `instance/`, the high 8 bits of a pixel are its label id
//! and the low 8 bits its instance, numbered from 1 per class and image, 0
//! meaning no instance: stuff classes (the label list's, or `--stuff`'s) and
//! unlabeled pixels have instance 0. Capacity: both images hold the id in 8
//! bits, so the plan holds at most 255 labels; an image with more than 255
//! objects of one thing class writes the rest with instance 0, as its class's
//! group (counted in the summary).
//!
//! Only whole objects (part level 0) of kept classes are written, from their
//! visible masks, which partition the image: KITTI has no parts, so `--parts`
//! and `--parts-level` are refused, and the images show what is seen, so
//! `--amodal` is too. Instances are numbered in annotation order. Objects of
//! classes not kept and objects with no visible pixel are counted.
//!
//! # Where Datumaro differs
//!
//! Datumaro 1.x reads `instance/` only (not `semantic/` nor `semantic_rgb/`)
//! and makes one mask per distinct value: label `value >> 8`, id
//! `value % 256`, `is_crowd` when the instance is 0. Unlabeled pixels thus
//! become a crowd mask of label 0 and each stuff class one crowd mask. It
//! takes its labels from `label_colors.txt` (line n is id n, the fourth field
//! the name); the KITTI devkit has none, its label table being the
//! Cityscapes one in code. KITTI's `image_2/` holds PNGs; the photos are
//! placed here as they are (JPEG in ADE20K), which Datumaro reads by any
//! image extension.

use std::path::PathBuf;

use ade20k_model::{Error, Item};

use crate::encode::numbered::NumberedObjects;
use crate::encode::png_out::PngPixels;
use crate::formats::flat_names::{FlatItem, FlatNames};
use crate::formats::{Exporter, Format, Job, Scaling, Setting};
use crate::labels::colors::{write_label_colors, ColoredLabel, Stuff};
use crate::labels::selection::LabelPlan;
use crate::run::{self, ItemFiles};
use crate::{ExportError, Summary};

/// Highest label id: `semantic/` is 8-bit, and so is the high byte of `instance/`.
const MAX_LABEL_ID: usize = 255;
/// Instances one class can number in one image: the low byte of `instance/`, 0 excluded.
const MAX_INSTANCE: u32 = 255;

/// The `kitti` format: the label plan and the output labels.
pub(crate) struct Kitti {
    /// The output folder.
    out: PathBuf,
    /// Which classes are kept, under which ids.
    plan: LabelPlan,
    /// The output labels, by id.
    labels: Vec<ColoredLabel>,
}

impl Exporter for Kitti {
    const FORMAT: Format = Format {
        name: "kitti",
        description: "KITTI segmentation: semantic, colour and label × 256 + instance images \
                      (KITTI devkit, Datumaro)",
        takes: &[Setting::Stuff],
        run: run::run::<Kitti>,
        scaling: Scaling::Optional,
    };
    type Prepared = FlatItem;
    type Sink<'e> = FlatNames;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let stuff = Stuff::resolve(&job.dataset, job.options)?;
        let plan = LabelPlan::resolve(
            &job.options.labels,
            &job.dataset,
            Some((MAX_LABEL_ID, Kitti::FORMAT.name)),
        )?;
        let labels = ColoredLabel::all(&plan, &stuff);
        Ok(Kitti {
            out: job.out.to_path_buf(),
            plan,
            labels,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<FlatNames, Error> {
        Ok(FlatNames::default())
    }

    /// Numbers the item's visible objects and draws its three label images.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<FlatItem, Error> {
        let name = item.id.replace('/', "_");
        let subset_dir = self.out.join(&item.subset);
        let image_name = match item.image.path.extension().and_then(|ext| ext.to_str()) {
            Some(ext) => format!("{name}.{ext}"),
            None => name.clone(),
        };
        files.image(&item, subset_dir.join("image_2").join(image_name))?;

        let mut left_out = Vec::new();
        let last_instance = |label: u32| {
            if self.labels[label as usize].is_thing {
                MAX_INSTANCE
            } else {
                0
            }
        };
        let numbered = NumberedObjects::of(&item, &self.plan, last_instance, &mut left_out)?;
        // Ids fit 8 bits: the plan holds at most 255 labels.
        let label_pixels: Vec<u8> = numbered.pixels(|label, _| label as u8);
        let instance_pixels = numbered.pixels(|label, instance| (label << 8 | instance) as u16);
        let color_pixels: Vec<u8> = label_pixels
            .iter()
            .flat_map(|&id| self.labels[usize::from(id)].color)
            .collect();
        let objects = numbered.objects;
        let (width, height) = (numbered.map.width, numbered.map.height);
        let file = format!("{name}.png");
        for (folder, pixels) in [
            ("semantic", PngPixels::Gray8(label_pixels)),
            ("semantic_rgb", PngPixels::Rgb8(color_pixels)),
            ("instance", PngPixels::Gray16(instance_pixels)),
        ] {
            files.png(subset_dir.join(folder).join(&file), width, height, pixels);
        }
        files.leave_out_all(left_out);
        Ok(FlatItem {
            subset: item.subset,
            name,
            image: item.image.path,
            objects,
        })
    }

    /// Counts one item; fails when an earlier item has the same files.
    fn write(&self, sink: &mut FlatNames, prepared: FlatItem) -> Result<u64, Error> {
        sink.count(prepared, |subset, name| {
            format!("its kitti files {subset}/*/{name}.png")
        })
    }

    fn finish(
        &self,
        _sink: FlatNames,
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let things = write_label_colors(&self.out, &self.labels, summary)?;
        summary.notes.push(format!(
            "instance: {things} thing classes as id × 256 + instance, {} stuff classes as id × 256",
            self.labels.len() - 1 - things
        ));
        Ok(())
    }
}
