//! COCO panoptic segmentation, as panopticapi, detectron2 and Datumaro
//! (`coco_panoptic`) read it: `annotations/panoptic_<subset>.json`, one PNG
//! per image in `annotations/panoptic_<subset>/<item id>.png`, and the images
//! in `images/<subset>/<item id>.<ext>`.
//!
//! Each PNG is 8-bit RGB; a pixel's segment id is `R + 256·G + 256²·B`
//! (panopticapi's `rgb2id`), 0 = void. The pixels come from the visible masks
//! of the level-0 objects ([`ObjectMap::paint`]): parts are never written, as
//! a panoptic pixel belongs to one segment. Segment ids are numbered 1, 2, …
//! within each image, in the order of the segment's first object.
//!
//! - A thing object is one segment. Objects of a stuff category are merged
//!   into one segment per image (`area` and `bbox` of the union).
//! - Objects whose class the label selection drops are void (counted), and
//!   objects with no visible pixel are left out (counted).
//! - Each image has one annotation (`image_id`, `file_name` of its PNG,
//!   `segments_info`: `id`, `category_id`, `area`, `bbox` `[x, y, w, h]`,
//!   `iscrowd` 0); `categories` carry `isthing` and `color`.
//!
//! Category ids are those of COCO ([`LabelRegistry`]): ADE class indices
//! without a selection, positions in the label list with one, and with
//! `--label-name raw` one id per annotator's word (every category a thing).
//! Thing or stuff: `--labels sceneparsing150` brings the benchmark's split;
//! otherwise every category is a thing unless `--stuff` lists it: by ADE
//! class (index or WordNet name) without a selection, by the listed label's
//! name or class index with one. The category colour is the label list's,
//! else the Pascal VOC colour of the category id.
//!
//! The JSON is streamed like COCO's ([`crate::formats::coco_json`]); the PNGs are
//! encoded on all threads.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{Error, Item, Object};
use serde::Serialize;

use crate::encode::composite::{Extent, ObjectMap};
use crate::encode::palette::voc_color;
use crate::encode::png_out::PngPixels;
use crate::formats::coco_json::CocoFiles;
use crate::formats::{Exporter, Format, Job, Scaling, Setting};
use crate::labels::registry::LabelRegistry;
use crate::labels::selection::LabelPlan;
use crate::labels::LabelId;
use crate::run::{self, ItemFiles, WholeDataset};
use crate::{ExportError, ExportOptions, LabelNaming, LabelSelection, LeftOut, Summary};

/// The largest segment id three 8-bit channels hold.
const MAX_SEGMENT_ID: usize = (1 << 24) - 1;

/// The `coco_panoptic` format: the label plan, which labels are stuff, the options.
pub(crate) struct CocoPanoptic {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
    stuff: StuffRule,
}

impl Exporter for CocoPanoptic {
    const FORMAT: Format = Format {
        name: "coco_panoptic",
        description: "COCO panoptic segmentation (panopticapi, detectron2, Datumaro coco_panoptic)",
        takes: &[Setting::LabelNaming, Setting::Stuff],
        run: run::run::<CocoPanoptic>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = PanopticSink<'e>;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let options = job.options;
        if options.label_naming == LabelNaming::Raw && options.stuff.is_some() {
            return Err(ExportError::Usage(
                "--stuff lists classes; with --label-name raw categories are the annotators' \
                 words, which are all things"
                    .into(),
            ));
        }
        let plan = LabelPlan::resolve(&options.labels, &job.dataset, None)?;
        let stuff = StuffRule::resolve(&plan, options, &job.dataset)?;
        for subset in job.source.subsets() {
            let dir = png_dir(job.out, subset);
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Ok(CocoPanoptic {
            out: job.out.to_path_buf(),
            options: options.clone(),
            plan,
            stuff,
        })
    }

    fn sink<'e>(&'e self, job: &Job<'_>) -> Result<PanopticSink<'e>, Error> {
        Ok(PanopticSink {
            files: CocoFiles::create(&self.out, "panoptic")?,
            labels: LabelRegistry::new(
                self.options.label_naming,
                &self.plan,
                job.source.label_order(),
            ),
            stuff_categories: BTreeSet::new(),
        })
    }

    /// Paints the objects, numbers the segments, encodes the PNG.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        let file_name = files.image_in_subset_folder(&item, &self.out.join("images"))?;
        let mut left_out = Vec::new();
        let labels: Vec<Option<LabelId>> = item
            .objects
            .iter()
            .map(|object| {
                if object.is_part() {
                    return None;
                }
                let label = self.plan.label_of(object);
                if label.is_none() {
                    left_out.push(LeftOut::NotSelected);
                }
                label
            })
            .collect();
        let map = ObjectMap::paint(&item, 0, |index| labels[index].is_some())?;
        let mut visible = vec![false; item.objects.len()];
        for &owner in map.owners.iter().filter(|&&owner| owner != 0) {
            visible[owner as usize - 1] = true;
        }
        let (mut segments, segment_of) = self.segments(&item, &labels, &visible, &mut left_out);
        if segments.len() > MAX_SEGMENT_ID {
            return Err(Error::invalid(
                &item.image.path,
                format!(
                    "{} segments do not fit the {MAX_SEGMENT_ID} ids of an RGB panoptic PNG",
                    segments.len()
                ),
            ));
        }
        let mut rgb = vec![0u8; map.owners.len() * 3];
        let width = map.width.max(1) as usize;
        for (position, (&owner, pixel)) in
            map.owners.iter().zip(rgb.chunks_exact_mut(3)).enumerate()
        {
            // Every painted object is visible, so it has a segment (id ≥ 1).
            let id = match owner {
                0 => continue,
                owner => segment_of[owner as usize - 1],
            };
            pixel.copy_from_slice(&id.to_le_bytes()[..3]);
            let (x, y) = (position % width, position / width);
            segments[id as usize - 1].extent.add(x as u32, y as u32);
        }
        let png_path = png_dir(&self.out, &item.subset).join(format!("{}.png", item.id));
        files.png(png_path, map.width, map.height, PngPixels::Rgb8(rgb));
        files.leave_out_all(left_out);
        Ok(PreparedItem {
            item,
            file_name,
            segments,
        })
    }

    /// Numbers the image, gives each segment its category and spools the records.
    fn write(&self, sink: &mut PanopticSink<'_>, prepared: PreparedItem) -> Result<u64, Error> {
        let PreparedItem {
            item,
            file_name,
            segments,
        } = prepared;
        let mut segments_info = Vec::with_capacity(segments.len());
        for (position, segment) in segments.iter().enumerate() {
            let mut category_id = None;
            for &index in &segment.objects {
                let id = sink.labels.category_id(&item.objects[index]);
                category_id = category_id.or(id);
            }
            let category_id = category_id
                .ok_or_else(|| Error::invalid(&item.image.path, "a segment has no category"))?;
            if segment.stuff {
                sink.stuff_categories.insert(category_id);
            }
            let bbox = segment.extent.bbox();
            segments_info.push(SegmentRecord {
                id: position as u32 + 1,
                category_id,
                area: segment.extent.area,
                bbox: [bbox.x, bbox.y, bbox.width, bbox.height],
                iscrowd: 0,
            });
        }
        let files = sink.files.subset(&item.subset)?;
        let image_id = files.add_image(&item, &file_name)?;
        files.annotations.record(&AnnotationRecord {
            image_id,
            file_name: &format!("{}.png", item.id),
            segments_info,
        })?;
        Ok(segments.len() as u64)
    }

    fn finish(
        &self,
        sink: PanopticSink<'_>,
        _job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        sink.finish(subsets, &self.stuff, summary)
    }
}

/// The folder of the panoptic PNGs of `subset`.
fn png_dir(out: &Path, subset: &str) -> PathBuf {
    out.join("annotations").join(format!("panoptic_{subset}"))
}

/// Which categories are stuff.
#[derive(Debug)]
enum StuffRule {
    /// Output labels that are stuff, by id; empty when every one is a thing.
    Labels(BTreeSet<LabelId>),
    /// Categories are ADE classes; those `--stuff` keeps are stuff.
    Classes(LabelPlan),
}

impl StuffRule {
    /// The rule for `plan` and `options.stuff`. Refuses `--stuff` when the
    /// label list carries its own split.
    fn resolve(
        plan: &LabelPlan,
        options: &ExportOptions,
        dataset: &WholeDataset<'_>,
    ) -> Result<Self, ExportError> {
        let Some(list) = &options.stuff else {
            return Ok(StuffRule::Labels(
                plan.labels()
                    .iter()
                    .filter(|label| label.is_thing == Some(false))
                    .map(|label| label.id)
                    .collect(),
            ));
        };
        if plan.labels().iter().any(|label| label.is_thing.is_some()) {
            return Err(ExportError::Usage(
                "the label list carries its own thing/stuff split (sceneparsing150); \
                 --stuff cannot be combined with it"
                    .into(),
            ));
        }
        let listed = LabelPlan::resolve(&LabelSelection::List(list.clone()), dataset, None)?;
        if plan.is_by_class_index() {
            return Ok(StuffRule::Classes(listed));
        }
        Ok(StuffRule::Labels(
            plan.labels()
                .iter()
                .filter(|label| listed.keeps_label(label))
                .map(|label| label.id)
                .collect(),
        ))
    }

    /// Whether `object`, of output label `label`, is stuff.
    fn is_stuff(&self, label: LabelId, object: &Object) -> bool {
        match self {
            StuffRule::Labels(ids) => ids.contains(&label),
            StuffRule::Classes(listed) => listed.label_of(object).is_some(),
        }
    }
}

/// One item whose PNG is written, ready to be numbered and listed.
pub(crate) struct PreparedItem {
    item: Item,
    file_name: String,
    /// Segments in id order (id = position + 1).
    segments: Vec<Segment>,
}

/// One segment of an image: a thing object, or the stuff objects of one label.
struct Segment {
    /// Indices in `item.objects`, in object order.
    objects: Vec<usize>,
    stuff: bool,
    extent: Extent,
}

impl CocoPanoptic {
    /// The segments of `item`, numbered in object order, and the segment id
    /// of each object (0 for none). Stuff objects of one label share a segment.
    fn segments(
        &self,
        item: &Item,
        labels: &[Option<LabelId>],
        visible: &[bool],
        left_out: &mut Vec<LeftOut>,
    ) -> (Vec<Segment>, Vec<u32>) {
        let mut segments: Vec<Segment> = Vec::new();
        let mut segment_of = vec![0u32; item.objects.len()];
        let mut stuff_segments: HashMap<LabelId, usize> = HashMap::new();
        for (index, object) in item.objects.iter().enumerate() {
            let Some(label) = labels[index] else {
                continue;
            };
            if !visible[index] {
                left_out.push(LeftOut::NoPixels);
                continue;
            }
            let stuff = self.stuff.is_stuff(label, object);
            let position = match stuff.then(|| stuff_segments.get(&label)).flatten() {
                Some(&position) => position,
                None => {
                    segments.push(Segment {
                        objects: Vec::new(),
                        stuff,
                        extent: Extent::default(),
                    });
                    if stuff {
                        stuff_segments.insert(label, segments.len() - 1);
                    }
                    segments.len() - 1
                }
            };
            segments[position].objects.push(index);
            segment_of[index] = position as u32 + 1;
        }
        (segments, segment_of)
    }
}

/// Numbers images and writes their records, in order.
pub(crate) struct PanopticSink<'a> {
    files: CocoFiles,
    labels: LabelRegistry<'a>,
    /// Category ids written as stuff segments.
    stuff_categories: BTreeSet<LabelId>,
}

/// One entry of `annotations`: the segments of one image.
#[derive(Serialize)]
struct AnnotationRecord<'a> {
    image_id: u64,
    file_name: &'a str,
    segments_info: Vec<SegmentRecord>,
}

/// One entry of `segments_info`.
#[derive(Serialize)]
struct SegmentRecord {
    id: u32,
    category_id: LabelId,
    area: u64,
    bbox: [u32; 4],
    iscrowd: u8,
}

/// One entry of `categories`.
#[derive(Serialize)]
struct CategoryRecord<'a> {
    id: LabelId,
    name: &'a str,
    supercategory: &'a str,
    isthing: u8,
    color: [u8; 3],
}

impl PanopticSink<'_> {
    /// Writes every subset's JSON with the categories seen (or listed).
    fn finish(
        self,
        subsets: &[String],
        stuff: &StuffRule,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let labels = self.labels.labels();
        let categories: Vec<CategoryRecord> = labels
            .iter()
            .map(|label| {
                let is_stuff = self.stuff_categories.contains(&label.id)
                    || matches!(stuff, StuffRule::Labels(ids) if ids.contains(&label.id));
                CategoryRecord {
                    id: label.id,
                    name: &label.name,
                    supercategory: &label.supercategory,
                    isthing: u8::from(!is_stuff),
                    color: label.color.unwrap_or_else(|| voc_color(label.id.0)),
                }
            })
            .collect();
        self.files.finish(subsets, &categories)?;
        summary.categories = categories.len();
        Ok(())
    }
}
