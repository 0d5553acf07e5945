//! Datumaro's own JSON format (`datumaro`, format version 1.0), as Datumaro
//! (`Dataset.import_from(path, "datumaro")`, `datum`) and CVAT read it:
//!
//! ```text
//! annotations/<subset>.json          one file per subset
//! images/<subset>/<item id>.<ext>    the photos (linked, copied or left out: --media)
//! ```
//!
//! Each subset file is one JSON object: `dm_format_version` (`"1.0"`, first,
//! where Datumaro looks for it), `media_type` (2, images), `infos` (empty),
//! `categories` and `items`, in the order Datumaro writes them.
//!
//! **Labels.** `categories.label.labels` lists every label as `{name, parent:
//! "", attributes: []}`; an annotation's `label_id` is a position in that
//! list. Without a selection the labels are every class of the dataset by
//! class index, named canonically (`--label-name full`: by full WordNet name);
//! with one (`--labels`, `--top-classes`) the listed labels in list order;
//! with `--label-name raw` the annotators' words, in the dataset's label order
//! (`dataset_meta.json`), then in order of first appearance. Datumaro needs
//! distinct, non-empty names: an empty name becomes `unnamed`, and a name
//! already taken gets ` (2)`, ` (3)`, … (stated in the summary's notes).
//! `categories.label.attributes` declares every annotation attribute key
//! written, sorted. `categories.mask.colormap` gives each label the colour of
//! the label list (`sceneparsing150`), else the Pascal VOC colour of its
//! position + 1.
//!
//! **Items.** `{id, annotations, image: {path, size: [height, width]}, attr:
//! {scene}}`: the id is the ADE item id (`urban/street/ADE_train_00000001`),
//! the image path is relative to `images/<subset>/`.
//!
//! **Annotations.** Each object and part (parts unless `--parts exclude`) of a
//! kept class becomes a `mask` annotation: `rle` is its visible mask (amodal
//! with `--amodal`) as a COCO compressed RLE `{counts: "<string>", size:
//! [height, width]}` (column-major runs, [`Rle`]), which is how Datumaro stores
//! and reads masks. When the annotator's polygon has 3 points or more, a
//! `polygon` annotation (`points: [x0, y0, x1, y1, …]`) follows, as Datumaro's
//! own `ade20k2020` importer adds it. Both carry:
//!
//! - `id`: the ADE object id (unique in the item);
//! - `group`: 1 + the ADE id of the level-0 object the annotation belongs to,
//!   so an object, its parts and their polygons share one group (Datumaro's
//!   way of tying parts to their object, as in its VOC and LabelMe formats);
//! - `z_order`: the part level;
//! - `attributes`: `occluded` (bool, absent when unknown; CVAT's occlusion
//!   flag), `crop` (bool), `part_level`, `parent_id` (ADE id of the parent, when
//!   it is written too), `ade_class` (class index), `raw_name`,
//!   `depth_ordering_rank` (when annotated), and each ADE attribute word as a
//!   `true`-valued key (`"walking": true`), as Datumaro's `ade20k2020` importer
//!   stores them and as CVAT shows checkbox attributes. Words equal to one of
//!   the keys above, and empty words, are dropped.
//!
//! Objects with no pixels in their mask are left out, and objects of classes
//! not kept, both counted. `--segmentation` does not apply: the mask is
//! pixel-exact and the annotator's polygon is always written beside it.
//!
//! Items are written one by one to a hidden part file per subset (see
//! [`crate::encode::json_records`]); once every item is read (which fixes the raw
//! labels and the attribute keys), each subset's file is assembled from its
//! header, the categories and the spooled items.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::path::PathBuf;

use ade20k_model::{Categories, Error, Item, Object, ObjectId, Occlusion};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::encode::json_records::RecordWriter;
use crate::encode::palette::{label_color, voc_color};
use crate::encode::rle::Rle;
use crate::formats::{masked_objects, Exporter, Format, Job, MaskedObject, Scaling, Setting};
use crate::labels::registry::LabelRegistry;
use crate::labels::selection::LabelPlan;
use crate::run::{self, ItemFiles};
use crate::source::hierarchy::Hierarchy;
use crate::{ExportError, ExportOptions, LabelNaming, LabelSelection, LeftOut, Summary};

/// The format version Datumaro 1.x writes and reads.
const FORMAT_VERSION: &str = "1.0";
/// Datumaro's `MediaType.IMAGE`.
const MEDIA_TYPE_IMAGE: u8 = 2;
/// The name given to a label whose name is empty.
const UNNAMED: &str = "unnamed";

/// The `datumaro` format: the label plan and the options.
pub(crate) struct Datumaro {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
}

impl Exporter for Datumaro {
    const FORMAT: Format = Format {
        name: "datumaro",
        description: "Datumaro JSON: instance masks, annotator polygons, attributes and \
                      object-part groups (Datumaro, CVAT)",
        takes: &[Setting::Parts, Setting::MaskKind, Setting::LabelNaming],
        run: run::run::<Datumaro>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = DatumaroSink<'e>;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let options = job.options;
        // Label ids must be positions 1..=N as items are written: a resolved
        // plan numbers every class up front; raw names are numbered as they come.
        let capacity =
            (options.label_naming != LabelNaming::Raw).then_some((usize::MAX, Self::FORMAT.name));
        let plan = LabelPlan::resolve(&options.labels, &job.dataset, capacity)?;
        let dir = job.out.join("annotations");
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Datumaro {
            out: job.out.to_path_buf(),
            options: options.clone(),
            plan,
        })
    }

    fn sink<'e>(&'e self, job: &Job<'_>) -> Result<DatumaroSink<'e>, Error> {
        Ok(DatumaroSink {
            dir: self.out.join("annotations"),
            spools: BTreeMap::new(),
            labels: LabelRegistry::new(
                self.options.label_naming,
                &self.plan,
                job.source.label_order(),
            ),
            classes: Categories::new(),
            attribute_names: BTreeSet::new(),
        })
    }

    /// Encodes the masks, builds the attributes, places the image.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        let file_name = files.image_in_subset_folder(&item, &self.out.join("images"))?;
        let mut kept = Vec::new();
        let mut left_out = Vec::new();
        for MaskedObject { index, mask, .. } in
            masked_objects(&self.plan, &item, &self.options, &mut left_out)?
        {
            kept.push((index, Rle::encode_cropped(&mask)));
        }
        let hierarchy = Hierarchy::of(&item);
        let written: HashSet<ObjectId> = kept
            .iter()
            .map(|(index, _)| item.objects[*index].ade_id)
            .collect();
        let shapes = kept
            .into_iter()
            .map(|(index, rle)| {
                let object = &item.objects[index];
                let polygon = object.polygon.len() >= 3;
                if !polygon {
                    left_out.push(LeftOut::ShortPolygon);
                }
                Shape {
                    index,
                    counts: rle.to_coco_string(),
                    size: [rle.height, rle.width],
                    group: u64::from(item.objects[hierarchy.root(index)].ade_id.0) + 1,
                    attributes: attributes(object, &written),
                    polygon,
                }
            })
            .collect();
        files.leave_out_all(left_out);
        Ok(PreparedItem {
            item,
            file_name,
            shapes,
        })
    }

    fn write(&self, sink: &mut DatumaroSink<'_>, prepared: PreparedItem) -> Result<u64, Error> {
        let PreparedItem {
            item,
            file_name,
            shapes,
        } = prepared;
        item.objects.iter().for_each(|o| sink.classes.observe(o));
        let mut annotations = Vec::new();
        for shape in &shapes {
            let object = &item.objects[shape.index];
            let Some(id) = sink.labels.category_id(object) else {
                continue;
            };
            // Ids are 1..=N here: those of a resolved plan, or raw ids.
            let label_id = id.0 as usize - 1;
            for key in shape.attributes.keys() {
                if !sink.attribute_names.contains(key) {
                    sink.attribute_names.insert(key.clone());
                }
            }
            let record = |shape_record| AnnotationRecord {
                id: object.ade_id,
                shape: shape_record,
                attributes: &shape.attributes,
                group: shape.group,
                label_id,
                z_order: object.part_level,
            };
            annotations.push(record(ShapeRecord::Mask {
                rle: RleRecord {
                    counts: &shape.counts,
                    size: shape.size,
                },
            }));
            if shape.polygon {
                annotations.push(record(ShapeRecord::Polygon {
                    points: object.polygon.as_flattened(),
                }));
            }
        }
        let spool = match sink.spools.entry(item.subset.clone()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(Spool {
                items: RecordWriter::create(sink.dir.join(format!(".{}.items.part", item.subset)))?,
            }),
        };
        let written = annotations.len() as u64;
        spool.items.record(&ItemRecord {
            id: &item.id,
            annotations,
            image: ImageRecord {
                path: &file_name,
                size: [item.image.height, item.image.width],
            },
            attr: ItemAttributes { scene: &item.scene },
        })?;
        Ok(written)
    }

    fn finish(
        &self,
        sink: DatumaroSink<'_>,
        _job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        sink.finish(subsets, &self.plan, &self.options, summary)
    }
}

/// One item, ready to be labelled and written.
pub(crate) struct PreparedItem {
    item: Item,
    /// Image path relative to `images/<subset>/`.
    file_name: String,
    /// The objects written, in object order.
    shapes: Vec<Shape>,
}

/// The annotations of one object, but for the label id.
struct Shape {
    /// Index in `item.objects`.
    index: usize,
    /// The mask as a COCO compressed RLE string.
    counts: String,
    /// `[height, width]` of the mask.
    size: [u32; 2],
    /// 1 + the ADE id of the level-0 object it belongs to.
    group: u64,
    /// Shared by the mask and the polygon.
    attributes: Map<String, Value>,
    /// Whether the annotator's polygon becomes an annotation too.
    polygon: bool,
}

/// The fixed attribute keys; attribute words equal to one of them are dropped.
const RESERVED_KEYS: [&str; 7] = [
    "occluded",
    "crop",
    "part_level",
    "parent_id",
    "ade_class",
    "raw_name",
    "depth_ordering_rank",
];

/// The `attributes` of an object's annotations (see the module docs).
fn attributes(object: &Object, written: &HashSet<ObjectId>) -> Map<String, Value> {
    let mut attributes: Map<String, Value> = object
        .attributes
        .iter()
        .filter(|word| !word.is_empty() && !RESERVED_KEYS.contains(&word.as_str()))
        .map(|word| (word.clone(), Value::Bool(true)))
        .collect();
    match object.occluded {
        Occlusion::Yes => attributes.insert("occluded".into(), true.into()),
        Occlusion::No => attributes.insert("occluded".into(), false.into()),
        Occlusion::Unknown => None,
    };
    attributes.insert("crop".into(), object.crop.into());
    attributes.insert("part_level".into(), object.part_level.into());
    if let Some(parent) = object.parent.filter(|parent| written.contains(parent)) {
        attributes.insert("parent_id".into(), parent.0.into());
    }
    attributes.insert("ade_class".into(), object.class.0.into());
    attributes.insert("raw_name".into(), object.raw_name.clone().into());
    if let Some(rank) = object.depth_rank {
        attributes.insert("depth_ordering_rank".into(), rank.into());
    }
    attributes
}

/// Labels and writes prepared items, in order.
pub(crate) struct DatumaroSink<'a> {
    /// `annotations/`.
    dir: PathBuf,
    /// Per subset, started on its first item.
    spools: BTreeMap<String, Spool>,
    /// Label ids: those of the plan, or raw ids in order of appearance.
    labels: LabelRegistry<'a>,
    /// Every class seen, for full WordNet names.
    classes: Categories,
    /// Every annotation attribute key written.
    attribute_names: BTreeSet<String>,
}

/// The spooled items of one subset.
struct Spool {
    items: RecordWriter,
}

/// One entry of `items`.
#[derive(Serialize)]
struct ItemRecord<'a> {
    id: &'a str,
    annotations: Vec<AnnotationRecord<'a>>,
    image: ImageRecord<'a>,
    attr: ItemAttributes<'a>,
}

/// The image of an item.
#[derive(Serialize)]
struct ImageRecord<'a> {
    /// Relative to `images/<subset>/`.
    path: &'a str,
    /// `[height, width]`.
    size: [u32; 2],
}

/// The item's own attributes.
#[derive(Serialize)]
struct ItemAttributes<'a> {
    scene: &'a [String],
}

/// One annotation of an item.
#[derive(Serialize)]
struct AnnotationRecord<'a> {
    id: ObjectId,
    #[serde(flatten)]
    shape: ShapeRecord<'a>,
    attributes: &'a Map<String, Value>,
    group: u64,
    label_id: usize,
    z_order: u32,
}

/// The `type` of an annotation and its geometry.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ShapeRecord<'a> {
    Mask { rle: RleRecord<'a> },
    Polygon { points: &'a [f64] },
}

/// A COCO compressed RLE, as Datumaro stores masks.
#[derive(Serialize)]
struct RleRecord<'a> {
    counts: &'a str,
    size: [u32; 2],
}

impl DatumaroSink<'_> {
    /// Writes `<subset>.json` for every one of `subsets` (empty ones too).
    fn finish(
        mut self,
        subsets: &[String],
        plan: &LabelPlan,
        options: &ExportOptions,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let (names, colors): (Vec<String>, Vec<[u8; 3]>) =
            self.labels_in_order(plan, options).into_iter().unzip();
        let (names, renamed) = distinct_names(names);
        if renamed > 0 {
            summary.notes.push(format!(
                "{renamed} label names were empty or taken and were renamed \
                 (`{UNNAMED}`, `<name> (2)`, …): Datumaro needs distinct names"
            ));
        }
        summary.notes.push(
            "annotations: one mask per object or part, and one polygon per annotator \
             polygon of 3 points or more"
                .into(),
        );
        let categories = categories_json(&names, &colors, &self.attribute_names);
        let header = format!(
            "{{\"dm_format_version\":\"{FORMAT_VERSION}\",\"media_type\":{MEDIA_TYPE_IMAGE},\
             \"infos\":{{}},\"categories\":{categories},\"items\":["
        );
        for subset in subsets {
            let path = self.dir.join(format!("{subset}.json"));
            let mut out = RecordWriter::create(path)?;
            out.raw(header.as_bytes())?;
            if let Some(spool) = self.spools.remove(subset) {
                let part = spool.items.finish()?;
                out.append_file(&part)?;
                fs::remove_file(&part).map_err(|e| Error::io(&part, e))?;
            }
            out.raw(b"\n]}\n")?;
            out.finish()?;
        }
        summary.categories = names.len();
        Ok(())
    }

    /// Name and colour of every label, in label id order.
    fn labels_in_order(&self, plan: &LabelPlan, options: &ExportOptions) -> Vec<(String, [u8; 3])> {
        if options.label_naming == LabelNaming::Raw {
            let mut labels = self.labels.labels();
            labels.sort_by_key(|label| label.id);
            return labels
                .into_iter()
                .map(|label| (label.name, voc_color(label.id.0)))
                .collect();
        }
        let full_names =
            options.label_naming == LabelNaming::Full && options.labels == LabelSelection::All;
        plan.labels()
            .iter()
            .map(|label| {
                let full_name = label
                    .class_indices
                    .first()
                    .and_then(|&class| self.classes.get(class))
                    .filter(|_| full_names)
                    .map(|category| category.name.clone());
                (
                    full_name.unwrap_or_else(|| label.name.clone()),
                    label_color(label),
                )
            })
            .collect()
    }
}

/// `names` made distinct and non-empty, in order, and how many were changed:
/// an empty name becomes [`UNNAMED`], a name already taken gets ` (2)`,
/// ` (3)`, … (the first free one).
pub(crate) fn distinct_names(names: Vec<String>) -> (Vec<String>, usize) {
    let mut taken = HashSet::new();
    let mut renamed = 0;
    let names = names
        .into_iter()
        .map(|name| {
            let base = if name.is_empty() { UNNAMED } else { &name };
            let mut candidate = base.to_string();
            let mut copy = 1;
            while taken.contains(&candidate) {
                copy += 1;
                candidate = format!("{base} ({copy})");
            }
            if candidate != name {
                renamed += 1;
            }
            taken.insert(candidate.clone());
            candidate
        })
        .collect();
    (names, renamed)
}

/// The `categories` object: labels, declared attribute keys, colour map.
fn categories_json(names: &[String], colors: &[[u8; 3]], attributes: &BTreeSet<String>) -> Value {
    let labels: Vec<Value> = names
        .iter()
        .map(|name| serde_json::json!({"name": name, "parent": "", "attributes": []}))
        .collect();
    let colormap: Vec<Value> = colors
        .iter()
        .enumerate()
        .map(|(label_id, [r, g, b])| {
            serde_json::json!({"label_id": label_id, "r": r, "g": g, "b": b})
        })
        .collect();
    serde_json::json!({
        "label": {"labels": labels, "label_groups": [], "attributes": attributes},
        "mask": {"colormap": colormap},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_distinct_and_non_empty() {
        let names = ["car", "", "car", "car (2)", "", "person"].map(String::from);
        let (names, renamed) = distinct_names(names.to_vec());
        assert_eq!(
            names,
            [
                "car",
                "unnamed",
                "car (2)",
                "car (2) (2)",
                "unnamed (2)",
                "person"
            ]
        );
        assert_eq!(renamed, 4);
    }

    #[test]
    fn annotations_serialize_as_datumaro_reads_them() {
        let attributes = Map::from_iter([("crop".to_string(), Value::Bool(true))]);
        let mask = AnnotationRecord {
            id: ObjectId(3),
            shape: ShapeRecord::Mask {
                rle: RleRecord {
                    counts: "332O3O",
                    size: [4, 4],
                },
            },
            attributes: &attributes,
            group: 3,
            label_id: 0,
            z_order: 1,
        };
        assert_eq!(
            serde_json::to_string(&mask).unwrap(),
            r#"{"id":3,"type":"mask","rle":{"counts":"332O3O","size":[4,4]},"attributes":{"crop":true},"group":3,"label_id":0,"z_order":1}"#
        );
        let polygon = AnnotationRecord {
            shape: ShapeRecord::Polygon {
                points: &[1.0, 2.5, 3.0, 4.0, 0.0, 0.0],
            },
            ..mask
        };
        assert_eq!(
            serde_json::to_string(&polygon).unwrap(),
            r#"{"id":3,"type":"polygon","points":[1.0,2.5,3.0,4.0,0.0,0.0],"attributes":{"crop":true},"group":3,"label_id":0,"z_order":1}"#
        );
    }
}
