use std::num::NonZeroU32;
use std::path::PathBuf;

use ade20k_model::{MaskKind, PhaseHook};

use crate::{ItemFilter, LabelList, LabelSelection, ProgressHook};

/// How an exporter behaves; every format reads the options that apply to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Whether parts (level 1 and deeper) become annotations of their own.
    pub parts: PartsMode,
    /// Which mask pixels make an object: visible (default) or amodal.
    pub mask_kind: MaskKind,
    /// How instance shapes are written, where the format offers a choice.
    pub segmentation: SegmentationMode,
    /// How categories are named.
    pub label_naming: LabelNaming,
    /// Which classes are kept, in which order.
    pub labels: LabelSelection,
    /// Classes that are amorphous stuff rather than countable things, where
    /// the format distinguishes them (COCO panoptic); `None`: every class is a
    /// thing unless the label selection says otherwise.
    pub stuff: Option<LabelList>,
    /// How images reach the output.
    pub media: MediaMode,
    /// The part level whose class map per-pixel formats write: 0 (default)
    /// for whole objects (`_seg.png`), N for the parts of level N
    /// (`_parts_N.png`).
    pub part_level: u32,
    /// What YOLO labels describe: polygons (default) or boxes.
    pub yolo_task: YoloTask,
    /// How far a YOLO polygon may stray from the exact outline of its mask.
    pub yolo_simplify: SimplifyTolerance,
    /// The largest size in bytes of one shard file, for the formats written
    /// in shards (`parquet`, `webdataset`); `None`: 500 MB. A shard exceeds
    /// it only when one item alone does.
    pub shard_bytes: Option<u64>,
    /// The folder the output will have once complete, where it differs from
    /// the folder written into: [`export`](crate::export) writes into a
    /// staging folder and sets this to the target it renames it to. Formats
    /// that record their own location (YOLO's `data.yaml`) write this one;
    /// `None`: the folder written into.
    pub destination: Option<PathBuf>,
    /// Which items and objects of the dataset are written; the default keeps
    /// everything. Applied before the format sees the dataset, so every
    /// format honours it; the objects it leaves out are counted in the summary.
    pub filter: ItemFilter,
    /// Told of every item once it is written, in item order; `None`: nobody is.
    pub progress: Option<ProgressHook>,
    /// Told how far each pass over the items has got: reading the classes
    /// (label-file checks, formats that number classes), counting pixels
    /// (`--top-classes`), checking items (`skip_broken`) and writing; `None`:
    /// nobody is.
    pub phases: Option<PhaseHook>,
    /// Leave out broken items instead of failing on the first one: an item
    /// whose annotation, file headers or the masks the format decodes
    /// (`semantic` decodes no instance mask) cannot be read, decoded, or
    /// disagree with it (and, unless [`MediaMode::None`], whose image is not
    /// a regular file). Each mask is decoded once, as the format prepares the
    /// item; the items that fail are left out entirely, listed in
    /// [`Summary::skipped`](crate::Summary::skipped) and in
    /// [`SKIPPED_FILE`](crate::SKIPPED_FILE) in the output, and the output is
    /// the same as a conversion of the dataset without them. Errors writing
    /// the output are never skipped. `false` (default): the first broken item
    /// stops the export.
    pub skip_broken: bool,
    /// Whether images are scaled down before they are written, masks and
    /// shapes with them (see [`MaxShortSide`]).
    pub max_short_side: MaxShortSide,
}

/// How far images are scaled down: when the shorter side of an image
/// exceeds the limit, the image is scaled so that side is the limit and the
/// longer one `round(long / short × limit)`, the SceneParsing benchmark's
/// rule. Class maps and instance masks are sampled by nearest neighbour at
/// pixel centres (MATLAB's `imresize(…, 'nearest')`, as the benchmark's
/// converter does), polygons scaled, and every box, area, RLE and polygon is
/// computed from the scaled masks; photos are averaged over the area each
/// output pixel covers and encoded again ([`MediaMode::Scaled`]), so they
/// cannot be linked. Formats that copy their source files unchanged
/// (`ade20k2020`) refuse a limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MaxShortSide {
    /// The format's own choice: [`MaxShortSide::Benchmark`] for
    /// `ade20k_challenge`, no scaling for every other format.
    #[default]
    FormatDefault,
    /// No scaling: images keep their size.
    Off,
    /// Scale images whose shorter side exceeds this many pixels.
    Pixels(NonZeroU32),
    /// The SceneParsing benchmark's own rule: as `Pixels(512)`
    /// ([`BENCHMARK_SHORT_SIDE`]), except that square images keep their
    /// size, as its converter (`convertFromADE.m`) leaves every image whose
    /// sides are equal. The instance benchmark's image list records 97 such
    /// squares above 512 (up to 2100×2100) among its 25,562 images.
    Benchmark,
}

/// The shorter side of the SceneParsing benchmark's images, at most.
pub const BENCHMARK_SHORT_SIDE: u32 = 512;

/// A limit as the command line writes it: a number of pixels (1 or more),
/// `off` or `benchmark`.
impl std::str::FromStr for MaxShortSide {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "off" => Ok(MaxShortSide::Off),
            "benchmark" => Ok(MaxShortSide::Benchmark),
            _ => text
                .parse()
                .ok()
                .and_then(NonZeroU32::new)
                .map(MaxShortSide::Pixels)
                .ok_or_else(|| {
                    format!(
                        "`{text}` is neither a number of pixels (1 or more), `off` nor `benchmark`"
                    )
                }),
        }
    }
}

/// The shapes YOLO label files hold, as Ultralytics' tasks name them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum YoloTask {
    /// Instance segmentation: one polygon per object.
    #[default]
    Segment,
    /// Detection: one box per object.
    Detect,
}

/// The Douglas–Peucker tolerance of YOLO polygons, in pixels: every vertex
/// of the exact polygon (through the centres of the mask's boundary pixels)
/// lies within it of the polygon written. 0 writes the exact polygon.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimplifyTolerance(f64);

// A tolerance is never NaN, so equality is total.
impl Eq for SimplifyTolerance {}

impl SimplifyTolerance {
    /// The default, 0.75 pixels, chosen by measurement on a real image (see
    /// the `yolo` format): the mean IoU under Ultralytics' rasteriser stays
    /// above 0.99 with a margin, and the labels take a seventh of the bytes
    /// of pixel-corner polygons.
    pub const DEFAULT: SimplifyTolerance = SimplifyTolerance(0.75);

    /// A tolerance of `pixels`, or `None` unless it is finite and not negative.
    pub fn pixels(pixels: f64) -> Option<SimplifyTolerance> {
        (pixels.is_finite() && pixels >= 0.0).then_some(SimplifyTolerance(pixels))
    }

    /// The tolerance in pixels.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl std::fmt::Display for SimplifyTolerance {
    /// The number of pixels, as `f64` prints it (`1`, `0.5`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Default for SimplifyTolerance {
    fn default() -> Self {
        SimplifyTolerance::DEFAULT
    }
}

/// Whether parts are exported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum PartsMode {
    /// Objects and parts of every level.
    #[default]
    Include,
    /// Level-0 objects only.
    Exclude,
}

/// The shape written for each instance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum SegmentationMode {
    /// The mask, run-length encoded: pixel-exact.
    #[default]
    Rle,
    /// Polygons traced along the mask's pixel borders (holes bridged).
    Polygon,
    /// The polygon the annotator drew, as annotated.
    SourcePolygon,
}

/// How category names are chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum LabelNaming {
    /// The WordNet name's first synonym (`car`), or the full name where two
    /// classes would share it. Categories are keyed by class index.
    #[default]
    Canonical,
    /// The full WordNet name (`car, auto, automobile, machine, motorcar`).
    Full,
    /// The word the annotator typed (`cars`); categories are keyed by it.
    Raw,
}

/// How image files reach the output folder. Every mode but `None` follows
/// symbolic links: a photo that is a link is placed as the file it leads to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum MediaMode {
    /// A file of its own: changing it never changes the source. A reflink
    /// where the file system has them, otherwise a copy in the kernel.
    #[default]
    Copy,
    /// A hard link to the source file (a copy where linking is impossible,
    /// e.g. across file systems): the output *is* the source, so editing it
    /// in place edits the dataset.
    Hardlink,
    /// A symbolic link to the absolute path of the source file: the output
    /// reads the source, and writing through the link writes the dataset.
    Symlink,
    /// No image files; annotations name the images relative to their subset.
    None,
    /// A file of its own, decoded and encoded again in its own format at the
    /// size the item gives, averaged over the area each output pixel covers:
    /// JPEG at quality [`JPEG_QUALITY`](crate::JPEG_QUALITY), PNG lossless.
    /// What [`MaxShortSide`] turns [`MediaMode::Copy`] into.
    Scaled,
}
