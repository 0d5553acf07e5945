//! Semantic segmentation masks in the layout of ADEChallengeData2016, as
//! mmsegmentation reads it: `images/<subset>/<item id>.<ext>` and
//! `annotations/<subset>/<item id>.png` (scene folders of the item id kept
//! under both), plus `dataset_meta.json` at the root.
//!
//! Each annotation is a grey PNG holding one value per pixel, taken from the
//! item's class map (`_seg.png`, or `_parts_N.png` with
//! [`ExportOptions::part_level`] N) with 0 for unlabeled pixels:
//!
//! - without a label selection, the value is the ADE class index itself, so
//!   every mask is 16-bit (class indices go past 255);
//! - with one (`--labels`, `--top-classes`), the value is the label's output
//!   id 1..=N: 8-bit when N ≤ 255, else 16-bit. Pixels of classes not kept
//!   become 0 and are counted. `--labels sceneparsing150` thus gives the
//!   benchmark's values 1..=150 in 8-bit masks, like ADEChallengeData2016.
//!
//! The depth is the same for every file and stated in the summary's notes.
//! An item without the requested part level gets an all-zero mask (counted).
//!
//! `dataset_meta.json` follows Datumaro's meta file: `label_map` (pixel value
//! → name, `"0"` = `background`, which mmsegmentation ignores for ADE20K),
//! `segmentation_colors` indexed by pixel value (every value from 0 to the
//! largest listed one has a colour) and `background_label`. With a selection
//! it lists every label; without one, the classes present in the masks,
//! canonically named (or by full WordNet name with `--label-name full`).
//! Datumaro's `common_semantic_segmentation` reads a subset when its
//! `annotations/<subset>` folder is offered as `masks/` beside that file (it
//! reads masks as 8-bit, so only selections of at most 255 labels).
//! `--amodal` and `--label-name raw` have no meaning here and are refused.
//!
//! The summary counts, per subset, items and annotations, where an
//! annotation is one label present in one item's mask.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{Categories, ClassIndex, Error, Item};

use crate::encode::palette::{label_color, voc_color};
use crate::encode::png_out::GreyDepth;
use crate::formats::{Exporter, Format, Job, Scaling, Setting};
use crate::labels::selection::LabelPlan;
use crate::run::{self, ItemFiles};
use crate::{ExportError, ExportOptions, LabelNaming, LabelSelection, LeftOut, PartsMode, Summary};

/// Name of pixel value 0, as mmsegmentation's ADE20K dataset calls it.
const BACKGROUND: &str = "background";

/// The `semantic` format: the label plan, the depth of the masks, the options.
pub(crate) struct Semantic {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
    depth: GreyDepth,
}

impl Exporter for Semantic {
    const FORMAT: Format = Format {
        name: "semantic",
        description: "Semantic masks in the ADEChallengeData2016 layout (mmsegmentation, Datumaro)",
        takes: &[Setting::Parts, Setting::LabelNaming, Setting::PartLevel],
        run: run::run::<Semantic>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = SemanticSink;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let options = job.options;
        if options.label_naming == LabelNaming::Raw {
            return Err(ExportError::not_taken(
                Self::FORMAT,
                Setting::LabelNaming,
                options,
            ));
        }
        if options.parts == PartsMode::Exclude && options.part_level > 0 {
            return Err(ExportError::Usage(
                "leaving parts out contradicts writing the class map of a part level above 0"
                    .into(),
            ));
        }
        // A selection is numbered 1..=N and must fit 16 bits; without one, values
        // are class indices and every mask is 16-bit.
        let capacity = (options.labels != LabelSelection::All)
            .then_some((usize::from(u16::MAX), "a 16-bit semantic mask"));
        let plan = LabelPlan::resolve(&options.labels, &job.dataset, capacity)?;
        if plan.labels().iter().any(|label| label.name == BACKGROUND) {
            return Err(ExportError::Usage(format!(
                "the label name `{BACKGROUND}` is reserved for pixel value 0 in semantic masks"
            )));
        }
        for subset in job.source.subsets() {
            let dir = job.out.join("annotations").join(subset);
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Ok(Semantic {
            out: job.out.to_path_buf(),
            options: options.clone(),
            depth: plan.grey_depth(),
            plan,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<SemanticSink, Error> {
        Ok(SemanticSink {
            categories: Categories::new(),
            present: BTreeSet::new(),
        })
    }

    /// Reads the class map of the part level and encodes the item's mask.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        files.image_in_subset_folder(&item, &self.out.join("images"))?;
        let level = self.options.part_level;
        let missing_level = level > item.part_levels;
        let (width, height, values, dropped_pixels) = if missing_level {
            let pixels = item.image.width as usize * item.image.height as usize;
            (item.image.width, item.image.height, vec![0u16; pixels], 0)
        } else {
            let map = item.class_map(level)?;
            let (values, dropped) = self.pixel_values(&item, map.classes())?;
            (map.width(), map.height(), values, dropped)
        };
        let mask_path = self
            .out
            .join("annotations")
            .join(&item.subset)
            .join(format!("{}.png", item.id));
        let present = present_values(&values);
        files.png(mask_path, width, height, self.depth.pixels(values));
        let mut categories = Categories::new();
        if self.plan.is_by_class_index() {
            item.objects.iter().for_each(|o| categories.observe(o));
        }
        if dropped_pixels > 0 {
            files.leave_out_many(LeftOut::NotSelectedPixel, dropped_pixels);
        }
        if missing_level {
            files.leave_out_all([LeftOut::MissingPartLevel(level)]);
        }
        Ok(PreparedItem {
            present,
            categories,
        })
    }

    fn write(&self, sink: &mut SemanticSink, prepared: PreparedItem) -> Result<u64, Error> {
        let annotations = prepared.present.len() as u64;
        sink.present.extend(prepared.present);
        sink.categories.merge(prepared.categories);
        Ok(annotations)
    }

    fn finish(
        &self,
        sink: SemanticSink,
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        sink.finish(&self.out, &self.plan, &self.options, self.depth, summary)
    }
}

/// What one written mask tells the summary and the meta file.
pub(crate) struct PreparedItem {
    /// Non-zero values written in the mask.
    present: BTreeSet<u32>,
    /// The classes of the item's objects (without a selection, to name values).
    categories: Categories,
}

impl Semantic {
    /// The output value of every class-map pixel, and how many labeled pixels
    /// became 0 because their class is not kept.
    fn pixel_values(&self, item: &Item, classes: &[ClassIndex]) -> Result<(Vec<u16>, u64), Error> {
        if self.plan.is_by_class_index() {
            let values = classes
                .iter()
                .map(|&class| {
                    u16::try_from(class.0).map_err(|_| {
                        Error::invalid(
                            &item.image.path,
                            format!(
                                "class {class} at part level {} does not fit a 16-bit mask",
                                self.options.part_level
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            return Ok((values, 0));
        }
        Ok(self.plan.pixel_values(item, classes))
    }
}

/// The distinct non-zero values of a mask.
fn present_values(values: &[u16]) -> BTreeSet<u32> {
    let mut present = BTreeSet::new();
    let mut last = 0;
    for &value in values {
        if value != last && value != 0 {
            present.insert(u32::from(value));
        }
        last = value;
    }
    present
}

/// What the masks written so far hold, for the meta file written at the end.
pub(crate) struct SemanticSink {
    /// Every class of the objects read (without a selection).
    categories: Categories,
    /// Every non-zero value written.
    present: BTreeSet<u32>,
}

/// One entry of `dataset_meta.json`.
struct MetaLabel {
    value: u32,
    name: String,
    color: [u8; 3],
}

impl SemanticSink {
    fn finish(
        self,
        out: &Path,
        plan: &LabelPlan,
        options: &ExportOptions,
        depth: GreyDepth,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let labels = if plan.is_by_class_index() {
            self.present_classes(options.label_naming)
        } else {
            plan.labels()
                .iter()
                .map(|label| MetaLabel {
                    value: label.id.0,
                    name: label.name.clone(),
                    color: label_color(label),
                })
                .collect()
        };
        let path = out.join("dataset_meta.json");
        fs::write(&path, meta_json(&labels)).map_err(|e| Error::io(&path, e))?;
        summary.categories = labels.len();
        let values = if plan.is_by_class_index() {
            "the ADE class index"
        } else {
            "the label id"
        };
        let source = match options.part_level {
            0 => "objects (_seg.png)".to_string(),
            level => format!("parts of level {level} (_parts_{level}.png)"),
        };
        summary.notes.push(format!(
            "masks are {}-bit grey PNGs of {source}: pixel value = {values}, 0 = {BACKGROUND}",
            depth.bits()
        ));
        Ok(())
    }

    /// The classes present in the masks, by class index, named from the
    /// objects read.
    fn present_classes(&self, naming: LabelNaming) -> Vec<MetaLabel> {
        let canonical = self.categories.canonical_names();
        self.present
            .iter()
            .map(|&value| {
                let class = ClassIndex(value);
                let name = match (naming, self.categories.get(class)) {
                    (LabelNaming::Full, Some(category)) => category.name.clone(),
                    _ => canonical
                        .get(&class)
                        .cloned()
                        .unwrap_or_else(|| format!("class {class}")),
                };
                // Value 0 is the background: a class of that name is told apart.
                let name = if name == BACKGROUND {
                    format!("{name} ({class})")
                } else {
                    name
                };
                MetaLabel {
                    value,
                    name,
                    color: voc_color(value),
                }
            })
            .collect()
    }
}

/// `dataset_meta.json`: the label map in pixel-value order, one colour per
/// pixel value up to the largest listed one (the listed colour, else the VOC
/// colour of the value), and the background value.
fn meta_json(labels: &[MetaLabel]) -> String {
    let mut names: BTreeMap<u32, &str> = BTreeMap::from([(0, BACKGROUND)]);
    let mut colors: BTreeMap<u32, [u8; 3]> = BTreeMap::from([(0, [0, 0, 0])]);
    for label in labels {
        names.insert(label.value, &label.name);
        colors.insert(label.value, label.color);
    }
    let quote = |text: &str| serde_json::Value::from(text).to_string();
    let mut json = String::from("{\n  \"label_map\": {");
    for (n, (value, name)) in names.iter().enumerate() {
        let separator = if n == 0 { "" } else { "," };
        let _ = write!(json, "{separator}\n    \"{value}\": {}", quote(name));
    }
    json.push_str("\n  },\n  \"segmentation_colors\": [");
    let largest = names.keys().next_back().copied().unwrap_or_default();
    for value in 0..=largest {
        let [r, g, b] = colors
            .get(&value)
            .copied()
            .unwrap_or_else(|| voc_color(value));
        let separator = if value == 0 { "" } else { "," };
        let _ = write!(json, "{separator}\n    [{r}, {g}, {b}]");
    }
    json.push_str("\n  ],\n  \"background_label\": \"0\"\n}\n");
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn present_values_skip_zero_and_repeats() {
        assert_eq!(
            present_values(&[0, 3, 3, 0, 7, 3, 0]),
            BTreeSet::from([3, 7])
        );
        assert!(present_values(&[0, 0]).is_empty());
    }

    #[test]
    fn meta_lists_labels_in_value_order_with_a_colour_per_value() {
        let labels = [
            MetaLabel {
                value: 10,
                name: "a \"b\"".into(),
                color: [1, 2, 3],
            },
            MetaLabel {
                value: 2,
                name: "c".into(),
                color: [4, 5, 6],
            },
        ];
        let meta: serde_json::Value = serde_json::from_str(&meta_json(&labels)).unwrap();
        let label_map = meta["label_map"].as_object().unwrap();
        assert_eq!(label_map["0"], BACKGROUND);
        assert_eq!(label_map["10"], "a \"b\"");
        let colors = meta["segmentation_colors"].as_array().unwrap();
        assert_eq!(colors.len(), 11);
        assert_eq!(colors[2], serde_json::json!([4, 5, 6]));
        assert_eq!(colors[10], serde_json::json!([1, 2, 3]));
        let [r, g, b] = voc_color(5);
        assert_eq!(colors[5], serde_json::json!([r, g, b]));
        assert_eq!(meta["background_label"], "0");
        let text = meta_json(&labels);
        assert!(text.find("\"2\"").unwrap() < text.find("\"10\"").unwrap());
    }
}
