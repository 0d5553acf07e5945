//! The ADE20K 2020/2021 layout itself (`ADE20K_2021_17_01`, Datumaro's
//! `ade20k2020`), as `ade20k-import` reads it: with `--subsets`, a label
//! selection and `--parts exclude`, a smaller ADE20K.
//!
//! ```text
//! <subset>/<item id>.<ext>                          the photo (linked, copied or left out: --media)
//! <subset>/<item id>.json                           {"annotation": {…}}, the source's
//! <subset>/<item id>_seg.png                        class map of level 0 (objects)
//! <subset>/<item id>_parts_<N>.png                  class map of part level N
//! <subset>/<item id>/instance_<NNN>_<stem>.png      one mask per object and part
//! dataset_meta.json                                 Datumaro's label order, when the source has one
//! ```
//!
//! The item id keeps its scene folders (`urban/street/ADE_train_00000001`);
//! `<stem>` is its last segment and `<NNN>` the object id, at least three digits.
//!
//! **Annotation.** An item read from an ADE20K 2020 `<name>.json`
//! ([`Item::annotation_file`]) keeps that file: copied byte for byte when
//! nothing is cut from the item, else edited as text (`source_json.rs`): the
//! removed objects leave `object` and the `hasparts` lists, and every other
//! byte stays as the source wrote it (one line or indented, `"crop":"0"`, a
//! bare attribute string, `click_date`, unknown fields, Latin-1 text). An
//! `instance_mask` that is not `<stem>/instance_<NNN>_<stem>.png` is set to
//! that name, where the mask is written (the summary says how many).
//!
//! An item of another origin (ADE20K 2017, items built in code) is written
//! from the model, indented UTF-8, with the fields in the release's order:
//! `filename` (the photo's file name), `folder`, `imsize` `[height, width,
//! 3]`, `source` `{folder, filename, origin}`, `scene`, and `object`, one
//! entry per object and part: `id`, `name`, `name_ndx` (the ADE class
//! index), `hypernym`, `raw_name`, `attributes` (a list),
//! `depth_ordering_rank` (`[]` when unknown), `occluded` (`"yes"`, `"no"` or
//! `[]` when unknown), `crop` (`0`/`1`), `parts` `{hasparts: [ids],
//! ispartof: [] or the parent id, part_level}`, `instance_mask`, `polygon`
//! `{x, y}` (whole numbers written as integers) and `saved_date`.
//!
//! **Pixels.** Instance masks, and the class maps of levels a cut left whole,
//! are the source's files as they are (a binary 0/1 mask stays one); each is
//! decoded first, so that a broken one stops the export. A class map that
//! lost objects, and every mask of a source without files (ADE20K 2017, items
//! built in code), is encoded: class maps RGB, 8 bits per channel, R = class /
//! 256 × 10, G = class mod 256, B = the instance code of the source map,
//! copied, so the map means what the source's means; instance masks 8-bit
//! grey, 255 visible, 128 present but hidden, 0 absent.
//!
//! **Cutting.** Without a label selection or an item filter, and with parts
//! included, every item is its source's files: the same objects, ids, links
//! and pixels, byte for byte. Otherwise:
//!
//! - an object whose class is not selected is removed (counted), and so is an
//!   object whose parent is removed (a part of a removed object, counted as
//!   such); `--parts exclude` removes every part and writes no part-level map;
//! - objects are never renumbered: ids are not positions (real items skip
//!   numbers), so every written object keeps its id, its instance mask name
//!   and its parent, and `hasparts` loses only the parts not written;
//! - in the class map of a level that lost objects, a pixel keeps its class and
//!   instance code only where its class is that of an object written at that
//!   level and no removed object of that level is seen (255); elsewhere it
//!   becomes 0, 0, 0 (unlabeled). Maps of levels that lost nothing are copied
//!   unchanged, and every part level of the source keeps its map;
//! - objects keep their own class index and names, so ADE class indices stay
//!   meaningful across cuts. A label list therefore only selects classes: a
//!   line that merges classes or renames one (`a = b`) is refused, as are the
//!   options that would change how objects are written (`--amodal`,
//!   `--label-name`, `--segmentation`, `--stuff`, `--parts-level`).
//!
//! `dataset_meta.json` is copied from the source's label order, unchanged by a
//! cut (listing a label no object uses is allowed). The summary counts, per
//! subset, items and annotations (objects and parts written), the removed
//! objects per reason, and as categories the distinct class indices written.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{ClassIndex, ClassMap, Error, Item, Object, ObjectId, Occlusion, SourceInfo};
use serde::Serialize;
use serde_json::{json, Value};

use crate::encode::png_out::PngPixels;
use crate::formats::source_json::SourceAnnotation;
use crate::formats::{Exporter, Format, Job, Scaling, Setting};
use crate::labels::selection::LabelPlan;
use crate::run::media::image_file_name;
use crate::run::{self, ItemFiles};
use crate::source::hierarchy::{clear_where_seen, kept_with_ancestors};
use crate::{ExportError, ExportOptions, LabelSelection, LeftOut, PartsMode, Summary};

/// Datumaro's meta file at the root of the output.
const META_FILE_NAME: &str = "dataset_meta.json";

/// The `ade20k2020` format: the classes kept and the options.
pub(crate) struct Ade20k2020 {
    /// The output folder.
    out: PathBuf,
    /// The export's options.
    options: ExportOptions,
    /// The classes kept.
    plan: LabelPlan,
}

impl Exporter for Ade20k2020 {
    const FORMAT: Format = Format {
        name: "ade20k2020",
        description: "ADE20K 2020/2021 layout: a smaller ADE20K cut by subsets, classes and parts \
                      (ade20k-import, Datumaro ade20k2020)",
        takes: &[Setting::Parts],
        run: run::run::<Ade20k2020>,
        scaling: Scaling::Never,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = Ade20kSink;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        check_selection(&job.options.labels)?;
        let plan = LabelPlan::resolve(&job.options.labels, &job.dataset, None)?;
        for subset in job.source.subsets() {
            let dir = job.out.join(subset);
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        if let Some(labels) = job.source.label_order() {
            write_label_order(&job.out.join(META_FILE_NAME), labels)?;
        }
        Ok(Ade20k2020 {
            out: job.out.to_path_buf(),
            options: job.options.clone(),
            plan,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<Ade20kSink, Error> {
        Ok(Ade20kSink::default())
    }

    /// Cuts the item, then hands every file of it to `out`.
    fn prepare(&self, item: Item, out: &mut ItemFiles) -> Result<PreparedItem, Error> {
        let cut = Cut::of(&item, self.options.parts, |object| {
            self.plan.label_of(object).is_some()
        })?;
        let files = ItemPaths::new(&self.out, &item);
        out.image(&item, files.image.clone())?;
        for index in cut.written() {
            let (mask, png) = item.instance_mask_and_file(index)?;
            let id = item.objects[index].ade_id;
            let path = files.dir.join(instance_mask_name(&files.stem, id));
            match png {
                // A cut never changes an instance mask: the source's file.
                Some(bytes) => out.png_file(path, bytes),
                None => out.png(
                    path,
                    mask.width(),
                    mask.height(),
                    PngPixels::Gray8(mask.pixels().to_vec()),
                ),
            }
        }
        let levels = match self.options.parts {
            PartsMode::Include => item.part_levels,
            PartsMode::Exclude => 0,
        };
        for level in 0..=levels {
            let (map, png) = item.class_map_and_file(level)?;
            let path = files.class_map(level);
            match png {
                // Nothing cut at this level: the source's file.
                Some(bytes) if !cut.lost_at(&item, level) => out.png_file(path, bytes),
                _ => {
                    let rgb = class_map_pixels(&item, &cut, level, &map)?;
                    out.png(path, map.width(), map.height(), PngPixels::Rgb8(rgb));
                }
            }
        }
        let (lost_objects, renamed_masks) = match item.annotation_file()? {
            Some(file) => {
                let source = SourceAnnotation::parse(file)?;
                source.check_objects_of(&item)?;
                let written_ids: HashSet<ObjectId> =
                    cut.written().map(|i| item.objects[i].ade_id).collect();
                let written =
                    source.written(&written_ids, |id| instance_mask_name(&files.stem, id));
                out.file(files.annotation.clone(), written.bytes.into_owned());
                (written.removed > 0, written.renamed_masks)
            }
            None => {
                let json = json_bytes(&files.annotation, &annotation_file(&item, &cut, &files))?;
                out.file(files.annotation.clone(), json);
                (cut.written().count() < item.objects.len(), 0)
            }
        };
        let classes = cut.written().map(|i| item.objects[i].class).collect();
        out.leave_out_all(cut.left_out);
        Ok(PreparedItem {
            classes,
            lost_objects,
            renamed_masks,
        })
    }

    /// Counts one written item; returns its objects written.
    fn write(&self, sink: &mut Ade20kSink, prepared: PreparedItem) -> Result<u64, Error> {
        let objects = prepared.classes.len() as u64;
        sink.classes.extend(prepared.classes);
        sink.lost_objects += u64::from(prepared.lost_objects);
        sink.renamed_masks += prepared.renamed_masks as u64;
        Ok(objects)
    }

    fn finish(
        &self,
        sink: Ade20kSink,
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        sink.finish(summary);
        Ok(())
    }
}

/// Refuses label lists that merge or rename classes: objects keep their own
/// class index and names, so a list can only select classes.
fn check_selection(selection: &LabelSelection) -> Result<(), ExportError> {
    let LabelSelection::List(list) = selection else {
        return Ok(());
    };
    match list.first_change() {
        None => Ok(()),
        Some((label, change)) => Err(ExportError::Usage(format!(
            "the label `{}` {change}, but ade20k2020 keeps each object's own class index \
             and names: a label list only selects classes here, one class per line \
             without `=`",
            label.name
        ))),
    }
}

/// Writes Datumaro's meta file with the source's label order.
fn write_label_order(path: &Path, labels: &[String]) -> Result<(), Error> {
    let label_map: serde_json::Map<String, Value> = labels
        .iter()
        .enumerate()
        .map(|(position, name)| (position.to_string(), Value::from(name.as_str())))
        .collect();
    write_json(path, &json!({ "label_map": label_map }))
}

/// Writes `value` as indented UTF-8 JSON, ending with a newline.
fn write_json(path: &Path, value: &impl Serialize) -> Result<(), Error> {
    let bytes = json_bytes(path, value)?;
    fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// `value` as indented UTF-8 JSON, ending with a newline, to be written to `path`.
fn json_bytes(path: &Path, value: &impl Serialize) -> Result<Vec<u8>, Error> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// What one written item tells the summary.
pub(crate) struct PreparedItem {
    /// Class indices of the objects written, one per object.
    classes: Vec<ClassIndex>,
    /// Whether the item lost objects.
    lost_objects: bool,
    /// Objects whose instance mask the source named otherwise than the output.
    renamed_masks: usize,
}

/// Where the files of one item go.
struct ItemPaths {
    /// The photo: `<subset>/<item id>.<ext>`.
    image: PathBuf,
    /// The annotation: `<subset>/<item id>.json`.
    annotation: PathBuf,
    /// The folder of the annotation, which instance mask names are relative to.
    dir: PathBuf,
    /// `<subset>/<item id>`: the class maps' names start with it.
    prefix: PathBuf,
    /// The last segment of the item id.
    stem: String,
    /// The photo's file name.
    image_name: String,
}

impl ItemPaths {
    /// The files of `item` in the output folder `out`.
    fn new(out: &Path, item: &Item) -> Self {
        let subset = out.join(&item.subset);
        let image_path = image_file_name(item);
        let image_name = last_segment(&image_path).to_string();
        let prefix = subset.join(&item.id);
        ItemPaths {
            image: subset.join(&image_path),
            annotation: subset.join(format!("{}.json", item.id)),
            dir: prefix.parent().unwrap_or(&subset).to_path_buf(),
            prefix,
            stem: last_segment(&item.id).to_string(),
            image_name,
        }
    }

    /// `<item id>_seg.png` for level 0, `<item id>_parts_<level>.png` above.
    fn class_map(&self, level: u32) -> PathBuf {
        let suffix = match level {
            0 => "_seg.png".to_string(),
            level => format!("_parts_{level}.png"),
        };
        let mut name = self.prefix.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    }
}

/// The text after the last `/`.
fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `<stem>/instance_<NNN>_<stem>.png`: the instance mask of object `id`,
/// relative to the folder of the annotation.
fn instance_mask_name(stem: &str, id: ObjectId) -> String {
    format!("{stem}/instance_{id:03}_{stem}.png")
}

/// Which objects of an item are written; each keeps its id.
#[derive(Debug, PartialEq, Eq)]
struct Cut {
    /// Whether each object of the item is written.
    kept: Vec<bool>,
    /// Why objects were removed, one reason per counted object (parts
    /// removed by `--parts exclude` are not counted).
    left_out: Vec<LeftOut>,
}

/// Whether one object is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// Written, with its ancestors.
    Written,
    /// A part, and parts are excluded.
    Excluded,
    /// Its class is not selected.
    NotSelected,
    /// An ancestor is removed.
    Orphan,
}

impl Cut {
    /// Decides for every object of `item`: parts go with `parts`, objects whose
    /// class `keep` refuses go, and so does every part of a removed object.
    fn of(item: &Item, parts: PartsMode, keep: impl Fn(&Object) -> bool) -> Result<Self, Error> {
        let objects = &item.objects;
        let own: Vec<Verdict> = objects
            .iter()
            .map(|object| {
                if object.is_part() && parts == PartsMode::Exclude {
                    Verdict::Excluded
                } else if keep(object) {
                    Verdict::Written
                } else {
                    Verdict::NotSelected
                }
            })
            .collect();
        let written_on_own_account: Vec<bool> = own
            .iter()
            .map(|&verdict| verdict == Verdict::Written)
            .collect();
        let kept = kept_with_ancestors(item, &written_on_own_account)?;
        let verdicts: Vec<Verdict> = own
            .iter()
            .zip(kept)
            .map(|(&own, kept)| match own {
                Verdict::Written if !kept => Verdict::Orphan,
                own => own,
            })
            .collect();
        let kept = verdicts.iter().map(|&v| v == Verdict::Written).collect();
        let left_out = verdicts
            .iter()
            .filter_map(|verdict| match verdict {
                Verdict::Written | Verdict::Excluded => None,
                Verdict::NotSelected => Some(LeftOut::NotSelected),
                Verdict::Orphan => Some(LeftOut::OrphanPart),
            })
            .collect();
        Ok(Cut { kept, left_out })
    }

    /// The index in `item.objects` of every written object, in order.
    fn written(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.kept.len()).filter(|&index| self.kept[index])
    }

    /// Whether an object of part level `level` was removed.
    fn lost_at(&self, item: &Item, level: u32) -> bool {
        item.objects
            .iter()
            .zip(&self.kept)
            .any(|(object, &kept)| object.part_level == level && !kept)
    }
}

/// The largest class a class map can hold: R = class / 256 × 10 fits 8 bits.
const MAX_PIXEL_CLASS: ClassIndex = ClassIndex(25 * 256 + 255);

/// The RGB pixels of the class map of `level` as written: the source's class
/// and instance code, or 0, 0, 0 where a cut removed what was there (see the
/// module docs).
fn class_map_pixels(item: &Item, cut: &Cut, level: u32, map: &ClassMap) -> Result<Vec<u8>, Error> {
    let classes = map.classes();
    let kept = if cut.lost_at(item, level) {
        Some(kept_pixels(item, cut, level, map)?)
    } else {
        None
    };
    let is_kept = |index: usize| kept.as_ref().is_none_or(|kept| kept[index]);
    // The common case, no class too large, is known from one vectorised pass.
    if classes.iter().any(|&class| class > MAX_PIXEL_CLASS) {
        let too_large = (0..classes.len()).find(|&i| classes[i] > MAX_PIXEL_CLASS && is_kept(i));
        if let Some(index) = too_large {
            let class = classes[index];
            return Err(Error::invalid(
                &item.image.path,
                format!(
                    "class {class} in the class map of level {level} cannot be written: \
                     R = class / 256 × 10 holds classes up to {MAX_PIXEL_CLASS}"
                ),
            ));
        }
    }
    // Written in place: extending by three bytes a pixel would check the
    // capacity each time. Pixels not kept stay 0, 0, 0.
    let mut rgb = vec![0; classes.len() * 3];
    let pixels = rgb
        .chunks_exact_mut(3)
        .zip(classes.iter().zip(map.instances()));
    // class ≤ 6655: class / 256 × 10 ≤ 250 and class % 256 < 256.
    let rgb_of =
        |ClassIndex(class), instance: u8| [(class / 256 * 10) as u8, (class % 256) as u8, instance];
    match &kept {
        None => {
            for (rgb, (&class, &instance)) in pixels {
                rgb.copy_from_slice(&rgb_of(class, instance));
            }
        }
        Some(kept) => {
            for ((rgb, (&class, &instance)), _) in pixels.zip(kept).filter(|(_, &keep)| keep) {
                rgb.copy_from_slice(&rgb_of(class, instance));
            }
        }
    }
    Ok(rgb)
}

/// Which pixels of the class map of `level` keep their class after a cut
/// that removed objects of that level: not those of a class no object
/// written has, nor those a removed object is seen at.
fn kept_pixels(item: &Item, cut: &Cut, level: u32, map: &ClassMap) -> Result<Vec<bool>, Error> {
    let written_classes: BTreeSet<ClassIndex> = cut
        .written()
        .map(|index| &item.objects[index])
        .filter(|object| object.part_level == level)
        .map(|object| object.class)
        .collect();
    let mut kept: Vec<bool> = map
        .classes()
        .iter()
        .map(|class| written_classes.contains(class))
        .collect();
    let removed = (0..cut.kept.len())
        .filter(|&index| !cut.kept[index])
        .map(|index| &item.objects[index]);
    clear_where_seen(item, map, level, removed, &mut kept)?;
    Ok(kept)
}

/// `<name>.json`, in the release's field order.
#[derive(Serialize)]
struct AnnotationFile<'a> {
    /// The one top-level key.
    annotation: AnnotationRecord<'a>,
}

/// The `annotation` object; the fields are named as in the release.
#[derive(Serialize)]
struct AnnotationRecord<'a> {
    /// The photo's file name.
    filename: &'a str,
    folder: &'a str,
    /// `[height, width, channels]`.
    imsize: [u32; 3],
    source: &'a SourceInfo,
    scene: &'a [String],
    object: Vec<ObjectRecord<'a>>,
}

/// One entry of `object`; the fields are named as in the release.
#[derive(Serialize)]
struct ObjectRecord<'a> {
    id: ObjectId,
    name: &'a str,
    name_ndx: ClassIndex,
    hypernym: &'a [String],
    raw_name: &'a str,
    attributes: &'a [String],
    /// A number, or `[]` when unknown.
    depth_ordering_rank: Value,
    /// `"yes"`, `"no"`, or `[]` when unknown.
    occluded: Value,
    crop: u8,
    parts: PartsRecord,
    instance_mask: String,
    polygon: PolygonRecord,
    saved_date: &'a str,
}

/// `parts` of an object.
#[derive(Serialize)]
struct PartsRecord {
    hasparts: Vec<ObjectId>,
    /// `[]` for whole objects, the parent's id for parts.
    ispartof: Value,
    part_level: u32,
}

/// `polygon` of an object: the coordinates of its points.
#[derive(Serialize)]
struct PolygonRecord {
    x: Vec<Value>,
    y: Vec<Value>,
}

/// The annotation of the written objects of `item`, under their own ids.
fn annotation_file<'a>(item: &'a Item, cut: &Cut, files: &'a ItemPaths) -> AnnotationFile<'a> {
    let written: HashSet<ObjectId> = cut
        .written()
        .map(|index| item.objects[index].ade_id)
        .collect();
    let object = cut
        .written()
        .map(|index| {
            let object = &item.objects[index];
            ObjectRecord {
                id: object.ade_id,
                name: &object.name,
                name_ndx: object.class,
                hypernym: &object.hypernym,
                raw_name: &object.raw_name,
                attributes: &object.attributes,
                depth_ordering_rank: object.depth_rank.map_or_else(|| json!([]), Value::from),
                occluded: match object.occluded {
                    Occlusion::Yes => json!("yes"),
                    Occlusion::No => json!("no"),
                    Occlusion::Unknown => json!([]),
                },
                crop: u8::from(object.crop),
                parts: PartsRecord {
                    hasparts: object
                        .children
                        .iter()
                        .copied()
                        .filter(|child| written.contains(child))
                        .collect(),
                    // A written part's parent is written.
                    ispartof: object
                        .parent
                        .map_or_else(|| json!([]), |parent| json!(parent)),
                    part_level: object.part_level,
                },
                instance_mask: instance_mask_name(&files.stem, object.ade_id),
                polygon: PolygonRecord {
                    x: object.polygon.iter().map(|p| coordinate(p[0])).collect(),
                    y: object.polygon.iter().map(|p| coordinate(p[1])).collect(),
                },
                saved_date: &object.saved_date,
            }
        })
        .collect();
    AnnotationFile {
        annotation: AnnotationRecord {
            filename: &files.image_name,
            folder: &item.folder,
            imsize: [item.image.height, item.image.width, 3],
            source: &item.source,
            scene: &item.scene,
            object,
        },
    }
}

/// A polygon coordinate: an integer when whole, as the release writes them.
fn coordinate(value: f64) -> Value {
    /// Whole numbers below 2^53 convert to `i64` and back exactly.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if value.fract() == 0.0 && value.abs() < EXACT {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

/// Adds up what the items wrote, in item order.
#[derive(Default)]
pub(crate) struct Ade20kSink {
    /// The class indices written.
    classes: BTreeSet<ClassIndex>,
    /// Items that lost objects.
    lost_objects: u64,
    /// Instance masks written under another name than the source's.
    renamed_masks: u64,
}

impl Ade20kSink {
    /// Completes the summary of the export.
    fn finish(self, summary: &mut Summary) {
        summary.categories = self.classes.len();
        if self.lost_objects > 0 {
            summary.notes.push(format!(
                "{} items lost objects: the others keep their ids, and the class maps written \
                 hold 0 where removed objects were",
                self.lost_objects
            ));
        }
        if self.renamed_masks > 0 {
            summary.notes.push(format!(
                "{} instance masks were named otherwise in the source: they are written as \
                 <stem>/instance_<id>_<stem>.png, and their annotations say so",
                self.renamed_masks
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ade20k_model::{ImageInfo, InMemoryMasks, InstanceMask};

    use super::*;
    use crate::LabelList;

    /// An object of class `class` with id `ade_id`, a part of `parent` when given.
    fn object(ade_id: u32, class: u32, parent: Option<u32>) -> Object {
        Object {
            part_level: u32::from(parent.is_some()),
            parent: parent.map(ObjectId),
            ..Object::new(
                ObjectId(ade_id),
                ClassIndex(class),
                format!("class {class}"),
            )
        }
    }

    /// A 3×1 item with `objects` and in-memory `masks`.
    fn item(objects: Vec<Object>, masks: InMemoryMasks) -> Item {
        Item {
            id: "a/b".into(),
            subset: "training".into(),
            image: ImageInfo {
                path: "training/a/b.jpg".into(),
                width: 3,
                height: 1,
            },
            folder: String::new(),
            scene: vec![],
            source: SourceInfo::default(),
            objects,
            part_levels: 1,
            masks: Arc::new(masks),
        }
    }

    fn cut(objects: Vec<Object>, parts: PartsMode, kept: &[u32]) -> Result<Cut, Error> {
        Cut::of(&item(objects, InMemoryMasks::default()), parts, |o| {
            kept.contains(&o.class.0)
        })
    }

    #[test]
    fn nothing_removed_keeps_every_object() {
        let objects = vec![object(0, 1, None), object(1, 2, Some(0))];
        let cut = cut(objects, PartsMode::Include, &[1, 2]).unwrap();
        assert_eq!(cut.kept, [true, true]);
        assert!(cut.left_out.is_empty());
    }

    #[test]
    fn written_objects_keep_their_ids_and_links_to_written_objects() {
        // Ids with gaps, as real items have them: 3 is a part of 0, 5 of 2.
        let objects = vec![
            Object {
                children: vec![ObjectId(3)],
                ..object(0, 1, None)
            },
            Object {
                children: vec![ObjectId(5)],
                ..object(2, 9, None)
            },
            object(3, 7, Some(0)),
            object(5, 7, Some(2)),
            object(9, 1, None),
        ];
        let item = item(objects, InMemoryMasks::default());
        let cut = Cut::of(&item, PartsMode::Include, |o| o.class != ClassIndex(9)).unwrap();
        assert_eq!(cut.kept, [true, false, true, false, true]);
        let files = ItemPaths::new(Path::new("out"), &item);
        let written = serde_json::to_value(annotation_file(&item, &cut, &files)).unwrap();
        let objects = written["annotation"]["object"].as_array().unwrap();
        let field = |name: &str| -> Vec<String> {
            objects
                .iter()
                .map(|o| o.pointer(name).unwrap().to_string())
                .collect()
        };
        assert_eq!(field("/id"), ["0", "3", "9"]);
        assert_eq!(field("/parts/hasparts"), ["[3]", "[]", "[]"]);
        assert_eq!(field("/parts/ispartof"), ["[]", "0", "[]"]);
        assert_eq!(
            field("/instance_mask"),
            [
                r#""b/instance_000_b.png""#,
                r#""b/instance_003_b.png""#,
                r#""b/instance_009_b.png""#
            ]
        );
    }

    #[test]
    fn parts_of_removed_objects_go() {
        // A part listed before its parent, and a part of a part.
        let objects = vec![
            object(0, 7, Some(2)), // part of a removed object: orphan
            object(1, 1, None),    // kept
            object(2, 9, None),    // class not kept
            object(3, 7, Some(0)), // part of an orphan: orphan
            object(4, 7, Some(1)), // part of a kept object: kept
        ];
        let cut = cut(objects, PartsMode::Include, &[1, 7]).unwrap();
        assert_eq!(cut.kept, [false, true, false, false, true]);
        assert_eq!(
            cut.left_out,
            [
                LeftOut::OrphanPart,
                LeftOut::NotSelected,
                LeftOut::OrphanPart
            ]
        );
    }

    #[test]
    fn excluded_parts_are_not_counted() {
        let objects = vec![
            object(0, 1, None),
            object(1, 1, Some(0)),
            object(2, 2, None),
        ];
        let cut = cut(objects, PartsMode::Exclude, &[1, 2]).unwrap();
        assert_eq!(cut.kept, [true, false, true]);
        assert!(cut.left_out.is_empty());
    }

    #[test]
    fn broken_hierarchies_are_errors_naming_the_item() {
        let missing = cut(vec![object(0, 1, Some(8))], PartsMode::Include, &[1]);
        let text = missing.unwrap_err().to_string();
        assert!(
            text.contains("b.jpg") && text.contains("parent 8"),
            "{text}"
        );
        let cycle = vec![object(0, 1, Some(1)), object(1, 1, Some(0))];
        let text = cut(cycle, PartsMode::Include, &[1])
            .unwrap_err()
            .to_string();
        assert!(text.contains("cycle"), "{text}");
    }

    #[test]
    fn removed_objects_are_zeroed_where_seen_and_other_levels_are_copied() {
        // Level 0: object 0 (class 300) on pixels 0 and 1, object 1 (class 2)
        // seen on pixel 2 and hidden behind object 0 on pixel 1.
        let mut masks = InMemoryMasks::default();
        let mask = |pixels: Vec<u8>| InstanceMask::from_pixels(3, 1, pixels).unwrap();
        masks
            .instance_masks
            .insert(ObjectId(0), mask(vec![255, 255, 0]));
        masks
            .instance_masks
            .insert(ObjectId(1), mask(vec![0, 128, 255]));
        let map = ClassMap::from_pixels(3, 1, [300, 300, 2].map(ClassIndex).into(), vec![7, 7, 9])
            .unwrap();
        let item = item(vec![object(0, 300, None), object(1, 2, None)], masks);
        let keep_all = Cut::of(&item, PartsMode::Include, |_| true).unwrap();
        assert_eq!(
            class_map_pixels(&item, &keep_all, 0, &map).unwrap(),
            [10, 44, 7, 10, 44, 7, 0, 2, 9]
        );
        let without_1 = Cut::of(&item, PartsMode::Include, |o| o.class == ClassIndex(300)).unwrap();
        assert_eq!(
            class_map_pixels(&item, &without_1, 0, &map).unwrap(),
            [10, 44, 7, 10, 44, 7, 0, 0, 0]
        );
        assert_eq!(
            class_map_pixels(&item, &without_1, 1, &map).unwrap(),
            [10, 44, 7, 10, 44, 7, 0, 2, 9],
            "level 1 lost nothing"
        );
        let without_0 = Cut::of(&item, PartsMode::Include, |o| o.class == ClassIndex(2)).unwrap();
        assert_eq!(
            class_map_pixels(&item, &without_0, 0, &map).unwrap(),
            [0, 0, 0, 0, 0, 0, 0, 2, 9]
        );
    }

    #[test]
    fn classes_beyond_the_encoding_are_errors() {
        let map =
            ClassMap::from_pixels(1, 1, vec![ClassIndex(MAX_PIXEL_CLASS.0 + 1)], vec![0]).unwrap();
        let item = item(vec![], InMemoryMasks::default());
        let cut = Cut::of(&item, PartsMode::Include, |_| true).unwrap();
        let text = class_map_pixels(&item, &cut, 0, &map)
            .unwrap_err()
            .to_string();
        assert!(text.contains("class 6656"), "{text}");
    }

    #[test]
    fn label_lists_may_select_but_not_merge_or_rename() {
        let check =
            |text: &str| check_selection(&LabelSelection::List(LabelList::parse(text).unwrap()));
        assert!(check("car\n401\nwall = wall\n").is_ok());
        assert!(check_selection(&LabelSelection::List(LabelList::scene_parsing_150())).is_ok());
        assert!(check_selection(&LabelSelection::TopClasses(3)).is_ok());
        let merge = check("vehicle = car\nvehicle = bus\n")
            .unwrap_err()
            .to_string();
        assert!(
            merge.contains("`vehicle` merges several classes"),
            "{merge}"
        );
        let rename = check("auto = 401\n").unwrap_err().to_string();
        assert!(rename.contains("`auto` renames a class"), "{rename}");
    }

    #[test]
    fn whole_coordinates_are_written_as_integers() {
        assert_eq!(coordinate(3.0).to_string(), "3");
        assert_eq!(coordinate(-2.0).to_string(), "-2");
        assert_eq!(coordinate(2.5).to_string(), "2.5");
        assert_eq!(coordinate(1e300).to_string(), "1e+300");
    }
}
