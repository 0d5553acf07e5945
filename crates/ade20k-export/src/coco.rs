//! COCO instance segmentation: `annotations/instances_<subset>.json` plus
//! `images/<subset>/<item id>.<ext>`.
//!
//! Each annotation is one object or part; its segmentation is the visible mask
//! (or the amodal one) as compressed RLE, polygons traced from that mask, or the
//! annotator's polygon. `iscrowd` is always 0: every annotation is one instance.
//! The JSON is streamed (see [`crate::coco_json`]): one record per line, images
//! and annotations spooled to part files and joined with the categories once
//! every item is read.

use std::collections::HashMap;
use std::path::Path;

use ade20k_model::{BBox, Error, Item, ItemSource, Object, Occlusion};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::coco_json::CocoFiles;
use crate::labels::{LabelRegistry, RAW_NAMES_WITH_SELECTION};
use crate::media::place_in_subset_folder;
use crate::pipeline::{self, Conversion};
use crate::rle::Rle;
use crate::selection::LabelPlan;
use crate::trace::trace_cropped;
use crate::{
    ExportError, ExportOptions, Format, LabelNaming, LabelSelection, Reads, Scaling,
    SegmentationMode, Summary,
};

/// The `coco` format.
pub(crate) const FORMAT: Format = Format {
    name: "coco",
    description: "COCO instance segmentation (detectron2, mmdetection, pycocotools)",
    write,
    reads: Reads::Everything,
    scaling: Scaling::Optional,
};

/// Reason counted for objects without pixels of the chosen mask kind.
pub(crate) const NO_PIXELS: &str = "objects with no pixels in their mask (wholly occluded)";
/// Reason counted for objects whose annotator polygon has fewer than 3 points.
const NO_POLYGON: &str = "objects whose annotator polygon has fewer than 3 points";

fn write(
    source: &dyn ItemSource,
    out: &Path,
    options: &ExportOptions,
) -> Result<Summary, ExportError> {
    if options.label_naming == LabelNaming::Raw && options.labels != LabelSelection::All {
        return Err(ExportError::Usage(RAW_NAMES_WITH_SELECTION.into()));
    }
    let plan = LabelPlan::resolve(&options.labels, source, None, options.phases.as_ref())?;
    let files = CocoFiles::create(out, "instances")?;
    let conversion = CocoConversion {
        out,
        options,
        plan: &plan,
    };
    let mut sink = CocoSink {
        files,
        labels: LabelRegistry::new(options.label_naming, &plan, source.label_order()),
        summary: Summary::default(),
    };
    pipeline::run(source, options, &conversion, |item| sink.write(item))?;
    Ok(sink.finish(source.subsets())?)
}

struct CocoConversion<'a> {
    out: &'a Path,
    options: &'a ExportOptions,
    plan: &'a LabelPlan,
}

/// One item, ready to be numbered and written.
struct PreparedItem {
    item: Item,
    file_name: String,
    /// Objects kept, as (index in `item.objects`, shape).
    shapes: Vec<(usize, Shape)>,
    left_out: Vec<&'static str>,
}

struct Shape {
    segmentation: Segmentation,
    area: u64,
    bbox: BBox,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Segmentation {
    Rle { size: [u32; 2], counts: String },
    Polygons(Vec<Vec<f64>>),
}

impl Conversion for CocoConversion<'_> {
    type Prepared = PreparedItem;

    fn prepare(&self, item: Item) -> Result<PreparedItem, Error> {
        let file_name =
            place_in_subset_folder(&item, &self.out.join("images"), self.options.media)?;
        let mut shapes = Vec::new();
        let mut left_out = Vec::new();
        for (index, object) in self
            .plan
            .selected_objects(&item, self.options.parts, &mut left_out)
        {
            match self.shape(&item, index, object)? {
                Ok(shape) => shapes.push((index, shape)),
                Err(reason) => left_out.push(reason),
            }
        }
        Ok(PreparedItem {
            item,
            file_name,
            shapes,
            left_out,
        })
    }
}

impl CocoConversion<'_> {
    /// The shape of one object, or the reason it is left out.
    fn shape(
        &self,
        item: &Item,
        index: usize,
        object: &Object,
    ) -> Result<Result<Shape, &'static str>, Error> {
        let mask = item.cropped_mask(index, self.options.mask_kind)?;
        let Some(bbox) = mask.bbox() else {
            return Ok(Err(NO_PIXELS));
        };
        let segmentation = match self.options.segmentation {
            SegmentationMode::Rle => {
                let rle = Rle::encode_cropped(&mask);
                Segmentation::Rle {
                    size: [rle.height, rle.width],
                    counts: rle.to_coco_string(),
                }
            }
            SegmentationMode::Polygon => Segmentation::Polygons(
                trace_cropped(&mask)
                    .iter()
                    .map(|ring| flatten(ring))
                    .collect(),
            ),
            SegmentationMode::SourcePolygon => {
                if object.polygon.len() < 3 {
                    return Ok(Err(NO_POLYGON));
                }
                Segmentation::Polygons(vec![flatten(&object.polygon)])
            }
        };
        Ok(Ok(Shape {
            segmentation,
            area: mask.area(),
            bbox,
        }))
    }
}

fn flatten(points: &[[f64; 2]]) -> Vec<f64> {
    points.iter().flatten().copied().collect()
}

/// Numbers and writes prepared items, in order.
struct CocoSink<'a> {
    files: CocoFiles,
    labels: LabelRegistry<'a>,
    summary: Summary,
}

#[derive(Serialize)]
struct AnnotationRecord<'a> {
    id: u64,
    image_id: u64,
    category_id: u32,
    segmentation: &'a Segmentation,
    area: u64,
    bbox: [u32; 4],
    iscrowd: u8,
    attributes: Map<String, Value>,
}

#[derive(Serialize)]
struct CategoryRecord<'a> {
    id: u32,
    name: &'a str,
    supercategory: &'a str,
}

impl CocoSink<'_> {
    fn write(&mut self, prepared: PreparedItem) -> Result<(), Error> {
        let PreparedItem {
            item,
            file_name,
            shapes,
            left_out,
        } = prepared;
        self.summary.leave_out_all(left_out);
        let files = self.files.subset(&item.subset)?;
        let image_id = files.add_image(&item, &file_name)?;
        let labelled: Vec<(&Object, &Shape, u32)> = shapes
            .iter()
            .filter_map(|(index, shape)| {
                let object = &item.objects[*index];
                Some((object, shape, self.labels.category_id(object)?))
            })
            .collect();
        let first_id = files.counts.annotations + 1;
        let coco_ids: HashMap<u32, u64> = labelled
            .iter()
            .enumerate()
            .map(|(n, (object, _, _))| (object.ade_id, first_id + n as u64))
            .collect();
        for (object, shape, category_id) in &labelled {
            let record = AnnotationRecord {
                id: coco_ids[&object.ade_id],
                image_id,
                category_id: *category_id,
                segmentation: &shape.segmentation,
                area: shape.area,
                bbox: [
                    shape.bbox.x,
                    shape.bbox.y,
                    shape.bbox.width,
                    shape.bbox.height,
                ],
                iscrowd: 0,
                attributes: attributes(object, &coco_ids),
            };
            files.annotations.record(&record)?;
        }
        files.counts.annotations += labelled.len() as u64;
        Ok(())
    }

    fn finish(mut self, subsets: &[String]) -> Result<Summary, Error> {
        let labels = self.labels.labels();
        let categories: Vec<CategoryRecord> = labels
            .iter()
            .map(|label| CategoryRecord {
                id: label.id,
                name: &label.name,
                supercategory: &label.supercategory,
            })
            .collect();
        self.files.finish(subsets, &categories, &mut self.summary)?;
        self.summary.categories = categories.len();
        Ok(self.summary)
    }
}

/// The `attributes` object of an annotation: ADE20K's per-object fields.
fn attributes(object: &Object, coco_ids: &HashMap<u32, u64>) -> Map<String, Value> {
    let mut attributes = Map::new();
    match object.occluded {
        Occlusion::Yes => attributes.insert("occluded".into(), true.into()),
        Occlusion::No => attributes.insert("occluded".into(), false.into()),
        Occlusion::Unknown => None,
    };
    attributes.insert("crop".into(), object.crop.into());
    attributes.insert("part_level".into(), object.part_level.into());
    if let Some(parent) = object.parent.and_then(|ade_id| coco_ids.get(&ade_id)) {
        attributes.insert("parent_id".into(), (*parent).into());
    }
    attributes.insert("ade_id".into(), object.ade_id.into());
    attributes.insert("ade_class".into(), object.class.into());
    attributes.insert("raw_name".into(), object.raw_name.clone().into());
    if let Some(rank) = object.depth_rank {
        attributes.insert("depth_ordering_rank".into(), rank.into());
    }
    attributes.insert("words".into(), object.attributes.clone().into());
    attributes
}
