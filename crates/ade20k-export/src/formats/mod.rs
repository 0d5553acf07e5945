//! The contract every output format keeps, and the table of formats.
//!
//! A format is a type implementing [`Exporter`]: it says what it is
//! ([`Format`]: name, description, the settings it takes) and does only its
//! own work: [`Exporter::start`] (resolve its labels, make its folders),
//! [`Exporter::prepare`] (turn one item into what it writes, on any thread,
//! writing nothing itself), [`Exporter::write`] (number and record one
//! prepared item, in item order) and [`Exporter::finish`] (the files that
//! need every item). Everything else is the runner's (`crate::run`): the
//! settings a format does not take are refused before it starts, the item
//! filter and `--skip-broken` are applied around it, the files each item
//! writes are written for it, items are counted in the summary.

mod ade20k2020;
mod ade20k_challenge;
mod camvid;
mod cityscapes;
mod coco;
pub(crate) mod coco_json;
mod coco_panoptic;
mod cvat;
mod datumaro;
mod flat_names;
mod hub;
mod kitti;
mod label_me;
mod mots;
mod open_images;
mod parquet;
#[cfg(test)]
mod recipe;
mod sample;
mod segment_anything;
mod semantic;
pub(crate) mod source_json;
mod voc;
mod webdataset;
mod yolo;

use std::path::{Path, PathBuf};

use ade20k_model::{BBox, CroppedMask, Error, Item, ItemSource, Object};

use crate::labels::selection::LabelPlan;
use crate::labels::LabelId;
use crate::run::{ItemFiles, Ran, WholeDataset};
use crate::{
    ExportError, ExportOptions, LabelNaming, LeftOut, MaxShortSide, MediaMode, SegmentationMode,
    Summary, BENCHMARK_SHORT_SIDE,
};

/// Every format this crate writes. Adding a format means adding its module
/// (a type implementing the crate's `Exporter` trait) and one line here.
pub const FORMATS: &[Format] = &[
    coco::Coco::FORMAT,
    coco_panoptic::CocoPanoptic::FORMAT,
    semantic::Semantic::FORMAT,
    voc::Voc::FORMAT,
    cityscapes::Cityscapes::FORMAT,
    datumaro::Datumaro::FORMAT,
    ade20k2020::Ade20k2020::FORMAT,
    yolo::Yolo::FORMAT,
    ade20k_challenge::Challenge::FORMAT,
    kitti::Kitti::FORMAT,
    mots::Mots::FORMAT,
    camvid::Camvid::FORMAT,
    cvat::Cvat::FORMAT,
    label_me::LabelMe::FORMAT,
    segment_anything::SegmentAnything::FORMAT,
    open_images::OpenImages::FORMAT,
    parquet::Parquet::FORMAT,
    webdataset::WebDataset::FORMAT,
];

/// An output format: its name on the command line, what it is, and what it
/// takes. Formats are listed in [`FORMATS`](crate::FORMATS).
#[derive(Clone, Copy, Debug)]
pub struct Format {
    /// Name used to select the format, e.g. `coco`.
    pub name: &'static str,
    /// One line on what the format is and who reads it.
    pub description: &'static str,
    /// The settings of [`ExportOptions`] this format honours; any other set
    /// to something but its default is refused ([`ExportError::NotTaken`]).
    pub takes: &'static [Setting],
    /// Runs the whole export of this format (see `crate::run::run`).
    pub(crate) run: fn(&Job<'_>) -> Result<Ran, ExportError>,
    /// Whether the format can write items scaled ([`ExportOptions::max_short_side`]).
    pub(crate) scaling: Scaling,
}

/// Whether a format writes items scaled down ([`MaxShortSide`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scaling {
    /// It copies its source's files unchanged: it cannot.
    Never,
    /// When asked; by default not.
    Optional,
    /// By default as this limit says (never [`MaxShortSide::FormatDefault`]).
    ByDefault(MaxShortSide),
}

impl Format {
    /// Whether this format honours `setting`.
    pub fn takes(&self, setting: Setting) -> bool {
        self.takes.contains(&setting)
    }

    /// `options` with [`ExportOptions::max_short_side`] resolved for this
    /// format (never [`MaxShortSide::FormatDefault`]) and, when images are
    /// scaled, [`MediaMode::Copy`] made [`MediaMode::Scaled`]. A limit the
    /// format cannot honour, or scaled images asked to be links to the
    /// full-size photos, is an [`ExportError::Usage`].
    pub(crate) fn resolve_scaling(
        &self,
        options: &ExportOptions,
    ) -> Result<ExportOptions, ExportError> {
        let limit = match (options.max_short_side, self.scaling) {
            (MaxShortSide::FormatDefault, Scaling::ByDefault(limit)) => limit,
            (MaxShortSide::FormatDefault | MaxShortSide::Off, _) => MaxShortSide::Off,
            (MaxShortSide::Pixels(_) | MaxShortSide::Benchmark, Scaling::Never) => {
                return Err(ExportError::Usage(format!(
                    "{} copies the dataset's files unchanged and cannot scale them; \
                     a maximum short side does not apply",
                    self.name
                )))
            }
            (limit, _) => limit,
        };
        let shorter_side = match limit {
            MaxShortSide::Pixels(pixels) => pixels.get(),
            MaxShortSide::Benchmark => BENCHMARK_SHORT_SIDE,
            MaxShortSide::Off | MaxShortSide::FormatDefault => {
                return Ok(ExportOptions {
                    max_short_side: MaxShortSide::Off,
                    ..options.clone()
                })
            }
        };
        let media = match options.media {
            MediaMode::Copy | MediaMode::Scaled => MediaMode::Scaled,
            MediaMode::None => MediaMode::None,
            MediaMode::Hardlink | MediaMode::Symlink => {
                return Err(ExportError::Usage(format!(
                    "{} scales images to a shorter side of at most {shorter_side} pixels, so they \
                     cannot be links to the full-size photos: copy them (they are encoded \
                     again at the scaled size), write none, or turn scaling off",
                    self.name
                )))
            }
        };
        Ok(ExportOptions {
            max_short_side: limit,
            media,
            ..options.clone()
        })
    }
}

/// A setting of [`ExportOptions`] that only some formats honour. The others
/// (labels, media, item filter, `skip_broken`, progress) apply to every format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// [`ExportOptions::parts`].
    Parts,
    /// [`ExportOptions::mask_kind`].
    MaskKind,
    /// [`ExportOptions::segmentation`].
    Segmentation,
    /// [`ExportOptions::label_naming`].
    LabelNaming,
    /// [`ExportOptions::stuff`].
    Stuff,
    /// [`ExportOptions::part_level`].
    PartLevel,
    /// [`ExportOptions::yolo_task`].
    YoloTask,
    /// [`ExportOptions::yolo_simplify`].
    YoloSimplify,
    /// [`ExportOptions::shard_bytes`].
    ShardSize,
}

impl Setting {
    /// Every setting, in the order of [`ExportOptions`]' fields.
    pub const ALL: [Setting; 9] = [
        Setting::Parts,
        Setting::MaskKind,
        Setting::Segmentation,
        Setting::LabelNaming,
        Setting::Stuff,
        Setting::PartLevel,
        Setting::YoloTask,
        Setting::YoloSimplify,
        Setting::ShardSize,
    ];

    /// The field's name in words, as error messages say it.
    pub fn name(self) -> &'static str {
        match self {
            Setting::Parts => "parts",
            Setting::MaskKind => "mask kind",
            Setting::Segmentation => "segmentation",
            Setting::LabelNaming => "label naming",
            Setting::Stuff => "stuff classes",
            Setting::PartLevel => "part level",
            Setting::YoloTask => "yolo task",
            Setting::YoloSimplify => "yolo simplification",
            Setting::ShardSize => "shard size",
        }
    }

    /// How the `ade20k` command line sets this setting to `value` (in the
    /// words of [`Setting::changed_in`]): `--amodal`, `--parts-level 2`,
    /// `--segmentation source-polygon`; with an empty `value`, the flag alone.
    /// The Python package's keywords are these flags, with underscores.
    pub fn flag(self, value: &str) -> String {
        let value = value.replace(' ', "-");
        let flag = match self {
            Setting::Parts => "--parts",
            Setting::MaskKind => return "--amodal".into(),
            Setting::Segmentation => "--segmentation",
            Setting::LabelNaming => "--label-name",
            Setting::Stuff => return "--stuff".into(),
            Setting::PartLevel => "--parts-level",
            Setting::YoloTask => "--task",
            Setting::YoloSimplify => "--simplify",
            Setting::ShardSize => "--shard-size",
        };
        match value.as_str() {
            "" => flag.into(),
            value => format!("{flag} {value}"),
        }
    }

    /// The value `options` give this setting, in words, when it is not the
    /// default; `None` when it is.
    pub fn changed_in(self, options: &ExportOptions) -> Option<String> {
        let default = ExportOptions::default();
        let changed = |differs: bool, value: String| differs.then_some(value);
        match self {
            Setting::Parts => changed(options.parts != default.parts, "exclude".into()),
            Setting::MaskKind => changed(options.mask_kind != default.mask_kind, "amodal".into()),
            Setting::Segmentation => changed(
                options.segmentation != default.segmentation,
                match options.segmentation {
                    SegmentationMode::Rle => "rle",
                    SegmentationMode::Polygon => "polygon",
                    SegmentationMode::SourcePolygon => "source polygon",
                }
                .into(),
            ),
            Setting::LabelNaming => changed(
                options.label_naming != default.label_naming,
                match options.label_naming {
                    LabelNaming::Canonical => "canonical",
                    LabelNaming::Full => "full",
                    LabelNaming::Raw => "raw",
                }
                .into(),
            ),
            Setting::Stuff => changed(options.stuff.is_some(), "a list".into()),
            Setting::PartLevel => changed(
                options.part_level != default.part_level,
                options.part_level.to_string(),
            ),
            Setting::YoloTask => changed(options.yolo_task != default.yolo_task, "detect".into()),
            Setting::YoloSimplify => changed(
                options.yolo_simplify != default.yolo_simplify,
                options.yolo_simplify.to_string(),
            ),
            Setting::ShardSize => options.shard_bytes.map(|bytes| bytes.to_string()),
        }
    }
}

/// What one export works on: the dataset as the format sees it (filtered,
/// scaled), the folder it writes into, and the options.
pub(crate) struct Job<'a> {
    /// The items to write.
    pub source: &'a dyn ItemSource,
    /// The same items as a pass over all of them before the first is
    /// written reads them (broken ones left out with `skip_broken`).
    pub dataset: WholeDataset<'a>,
    /// The existing, empty folder written into.
    pub out: &'a Path,
    /// The options, checked against the format's settings.
    pub options: &'a ExportOptions,
}

impl<'a> Job<'a> {
    /// The job of writing `source` into `out` with `options`.
    pub fn new(source: &'a dyn ItemSource, out: &'a Path, options: &'a ExportOptions) -> Self {
        Job {
            source,
            dataset: WholeDataset::new(source, options),
            out,
            options,
        }
    }

    /// The folder the output will have once complete (see
    /// [`ExportOptions::destination`]).
    pub fn destination(&self) -> PathBuf {
        self.options
            .destination
            .clone()
            .unwrap_or_else(|| self.out.to_path_buf())
    }
}

/// The work of one output format (see the module documentation). The
/// runner calls [`Exporter::start`], then [`Exporter::prepare`] on every item
/// on all threads, [`Exporter::write`] on each prepared item in item order,
/// and [`Exporter::finish`].
pub(crate) trait Exporter: Sized + Sync {
    /// What the format is.
    const FORMAT: Format;

    /// What one item becomes before it is written.
    type Prepared: Send;

    /// The state that writes prepared items in order; it may borrow the
    /// exporter (its label plan).
    type Sink<'e>: Send
    where
        Self: 'e;

    /// Checks the values of the settings the format takes, resolves its
    /// labels and makes the folders every output has.
    fn start(job: &Job<'_>) -> Result<Self, ExportError>;

    /// The state [`Exporter::write`] starts from.
    fn sink<'e>(&'e self, job: &Job<'_>) -> Result<Self::Sink<'e>, Error>;

    /// Reads what `item` needs (its masks) and turns it into its output form.
    /// Files of the item are not written here but handed to `files`, which
    /// the runner writes once the item is prepared: an error here is an
    /// error of the input, and leaves nothing of the item behind.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<Self::Prepared, Error>;

    /// Records one prepared item, in item order: numbers it, appends its
    /// records. Returns the number of annotations it wrote (the runner
    /// counts items, annotations and what [`Exporter::prepare`] left out).
    fn write(&self, sink: &mut Self::Sink<'_>, prepared: Self::Prepared) -> Result<u64, Error>;

    /// Writes what needs every item (category lists, joined files) for the
    /// `subsets` that were written, in order; sets the categories and notes
    /// of `summary`.
    fn finish(
        &self,
        sink: Self::Sink<'_>,
        job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error>;
}

/// One object an instance format writes: its index in `item.objects`, the
/// object, its mask of the kind asked for, cropped to its box, and that box.
pub(crate) struct MaskedObject<'a> {
    /// The object's index in `item.objects`.
    pub index: usize,
    /// The object.
    pub object: &'a Object,
    /// Its output label id in the plan.
    pub label: LabelId,
    /// Its mask of [`ExportOptions::mask_kind`], cropped to its box.
    pub mask: CroppedMask,
    /// The box of the mask's pixels, in image coordinates.
    pub bbox: BBox,
}

/// The objects of `item` that `plan` keeps ([`LabelPlan::selected_objects`]
/// with the parts `options` asks for), each with its mask: an object whose
/// mask of [`ExportOptions::mask_kind`] has no pixel is counted in
/// `left_out` as [`LeftOut::NoPixels`].
pub(crate) fn masked_objects<'a>(
    plan: &LabelPlan,
    item: &'a Item,
    options: &ExportOptions,
    left_out: &mut Vec<LeftOut>,
) -> Result<Vec<MaskedObject<'a>>, Error> {
    let mut masked = Vec::new();
    for (index, object) in plan.selected_objects(item, options.parts, left_out) {
        // A selected object has a label by definition.
        let Some(label) = plan.label_of(object) else {
            continue;
        };
        let mask = item.cropped_mask(index, options.mask_kind)?;
        let Some(bbox) = mask.bbox() else {
            left_out.push(LeftOut::NoPixels);
            continue;
        };
        masked.push(MaskedObject {
            index,
            object,
            label,
            mask,
            bbox,
        });
    }
    Ok(masked)
}
