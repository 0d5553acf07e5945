//! `ade20k_panoptic_<split>.json` and `ade20k_instance_<split>.json`, field
//! by field as Mask2Former's `prepare_ade20k_pan_seg.py` and
//! `prepare_ade20k_ins_seg.py` write them:
//!
//! - `images` (both files): `id` (the name), `file_name` (`<name>.jpg`),
//!   `width`, `height`, in file name order;
//! - panoptic `annotations`: `image_id`, `file_name` (`<name>.png`),
//!   `segments_info` ([`SegmentInfo`]); `categories`: `name`, `id` (class
//!   value − 1), `isthing`, `color`, as the script spells them;
//! - instance `annotations`: `id` (from 1 in each file), `image_id`,
//!   `iscrowd` 0, `category_id` (the instance class's semantic value − 1),
//!   `bbox`, `segmentation` (compressed RLE: `size` `[h, w]`, `counts`),
//!   `area`; `categories`: `id` (semantic value − 1) and `name` of the 100
//!   classes in benchmark order.
//!
//! Records are spooled to hidden part files per split as items arrive and
//! joined when the split is complete, so memory holds no record past its item.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::Error;
use serde::Serialize;
use serde_json::value::{to_raw_value, RawValue};

use super::classes::Classes;
use super::panoptic::SegmentInfo;
use crate::encode::json_records::RecordWriter;

/// One entry of `images`.
#[derive(Serialize)]
pub(super) struct ImageRecord<'a> {
    /// The image's name.
    pub id: &'a str,
    /// `<name>.<ext>`.
    pub file_name: &'a str,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// One entry of the panoptic `annotations`.
#[derive(Serialize)]
struct PanopticRecord<'a> {
    image_id: &'a str,
    file_name: String,
    segments_info: &'a [SegmentInfo],
}

/// An instance of an image, encoded: what the instance file's entry needs.
pub(super) struct InstanceShape {
    /// Semantic value − 1 of its class.
    pub category_id: u32,
    /// `[x, y, width, height]`.
    pub bbox: [u32; 4],
    /// `[height, width]` of the image.
    pub size: [u32; 2],
    /// Compressed RLE counts.
    pub counts: String,
    /// Pixels.
    pub area: u64,
}

/// One entry of the instance `annotations`.
#[derive(Serialize)]
struct InstanceRecord<'a> {
    id: u64,
    image_id: &'a str,
    iscrowd: u8,
    category_id: u32,
    bbox: [u32; 4],
    segmentation: Rle<'a>,
    area: u64,
}

/// pycocotools' RLE object.
#[derive(Serialize)]
struct Rle<'a> {
    size: [u32; 2],
    counts: &'a str,
}

/// The spooled records of one split.
struct SplitFiles {
    images: RecordWriter,
    panoptic: RecordWriter,
    instances: RecordWriter,
    /// Instance annotations written so far (their ids go from 1).
    instance_count: u64,
}

/// The JSON files of every split.
pub(super) struct JsonFiles {
    out: PathBuf,
    splits: BTreeMap<String, SplitFiles>,
}

impl JsonFiles {
    /// Files written into `out`, none yet.
    pub fn new(out: &Path) -> Self {
        JsonFiles {
            out: out.to_path_buf(),
            splits: BTreeMap::new(),
        }
    }

    /// Spools the records of one image of `split`.
    pub fn add(
        &mut self,
        split: &str,
        image: &ImageRecord,
        segments: &[SegmentInfo],
        instances: &[InstanceShape],
    ) -> Result<(), Error> {
        let files = self.split(split)?;
        files.images.record(image)?;
        files.panoptic.record(&PanopticRecord {
            image_id: image.id,
            file_name: format!("{}.png", image.id),
            segments_info: segments,
        })?;
        for shape in instances {
            files.instance_count += 1;
            files.instances.record(&InstanceRecord {
                id: files.instance_count,
                image_id: image.id,
                iscrowd: 0,
                category_id: shape.category_id,
                bbox: shape.bbox,
                segmentation: Rle {
                    size: shape.size,
                    counts: &shape.counts,
                },
                area: shape.area,
            })?;
        }
        Ok(())
    }

    fn split(&mut self, split: &str) -> Result<&mut SplitFiles, Error> {
        if !self.splits.contains_key(split) {
            let part = |kind: &str| {
                RecordWriter::create(self.out.join(format!(".ade20k_{split}.{kind}.part")))
            };
            let files = SplitFiles {
                images: part("images")?,
                panoptic: part("panoptic")?,
                instances: part("instances")?,
                instance_count: 0,
            };
            self.splits.insert(split.to_string(), files);
        }
        Ok(self.splits.get_mut(split).expect("inserted above"))
    }

    /// Writes both files of every one of `splits` (empty ones too) and
    /// removes the part files.
    pub fn finish(mut self, splits: &[String], classes: &Classes) -> Result<(), Error> {
        let panoptic_categories: Vec<Box<RawValue>> = classes
            .semantic
            .iter()
            .enumerate()
            .map(|(position, class)| {
                to_raw_value(&PanopticCategory {
                    name: class.mask2former_name,
                    id: position as u32,
                    isthing: u8::from(class.is_thing),
                    color: class.mask2former_color,
                })
            })
            .collect::<Result<_, _>>()
            .expect("categories serialize");
        let instance_categories: Vec<Box<RawValue>> = classes
            .instance
            .iter()
            .map(|class| {
                to_raw_value(&InstanceCategory {
                    id: u32::from(class.semantic) - 1,
                    name: &class.name,
                })
            })
            .collect::<Result<_, _>>()
            .expect("categories serialize");
        for split in splits {
            self.split(split)?;
            let files = self.splits.remove(split).expect("made above");
            let images = files.images.finish()?;
            let panoptic = files.panoptic.finish()?;
            let instances = files.instances.finish()?;
            let assemble = |name: String, parts: [(&[u8], Part); 3]| -> Result<(), Error> {
                let mut out = RecordWriter::create(self.out.join(name))?;
                out.raw(b"{")?;
                for (opening, part) in parts {
                    out.open_list(opening)?;
                    match part {
                        Part::Spooled(path) => out.append_file(path)?,
                        Part::Records(records) => {
                            for record in records {
                                out.record(record)?;
                            }
                        }
                    }
                    out.raw(b"\n]")?;
                }
                out.raw(b"}\n")?;
                out.finish().map(drop)
            };
            assemble(
                format!("ade20k_panoptic_{split}.json"),
                [
                    (b"\"images\":[", Part::Spooled(&images)),
                    (b",\"annotations\":[", Part::Spooled(&panoptic)),
                    (b",\"categories\":[", Part::Records(&panoptic_categories)),
                ],
            )?;
            assemble(
                format!("ade20k_instance_{split}.json"),
                [
                    (b"\"images\":[", Part::Spooled(&images)),
                    (b",\"categories\":[", Part::Records(&instance_categories)),
                    (b",\"annotations\":[", Part::Spooled(&instances)),
                ],
            )?;
            for part in [images, panoptic, instances] {
                fs::remove_file(&part).map_err(|e| Error::io(&part, e))?;
            }
        }
        Ok(())
    }
}

/// One entry of the panoptic `categories`.
#[derive(Serialize)]
struct PanopticCategory<'a> {
    name: &'a str,
    id: u32,
    isthing: u8,
    color: [u8; 3],
}

/// One entry of the instance `categories`.
#[derive(Serialize)]
struct InstanceCategory<'a> {
    id: u32,
    name: &'a str,
}

/// One list of a file being assembled.
enum Part<'a> {
    /// Records spooled to this file.
    Spooled(&'a Path),
    /// Records at hand.
    Records(&'a [Box<RawValue>]),
}
