//! Segment Anything (SA-1B): one JSON file per image beside the image, as
//! the SA-1B release writes them and Datumaro's `segment_anything` reads them.
//!
//! # Layout
//!
//! ```text
//! <subset>/<name>.<ext>   the photo, placed as --media says
//! <subset>/<name>.json    {"image": {...}, "annotations": [...]}
//! ```
//!
//! `<name>` is the item's id with `/` replaced by `_`
//! (`urban/street/ADE_train_00000001` → `urban_street_ADE_train_00000001`):
//! SA-1B's folders are flat, and Datumaro reads the `*.json` of one folder
//! only. Two items whose ids flatten to the same name are an error.
//!
//! # The records
//!
//! `image` holds exactly SA-1B's four fields: `image_id` (from 1 in item
//! order within the subset), `width`, `height` and `file_name` (`<name>.<ext>`,
//! the image beside the file, written or not). Each kept object (parts too,
//! unless `--parts exclude`: SA-1B's masks are of wholes, parts and subparts
//! alike) is one annotation:
//!
//! - `id`: from 1 in item order within the subset;
//! - `segmentation`: the visible mask (or the amodal one with `--amodal`) as
//!   COCO RLE, `{"size": [height, width], "counts": "<compressed string>"}`;
//! - `bbox`: `[x, y, width, height]` around the mask; `area`: its pixels;
//! - `point_coords`: `[[x, y]]`, the column and row of the mask's pixel
//!   nearest its centroid (first in row order on a tie), a point inside the
//!   mask where SA-1B has the point it prompted the model with;
//! - `crop_box`: `[0, 0, width, height]`, the whole image, which is what the
//!   ADE20K annotators worked on (SA-1B gives the crop the mask was
//!   generated from);
//! - `predicted_iou` and `stability_score`: `1.0`. ADE20K's masks are drawn
//!   by people, not predicted: the mask is its own reference (an IoU of 1),
//!   and a binary mask thresholded at any offset is itself (a stability of 1).
//!
//! SA-1B has no classes; three fields of each annotation keep them:
//! `category_id` (the label plan's id: the ADE class index without
//! `--labels`), `category_name` (the list's name, or the ADE20K class name
//! in full: canonical names are known only once every item is read) and
//! `attributes`, ADE20K's per-object fields as the `coco` format writes
//! them (`occluded`, `crop`, `part_level`, `parent_id` (the annotation id of
//! the whole a part belongs to), `ade_id`, `ade_class`, `raw_name`,
//! `depth_ordering_rank`, `words`).
//!
//! # Where Datumaro differs
//!
//! Datumaro 1.13.12 takes a dataset of one flat folder as one subset named
//! `default`: import `<out>/<subset>` for each subset (`<out>` itself yields
//! no item, without an error). It recognises a file only when its top-level
//! keys are exactly `image` and `annotations` and `image` has exactly the
//! four fields above, so nothing else is added to them; it ignores an
//! annotation's fields past SA-1B's, so the classes survive in the file but
//! not in Datumaro's import (its masks have no label). It names each item by
//! `file_name` without its extension.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::PathBuf;

use ade20k_model::{BBox, CroppedMask, Error, Item, ObjectId};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::encode::rle::Rle;
use crate::formats::coco::attributes;
use crate::formats::flat_names::FlatNames;
use crate::formats::{masked_objects, Exporter, Format, Job, MaskedObject, Scaling, Setting};
use crate::labels::selection::LabelPlan;
use crate::labels::LabelId;
use crate::run::{self, ItemFiles};
use crate::{ExportError, ExportOptions, Summary};

/// The `segment_anything` format: its label plan and options.
pub(crate) struct SegmentAnything {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
}

impl Exporter for SegmentAnything {
    const FORMAT: Format = Format {
        name: "segment_anything",
        description: "Segment Anything (SA-1B): one JSON of COCO RLE masks per image \
                      (SAM fine-tuning, Datumaro)",
        takes: &[Setting::Parts, Setting::MaskKind],
        run: run::run::<SegmentAnything>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = SaSink;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        Ok(SegmentAnything {
            out: job.out.to_path_buf(),
            options: job.options.clone(),
            plan: LabelPlan::resolve(&job.options.labels, &job.dataset, None)?,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<SaSink, Error> {
        Ok(SaSink::default())
    }

    /// Encodes the masks of the item's kept objects and places its photo.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        let name = item.id.replace('/', "_");
        let file_name = match item.image.path.extension().and_then(|ext| ext.to_str()) {
            Some(ext) => format!("{name}.{ext}"),
            None => name.clone(),
        };
        files.image(&item, self.out.join(&item.subset).join(&file_name))?;
        let mut masks = Vec::new();
        let mut left_out = Vec::new();
        for MaskedObject {
            index,
            label,
            mask,
            bbox,
            ..
        } in masked_objects(&self.plan, &item, &self.options, &mut left_out)?
        {
            // A mask with a box has a pixel nearest its centre.
            let Some(point) = centre_pixel(&mask) else {
                continue;
            };
            masks.push(Encoded {
                index,
                category_id: label,
                rle: Rle::encode_cropped(&mask),
                bbox,
                area: mask.area(),
                point,
            });
        }
        files.leave_out_all(left_out);
        Ok(PreparedItem {
            item,
            name,
            file_name,
            masks,
        })
    }

    /// Numbers the item and its annotations and writes its JSON file.
    fn write(&self, sink: &mut SaSink, prepared: PreparedItem) -> Result<u64, Error> {
        let PreparedItem {
            item,
            name,
            file_name,
            masks,
        } = prepared;
        let subset = &item.subset;
        sink.names.claim(subset, &name, &item.image.path, || {
            format!("its segment_anything file {subset}/{name}.json")
        })?;
        let counters = sink.counters.entry(subset.clone()).or_default();
        counters.images += 1;
        let first_id = counters.annotations + 1;
        counters.annotations += masks.len() as u64;
        let ids: HashMap<ObjectId, u64> = masks
            .iter()
            .enumerate()
            .map(|(n, mask)| (item.objects[mask.index].ade_id, first_id + n as u64))
            .collect();
        let (width, height) = (item.image.width, item.image.height);
        let mut annotations = Vec::with_capacity(masks.len());
        for mask in &masks {
            let object = &item.objects[mask.index];
            let category_id = mask.category_id;
            sink.categories.insert(category_id);
            let listed = self
                .plan
                .labels()
                .iter()
                .find(|label| label.id == category_id);
            let category_name = match listed {
                Some(label) => label.name.clone(),
                None => object.name.clone(),
            };
            annotations.push(AnnotationRecord {
                id: ids[&object.ade_id],
                segmentation: SegmentationRecord {
                    size: [mask.rle.height, mask.rle.width],
                    counts: mask.rle.to_coco_string(),
                },
                bbox: [mask.bbox.x, mask.bbox.y, mask.bbox.width, mask.bbox.height],
                area: mask.area,
                predicted_iou: 1.0,
                point_coords: [mask.point],
                stability_score: 1.0,
                crop_box: [0, 0, width, height],
                category_id,
                category_name,
                attributes: attributes(object, &ids),
            });
        }
        let record = FileRecord {
            image: ImageRecord {
                image_id: counters.images,
                width,
                height,
                file_name: &file_name,
            },
            annotations: &annotations,
        };
        let dir = self.out.join(subset);
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join(format!("{name}.json"));
        let mut bytes = serde_json::to_vec(&record).map_err(|e| Error::io(&path, e.into()))?;
        bytes.push(b'\n');
        fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        Ok(annotations.len() as u64)
    }

    fn finish(
        &self,
        sink: SaSink,
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        summary.categories = sink.categories.len();
        Ok(())
    }
}

/// One item, its masks encoded, ready to be numbered and written.
pub(crate) struct PreparedItem {
    item: Item,
    /// The file name of the item without extension.
    name: String,
    /// The image's file name, beside the JSON file.
    file_name: String,
    masks: Vec<Encoded>,
}

/// The mask of one kept object.
struct Encoded {
    /// Index of the object in `item.objects`.
    index: usize,
    /// The label plan's id of its class.
    category_id: LabelId,
    rle: Rle,
    bbox: BBox,
    area: u64,
    /// A pixel of the mask, `[x, y]`.
    point: [u32; 2],
}

/// What writing needs across items: the names taken, the ids given and the
/// categories seen.
#[derive(Default)]
pub(crate) struct SaSink {
    names: FlatNames,
    counters: HashMap<String, Counters>,
    categories: BTreeSet<LabelId>,
}

/// The last image and annotation ids of one subset.
#[derive(Default)]
struct Counters {
    images: u64,
    annotations: u64,
}

#[derive(Serialize)]
struct FileRecord<'a> {
    image: ImageRecord<'a>,
    annotations: &'a [AnnotationRecord],
}

#[derive(Serialize)]
struct ImageRecord<'a> {
    image_id: u64,
    width: u32,
    height: u32,
    file_name: &'a str,
}

#[derive(Serialize)]
struct AnnotationRecord {
    id: u64,
    segmentation: SegmentationRecord,
    bbox: [u32; 4],
    area: u64,
    predicted_iou: f64,
    point_coords: [[u32; 2]; 1],
    stability_score: f64,
    crop_box: [u32; 4],
    category_id: LabelId,
    category_name: String,
    attributes: Map<String, Value>,
}

#[derive(Serialize)]
struct SegmentationRecord {
    size: [u32; 2],
    counts: String,
}

/// The set pixel of `mask` nearest its centroid, the first in row order of
/// those as near; `None` for an empty mask.
fn centre_pixel(mask: &CroppedMask) -> Option<[u32; 2]> {
    let window = mask.window();
    let set = || {
        (0..window.height())
            .flat_map(move |y| (0..window.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| window.get(x, y))
    };
    let (mut count, mut sum_x, mut sum_y) = (0u64, 0u64, 0u64);
    for (x, y) in set() {
        count += 1;
        sum_x += u64::from(x);
        sum_y += u64::from(y);
    }
    if count == 0 {
        return None;
    }
    // Distances are compared scaled by `count`, in integers: exact.
    let distance = |(x, y): (u32, u32)| {
        let dx = i128::from(x) * i128::from(count) - i128::from(sum_x);
        let dy = i128::from(y) * i128::from(count) - i128::from(sum_y);
        dx * dx + dy * dy
    };
    let mut best: Option<((u32, u32), i128)> = None;
    for pixel in set() {
        let d = distance(pixel);
        if best.is_none_or(|(_, nearest)| d < nearest) {
            best = Some((pixel, d));
        }
    }
    let (origin_x, origin_y) = mask.origin();
    best.map(|((x, y), _)| [origin_x + x, origin_y + y])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ade20k_model::BinaryMask;

    fn cropped(width: u32, height: u32, pixels: Vec<u8>) -> CroppedMask {
        let window = BinaryMask::from_pixels(width, height, pixels).unwrap();
        CroppedMask::new(10, 10, 2, 3, window).unwrap()
    }

    #[test]
    fn the_point_is_the_pixel_nearest_the_centroid() {
        // A filled 3×3 square: its centre.
        assert_eq!(centre_pixel(&cropped(3, 3, vec![1; 9])), Some([3, 4]));
        // A ring, whose centroid is not set: the first of the four nearest.
        let ring = vec![1, 1, 1, 1, 0, 1, 1, 1, 1];
        assert_eq!(centre_pixel(&cropped(3, 3, ring)), Some([3, 3]));
        assert_eq!(centre_pixel(&cropped(2, 1, vec![0, 0])), None);
    }
}
