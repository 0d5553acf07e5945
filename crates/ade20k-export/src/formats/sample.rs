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

use ade20k_model::{ClassIndex, Error, Item, MaskKind, Object, ObjectId, Occlusion, SourceInfo};
use serde::Serialize;

use crate::encode::png_out::encode_png;
use crate::encode::rle::Rle;
use crate::formats::{Format, Job, Setting};
use crate::labels::selection::LabelPlan;
use crate::run::media::{image_file_name, real_file, scaled_photo};
use crate::run::ItemFiles;
use crate::{ExportError, ExportOptions, LabelNaming, LeftOut, MediaMode, PartsMode};

/// Largest photo embedded in a sample: far above any photo of the release.
const MAX_PHOTO_BYTES: u64 = 1 << 30;

/// Shard size used when [`ExportOptions::shard_bytes`] is `None`: 500 MB.
pub(crate) const DEFAULT_SHARD_BYTES: u64 = 500_000_000;

/// The split name a subset is published under: `train` for `training`, the
/// subset's own name otherwise (`validation`).
pub(crate) fn split_name(subset: &str) -> &str {
    match subset {
        "training" => "train",
        other => other,
    }
}

/// The settings both formats take.
pub(crate) const TAKES: &[Setting] = &[
    Setting::Parts,
    Setting::MaskKind,
    Setting::LabelNaming,
    Setting::PartLevel,
    Setting::ShardSize,
];

/// Refuses the values of the settings `format` takes that it cannot honour,
/// and resolves the labels.
pub(crate) fn plan(job: &Job<'_>, format: Format) -> Result<LabelPlan, ExportError> {
    let options = job.options;
    if options.label_naming == LabelNaming::Raw {
        return Err(ExportError::not_taken(
            format,
            Setting::LabelNaming,
            options,
        ));
    }
    if options.shard_bytes == Some(0) {
        return Err(ExportError::not_taken(format, Setting::ShardSize, options));
    }
    let problem = if matches!(options.media, MediaMode::Hardlink | MediaMode::Symlink) {
        "embeds the photos' bytes, so they cannot be links: copy them, or write none"
    } else if options.parts == PartsMode::Exclude && options.part_level > 0 {
        "cannot leave parts out and write the class map of a part level above 0"
    } else {
        let capacity = (usize::from(u16::MAX), "a 16-bit class map");
        return LabelPlan::resolve(&options.labels, &job.dataset, Some(capacity));
    };
    Err(ExportError::Usage(format!("{} {problem}", format.name)))
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
    /// The photo's bytes (encoded again when scaled); `None` with
    /// [`MediaMode::None`].
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
}

/// One object of a sample: every field of [`Object`] (the polygon as
/// `[x, y]` points), its label, and its mask.
#[derive(Debug, Serialize)]
pub(crate) struct SampleObject {
    /// ADE id within the item.
    pub id: ObjectId,
    /// Position of the object's label in the label list, from 0.
    pub label: u32,
    /// ADE class index.
    pub class_index: ClassIndex,
    /// WordNet class name.
    pub name: String,
    /// The annotator's word.
    pub raw_name: String,
    /// WordNet chain up to `entity`.
    pub hypernym: Vec<String>,
    /// 0 for whole objects, 1 for parts, …
    pub part_level: u32,
    /// ADE id of the object this is a part of.
    pub parent: Option<ObjectId>,
    /// ADE ids of its parts.
    pub children: Vec<ObjectId>,
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
pub(crate) struct SampleConversion {
    /// The export's options.
    pub options: ExportOptions,
    /// The resolved labels.
    pub plan: LabelPlan,
}

impl SampleConversion {
    /// `item` as a sample; the objects and pixels it leaves out are counted
    /// in `files`, which writes nothing.
    pub fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<Sample, Error> {
        let photo = self.photo(&item)?;
        let class_map = self.class_map(&item, files)?;
        let mut objects = Vec::new();
        let mut left_out = Vec::new();
        for (index, object) in self
            .plan
            .selected_objects(&item, self.options.parts, &mut left_out)
        {
            // `selected_objects` returns only objects with a label.
            let Some(id) = self.plan.label_of(object) else {
                left_out.push(LeftOut::NotSelected);
                continue;
            };
            let mask = item.instance_mask(index)?;
            let visible = shape(&mask.cropped(MaskKind::Visible));
            let amodal = (self.options.mask_kind == MaskKind::Amodal)
                .then(|| shape(&mask.cropped(MaskKind::Amodal)));
            let kept_area = amodal.as_ref().unwrap_or(&visible).area;
            if kept_area == 0 {
                left_out.push(LeftOut::NoPixels);
                continue;
            }
            objects.push(sample_object(object, id.0 - 1, visible, amodal));
        }
        files.leave_out_all(left_out);
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
        })
    }

    /// The photo's bytes as the media mode says: none, the file's own, or
    /// encoded again at the item's size when it is scaled.
    fn photo(&self, item: &Item) -> Result<Option<Vec<u8>>, Error> {
        if self.options.media == MediaMode::None {
            return Ok(None);
        }
        let source = real_file(&item.image.path)?;
        if self.options.media == MediaMode::Scaled {
            if let Some(bytes) = scaled_photo(item, &source)? {
                return Ok(Some(bytes));
            }
        }
        ade20k_fs::read_regular(&source, MAX_PHOTO_BYTES).map(Some)
    }

    /// The class map of the requested level as a PNG; the labeled pixels it
    /// drops and a missing level (then every pixel is 0) are counted in `files`.
    fn class_map(&self, item: &Item, files: &mut ItemFiles) -> Result<Vec<u8>, Error> {
        let level = self.options.part_level;
        let (width, height, values) = if level > item.part_levels {
            files.leave_out_many(LeftOut::MissingPartLevel(level), 1);
            let pixels = item.image.width as usize * item.image.height as usize;
            (item.image.width, item.image.height, vec![0u16; pixels])
        } else {
            let map = item.class_map(level)?;
            let (values, dropped) = self.plan.pixel_values(item, map.classes());
            if dropped > 0 {
                files.leave_out_many(LeftOut::NotSelectedPixel, dropped);
            }
            (map.width(), map.height(), values)
        };
        let pixels = self.plan.grey_depth().pixels(values);
        encode_png(&item.image.path, width, height, &pixels)
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
