//! The Ultralytics YOLO layout, as `ultralytics` (YOLOv8 and later) trains on it:
//!
//! ```text
//! data.yaml                              dataset root, splits and class names
//! images/<subset>/<item id>.<ext>        the photo (linked, copied or left out: --media)
//! labels/<subset>/<item id>.txt          one line per object: class index and shape
//! ```
//!
//! **Paths.** Scene folders of the item id are kept under both folders
//! (`images/training/urban/street/ADE_train_00000001.jpg` and
//! `labels/training/urban/street/ADE_train_00000001.txt`). Ultralytics finds a
//! label file by replacing the last `/images/` of the image path with
//! `/labels/` and the extension with `.txt`, so an item whose subset or id has
//! a folder called `images` stops the export (its labels would not be found).
//! Every item gets a label file, an empty one when no object is written.
//!
//! **Classes.** Class indices run from 0 without gaps, `index = label id − 1`:
//! the classes of the label plan in its order (every class of the dataset by
//! class index when no selection is given), or with `--label-name raw` the
//! annotators' words, numbered in the dataset's label order, then in order of
//! first appearance (raw names cannot be combined with a selection). Names
//! are canonical (the first synonym, the full WordNet name where two classes
//! share it) or, with `--label-name full`, full WordNet names; a selection's
//! labels keep the names the list gives them. Objects of classes not kept are
//! left out and counted.
//!
//! **Objects.** Each object, and each part unless parts are excluded (a part is
//! an object of its own class), becomes one line, in annotation order. Its mask
//! is the visible one (the amodal one with `--amodal`); an object with no pixel
//! in it is left out and counted. Coordinates are divided by the image width
//! and height and written with at most 6 decimals, trailing zeros removed.
//!
//! - [`YoloTask::Segment`] (default): `class x1 y1 x2 y2 …`, a polygon
//!   placed so that Ultralytics' rasteriser gives the mask back (see below).
//!   YOLO has one polygon per object, so the polygons of a mask of several
//!   components are joined into one the way Ultralytics' `merge_multi_segment`
//!   joins a COCO object's polygons (see [`join_components`]): each component
//!   to the next by the shortest segment between their vertices, walked there
//!   and back.
//! - [`YoloTask::Detect`]: `class cx cy w h`, the centre and size of the
//!   mask's tight box.
//!
//! **Polygons under Ultralytics' rasteriser.** Ultralytics trains on a label
//! line by parsing it into `float32`, resampling every segment of the image
//! to the same number of points (1,000, or the longest segment's length + 1;
//! all original points are kept, more are interpolated along the edges),
//! multiplying by the image size in `float32`, truncating to `int32` and
//! filling with OpenCV's `fillPoly` (`polygon2mask`), which sets the pixels
//! inside under the even-odd rule and every pixel an edge passes through. So
//! the vertices are the centres of the mask's boundary pixels
//! ([`crate::encode::centre_trace`]: holes bridged through set pixels, each edge
//! horizontal, vertical or diagonal), which `fillPoly` fills back into exactly
//! the mask; each is written as `(pixel + 0.5) / size`, which the `float32`
//! product truncates back to that pixel for any size up to 100,000 pixels.
//! The polygon of each component is then simplified (Douglas–Peucker,
//! `--simplify PIXELS`, [`SimplifyTolerance`]: every vertex dropped lies
//! within that many pixels of the polygon written; 0 keeps every turn), and
//! a polygon of fewer than 3 points (a mask of one pixel or one straight run)
//! repeats its last point, as Ultralytics reads shorter lines as boxes.
//! `scripts/ultralytics_raster.py` reproduces those steps (not the training
//! augmentations, which move the points first, nor the mask's downsampling);
//! on the real 2200×1467 item of the release (`ADE_train_00016964`, 32
//! objects and parts), the mean IoU of each line so rasterised with its mask,
//! the smallest, and the label bytes are:
//!
//! | polygons | mean IoU | min IoU | label bytes | most points a line |
//! | --- | --- | --- | --- | --- |
//! | pixel corners (before) | 0.9708 | 0.836 | 376,734 | 2,528 |
//! | `--simplify 0` | 0.9988 | 0.975 | 236,386 | 1,664 |
//! | `--simplify 0.5` | 0.9967 | 0.960 | 127,002 | 1,007 |
//! | `--simplify 0.7` | 0.9932 | 0.929 | 67,668 | 540 |
//! | `--simplify 0.75` (default) | 0.9925 | 0.925 | 54,594 | 430 |
//! | `--simplify 0.8` | 0.9913 | 0.916 | 43,506 | 366 |
//! | `--simplify 1` | 0.9845 | 0.911 | 20,335 | 183 |
//!
//! With `--simplify 0` a mask of one component comes back exactly (the loss
//! is Ultralytics' resampling, which moves interpolated points by a pixel now
//! and then); the rest is the links between components. The default keeps
//! the mean IoU above 0.99 with a margin (1 pixel falls below it) and writes
//! a seventh of the bytes of pixel-corner polygons (0.7 would write a fifth).
//! Simplification costs most on small objects: chords cut the corners of
//! convex outlines.
//!
//! `--segmentation source-polygon` (polygons are traced) and `--parts-level`
//! (a per-pixel option) are refused.
//!
//! **`data.yaml`.** `path` is the absolute path of the output folder:
//! Ultralytics resolves a relative `path` against the working directory (or
//! its datasets folder), not against the file. Without a `path` it would use
//! the file's folder, so deleting that line makes the folder relocatable.
//! Then one key per subset: `training` is written as `train`, `validation` as
//! `val`, any other subset under its own name, each holding
//! `images/<subset>`. `names` maps every class index to its name. Strings are
//! double-quoted YAML scalars. Ultralytics needs `train` and `val` to train;
//! without a `validation` subset the summary says so.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{BBox, Categories, CroppedMask, Error, Item};

use crate::encode::centre_trace::{simplify, trace_centres, Pixel};
use crate::encode::yaml::{dataset_root, yaml_string};
use crate::formats::{masked_objects, Exporter, Format, Job, MaskedObject, Scaling, Setting};
use crate::labels::registry::LabelRegistry;
use crate::labels::selection::LabelPlan;
use crate::run::{self, ItemFiles};
use crate::{
    ExportError, ExportOptions, LabelNaming, LabelSelection, SimplifyTolerance, Summary, YoloTask,
};

/// Folder of the photos; also the path component Ultralytics replaces.
const IMAGES_DIR: &str = "images";
/// Folder of the label files.
const LABELS_DIR: &str = "labels";
/// The dataset file Ultralytics is given.
const DATA_YAML: &str = "data.yaml";
/// Keys of `data.yaml` that Ultralytics reads for something else than a split.
const RESERVED_KEYS: &[&str] = &["path", "names", "nc", "channels", "download", "yaml_file"];
/// Decimals written per coordinate.
const DECIMALS: usize = 6;

/// The `yolo` format: the label plan, the `data.yaml` splits and root, the options.
pub(crate) struct Yolo {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
    /// The `data.yaml` key of every subset, in subset order.
    splits: Vec<(String, String)>,
    /// The output folder as `data.yaml` records it.
    root: String,
}

impl Exporter for Yolo {
    const FORMAT: Format = Format {
        name: "yolo",
        description: "Ultralytics YOLO layout: data.yaml, a polygon (--task segment) or box (--task detect) per object (ultralytics)",
        takes: &[
            Setting::Parts,
            Setting::MaskKind,
            Setting::LabelNaming,
            Setting::YoloTask,
            Setting::YoloSimplify,
        ],
        run: run::run::<Yolo>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = YoloSink<'e>;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let options = job.options;
        let raw = options.label_naming == LabelNaming::Raw;
        let splits = split_keys(job.source.subsets())?;
        let root = dataset_root(&job.destination())?;
        // Raw names are numbered as they appear; every other naming numbers the
        // classes of the plan 1..=N up front, whether or not a selection is given.
        let capacity = (!raw).then_some((usize::MAX, Self::FORMAT.name));
        let plan = LabelPlan::resolve(&options.labels, &job.dataset, capacity)?;
        Ok(Yolo {
            out: job.out.to_path_buf(),
            options: options.clone(),
            plan,
            splits,
            root,
        })
    }

    fn sink<'e>(&'e self, job: &Job<'_>) -> Result<YoloSink<'e>, Error> {
        let options = &self.options;
        Ok(YoloSink {
            out: &self.out,
            labels: LabelRegistry::new(options.label_naming, &self.plan, job.source.label_order()),
            full_names: (options.label_naming == LabelNaming::Full
                && options.labels == LabelSelection::All)
                .then(Categories::new),
        })
    }

    /// Places the image and traces (or boxes) every kept object.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        files.image_in_subset_folder(&item, &self.out.join(IMAGES_DIR))?;
        let mut shapes = Vec::new();
        let mut left_out = Vec::new();
        for MaskedObject {
            index, mask, bbox, ..
        } in masked_objects(&self.plan, &item, &self.options, &mut left_out)?
        {
            let coordinates = match self.options.yolo_task {
                YoloTask::Segment => polygon_coordinates(&mask, self.options.yolo_simplify),
                YoloTask::Detect => box_coordinates(&bbox, mask.frame_width(), mask.frame_height()),
            };
            shapes.push((index, coordinates));
        }
        files.leave_out_all(left_out);
        Ok(PreparedItem { item, shapes })
    }

    /// Writes the item's label file. Fails, stopping the export, when
    /// Ultralytics would not find it (see [`check_label_path`]).
    fn write(&self, sink: &mut YoloSink<'_>, prepared: PreparedItem) -> Result<u64, Error> {
        let PreparedItem { item, shapes } = prepared;
        check_label_path(&item)?;
        if let Some(classes) = &mut sink.full_names {
            item.objects
                .iter()
                .for_each(|object| classes.observe(object));
        }
        let mut text = String::new();
        let mut lines = 0;
        for (index, coordinates) in &shapes {
            // Every shape's class is kept: the plan was asked when preparing.
            if let Some(id) = sink.labels.category_id(&item.objects[*index]) {
                let _ = writeln!(text, "{} {coordinates}", id.0 - 1);
                lines += 1;
            }
        }
        let path = self
            .out
            .join(LABELS_DIR)
            .join(&item.subset)
            .join(format!("{}.txt", item.id));
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        Ok(lines)
    }

    fn finish(
        &self,
        sink: YoloSink<'_>,
        _job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let splits: Vec<(String, String)> = self
            .splits
            .iter()
            .filter(|(_, subset)| subsets.contains(subset))
            .cloned()
            .collect();
        sink.finish(
            &self.plan,
            &self.root,
            &splits,
            self.options.yolo_task,
            summary,
        )
    }
}

/// The `data.yaml` key of every subset, in subset order: `train` for
/// `training`, `val` for `validation`, the subset's own name otherwise.
fn split_keys(subsets: &[String]) -> Result<Vec<(String, String)>, ExportError> {
    let mut keys: HashMap<&str, &str> = HashMap::new();
    let mut splits = Vec::new();
    for subset in subsets {
        let key = match subset.as_str() {
            "training" => "train",
            "validation" => "val",
            other => other,
        };
        let problem = if RESERVED_KEYS.contains(&key) {
            Some(format!("`{key}` is a key Ultralytics reads from data.yaml"))
        } else {
            keys.insert(key, subset)
                .map(|other| format!("subset `{other}` is written as `{key}` too"))
        };
        if let Some(problem) = problem {
            return Err(ExportError::Usage(format!(
                "yolo cannot write subset `{subset}` in data.yaml: {problem}; \
                 choose the subsets with --subsets"
            )));
        }
        splits.push((key.to_string(), subset.clone()));
    }
    Ok(splits)
}

/// One item, its objects' shapes ready to be numbered and written.
pub(crate) struct PreparedItem {
    item: Item,
    /// Objects written, as (index in `item.objects`, coordinates of the line).
    shapes: Vec<(usize, String)>,
}

/// Fails when Ultralytics would look for the item's labels in the wrong
/// place: it replaces the last `/images/` of the image path, so no folder of
/// the subset or item id may be called `images`.
fn check_label_path(item: &Item) -> Result<(), Error> {
    let mut folders = item.subset.split('/').chain(item.id.split('/'));
    if folders.any(|folder| folder == IMAGES_DIR) {
        return Err(Error::invalid(
            &item.image.path,
            format!(
                "item `{}/{}` has a folder called `{IMAGES_DIR}`: Ultralytics finds label \
                 files by replacing the last `/{IMAGES_DIR}/` of the image path, so it would \
                 not find this item's labels",
                item.subset, item.id
            ),
        ));
    }
    Ok(())
}

/// `x1 y1 x2 y2 …` of the mask's outline, normalised: one polygon through
/// the centres of its boundary pixels, simplified with `tolerance`, its
/// components joined (see [`join_components`]), at least 3 points.
fn polygon_coordinates(mask: &CroppedMask, tolerance: SimplifyTolerance) -> String {
    let components = trace_centres(mask)
        .iter()
        .map(|polygon| simplify(polygon, tolerance.get()))
        .collect();
    let mut polygon = join_components(components);
    // Ultralytics reads a line of fewer than 3 points as a box: a mask of one
    // pixel, or of one straight run, repeats its last point.
    while let (1..3, Some(&last)) = (polygon.len(), polygon.last()) {
        polygon.push(last);
    }
    let mut text = String::new();
    for [x, y] in polygon {
        push_pixel_centre(&mut text, x, mask.frame_width());
        push_pixel_centre(&mut text, y, mask.frame_height());
    }
    text
}

/// Appends the centre of pixel `pixel` of a row or column of `size` pixels,
/// normalised: `(pixel + 0.5) / size` with [`DECIMALS`] decimals (see
/// [`push_coordinate`]). Ultralytics multiplies it back by `size` and
/// truncates to an integer, which gives `pixel` again: the decimal is within
/// `0.5e-6` of the centre, so the product is within `0.5e-6 × size` pixels of
/// `pixel + 0.5`, as it is once parsed into `float32` and multiplied there.
fn push_pixel_centre(text: &mut String, pixel: i64, size: u32) {
    push_coordinate(text, (pixel as f64 + 0.5) / f64::from(size));
}

/// `cx cy w h` of a box, normalised.
fn box_coordinates(bbox: &BBox, width: u32, height: u32) -> String {
    let (width, height) = (f64::from(width), f64::from(height));
    let (x, y) = (f64::from(bbox.x), f64::from(bbox.y));
    let (w, h) = (f64::from(bbox.width), f64::from(bbox.height));
    let mut text = String::new();
    for value in [
        (x + w / 2.0) / width,
        (y + h / 2.0) / height,
        w / width,
        h / height,
    ] {
        push_coordinate(&mut text, value);
    }
    text
}

/// Appends `value` with at most [`DECIMALS`] decimals and no trailing zeros
/// (`0.5`, `1`, `0.046875`), preceded by a space unless `text` is empty.
fn push_coordinate(text: &mut String, value: f64) {
    if !text.is_empty() {
        text.push(' ');
    }
    let start = text.len();
    let _ = write!(text, "{value:.DECIMALS$}");
    let kept = text[start..]
        .trim_end_matches('0')
        .trim_end_matches('.')
        .len();
    text.truncate(start + kept);
}

/// Joins the polygons of a mask's components (in the order given) into one
/// closed path, as Ultralytics' `merge_multi_segment` does for a COCO object
/// of several polygons, so that one YOLO line carries the whole object.
///
/// Consecutive polygons `i` and `i + 1` are linked at their nearest vertices
/// (the first pair in order of the vertex of `i`, then of `i + 1`, at the
/// smallest distance). The path walks the first polygon once around, from
/// its link to the second and back to that vertex; crosses to the second
/// polygon and walks it from its link with the first to its link with the
/// third; and so on until the last polygon, walked once around; then it comes
/// back, walking the rest of each middle polygon, last to first, to the link
/// it entered by, and closes on the first polygon. Each link is thus walked
/// there and back: under the even-odd rule it encloses nothing, but OpenCV's
/// `fillPoly` draws it, as every edge, so its pixels between the components
/// are added to the object: the price of one polygon per line.
///
/// A middle polygon whose link to the previous polygon comes after its link
/// to the next one (in vertex order) is walked backwards, so that its forward
/// part is one run of vertices. Ultralytics' function reverses such a polygon
/// without renumbering its two link vertices, so it then links other vertices
/// than the nearest ones; here they are renumbered, and every link is the
/// shortest one. Without that case, the path is the one Ultralytics builds.
fn join_components(mut polygons: Vec<Vec<Pixel>>) -> Vec<Pixel> {
    let count = polygons.len();
    if count <= 1 {
        return polygons.pop().unwrap_or_default();
    }
    // links[i]: (vertex of polygon i, vertex of polygon i + 1) nearest each other.
    let links: Vec<(usize, usize)> = polygons
        .windows(2)
        .map(|pair| nearest_vertices(&pair[0], &pair[1]))
        .collect();
    let mut path = around_from(&polygons[0], links[0].0);
    let mut returns = Vec::with_capacity(count - 2);
    for (i, polygon) in polygons.iter().enumerate().take(count - 1).skip(1) {
        let (forward, back) = split_between(polygon, links[i - 1].1, links[i].0);
        path.extend(forward);
        returns.push(back);
    }
    path.extend(around_from(&polygons[count - 1], links[count - 2].1));
    for back in returns.into_iter().rev() {
        path.extend(back);
    }
    path
}

/// The vertices of `polygon` from `start` once around, back to `start`.
fn around_from(polygon: &[Pixel], start: usize) -> Vec<Pixel> {
    let mut walk = Vec::with_capacity(polygon.len() + 1);
    walk.extend_from_slice(&polygon[start..]);
    walk.extend_from_slice(&polygon[..=start]);
    walk
}

/// A middle polygon entered at vertex `entry` and left at vertex `exit`: the
/// forward walk from `entry` to `exit`, and the way back from `exit` around
/// the rest of the polygon to `entry`. Walks forwards when `entry ≤ exit`,
/// else backwards (Ultralytics reverses the polygon in that case).
fn split_between(polygon: &[Pixel], entry: usize, exit: usize) -> (Vec<Pixel>, Vec<Pixel>) {
    if entry <= exit {
        let forward = polygon[entry..=exit].to_vec();
        let back = polygon[exit..]
            .iter()
            .chain(&polygon[..=entry])
            .copied()
            .collect();
        (forward, back)
    } else {
        let forward = polygon[exit..=entry].iter().rev().copied().collect();
        let back = polygon[..=exit]
            .iter()
            .rev()
            .chain(polygon[entry..].iter().rev())
            .copied()
            .collect();
        (forward, back)
    }
}

/// The pair of vertices `(i, j)` of `a` and `b` at the smallest distance;
/// among equally near pairs, the one with the smallest `i`, then `j` (the
/// first minimum of the distance matrix in row-major order, as NumPy's
/// `argmin` finds it).
///
/// The vertices of `b` are sorted by x once; for each vertex of `a`, only
/// those within the best distance found so far along x are measured.
fn nearest_vertices(a: &[Pixel], b: &[Pixel]) -> (usize, usize) {
    let mut by_x: Vec<usize> = (0..b.len()).collect();
    by_x.sort_by_key(|&j| (b[j][0], j));
    // (squared distance, i, j) of the best pair so far.
    let mut best = (i64::MAX, 0, 0);
    for (i, &[x, y]) in a.iter().enumerate() {
        // Measures vertex j of b; false once it is too far along x.
        let mut measure = |j: usize| {
            let [bx, by] = b[j];
            let dx = (bx - x).pow(2);
            if dx > best.0 {
                return false;
            }
            let distance = dx + (by - y).pow(2);
            if distance < best.0 || (distance == best.0 && i == best.1 && j < best.2) {
                best = (distance, i, j);
            }
            true
        };
        let start = by_x.partition_point(|&j| b[j][0] < x);
        for &j in &by_x[start..] {
            if !measure(j) {
                break;
            }
        }
        for &j in by_x[..start].iter().rev() {
            if !measure(j) {
                break;
            }
        }
    }
    (best.1, best.2)
}

/// Numbers and writes prepared items, in order.
pub(crate) struct YoloSink<'a> {
    out: &'a Path,
    labels: LabelRegistry<'a>,
    /// With `--label-name full` and no selection: every class read, to name
    /// the classes by their full WordNet names.
    full_names: Option<Categories>,
}

impl YoloSink<'_> {
    /// Writes `data.yaml` and completes the summary.
    fn finish(
        self,
        plan: &LabelPlan,
        root: &str,
        splits: &[(String, String)],
        task: YoloTask,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let names = self.names(plan);
        let path = self.out.join(DATA_YAML);
        fs::write(&path, data_yaml(root, splits, &names)).map_err(|e| Error::io(&path, e))?;
        summary.categories = names.len();
        summary.notes.push(match task {
            YoloTask::Segment => "labels are polygons (`class x1 y1 x2 y2 …`, normalised); \
                                  the components of an object are joined into one polygon"
                .to_string(),
            YoloTask::Detect => "labels are boxes (`class cx cy w h`, normalised)".to_string(),
        });
        if !splits.iter().any(|(key, _)| key == "val") {
            summary.notes.push(
                "there is no `validation` subset, so data.yaml has no `val`, \
                 which Ultralytics needs to train"
                    .to_string(),
            );
        }
        Ok(())
    }

    /// Class names by class index (label id − 1).
    fn names(&self, plan: &LabelPlan) -> Vec<String> {
        let mut labels = self.labels.labels();
        labels.sort_by_key(|label| label.id);
        labels
            .into_iter()
            .map(|label| {
                let full = self.full_names.as_ref().and_then(|classes| {
                    let planned = plan.labels().get(label.id.0 as usize - 1)?;
                    let [class] = planned.class_indices[..] else {
                        return None;
                    };
                    classes.get(class).map(|category| category.name.clone())
                });
                full.unwrap_or(label.name)
            })
            .collect()
    }
}

/// The text of `data.yaml`.
fn data_yaml(root: &str, splits: &[(String, String)], names: &[String]) -> String {
    let mut yaml = String::from("# Ultralytics YOLO dataset written by ade20k\n");
    let _ = writeln!(yaml, "path: {}", yaml_string(root));
    for (key, subset) in splits {
        let images = format!("{IMAGES_DIR}/{subset}");
        let _ = writeln!(yaml, "{}: {}", yaml_key(key), yaml_string(&images));
    }
    if names.is_empty() {
        yaml.push_str("names: {}\n");
    } else {
        yaml.push_str("names:\n");
        for (index, name) in names.iter().enumerate() {
            let _ = writeln!(yaml, "  {index}: {}", yaml_string(name));
        }
    }
    yaml
}

/// A mapping key: as it is when YAML reads it back as that string (ASCII
/// letters, digits, `_` and `-`, starting with a letter, and not a word YAML
/// 1.1 reads as a boolean or null), else quoted.
fn yaml_key(key: &str) -> String {
    const WORDS: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null"];
    let plain = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !WORDS.contains(&key.to_ascii_lowercase().as_str());
    if plain {
        key.to_string()
    } else {
        yaml_string(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::centre_trace::fill_closed;
    use ade20k_model::BinaryMask;

    fn points(coordinates: &[(i64, i64)]) -> Vec<Pixel> {
        coordinates.iter().map(|&(x, y)| [x, y]).collect()
    }

    /// The mask drawn by `rows` (`#` set) in a frame of its size.
    fn cropped(rows: &[&str]) -> CroppedMask {
        let (width, height) = (rows[0].len() as u32, rows.len() as u32);
        let mask = BinaryMask::from_fn(width, height, |x, y| {
            rows[y as usize].as_bytes()[x as usize] == b'#'
        });
        CroppedMask::new(width, height, 0, 0, mask).unwrap()
    }

    #[test]
    fn pixel_centres_truncate_back_to_their_pixel_in_float32_and_float64() {
        let sizes = (1..=4096).chain([4999, 5000, 8192, 10_000, 65_535, 100_000]);
        for size in sizes {
            let step = (size / 2048).max(1) as usize;
            let pixels = (0..i64::from(size))
                .step_by(step)
                .chain([i64::from(size) - 1]);
            for pixel in pixels {
                let mut text = String::new();
                push_pixel_centre(&mut text, pixel, size);
                assert!(text.len() <= 8, "{text}");
                let as_f64: f64 = text.parse().unwrap();
                let as_f32: f32 = text.parse().unwrap();
                // NumPy may also parse through float64 first.
                for value in [as_f32, as_f64 as f32] {
                    assert_eq!((value * size as f32) as i64, pixel, "{text} × {size}");
                }
                assert_eq!((as_f64 * f64::from(size)) as i64, pixel, "{text} × {size}");
            }
        }
    }

    #[test]
    fn polygons_are_pixel_centres_and_have_at_least_three_points() {
        let exact = SimplifyTolerance::pixels(0.0).unwrap();
        // A 2×2 block at (1, 1) of a 4×2 image: its four pixels.
        let block = cropped(&["....", ".##.", ".##."]);
        assert_eq!(
            polygon_coordinates(&block, exact),
            "0.375 0.5 0.625 0.5 0.625 0.833333 0.375 0.833333"
        );
        // One pixel, and one straight run, repeat their last point.
        assert_eq!(
            polygon_coordinates(&cropped(&["..", ".#"]), exact),
            "0.75 0.75 0.75 0.75 0.75 0.75"
        );
        assert_eq!(
            polygon_coordinates(&cropped(&["###."]), exact),
            "0.125 0.5 0.625 0.5 0.625 0.5"
        );
    }

    #[test]
    fn coordinates_have_at_most_six_decimals_without_trailing_zeros() {
        let mut text = String::new();
        for value in [0.5, 1.0, 0.0, 3.0 / 64.0, 1.0 / 3.0, 2.0 / 3.0, 0.1] {
            push_coordinate(&mut text, value);
        }
        assert_eq!(text, "0.5 1 0 0.046875 0.333333 0.666667 0.1");
    }

    #[test]
    fn boxes_are_centre_and_size() {
        let bbox = BBox {
            x: 2,
            y: 4,
            width: 4,
            height: 2,
        };
        assert_eq!(box_coordinates(&bbox, 8, 8), "0.5 0.625 0.5 0.25");
    }

    #[test]
    fn one_polygon_stays_as_traced() {
        let square = points(&[(0, 0), (2, 0), (2, 2), (0, 2)]);
        assert_eq!(join_components(vec![square.clone()]), square);
        assert!(join_components(Vec::new()).is_empty());
    }

    #[test]
    fn two_polygons_are_walked_around_and_linked_there_and_back() {
        let a = points(&[(0, 0), (2, 0), (2, 2), (0, 2)]);
        let b = points(&[(5, 0), (6, 0), (6, 1), (5, 1)]);
        // Nearest: a's (2, 0) and b's (5, 0).
        assert_eq!(
            join_components(vec![a, b]),
            points(&[
                (2, 0),
                (2, 2),
                (0, 2),
                (0, 0),
                (2, 0),
                (5, 0),
                (6, 0),
                (6, 1),
                (5, 1),
                (5, 0),
            ])
        );
    }

    #[test]
    fn middle_polygons_are_entered_and_left_at_their_nearest_vertices() {
        let a = points(&[(0, 0), (2, 0), (2, 2), (0, 2)]);
        let c = points(&[(30, 0), (32, 0), (32, 2), (30, 2)]);
        // Entered at vertex 0, left at vertex 2: forwards.
        let b = points(&[(10, 0), (12, 0), (14, 0), (14, 2), (10, 2)]);
        assert_eq!(
            join_components(vec![a.clone(), b, c.clone()]),
            points(&[
                (2, 0),
                (2, 2),
                (0, 2),
                (0, 0),
                (2, 0),
                (10, 0),
                (12, 0),
                (14, 0),
                (30, 0),
                (32, 0),
                (32, 2),
                (30, 2),
                (30, 0),
                (14, 0),
                (14, 2),
                (10, 2),
                (10, 0),
            ])
        );
        // Entered at vertex 3, left at vertex 0: backwards, still through
        // the nearest vertices (10, 0) and (14, 0).
        let b = points(&[(14, 0), (14, 2), (10, 2), (10, 0), (12, 0)]);
        assert_eq!(
            join_components(vec![a, b, c]),
            points(&[
                (2, 0),
                (2, 2),
                (0, 2),
                (0, 0),
                (2, 0),
                (10, 0),
                (10, 2),
                (14, 2),
                (14, 0),
                (30, 0),
                (32, 0),
                (32, 2),
                (30, 2),
                (30, 0),
                (14, 0),
                (12, 0),
                (10, 0),
            ])
        );
    }

    #[test]
    fn nearest_vertices_are_the_first_minimum_in_row_major_order() {
        let a = points(&[(0, 0), (0, 4), (0, 2)]);
        let b = points(&[(3, 4), (3, 0), (3, 2)]);
        // Every pair at distance 3 ties; (0, 0)–(3, 0) comes first.
        assert_eq!(nearest_vertices(&a, &b), (0, 1));
        let b = points(&[(9, 9), (1, 5), (1, 3)]);
        assert_eq!(nearest_vertices(&a, &b), (1, 1));
        // The same as measuring every pair, on a spread of points.
        let a: Vec<Pixel> = (0..40).map(|k| [(k * 7) % 13, (k * 5) % 11]).collect();
        let b: Vec<Pixel> = (0..30)
            .map(|k| [20 + (k * 3) % 17, (k * 11) % 19])
            .collect();
        let mut brute = (i64::MAX, 0, 0);
        for (i, p) in a.iter().enumerate() {
            for (j, q) in b.iter().enumerate() {
                let d = (p[0] - q[0]).pow(2) + (p[1] - q[1]).pow(2);
                if d < brute.0 {
                    brute = (d, i, j);
                }
            }
        }
        assert_eq!(nearest_vertices(&a, &b), (brute.1, brute.2));
    }

    #[test]
    fn joined_polygons_fill_the_mask_and_the_links() {
        // Three components, one of them with a hole, in a 12×9 mask.
        let mask = cropped(&[
            "##..........",
            "##.....####.",
            ".......#..#.",
            "..#....####.",
            ".###........",
            "..#.........",
            "..........##",
            "........####",
            "...........#",
        ]);
        let polygons = trace_centres(&mask);
        assert_eq!(polygons.len(), 4);
        // fillPoly draws each link (walked there and back) as a line: the
        // filled polygon is the mask and the pixels on the links.
        let links: Vec<(Pixel, Pixel)> = polygons
            .windows(2)
            .map(|pair| {
                let (i, j) = nearest_vertices(&pair[0], &pair[1]);
                (pair[0][i], pair[1][j])
            })
            .collect();
        let on_a_link = |x: i64, y: i64| {
            links.iter().any(|&(a, b)| {
                let cross = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
                let within = |v: i64, p: i64, q: i64| p.min(q) <= v && v <= p.max(q);
                cross == 0 && within(x, a[0], b[0]) && within(y, a[1], b[1])
            })
        };
        let expected = BinaryMask::from_fn(12, 9, |x, y| {
            mask.get(x, y) || on_a_link(i64::from(x), i64::from(y))
        });
        let joined = join_components(polygons);
        assert_eq!(fill_closed(&joined, 12, 9), expected);
        assert!(expected.area() > mask.area());
    }

    #[test]
    fn yaml_strings_are_quoted_and_escaped() {
        assert_eq!(yaml_string("wall"), "\"wall\"");
        assert_eq!(
            yaml_string("a: b, #c \"d\" \\e"),
            "\"a: b, #c \\\"d\\\" \\\\e\""
        );
        assert_eq!(yaml_string("café 東京 🚗"), "\"café 東京 🚗\"");
        assert_eq!(
            yaml_string("\t\n\r\u{0}\u{7f}\u{85}\u{2028}\u{feff}"),
            "\"\\t\\n\\r\\x00\\x7F\\x85\\u2028\\uFEFF\""
        );
    }

    #[test]
    fn keys_are_plain_unless_yaml_would_read_them_otherwise() {
        assert_eq!(yaml_key("train"), "train");
        assert_eq!(yaml_key("test-2"), "test-2");
        for key in ["Yes", "off", "2021", "a b", "a:b", ""] {
            assert_eq!(yaml_key(key), yaml_string(key));
        }
    }

    #[test]
    fn subsets_get_ultralytics_split_keys() {
        let subsets = ["training", "validation", "testing"].map(String::from);
        let keys: Vec<(String, String)> = split_keys(&subsets).unwrap();
        let keys: Vec<&str> = keys.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["train", "val", "testing"]);
        let clash = ["train", "training"].map(String::from);
        assert!(split_keys(&clash)
            .unwrap_err()
            .to_string()
            .contains("subset `train` is written as `train` too"));
        let reserved = ["names"].map(String::from);
        assert!(split_keys(&reserved)
            .unwrap_err()
            .to_string()
            .contains("a key Ultralytics reads"));
    }

    #[test]
    fn data_yaml_lists_root_splits_and_names() {
        let splits = [("train".to_string(), "training".to_string())];
        let names = ["wall".to_string(), "car: red".to_string()];
        assert_eq!(
            data_yaml("/data/out", &splits, &names),
            "# Ultralytics YOLO dataset written by ade20k\n\
             path: \"/data/out\"\n\
             train: \"images/training\"\n\
             names:\n  0: \"wall\"\n  1: \"car: red\"\n"
        );
        assert!(data_yaml("/x", &[], &[]).ends_with("names: {}\n"));
    }
}
