//! Cityscapes fine annotations (`gtFine`), as cityscapesScripts writes them and
//! Datumaro reads them.
//!
//! # Layout
//!
//! ```text
//! leftImg8bit/<subset>/<city>/<name>_leftImg8bit.<ext>   the photo, placed as --media says
//! gtFine/<subset>/<city>/<name>_gtFine_labelIds.png      8-bit grey: label id, 0 = unlabeled
//! gtFine/<subset>/<city>/<name>_gtFine_instanceIds.png   16-bit grey: id × 1000 + instance (things), id (stuff)
//! gtFine/<subset>/<city>/<name>_gtFine_color.png         8-bit RGBA: the colour of the pixel's label, alpha 255
//! gtFine/<subset>/<city>/<name>_gtFine_polygons.json     {"imgHeight", "imgWidth", "objects": [{"label", "polygon"}]}
//! label_colors.txt                                       `r g b name`, one line per label id from 0 (Datumaro)
//! ```
//!
//! `<name>` is the item's file stem. `<city>` is the item's folder inside its
//! subset with `/` replaced by `_` (`urban/street` → `urban_street`); items
//! directly in the subset go to the city `ade20k`. Cityscapes tools expect
//! exactly one folder level (`gtFine/<split>/*/*_gtFine_labelIds.png`), and
//! Datumaro names each item `<city>/<name>`: its annotation path relative to
//! `gtFine/<subset>` without `_gtFine_instanceIds.png`, its image path relative
//! to `leftImg8bit/<subset>` without extension and `_leftImg8bit`. Two items
//! whose paths flatten to the same files are an error.
//!
//! # Labels
//!
//! Label ids are 1..=N in the order of the label plan (`--labels`,
//! `--top-classes`, or every class by class index), 0 is `unlabeled`. A label is
//! stuff when the label list says so (`--labels sceneparsing150`) or `--stuff`
//! names it, and a thing otherwise. As in cityscapesScripts'
//! `json2instanceImg.py`, a thing pixel holds `id × 1000 + instance` and a
//! stuff pixel its `id`. Capacity: `labelIds` are 8-bit, so ids go up to 255,
//! and `instanceIds` are 16-bit, so thing ids go up to 65 (65 535 = 65 × 1000 +
//! 535). When every label may be a thing the plan holds at most 65 labels;
//! otherwise at most 255, of which the things must have ids up to 65. An image
//! with more instances of a thing class than `id × 1000 + instance` numbers
//! (1000, or fewer for id 65) writes the rest as the class's group, as
//! Cityscapes does for crowds: pixel value `id`, polygon label `<name>group`.
//!
//! Names are the plan's (canonical names without a selection, the list's
//! otherwise; `--label-name full` does not apply, `raw` is refused) with every
//! run of white space replaced by `_`, because Datumaro splits each line of
//! `label_colors.txt` at white space and takes its fourth field as the name; a
//! name that would repeat gets `_<id>` appended. The polygons use the same names.
//! Colours are the list's, else the VOC colour of the id; `unlabeled` is black.
//! Datumaro (1.x) takes the lines of `label_colors.txt` as its labels, line n
//! being id n, and makes one mask per label id found as a value of instanceIds:
//! stuff classes and groups; it reads no mask from `id × 1000 + instance` values.
//!
//! # Pixels and polygons
//!
//! Only whole objects (part level 0) of kept classes are written, from their
//! visible masks, which partition the image: Cityscapes has no parts, so
//! `--parts` has no effect and `--parts-level` other than 0 is refused, and the
//! label images show what is seen, so `--amodal` does not apply. Objects of
//! classes not kept and objects with no visible pixel are counted in the summary.
//!
//! Objects are drawn back to front, as Cityscapes' polygon files list them
//! (later objects on top): by `depth_ordering_rank` from the largest (farthest)
//! to 1 (front-most), objects without a rank first, annotation order within a
//! rank. Instances are numbered from 0 per class and image in that order. Each
//! object contributes one polygon entry per connected piece of its visible
//! region, traced by [`trace_polygons`]: vertices on pixel corners, holes
//! bridged, so the polygons, filled even-odd at pixel centres, give back the
//! object's pixels exactly. cityscapesScripts fills polygons with Pillow, which
//! also colours the outline, so its `json2labelImg` grows each region by one
//! pixel on its right and bottom edges, and its `json2instanceImg` numbers each
//! piece of an object in several pieces as an instance: the PNGs written here
//! are exact. Measured by `scripts/verify_cityscapes.py` (cityscapesScripts
//! 2.3.0), the IoU of each label's region as `json2labelImg` renders it with
//! the same region in `labelIds` is 0.980 on average (0.936 at least) on the
//! real 2200×1467 item of the release, and 0.901 (0.832) on the small
//! images of the `ade20k2020` fixture. The colour image is RGBA, as `json2labelImg` draws it.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ade20k_model::{BinaryMask, Error, Item};
use serde::Serialize;

use crate::encode::composite::ObjectMap;
use crate::encode::png_out::PngPixels;
use crate::encode::trace::trace_polygons;
use crate::formats::flat_names::{FlatItem, FlatNames};
use crate::formats::{Exporter, Format, Job, Scaling, Setting};
use crate::labels::colors::{write_label_colors, ColoredLabel, Stuff};
use crate::labels::selection::LabelPlan;
use crate::labels::LabelId;
use crate::run::{self, ItemFiles};
use crate::{ExportError, LeftOut, Summary};

/// Highest label id: `_gtFine_labelIds.png` is 8-bit.
const MAX_LABEL_ID: u32 = 255;
/// Highest id of a thing class: `id × 1000 + instance` must fit 16 bits.
const MAX_THING_ID: u32 = 65;
/// Instances one class can number in one image: `id × 1000 + instance`.
const INSTANCES_PER_CLASS: u32 = 1000;
/// City of the items that lie directly in their subset.
const TOP_LEVEL_CITY: &str = "ade20k";

/// The `cityscapes` format: the label plan, the output labels, the options.
pub(crate) struct Cityscapes {
    /// The output folder.
    out: PathBuf,
    /// Which classes are kept, under which ids.
    plan: LabelPlan,
    /// The output labels, by id.
    labels: Vec<ColoredLabel>,
}

impl Exporter for Cityscapes {
    const FORMAT: Format = Format {
        name: "cityscapes",
        description: "Cityscapes gtFine label, instance and colour images with polygons \
                      (cityscapesScripts, Datumaro)",
        takes: &[Setting::Stuff],
        run: run::run::<Cityscapes>,
        scaling: Scaling::Optional,
    };
    type Prepared = FlatItem;
    type Sink<'e> = FlatNames;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let (plan, labels) = resolve_labels(job)?;
        Ok(Cityscapes {
            out: job.out.to_path_buf(),
            plan,
            labels,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<FlatNames, Error> {
        Ok(FlatNames::default())
    }

    /// Draws the item's label images and polygons, in drawing order.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<FlatItem, Error> {
        let (city, name) = city_and_name(&item.id);
        let image_name = match item.image.path.extension().and_then(|ext| ext.to_str()) {
            Some(ext) => format!("{name}_leftImg8bit.{ext}"),
            None => format!("{name}_leftImg8bit"),
        };
        let image_dir = self.out.join("leftImg8bit").join(&item.subset).join(&city);
        files.image(&item, image_dir.join(image_name))?;

        let mut left_out = Vec::new();
        let mut label_ids = vec![None; item.objects.len()];
        for (index, object) in item.objects.iter().enumerate() {
            if object.is_part() {
                continue;
            }
            label_ids[index] = self.plan.label_of(object);
            if label_ids[index].is_none() {
                left_out.push(LeftOut::NotSelected);
            }
        }
        let map = ObjectMap::paint(&item, 0, |index| label_ids[index].is_some())?;
        let regions = Region::of_owners(&map, item.objects.len());
        let mut drawn = Vec::new();
        for (index, label_id) in label_ids.iter().enumerate() {
            let Some(label_id) = *label_id else { continue };
            match regions[index + 1] {
                Some(region) => drawn.push((index, label_id, region)),
                None => left_out.push(LeftOut::NoPixels),
            }
        }
        drawn.sort_by_key(|&(index, ..)| item.objects[index].depth_rank.map(Reverse));

        let drawing = self.draw(&map, item.objects.len(), &drawn, &mut left_out);
        let gt_dir = self.out.join("gtFine").join(&item.subset).join(&city);
        self.write_files(files, &gt_dir, name, &map, &drawing)?;

        files.leave_out_all(left_out);
        Ok(FlatItem {
            subset: item.subset,
            name: format!("{city}/{name}"),
            image: item.image.path,
            objects: drawn.len() as u64,
        })
    }

    /// Counts one item; fails when an earlier item has the same files.
    fn write(&self, sink: &mut FlatNames, prepared: FlatItem) -> Result<u64, Error> {
        sink.count(prepared, |subset, key| {
            format!("its cityscapes files gtFine/{subset}/{key}_gtFine_*")
        })
    }

    fn finish(
        &self,
        _sink: FlatNames,
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let things = write_label_colors(&self.out, &self.labels, summary)?;
        summary.notes.push(format!(
            "instanceIds: {things} thing classes as id × 1000 + instance, {} stuff classes as id",
            self.labels.len() - 1 - things
        ));
        Ok(())
    }
}

/// Resolves the label plan within cityscapes' capacity and the output labels.
fn resolve_labels(job: &Job<'_>) -> Result<(LabelPlan, Vec<ColoredLabel>), ExportError> {
    let options = job.options;
    let stuff = Stuff::resolve(&job.dataset, options)?;
    let capacity = if stuff.is_named() {
        MAX_LABEL_ID
    } else {
        MAX_THING_ID
    };
    let plan = LabelPlan::resolve(
        &options.labels,
        &job.dataset,
        Some((capacity as usize, Cityscapes::FORMAT.name)),
    )?;
    if let Some(label) = plan
        .labels()
        .iter()
        .find(|label| stuff.is_thing(label) && label.id.0 > MAX_THING_ID)
    {
        return Err(ExportError::Usage(format!(
            "cityscapes writes a thing pixel as id × 1000 + instance in 16 bits, so thing \
             classes need ids 1 to {MAX_THING_ID}, but the thing class `{}` has id {}; keep \
             at most {MAX_THING_ID} classes (--top-classes K, --labels FILE) or name the \
             classes past the {MAX_THING_ID}th as stuff with --stuff FILE",
            label.name, label.id
        )));
    }
    let labels = ColoredLabel::all(&plan, &stuff);
    Ok((plan, labels))
}

/// The city folder and the file stem of the item `id` (`urban/street/x` →
/// `urban_street`, `x`).
fn city_and_name(id: &str) -> (String, &str) {
    match id.rsplit_once('/') {
        Some((folder, name)) => (folder.replace('/', "_"), name),
        None => (TOP_LEVEL_CITY.to_string(), id),
    }
}

/// The `instanceIds` value of instance `number` of thing class `id`, when it fits.
fn instance_value(id: u32, number: u32) -> Option<u16> {
    if number >= INSTANCES_PER_CLASS {
        return None;
    }
    let value = id.checked_mul(INSTANCES_PER_CLASS)?.checked_add(number)?;
    u16::try_from(value).ok()
}

/// One entry of `objects` in `_gtFine_polygons.json`.
#[derive(Serialize)]
struct PolygonObject<'a> {
    /// Label name, or `<name>group`.
    label: &'a str,
    /// Vertices `[x, y]` on pixel corners.
    polygon: &'a [[u32; 2]],
}

/// What the label files of one item hold.
struct Drawing {
    /// Per owner of the object map (0 = none): label id and instanceIds value.
    values: Vec<(u8, u16)>,
    /// The polygons file's objects: label and polygon, in drawing order.
    polygons: Vec<(String, Vec<[u32; 2]>)>,
}

impl Cityscapes {
    /// Numbers the instances of `drawn` (index, label id, region), in drawing
    /// order, and traces their polygons.
    fn draw(
        &self,
        map: &ObjectMap,
        objects: usize,
        drawn: &[(usize, LabelId, Region)],
        left_out: &mut Vec<LeftOut>,
    ) -> Drawing {
        let mut values = vec![(0u8, 0u16); objects + 1];
        let mut next_instance: HashMap<u32, u32> = HashMap::new();
        let mut polygons = Vec::new();
        for &(index, LabelId(label_id), region) in drawn {
            let label = &self.labels[label_id as usize];
            let mut instance = None;
            if label.is_thing {
                let next = next_instance.entry(label_id).or_default();
                instance = instance_value(label_id, *next);
                match instance {
                    Some(_) => *next += 1,
                    None => left_out.push(LeftOut::Grouped),
                }
            }
            values[index + 1] = (label_id as u8, instance.unwrap_or(label_id as u16));
            let polygon_label = if label.is_thing && instance.is_none() {
                format!("{}group", label.name)
            } else {
                label.name.clone()
            };
            for polygon in region.outline(map, index as u32 + 1) {
                polygons.push((polygon_label.clone(), polygon));
            }
        }
        Drawing { values, polygons }
    }

    /// Hands `<name>_gtFine_{labelIds,instanceIds,color}.png` and
    /// `_polygons.json` in `dir` to `files`.
    fn write_files(
        &self,
        files: &mut ItemFiles,
        dir: &Path,
        name: &str,
        map: &ObjectMap,
        drawing: &Drawing,
    ) -> Result<(), Error> {
        let values = &drawing.values;
        let label_pixels: Vec<u8> = map.owners.iter().map(|&o| values[o as usize].0).collect();
        let instance_pixels: Vec<u16> = map.owners.iter().map(|&o| values[o as usize].1).collect();
        let color_pixels: Vec<u8> = label_pixels
            .iter()
            .flat_map(|&id| {
                let [r, g, b] = self.labels[usize::from(id)].color;
                [r, g, b, u8::MAX]
            })
            .collect();
        let file = |suffix: &str| dir.join(format!("{name}_gtFine_{suffix}"));
        let (width, height) = (map.width, map.height);
        for (suffix, pixels) in [
            ("labelIds.png", PngPixels::Gray8(label_pixels)),
            ("instanceIds.png", PngPixels::Gray16(instance_pixels)),
            ("color.png", PngPixels::Rgba8(color_pixels)),
        ] {
            files.png(file(suffix), width, height, pixels);
        }
        let path = file("polygons.json");
        let json = polygons_json(&path, width, height, &drawing.polygons)?;
        files.file(path, json.into_bytes());
        Ok(())
    }
}

/// The box of an object's pixels in an [`ObjectMap`], bounds inclusive.
#[derive(Clone, Copy)]
struct Region {
    /// Leftmost column.
    x0: u32,
    /// Top row.
    y0: u32,
    /// Rightmost column.
    x1: u32,
    /// Bottom row.
    y1: u32,
}

impl Region {
    /// The region of every owner of `map` (index 0, no object, stays `None`),
    /// in one pass.
    fn of_owners(map: &ObjectMap, objects: usize) -> Vec<Option<Region>> {
        let mut regions: Vec<Option<Region>> = vec![None; objects + 1];
        let width = (map.width as usize).max(1);
        for (y, row) in map.owners.chunks_exact(width).enumerate() {
            for (x, &owner) in row.iter().enumerate() {
                if owner == 0 {
                    continue;
                }
                let (x, y) = (x as u32, y as u32);
                let region = regions[owner as usize].get_or_insert(Region {
                    x0: x,
                    y0: y,
                    x1: x,
                    y1: y,
                });
                region.x0 = region.x0.min(x);
                region.x1 = region.x1.max(x);
                region.y1 = y;
            }
        }
        regions
    }

    /// The polygons of `owner`'s pixels in `map`, in image coordinates.
    fn outline(&self, map: &ObjectMap, owner: u32) -> Vec<Vec<[u32; 2]>> {
        let width = map.width as usize;
        let mask = BinaryMask::from_fn(self.x1 - self.x0 + 1, self.y1 - self.y0 + 1, |x, y| {
            map.owners[(self.y0 + y) as usize * width + (self.x0 + x) as usize] == owner
        });
        trace_polygons(&mask)
            .into_iter()
            .map(|ring| {
                ring.into_iter()
                    .map(|[x, y]| [x as u32 + self.x0, y as u32 + self.y0])
                    .collect()
            })
            .collect()
    }
}

/// Writes `_gtFine_polygons.json`: the image size and one object per line.
fn polygons_json(
    path: &Path,
    width: u32,
    height: u32,
    polygons: &[(String, Vec<[u32; 2]>)],
) -> Result<String, Error> {
    let mut json = format!("{{\"imgHeight\":{height},\"imgWidth\":{width},\"objects\":[");
    for (n, (label, polygon)) in polygons.iter().enumerate() {
        json.push_str(if n == 0 { "\n" } else { ",\n" });
        let object = PolygonObject { label, polygon };
        let text = serde_json::to_string(&object)
            .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
        json.push_str(&text);
    }
    json.push_str("\n]}\n");
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_values_fit_sixteen_bits_and_a_thousand_per_class() {
        assert_eq!(instance_value(1, 0), Some(1000));
        assert_eq!(instance_value(26, 2), Some(26002));
        assert_eq!(instance_value(64, 999), Some(64999));
        assert_eq!(instance_value(64, 1000), None);
        assert_eq!(instance_value(65, 535), Some(u16::MAX));
        assert_eq!(instance_value(65, 536), None);
    }

    #[test]
    fn cities_are_flat_folders() {
        assert_eq!(
            city_and_name("urban/street/ADE_1"),
            ("urban_street".to_string(), "ADE_1")
        );
        assert_eq!(city_and_name("ADE_2"), ("ade20k".to_string(), "ADE_2"));
    }
}
