//! CamVid semantic segmentation, in the layout of the SegNet CamVid release
//! with the colour-coded masks of the original CamVid, as Datumaro's
//! `camvid` reads it.
//!
//! # Layout
//!
//! ```text
//! <subset>/<name>.<ext>         the photo, placed as --media says
//! <subset>annot/<name>.png      8-bit RGB: the colour of the pixel's label
//! <subset>.txt                  `/<subset>/<name>.<ext> /<subset>annot/<name>.png` per item
//! label_colors.txt              `r g b name`, one line per label id from 0 (black, unlabeled)
//! ```
//!
//! `<name>` is the item's id with `/` replaced by `_`: CamVid's folders are
//! flat. Two items whose ids flatten to the same name are an error. A path
//! with white space is written in double quotes, as Datumaro does; a name
//! with a double quote is refused.
//!
//! # Labels and pixels
//!
//! Label ids are 1..=N in the order of the label plan (`--labels`,
//! `--top-classes`, or every class by class index); names and colours are
//! those of the `cityscapes` format (white space replaced by `_`, the list's
//! colour else the VOC colour of the id), label 0 `unlabeled` is black, as
//! CamVid's `Void`. A mask says its label by colour only, so two labels of
//! one colour, or a label coloured black, are refused up front: the colours
//! of `--labels sceneparsing150` (the benchmark's palette gives two pairs of
//! classes one colour) are, and a `--labels FILE` with colours of its own
//! is the way. Only whole
//! objects (part level 0) of kept classes are drawn, from their visible
//! masks: CamVid has no parts nor instances, so `--parts`, `--parts-level`,
//! `--amodal` and `--stuff` are refused. The summary counts, per item, the
//! objects drawn.
//!
//! # Where Datumaro differs
//!
//! Datumaro 1.x names an item by its image path in `<subset>.txt` without its
//! first folder and extension, reads each mask's colours back to label ids
//! through `label_colors.txt` (the label coloured black becomes label 0) and
//! makes one mask per label present, unlabeled included. The SegNet
//! release's own `annot` PNGs hold class indices rather than colours, and its
//! lists give absolute paths; the original CamVid's masks are coloured, as here.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::PathBuf;

use ade20k_model::{Error, Item};

use crate::encode::numbered::NumberedObjects;
use crate::encode::png_out::PngPixels;
use crate::formats::flat_names::FlatNames;
use crate::formats::{Exporter, Format, Job, Scaling};
use crate::labels::colors::{write_label_colors, ColoredLabel, Stuff};
use crate::labels::selection::LabelPlan;
use crate::run::{self, ItemFiles};
use crate::{ExportError, Summary};

/// Labels a mask can tell apart: every RGB colour but black.
const MAX_LABELS: usize = (1 << 24) - 1;

/// The `camvid` format: the label plan and the output labels.
pub(crate) struct Camvid {
    /// The output folder.
    out: PathBuf,
    /// Which classes are kept, under which ids.
    plan: LabelPlan,
    /// The output labels, by id.
    labels: Vec<ColoredLabel>,
}

impl Exporter for Camvid {
    const FORMAT: Format = Format {
        name: "camvid",
        description:
            "CamVid layout: colour-coded semantic masks, subset lists and label_colors.txt \
                      (SegNet CamVid readers, Datumaro)",
        takes: &[],
        run: run::run::<Camvid>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = CamvidSink;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let plan = LabelPlan::resolve(
            &job.options.labels,
            &job.dataset,
            Some((MAX_LABELS, Camvid::FORMAT.name)),
        )?;
        let labels = ColoredLabel::all(&plan, &Stuff::resolve(&job.dataset, job.options)?);
        let mut by_color: HashMap<[u8; 3], &str> = HashMap::new();
        for label in &labels {
            if let Some(first) = by_color.insert(label.color, &label.name) {
                let [r, g, b] = label.color;
                return Err(ExportError::Usage(format!(
                    "camvid masks tell labels apart by colour only, but `{first}` and `{}` \
                     share the colour {r} {g} {b} (black is `unlabeled`); give them colours \
                     of their own in the --labels FILE",
                    label.name
                )));
            }
        }
        Ok(Camvid {
            out: job.out.to_path_buf(),
            plan,
            labels,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<CamvidSink, Error> {
        Ok(CamvidSink {
            names: FlatNames::default(),
            lists: BTreeMap::new(),
        })
    }

    /// Draws the item's colour mask and its line of the subset list.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        let name = item.id.replace('/', "_");
        if name.contains('"') {
            return Err(Error::invalid(
                &item.image.path,
                "a camvid list cannot name a file with a double quote",
            ));
        }
        let image_name = match item.image.path.extension().and_then(|ext| ext.to_str()) {
            Some(ext) => format!("{name}.{ext}"),
            None => name.clone(),
        };
        let subset = &item.subset;
        files.image(&item, self.out.join(subset).join(&image_name))?;
        let mut left_out = Vec::new();
        let numbered = NumberedObjects::of(&item, &self.plan, |_| 0, &mut left_out)?;
        let pixels: Vec<u8> = numbered
            .pixels(|label, _| self.labels[label as usize].color)
            .into_iter()
            .flatten()
            .collect();
        let mask = self
            .out
            .join(format!("{subset}annot"))
            .join(format!("{name}.png"));
        let (width, height) = (numbered.map.width, numbered.map.height);
        files.png(mask, width, height, PngPixels::Rgb8(pixels));
        files.leave_out_all(left_out);
        let image_path = format!("/{subset}/{image_name}");
        let mask_path = format!("/{subset}annot/{name}.png");
        let line = if image_path.contains(char::is_whitespace)
            || mask_path.contains(char::is_whitespace)
        {
            format!("\"{image_path}\" \"{mask_path}\"\n")
        } else {
            format!("{image_path} {mask_path}\n")
        };
        Ok(PreparedItem {
            subset: item.subset,
            name,
            image: item.image.path,
            line,
            objects: numbered.objects,
        })
    }

    /// Appends the item's line; fails when an earlier item has the same files.
    fn write(&self, sink: &mut CamvidSink, prepared: PreparedItem) -> Result<u64, Error> {
        let PreparedItem {
            subset,
            name,
            image,
            line,
            objects,
        } = prepared;
        sink.names.claim(&subset, &name, &image, || {
            format!("its camvid files {subset}/{name}.* and {subset}annot/{name}.png")
        })?;
        sink.lists.entry(subset).or_default().push_str(&line);
        Ok(objects)
    }

    /// Writes `<subset>.txt` for every subset written and `label_colors.txt`.
    fn finish(
        &self,
        sink: CamvidSink,
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        for (subset, text) in &sink.lists {
            let path = self.out.join(format!("{subset}.txt"));
            fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        }
        write_label_colors(&self.out, &self.labels, summary)?;
        Ok(())
    }
}

/// One item, its files handed over, ready to be listed.
pub(crate) struct PreparedItem {
    /// The item's subset.
    subset: String,
    /// Its file name without extension.
    name: String,
    /// The source image, to name the item in errors.
    image: PathBuf,
    /// Its line of `<subset>.txt`.
    line: String,
    /// Objects drawn.
    objects: u64,
}

/// The subset lists, built in item order.
pub(crate) struct CamvidSink {
    /// The names written so far.
    names: FlatNames,
    /// The text of `<subset>.txt`, by subset.
    lists: BTreeMap<String, String>,
}
