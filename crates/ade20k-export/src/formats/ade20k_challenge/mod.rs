//! The benchmark layout the frameworks train on: `ADEChallengeData2016` of
//! the SceneParsing challenge (150 classes), with the instance files of the
//! 2017 instance challenge (100 classes) and the files Mask2Former's
//! preparation scripts make from them, from the full release in one pass.
//! The output folder *is* `ADEChallengeData2016`:
//!
//! ```text
//! images/{training,validation}/<name>.jpg          photos, flat, names as in the release
//! annotations/{training,validation}/<name>.png     8-bit grey: SceneParsing150 value 1..150, 0 = other
//! annotations_instance/{training,validation}/<name>.png   RGB: R class 1..100, G instance 1..255, B 0
//! annotations_detectron2/{training,validation}/<name>.png 8-bit grey: value − 1, 0 becomes 255
//! ade20k_panoptic_{train,val}/<name>.png            panoptic RGB, segment id = R + 256·G + 256²·B
//! ade20k_panoptic_{train,val}.json                  panopticapi JSON, 150 categories (100 things)
//! ade20k_instance_{train,val}.json                  COCO instances, compressed RLE, 100 categories
//! objectInfo150.csv  sceneCategories.txt
//! data.yaml                                         Ultralytics' semantic task: photos, masks_dir, names
//! ```
//!
//! `<name>` is the last part of the item id (`ADE_train_00016964`); two
//! items of one subset with the same name, or a name with a dot, are
//! refused. Files are in name order, as Mask2Former's scripts list them.
//! Images are scaled by default as the benchmark's are
//! ([`MaxShortSide::Benchmark`]: a shorter side above 512 becomes 512,
//! squares keep their size); `Off` keeps the release's size, `Pixels(n)`
//! scales every image, squares too, to a shorter side of at most `n`. Every
//! map is made at the scaled size.
//!
//! - **Semantic maps** ([`semantic`]): `_seg.png`'s classes through the
//!   benchmark's table (`sceneparsing150`, by full-release class index, as
//!   `convertFromADE.m` maps them), 0 for every other class.
//! - **Instance maps** ([`instances`]): the visible pixels of the level-0
//!   objects of the 100 instance classes (`instance100`), painted in
//!   annotation order (where two visible masks overlap, the later object
//!   wins) and kept only where the semantic map holds the object's class, so
//!   instance and semantic maps always agree. Ids 1..=255 follow annotation
//!   order; an object left without a pixel gets none, and in an image of
//!   more than 255 instances the smallest are left out (both counted).
//! - **Mask2Former's files** ([`json`], [`panoptic`]): exactly what
//!   `prepare_ade20k_sem_seg.py`, `prepare_ade20k_pan_seg.py` and
//!   `prepare_ade20k_ins_seg.py` would make from the two maps: image ids are
//!   the names, panoptic categories 0..=149 with `isthing` for the 100
//!   instance classes, instance categories the semantic value − 1, segment
//!   ids the colours (panopticapi's colour moves drawn from a generator
//!   seeded by the name instead of at random).
//! - **Tables** ([`tables`]): `objectInfo150.csv` with the challenge's names
//!   and stuff flags and the ratio and image counts of the data written;
//!   `sceneCategories.txt` with the most specific scene word of each image.
//! - **`data.yaml`** ([`ultralytics`]): the output's absolute path, `train`
//!   and `val` photos and `masks_dir: annotations_detectron2` for
//!   Ultralytics' semantic task.
//!
//! Training on it: mmsegmentation's ADE20K configs read
//! `data/ade/ADEChallengeData2016` (`ADE20KDataset`, `reduce_zero_label=True`:
//! value 0 is ignored, 1..150 become classes 0..149), and Mask2Former finds
//! the same folder under `DETECTRON2_DATASETS`:
//!
//! ```text
//! ade20k convert -i ADE20K_2021_17_01 -f ade20k_challenge -o data/ade/ADEChallengeData2016
//! python tools/train.py configs/pspnet/pspnet_r50-d8_4xb4-160k_ade20k-512x512.py   # mmsegmentation
//! export DETECTRON2_DATASETS=$PWD/data/ade                                           # Mask2Former
//! python train_net.py --num-gpus 1 --config-file configs/ade20k/semantic-segmentation/maskformer2_R50_bs16_160k.yaml
//! python train_net.py --num-gpus 1 --config-file configs/ade20k/instance-segmentation/maskformer2_R50_bs16_160k.yaml
//! python train_net.py --num-gpus 1 --config-file configs/ade20k/panoptic-segmentation/maskformer2_R50_bs16_160k.yaml
//! ```
//!
//! Ultralytics' semantic task reads the `data.yaml` written beside them
//! (`yolo semantic train data=data/ade/ADEChallengeData2016/data.yaml
//! model=yolo26n-sem.pt`); its instance task trains on the `yolo` format
//! with the same classes and size (`ade20k convert -f yolo --labels
//! instance100 --max-short-side 512`).
//!
//! The format takes no setting (`--amodal`, `--stuff`, `--parts-level`,
//! polygons, other label names and `--parts` are refused by the runner), and
//! a label selection is refused too: the benchmark fixes all of them.

mod classes;
mod instances;
mod json;
mod panoptic;
mod semantic;
mod tables;
mod ultralytics;

use std::fs;
use std::path::PathBuf;

use ade20k_model::{Error, Item, ItemSource};

use crate::encode::png_out::PngPixels;
use crate::encode::rle::Rle;
use crate::encode::yaml::dataset_root;
use crate::formats::{Exporter, Format, Job, Scaling};
use crate::run::{self, ItemFiles, Ran};
use crate::source::PickedItems;
use crate::{
    ExportError, LabelSelection, LeftOut, MaxShortSide, Summary, BENCHMARK_SHORT_SIDE, JPEG_QUALITY,
};
use classes::Classes;
use instances::InstanceMap;
use json::{ImageRecord, InstanceShape, JsonFiles};
use panoptic::{PanopticImage, SegmentInfo};
use semantic::{detectron2_values, semantic_values};
use tables::{pixel_counts, ClassCounts, PixelCounts, SceneFile};

/// The folder of the photos.
const IMAGES_DIR: &str = "images";
/// The folder of Mask2Former's semantic maps (value − 1, 255 = other).
const DETECTRON2_DIR: &str = "annotations_detectron2";

/// The `ade20k_challenge` format: the benchmark's classes and the output
/// folder's absolute path, as `data.yaml` records it.
pub(crate) struct Challenge {
    out: PathBuf,
    root: String,
    classes: Classes,
    max_short_side: MaxShortSide,
}

impl Exporter for Challenge {
    const FORMAT: Format = Format {
        name: "ade20k_challenge",
        description: "ADEChallengeData2016 with the instance and Mask2Former files \
                      (mmsegmentation, detectron2, Mask2Former, OneFormer, Ultralytics)",
        takes: &[],
        run: run_by_name,
        scaling: Scaling::ByDefault(MaxShortSide::Benchmark),
    };
    type Prepared = ChallengeItem;
    type Sink<'e> = ChallengeSink;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        if job.options.labels != LabelSelection::All || job.options.stuff.is_some() {
            return Err(ExportError::Usage(format!(
                "{} does not take a label selection or --stuff: the classes are the \
                 benchmark's 150 and 100",
                Self::FORMAT.name
            )));
        }
        Ok(Challenge {
            out: job.out.to_path_buf(),
            root: dataset_root(&job.destination())?,
            classes: Classes::new(),
            max_short_side: job.options.max_short_side,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<ChallengeSink, Error> {
        Ok(ChallengeSink {
            json: JsonFiles::new(&self.out),
            counts: ClassCounts::new(),
            scenes: SceneFile::create(self.out.join("sceneCategories.txt"))?,
        })
    }

    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<ChallengeItem, Error> {
        let name = file_stem(&item.id).to_string();
        let mut left_out = Vec::new();
        let maps = self.maps(&item, &name, &mut left_out)?;
        files.leave_out_all(left_out);
        let file_name = self.add_files(&item, &name, maps.semantic.clone(), &maps, files)?;
        let (width, height) = (item.image.width, item.image.height);
        let instances = maps
            .instances
            .instances
            .iter()
            .map(|instance| {
                let bbox = instance.extent.bbox();
                let value = self.classes.instance[usize::from(instance.class) - 1].semantic;
                InstanceShape {
                    category_id: u32::from(value) - 1,
                    bbox: [bbox.x, bbox.y, bbox.width, bbox.height],
                    size: [height, width],
                    counts: Rle::encode_cropped(&instance.mask).to_coco_string(),
                    area: instance.extent.area,
                }
            })
            .collect();
        Ok(ChallengeItem {
            pixels: pixel_counts(&maps.semantic),
            segments: maps.panoptic.segments,
            subset: item.subset,
            name,
            file_name,
            width,
            height,
            scene: item.scene,
            instances,
        })
    }

    fn write(&self, sink: &mut ChallengeSink, item: ChallengeItem) -> Result<u64, Error> {
        let image = ImageRecord {
            id: &item.name,
            file_name: &item.file_name,
            width: item.width,
            height: item.height,
        };
        sink.json.add(
            split_name(&item.subset),
            &image,
            &item.segments,
            &item.instances,
        )?;
        sink.scenes.add(&item.name, &item.scene)?;
        sink.counts.add(&item.subset, &item.pixels);
        Ok(item.instances.len() as u64)
    }

    fn finish(
        &self,
        sink: ChallengeSink,
        _job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let out = &self.out;
        let classes = &self.classes;
        let splits: Vec<String> = subsets.iter().map(|s| split_name(s).to_string()).collect();
        sink.json.finish(&splits, classes)?;
        sink.scenes.finish()?;
        sink.counts.write(&out.join("objectInfo150.csv"), classes)?;
        let yaml = out.join(ultralytics::DATA_YAML);
        fs::write(&yaml, ultralytics::data_yaml(&self.root, subsets, classes))
            .map_err(|e| Error::io(&yaml, e))?;
        summary.categories = classes.semantic.len();
        let encoded = format!("photos encoded again, JPEG quality {JPEG_QUALITY}");
        let size = match self.max_short_side {
            MaxShortSide::Pixels(limit) => {
                format!("images scaled to a shorter side of at most {limit} pixels ({encoded})")
            }
            MaxShortSide::Benchmark => format!(
                "images scaled as the benchmark's are: a shorter side above \
                 {BENCHMARK_SHORT_SIDE} pixels becomes {BENCHMARK_SHORT_SIDE}, squares keep \
                 their size ({encoded})"
            ),
            MaxShortSide::Off | MaxShortSide::FormatDefault => {
                "images at the release's size".to_string()
            }
        };
        summary.notes.push(format!(
            "annotations/ are 8-bit SceneParsing150 values (0 = other), annotations_instance/ \
             R = Instance100 class, G = instance id; {size}"
        ));
        for (key, subset) in ultralytics::missing_splits(subsets) {
            summary.notes.push(format!(
                "there is no `{subset}` subset, so {} has no `{key}`, which Ultralytics \
                 needs to train",
                ultralytics::DATA_YAML
            ));
        }
        Ok(())
    }
}

/// The run of the format: the items of the job in the order of their files
/// ([`by_name`]), broken ones handed back at their index in the job's source.
fn run_by_name(job: &Job<'_>) -> Result<Ran, ExportError> {
    let picked = by_name(job.source)?;
    let (summary, broken) = run::run::<Challenge>(&Job::new(&picked, job.out, job.options))?;
    let mut broken: Vec<_> = broken
        .into_iter()
        .map(|(index, item)| (picked.inner_index(index), item))
        .collect();
    broken.sort_by_key(|(index, _)| *index);
    Ok((summary, broken))
}

/// The name of a subset's JSON files and panoptic folder, as Mask2Former
/// registers them: `train`, `val`, or the subset's own name.
fn split_name(subset: &str) -> &str {
    match subset {
        "training" => "train",
        "validation" => "val",
        other => other,
    }
}

/// The name of an item's files: the last part of its id.
fn file_stem(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// What one item becomes, once its pixel files are handed to the runner.
pub(crate) struct ChallengeItem {
    subset: String,
    name: String,
    file_name: String,
    width: u32,
    height: u32,
    scene: Vec<String>,
    pixels: PixelCounts,
    segments: Vec<SegmentInfo>,
    instances: Vec<InstanceShape>,
}

/// An item's maps, made from its masks, before anything is written.
struct ItemMaps {
    semantic: Vec<u8>,
    instances: InstanceMap,
    panoptic: PanopticImage,
}

impl Challenge {
    /// Step one: the semantic, instance and panoptic maps of `item`.
    fn maps(
        &self,
        item: &Item,
        name: &str,
        left_out: &mut Vec<LeftOut>,
    ) -> Result<ItemMaps, Error> {
        let map = item.class_map(0)?;
        if (map.width(), map.height()) != (item.image.width, item.image.height) {
            return Err(Error::invalid(
                &item.image.path,
                format!(
                    "the class map is {}×{} pixels but the image is {}×{}",
                    map.width(),
                    map.height(),
                    item.image.width,
                    item.image.height
                ),
            ));
        }
        let semantic = semantic_values(&map, &self.classes);
        let instances = InstanceMap::build(item, &semantic, &self.classes, left_out)?;
        let panoptic =
            PanopticImage::build(name, map.width(), &semantic, &instances, &self.classes);
        Ok(ItemMaps {
            semantic,
            instances,
            panoptic,
        })
    }

    /// Step two: the photo and the four PNGs of `item`, handed to `files`;
    /// returns the photo's file name.
    fn add_files(
        &self,
        item: &Item,
        name: &str,
        semantic: Vec<u8>,
        maps: &ItemMaps,
        files: &mut ItemFiles,
    ) -> Result<String, Error> {
        let file_name = match item.image.path.extension().and_then(|ext| ext.to_str()) {
            Some(ext) => format!("{name}.{ext}"),
            None => name.to_string(),
        };
        let subset = &item.subset;
        let path = |folder: &str| -> PathBuf { self.out.join(folder).join(subset) };
        files.image(item, path(IMAGES_DIR).join(&file_name))?;
        let (width, height) = (item.image.width, item.image.height);
        let png = format!("{name}.png");
        files.png(
            path(DETECTRON2_DIR).join(&png),
            width,
            height,
            PngPixels::Gray8(detectron2_values(&semantic)),
        );
        files.png(
            path("annotations").join(&png),
            width,
            height,
            PngPixels::Gray8(semantic),
        );
        files.png(
            path("annotations_instance").join(&png),
            width,
            height,
            PngPixels::Rgb8(maps.instances.rgb()),
        );
        files.png(
            self.out
                .join(format!("ade20k_panoptic_{}", split_name(subset)))
                .join(&png),
            width,
            height,
            PngPixels::Rgb8(maps.panoptic.rgb.clone()),
        );
        Ok(file_name)
    }
}

/// Appends what needs every item: the JSON files, the scene list and the
/// pixel counts of `objectInfo150.csv`.
pub(crate) struct ChallengeSink {
    json: JsonFiles,
    counts: ClassCounts,
    scenes: SceneFile,
}

/// The items of `inner` in the order of their files: by subset, then by
/// name ([`file_stem`]), as Mask2Former's scripts list the files. Two items
/// of a subset with one name, or a name with a dot (Mask2Former's image id
/// is the name up to its first dot), are an error naming them.
fn by_name(inner: &dyn ItemSource) -> Result<PickedItems<'_>, Error> {
    let subset_position = |subset: &str| inner.subsets().iter().position(|s| s == subset);
    let mut keyed = Vec::with_capacity(inner.len());
    for index in 0..inner.len() {
        let id = inner.id_of(index)?;
        let subset = inner.subset_of(index);
        if file_stem(&id).contains('.') {
            return Err(Error::invalid(
                format!("{subset}/{id}"),
                "the challenge layout names files by the item's name, which must not \
                 hold a dot",
            ));
        }
        keyed.push((subset_position(subset), id, index));
    }
    keyed.sort_by(|a, b| (a.0, file_stem(&a.1)).cmp(&(b.0, file_stem(&b.1))));
    for pair in keyed.windows(2) {
        if (pair[0].0, file_stem(&pair[0].1)) == (pair[1].0, file_stem(&pair[1].1)) {
            return Err(Error::invalid(
                format!("{}/{}", inner.subset_of(pair[1].2), pair[1].1),
                format!(
                    "has the same name as {}: the challenge layout is flat",
                    pair[0].1
                ),
            ));
        }
    }
    Ok(PickedItems::new(
        inner,
        keyed.into_iter().map(|(_, _, index)| index).collect(),
    ))
}
