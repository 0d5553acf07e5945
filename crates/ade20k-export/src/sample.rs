//! One item as the formats for training at scale (`parquet`, `webdataset`)
//! store it: the photo's own bytes, the class map as a grey PNG, and the
//! objects with every field of the model plus their box, area and mask as
//! COCO RLE. Both formats prepare items here and differ only in how they
//! write them, and both are split in shards of bounded size named after the
//! split.
//!
//! Labels are always listed (`LabelPlan::resolve` with a 16-bit capacity):
//! without a selection every class of the dataset, in class-index order,
//! so that the class names are known before the first shard is written
//! (a shard is closed, and its metadata final, long before the last item is
//! read). An object's `label` is its position in that list from 0, as a
//! `datasets` `ClassLabel` counts; a class-map pixel holds the label's id
//! (position + 1), 0 for unlabeled pixels and classes not kept.

use ade20k_model::{Error, Item, ItemSource, MaskKind, Object, Occlusion, SourceInfo};
use serde::Serialize;

use crate::coco::NO_PIXELS;
use crate::media::image_file_name;
use crate::pipeline::Conversion;
use crate::png_out::encode_png;
use crate::rle::Rle;
use crate::selection::LabelPlan;
use crate::{ExportError, ExportOptions, LabelNaming, MediaMode, PartsMode, Summary};

/// Largest photo embedded in a sample: far above any photo of the release.
const MAX_PHOTO_BYTES: u64 = 1 << 30;

/// Shard size used when [`ExportOptions::shard_bytes`] is `None`: 500 MB.
pub(crate) const DEFAULT_SHARD_BYTES: u64 = 500_000_000;

/// Reason counted for labeled pixels whose class is not kept.
const NOT_SELECTED_PIXELS: &str = "class-map pixels of classes not selected (written as 0)";
/// Reason counted for items without the requested part level.
const MISSING_LEVEL: &str = "items without the requested part level (class map of 0)";

/// The split name a subset is published under: `train` for `training`, the
/// subset's own name otherwise (`validation`).
pub(crate) fn split_name(subset: &str) -> &str {
    match subset {
        "training" => "train",
        other => other,
    }
}

/// Refuses the options these formats cannot honour and resolves the labels.
pub(crate) fn plan(
    source: &dyn ItemSource,
    options: &ExportOptions,
    format: &str,
) -> Result<LabelPlan, ExportError> {
    let problem = if matches!(options.media, MediaMode::Hardlink | MediaMode::Symlink) {
        "embeds the photos' bytes: --media hardlink and symlink do not apply (copy, or none to leave photos out)"
    } else if options.label_naming == LabelNaming::Raw {
        "names classes by WordNet name: --label-name raw does not apply"
    } else if options.parts == PartsMode::Exclude && options.part_level > 0 {
        "was asked for --parts exclude, which contradicts --parts-level above 0"
    } else if options.shard_bytes == Some(0) {
        "needs a shard size of at least one byte"
    } else {
        let capacity = (usize::from(u16::MAX), "a 16-bit class map");
        return LabelPlan::resolve(
            &options.labels,
            source,
            Some(capacity),
            options.phases.as_ref(),
        );
    };
    Err(ExportError::Usage(format!("{format} {problem}")))
}

/// What one item becomes, for either format.
pub(crate) struct Sample {
    /// The item's subset.
    pub subset: String,
    /// The item id.
    pub id: String,
    /// The photo's file name (`ADE_train_00016964.jpg`).
    pub filename: String,
    /// The photo's extension, lower case (`jpg`).
    pub extension: String,
    /// The photo's bytes; `None` with [`MediaMode::None`].
    pub photo: Option<Vec<u8>>,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Scene words, most general first.
    pub scene: Vec<String>,
    /// Where the original photo came from.
    pub source: SourceInfo,
    /// The class map of the requested part level as a grey PNG.
    pub class_map: Vec<u8>,
    /// The objects kept, in annotation order.
    pub objects: Vec<SampleObject>,
    /// Reasons for the objects left out.
    pub left_out: Vec<&'static str>,
    /// Labeled pixels written as 0 because their class is not kept.
    pub dropped_pixels: u64,
    /// Whether the item lacks the requested part level.
    pub missing_level: bool,
}

/// One object of a sample: every field of [`Object`] (the polygon as
/// `[x, y]` points), its label, and its mask.
#[derive(Debug, Serialize)]
pub(crate) struct SampleObject {
    /// ADE id within the item.
    pub id: u32,
    /// Position of the object's label in the label list, from 0.
    pub label: u32,
    /// ADE class index.
    pub class_index: u32,
    /// WordNet class name.
    pub name: String,
    /// The annotator's word.
    pub raw_name: String,
    /// WordNet chain up to `entity`.
    pub hypernym: Vec<String>,
    /// 0 for whole objects, 1 for parts, …
    pub part_level: u32,
    /// ADE id of the object this is a part of.
    pub parent: Option<u32>,
    /// ADE ids of its parts.
    pub children: Vec<u32>,
    /// Whether it is occluded; `None` when not annotated.
    pub occluded: Option<bool>,
    /// Whether the image border cuts it.
    pub crop: bool,
    /// Depth order, 1 = front-most.
    pub depth_rank: Option<u32>,
    /// Attribute words.
    pub attributes: Vec<String>,
    /// The annotator's polygon.
    pub polygon: Vec<[f64; 2]>,
    /// The instance mask file, relative to the annotation.
    pub instance_mask: String,
    /// Annotation date, as annotated.
    pub saved_date: String,
    /// Box of the visible mask, `[x, y, width, height]` (zeros when empty).
    pub bbox: [u32; 4],
    /// Visible pixels.
    pub area: u64,
    /// The visible mask.
    pub segmentation: CocoRle,
    /// With `--amodal`: the amodal mask's box, area and RLE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amodal: Option<AmodalShape>,
}

/// A mask as COCO compressed RLE.
#[derive(Debug, Serialize)]
pub(crate) struct CocoRle {
    /// `[height, width]`.
    pub size: [u32; 2],
    /// The compressed counts.
    pub counts: String,
}

/// The amodal mask of an object (visible and hidden pixels).
#[derive(Debug, Serialize)]
pub(crate) struct AmodalShape {
    /// Box, `[x, y, width, height]`.
    pub bbox: [u32; 4],
    /// Pixels.
    pub area: u64,
    /// The mask.
    pub segmentation: CocoRle,
}

/// Prepares samples on any thread.
pub(crate) struct SampleConversion<'a> {
    /// The export's options.
    pub options: &'a ExportOptions,
    /// The resolved labels.
    pub plan: &'a LabelPlan,
}

impl Conversion for SampleConversion<'_> {
    type Prepared = Sample;

    fn prepare(&self, item: Item) -> Result<Sample, Error> {
        let photo = match self.options.media {
            MediaMode::None => None,
            _ => Some(ade20k_fs::read_regular(&item.image.path, MAX_PHOTO_BYTES)?),
        };
        let (class_map, dropped_pixels, missing_level) = self.class_map(&item)?;
        let mut objects = Vec::new();
        let mut left_out = Vec::new();
        for (index, object) in self
            .plan
            .selected_objects(&item, self.options.parts, &mut left_out)
        {
            let mask = item.instance_mask(index)?;
            let visible = shape(&mask.cropped(MaskKind::Visible));
            let amodal = (self.options.mask_kind == MaskKind::Amodal)
                .then(|| shape(&mask.cropped(MaskKind::Amodal)));
            let kept_area = amodal.as_ref().unwrap_or(&visible).area;
            if kept_area == 0 {
                left_out.push(NO_PIXELS);
                continue;
            }
            // `selected_objects` returns only objects with a label.
            let Some(id) = self.plan.label_of(object) else {
                continue;
            };
            objects.push(sample_object(object, id - 1, visible, amodal));
        }
        let filename = image_file_name(&item);
        let filename = filename.rsplit('/').next().unwrap_or_default().to_string();
        let extension = item
            .image
            .path
            .extension()
            .and_then(|ext| ext.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        Ok(Sample {
            subset: item.subset,
            id: item.id,
            filename,
            extension,
            photo,
            width: item.image.width,
            height: item.image.height,
            scene: item.scene,
            source: item.source,
            class_map,
            objects,
            left_out,
            dropped_pixels,
            missing_level,
        })
    }
}

impl SampleConversion<'_> {
    /// The class map of the requested level as a PNG, the labeled pixels it
    /// dropped, and whether the level is missing (then every pixel is 0).
    fn class_map(&self, item: &Item) -> Result<(Vec<u8>, u64, bool), Error> {
        let level = self.options.part_level;
        let missing_level = level > item.part_levels;
        let (width, height, values, dropped) = if missing_level {
            let pixels = item.image.width as usize * item.image.height as usize;
            (item.image.width, item.image.height, vec![0u16; pixels], 0)
        } else {
            let map = item.class_map(level)?;
            let (values, dropped) = self.plan.pixel_values(item, map.classes());
            (map.width(), map.height(), values, dropped)
        };
        let mut narrowed = Vec::new();
        let pixels = self.plan.grey_depth().pixels(&values, &mut narrowed);
        let png = encode_png(&item.image.path, width, height, pixels)?;
        Ok((png, dropped, missing_level))
    }
}

/// Box, area and RLE of a mask.
fn shape(mask: &ade20k_model::CroppedMask) -> AmodalShape {
    let rle = Rle::encode_cropped(mask);
    let bbox = mask
        .bbox()
        .map_or([0; 4], |b| [b.x, b.y, b.width, b.height]);
    AmodalShape {
        bbox,
        area: mask.area(),
        segmentation: CocoRle {
            size: [rle.height, rle.width],
            counts: rle.to_coco_string(),
        },
    }
}

fn sample_object(
    object: &Object,
    label: u32,
    visible: AmodalShape,
    amodal: Option<AmodalShape>,
) -> SampleObject {
    SampleObject {
        id: object.ade_id,
        label,
        class_index: object.class,
        name: object.name.clone(),
        raw_name: object.raw_name.clone(),
        hypernym: object.hypernym.clone(),
        part_level: object.part_level,
        parent: object.parent,
        children: object.children.clone(),
        occluded: match object.occluded {
            Occlusion::Yes => Some(true),
            Occlusion::No => Some(false),
            Occlusion::Unknown => None,
        },
        crop: object.crop,
        depth_rank: object.depth_rank,
        attributes: object.attributes.clone(),
        polygon: object.polygon.clone(),
        instance_mask: object.instance_mask.clone(),
        saved_date: object.saved_date.clone(),
        bbox: visible.bbox,
        area: visible.area,
        segmentation: visible.segmentation,
        amodal,
    }
}

/// What a written sample adds to the summary.
pub(crate) struct SampleCounts {
    objects: u64,
    left_out: Vec<&'static str>,
    dropped_pixels: u64,
    missing_level: bool,
}

impl SampleCounts {
    /// The counts of `sample`.
    pub fn of(sample: &Sample) -> Self {
        SampleCounts {
            objects: sample.objects.len() as u64,
            left_out: sample.left_out.clone(),
            dropped_pixels: sample.dropped_pixels,
            missing_level: sample.missing_level,
        }
    }

    /// Counts one item of `subset` with these objects in `summary`.
    pub fn add_to(self, summary: &mut Summary, subset: String) {
        let counts = summary.subsets.entry(subset).or_default();
        counts.items += 1;
        counts.annotations += self.objects;
        summary.leave_out_all(self.left_out);
        if self.dropped_pixels > 0 {
            *summary
                .left_out
                .entry(NOT_SELECTED_PIXELS.into())
                .or_default() += self.dropped_pixels;
        }
        if self.missing_level {
            summary.leave_out(MISSING_LEVEL);
        }
    }
}

/// Names and sizes of the shards of one split, and when to start the next.
#[derive(Debug)]
pub(crate) struct ShardBound {
    limit: u64,
}

impl ShardBound {
    /// The bound of `options` (500 MB unless set).
    pub fn of(options: &ExportOptions) -> Self {
        ShardBound {
            limit: options.shard_bytes.unwrap_or(DEFAULT_SHARD_BYTES),
        }
    }

    /// Whether a shard holding `written` bytes and `samples` samples must
    /// be closed before a sample of `next` bytes: a shard never exceeds the
    /// bound, unless one sample alone does.
    pub fn is_full(&self, written: u64, samples: u64, next: u64) -> bool {
        samples > 0 && written + next > self.limit
    }
}
