//! COCO instance segmentation: `annotations/instances_<subset>.json` plus
//! `images/<subset>/<item id>.<ext>`.
//!
//! Each annotation is one object or part; its segmentation is the visible mask
//! (or the amodal one) as compressed RLE, polygons traced from that mask, or the
//! annotator's polygon. `iscrowd` is always 0: every annotation is one instance.
//! The JSON is streamed: one record per line, images and annotations spooled to
//! part files and joined with the categories once every item is read.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use ade20k_model::{BBox, Error, Item, ItemSource, Object, Occlusion};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::labels::LabelRegistry;
use crate::media::{image_file_name, place_image};
use crate::pipeline::{self, Conversion};
use crate::rle::Rle;
use crate::selection::{LabelPlan, NOT_SELECTED};
use crate::trace::trace_polygons;
use crate::{
    ExportError, ExportOptions, Format, LabelNaming, LabelSelection, PartsMode, SegmentationMode,
    SubsetSummary, Summary,
};

/// The `coco` format.
pub(crate) const FORMAT: Format = Format {
    name: "coco",
    description: "COCO instance segmentation (detectron2, mmdetection, pycocotools)",
    write,
};

/// Reason counted for objects without pixels of the chosen mask kind.
const NO_PIXELS: &str = "objects with no pixels in their mask (wholly occluded)";
/// Reason counted for objects whose annotator polygon has fewer than 3 points.
const NO_POLYGON: &str = "objects whose annotator polygon has fewer than 3 points";

fn write(
    source: &dyn ItemSource,
    out: &Path,
    options: &ExportOptions,
) -> Result<Summary, ExportError> {
    if options.label_naming == LabelNaming::Raw && options.labels != LabelSelection::All {
        return Err(ExportError::Usage(
            "--label-name raw names categories by the annotators' words; \
             it cannot be combined with a class selection (--labels, --top-classes)"
                .into(),
        ));
    }
    let plan = LabelPlan::resolve(&options.labels, source, None)?;
    let annotations_dir = out.join("annotations");
    fs::create_dir_all(&annotations_dir).map_err(|e| Error::io(&annotations_dir, e))?;
    let conversion = CocoConversion {
        out,
        options,
        plan: &plan,
    };
    let mut sink = CocoSink {
        annotations_dir,
        subsets: BTreeMap::new(),
        labels: LabelRegistry::new(options.label_naming, &plan, source.label_order()),
        summary: Summary::default(),
    };
    pipeline::run(source, &conversion, |item| sink.write(item))?;
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
        let file_name = image_file_name(&item);
        let image_path = self.out.join("images").join(&item.subset).join(&file_name);
        place_image(&item, &image_path, self.options.media)?;
        let mut shapes = Vec::new();
        let mut left_out = Vec::new();
        for (index, object) in item.objects.iter().enumerate() {
            if object.is_part() && self.options.parts == PartsMode::Exclude {
                continue;
            }
            if self.plan.label_of(object).is_none() {
                left_out.push(NOT_SELECTED);
                continue;
            }
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
        let mask = item.binary_mask(index, self.options.mask_kind)?;
        let Some(bbox) = mask.bbox() else {
            return Ok(Err(NO_PIXELS));
        };
        let segmentation = match self.options.segmentation {
            SegmentationMode::Rle => {
                let rle = Rle::encode(&mask);
                Segmentation::Rle {
                    size: [rle.height, rle.width],
                    counts: rle.to_coco_string(),
                }
            }
            SegmentationMode::Polygon => Segmentation::Polygons(
                trace_polygons(&mask)
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
    annotations_dir: PathBuf,
    subsets: BTreeMap<String, SubsetFiles>,
    labels: LabelRegistry<'a>,
    summary: Summary,
}

/// The spooled image and annotation records of one subset.
struct SubsetFiles {
    images: RecordWriter,
    annotations: RecordWriter,
    counts: SubsetSummary,
}

#[derive(Serialize)]
struct ImageRecord<'a> {
    id: u64,
    file_name: &'a str,
    width: u32,
    height: u32,
    scene: &'a [String],
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
        for reason in left_out {
            self.summary.leave_out(reason);
        }
        let files = match self.subsets.entry(item.subset.clone()) {
            std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(SubsetFiles::create(&self.annotations_dir, &item.subset)?)
            }
        };
        files.counts.items += 1;
        let image_id = files.counts.items;
        files.images.record(&ImageRecord {
            id: image_id,
            file_name: &file_name,
            width: item.image.width,
            height: item.image.height,
            scene: &item.scene,
        })?;
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
        for subset in subsets {
            let files = match self.subsets.remove(subset) {
                Some(files) => files,
                None => SubsetFiles::create(&self.annotations_dir, subset)?,
            };
            let path = self
                .annotations_dir
                .join(format!("instances_{subset}.json"));
            self.summary.subsets.insert(subset.clone(), files.counts);
            files.assemble(&path, &categories)?;
        }
        self.summary.categories = categories.len();
        Ok(self.summary)
    }
}

impl SubsetFiles {
    fn create(dir: &Path, subset: &str) -> Result<Self, Error> {
        Ok(SubsetFiles {
            images: RecordWriter::create(dir.join(format!(".{subset}.images.part")))?,
            annotations: RecordWriter::create(dir.join(format!(".{subset}.annotations.part")))?,
            counts: SubsetSummary::default(),
        })
    }

    /// Joins the spooled records and the categories into the subset's COCO file.
    fn assemble(self, path: &Path, categories: &[CategoryRecord]) -> Result<(), Error> {
        let images = self.images.finish()?;
        let annotations = self.annotations.finish()?;
        let mut out = RecordWriter::create(path.to_path_buf())?;
        let info = serde_json::json!({
            "description": "ADE20K, converted by ade20k",
            "url": "https://groups.csail.mit.edu/vision/datasets/ADE20K/",
            "version": "2021_17_01",
        });
        out.raw(format!("{{\"info\":{info},\"licenses\":[],\"images\":[").as_bytes())?;
        out.append_file(&images)?;
        out.raw(b"\n],\"annotations\":[")?;
        out.append_file(&annotations)?;
        out.raw(b"\n],\"categories\":[")?;
        out.first = true;
        for category in categories {
            out.record(category)?;
        }
        out.raw(b"\n]}\n")?;
        out.finish()?;
        for part in [images, annotations] {
            fs::remove_file(&part).map_err(|e| Error::io(&part, e))?;
        }
        Ok(())
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

/// Writes JSON records, one per line, separated by commas.
struct RecordWriter {
    path: PathBuf,
    out: BufWriter<File>,
    first: bool,
}

impl RecordWriter {
    fn create(path: PathBuf) -> Result<Self, Error> {
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(RecordWriter {
            path,
            out: BufWriter::with_capacity(1 << 20, file),
            first: true,
        })
    }

    fn record(&mut self, record: &impl Serialize) -> Result<(), Error> {
        let separator: &[u8] = if self.first { b"\n" } else { b",\n" };
        self.first = false;
        self.raw(separator)?;
        serde_json::to_writer(&mut self.out, record)
            .map_err(|e| Error::io(&self.path, io::Error::other(e)))
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))
    }

    fn append_file(&mut self, part: &Path) -> Result<(), Error> {
        let mut file = File::open(part).map_err(|e| Error::io(part, e))?;
        io::copy(&mut file, &mut self.out).map_err(|e| Error::io(&self.path, e))?;
        Ok(())
    }

    /// Flushes and closes the file, returning its path.
    fn finish(self) -> Result<PathBuf, Error> {
        self.out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        Ok(self.path)
    }
}
