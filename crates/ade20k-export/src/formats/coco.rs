//! COCO instance segmentation: `annotations/instances_<subset>.json` plus
//! `images/<subset>/<item id>.<ext>`.
//!
//! Each annotation is one object or part; its segmentation is the visible mask
//! (or the amodal one) as compressed RLE, polygons traced from that mask, or the
//! annotator's polygon. `iscrowd` is always 0: every annotation is one instance.
//! The JSON is streamed (see [`crate::formats::coco_json`]): one record per line, images
//! and annotations spooled to part files and joined with the categories once
//! every item is read.

use std::collections::HashMap;
use std::path::PathBuf;

use ade20k_model::{BBox, Error, Item, Object, ObjectId, Occlusion};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::encode::rle::Rle;
use crate::encode::trace::trace_cropped;
use crate::formats::coco_json::CocoFiles;
use crate::formats::{Exporter, Format, Job, Scaling, Setting};
use crate::labels::registry::LabelRegistry;
use crate::labels::selection::LabelPlan;
use crate::labels::LabelId;
use crate::run::{self, ItemFiles};
use crate::{ExportError, ExportOptions, LeftOut, SegmentationMode, Summary};

/// The `coco` format: its label plan and options.
pub(crate) struct Coco {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
}

impl Exporter for Coco {
    const FORMAT: Format = Format {
        name: "coco",
        description: "COCO instance segmentation (detectron2, mmdetection, pycocotools)",
        takes: &[
            Setting::Parts,
            Setting::MaskKind,
            Setting::Segmentation,
            Setting::LabelNaming,
        ],
        run: run::run::<Coco>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = CocoSink<'e>;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        Ok(Coco {
            out: job.out.to_path_buf(),
            options: job.options.clone(),
            plan: LabelPlan::resolve(&job.options.labels, &job.dataset, None)?,
        })
    }

    fn sink<'e>(&'e self, job: &Job<'_>) -> Result<CocoSink<'e>, Error> {
        Ok(CocoSink {
            files: CocoFiles::create(&self.out, "instances")?,
            labels: LabelRegistry::new(
                self.options.label_naming,
                &self.plan,
                job.source.label_order(),
            ),
        })
    }

    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        let file_name = files.image_in_subset_folder(&item, &self.out.join("images"))?;
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
        files.leave_out_all(left_out);
        Ok(PreparedItem {
            item,
            file_name,
            shapes,
        })
    }

    fn write(&self, sink: &mut CocoSink<'_>, prepared: PreparedItem) -> Result<u64, Error> {
        let PreparedItem {
            item,
            file_name,
            shapes,
        } = prepared;
        let files = sink.files.subset(&item.subset)?;
        let image_id = files.add_image(&item, &file_name)?;
        let labelled: Vec<(&Object, &Shape, LabelId)> = shapes
            .iter()
            .filter_map(|(index, shape)| {
                let object = &item.objects[*index];
                Some((object, shape, sink.labels.category_id(object)?))
            })
            .collect();
        let first_id = files.number_annotations(labelled.len() as u64);
        let coco_ids: HashMap<ObjectId, u64> = labelled
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
        Ok(labelled.len() as u64)
    }

    fn finish(
        &self,
        sink: CocoSink<'_>,
        _job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        sink.finish(subsets, summary)
    }
}

/// One item, ready to be numbered and written.
pub(crate) struct PreparedItem {
    item: Item,
    file_name: String,
    /// Objects kept, as (index in `item.objects`, shape).
    shapes: Vec<(usize, Shape)>,
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

impl Coco {
    /// The shape of one object, or the reason it is left out.
    fn shape(
        &self,
        item: &Item,
        index: usize,
        object: &Object,
    ) -> Result<Result<Shape, LeftOut>, Error> {
        let mask = item.cropped_mask(index, self.options.mask_kind)?;
        let Some(bbox) = mask.bbox() else {
            return Ok(Err(LeftOut::NoPixels));
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
                    return Ok(Err(LeftOut::NoPolygon));
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
pub(crate) struct CocoSink<'a> {
    files: CocoFiles,
    labels: LabelRegistry<'a>,
}

#[derive(Serialize)]
struct AnnotationRecord<'a> {
    id: u64,
    image_id: u64,
    category_id: LabelId,
    segmentation: &'a Segmentation,
    area: u64,
    bbox: [u32; 4],
    iscrowd: u8,
    attributes: Map<String, Value>,
}

#[derive(Serialize)]
struct CategoryRecord<'a> {
    id: LabelId,
    name: &'a str,
    supercategory: &'a str,
}

impl CocoSink<'_> {
    fn finish(self, subsets: &[String], summary: &mut Summary) -> Result<(), Error> {
        let labels = self.labels.labels();
        let categories: Vec<CategoryRecord> = labels
            .iter()
            .map(|label| CategoryRecord {
                id: label.id,
                name: &label.name,
                supercategory: &label.supercategory,
            })
            .collect();
        self.files.finish(subsets, &categories)?;
        summary.categories = categories.len();
        Ok(())
    }
}

/// The `attributes` object of an annotation: ADE20K's per-object fields,
/// `parent_id` being the annotation id `coco_ids` gives the parent's ADE id.
pub(crate) fn attributes(object: &Object, coco_ids: &HashMap<ObjectId, u64>) -> Map<String, Value> {
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
    attributes.insert("ade_id".into(), object.ade_id.0.into());
    attributes.insert("ade_class".into(), object.class.0.into());
    attributes.insert("raw_name".into(), object.raw_name.clone().into());
    if let Some(rank) = object.depth_rank {
        attributes.insert("depth_ordering_rank".into(), rank.into());
    }
    attributes.insert("words".into(), object.attributes.clone().into());
    attributes
}
