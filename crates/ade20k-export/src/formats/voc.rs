//! Pascal VOC 2012 layout, as the VOC development kit, torchvision and
//! Datumaro (`voc`) read it:
//!
//! ```text
//! JPEGImages/<name>.<ext>            the photo (linked, copied or left out: --media)
//! Annotations/<name>.xml             one <object> per level-0 object, <part>s inside
//! SegmentationClass/<name>.png       8-bit palette PNG: label id per pixel, 0 = background
//! SegmentationObject/<name>.png      8-bit palette PNG: instance number per pixel
//! ImageSets/Main/<subset>.txt        the names of the subset, in item order
//! ImageSets/Segmentation/<subset>.txt
//! labelmap.txt                       Datumaro's label map: names and colours
//! ```
//!
//! **Names.** VOC file names are flat, so `<name>` is the item id with every
//! `/` written as `__`: `urban/street/ADE_train_00000001` becomes
//! `urban__street__ADE_train_00000001`. Every file of an item and the subset
//! lists use that name. All subsets share the folders, so names must differ
//! across subsets too: two items that would get the same name (`a/b` and
//! `a__b`, or one id in two subsets) stop the export before anything is written.
//!
//! **Labels.** Pixels hold 8 bits and VOC keeps 255 for "void", so labels are
//! numbered 1..=254 in the order of the label plan (every class of the dataset
//! when no selection is given, which fails up front when there are more than
//! 254: choose some with `--labels` or `--top-classes`). The label name is
//! `<name>` of objects and parts; `labelmap.txt` gives label `i` the VOC colour
//! `i` (`# label:color_rgb:parts:actions`, then `background:0,0,0::`, then
//! `name:r,g,b::` per label), which is how Datumaro maps palette colours back
//! to labels. Its `parts` field stays empty: Datumaro adds each listed part as
//! a label of its own and refuses one that is already a label, and every part
//! written here is a label of the plan. Names that `labelmap.txt` cannot carry
//! (`:`, a leading `#`, control characters, surrounding white space, the name
//! `background`, or twice the same name) are refused up front.
//!
//! **Objects.** Each level-0 object whose class is kept becomes an `<object>`,
//! in annotation order: `pose` Unspecified, `truncated` = crop, `occluded` 1
//! when the annotator said so (0 for no or unknown), `difficult` 0, and
//! `bndbox` the tight box of its visible mask (of its amodal mask with
//! `--amodal`) in VOC's 1-based, inclusive pixel coordinates: a box over the
//! whole image is (1, 1, width, height). An object with no pixels in that mask
//! is left out and counted. Unless parts are excluded, its level-1 parts of
//! kept classes become `<part>`s (name and box, as for objects); VOC parts
//! have one level, so deeper parts are left out and counted.
//!
//! **Masks.** `SegmentationClass` holds, per pixel, the label of the level-0
//! object seen there (kept classes only; 0 elsewhere). `SegmentationObject`
//! holds its instance number: 1 for the first `<object>` of the XML, 2 for
//! the second, and so on. An image with more than 254 objects writes the
//! objects past the 254th as 255 (void) in `SegmentationObject` (counted);
//! their XML entries and class pixels are written as usual. Both PNGs carry
//! the 256-colour VOC palette.
//!
//! The summary counts, per subset, items and boxes (objects and parts).
//! Per-class lists (`<class>_<subset>.txt`, for image classification) are not
//! written: readers of boxes and masks do not need them. Datumaro reads only
//! subset lists whose name has no `_`, and takes `xmin` and `xmax - xmin` as
//! they are unless it imports with `coordinate_mode="voc-one-based"` (an
//! option of its recent versions).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use ade20k_model::{BBox, Error, Item, ItemSource, MaskKind, Object, Occlusion};
use rayon::prelude::*;

use crate::encode::composite::ObjectMap;
use crate::encode::palette::{voc_color, voc_palette};
use crate::encode::png_out::PngPixels;
use crate::encode::xml;
use crate::formats::{Exporter, Format, Job, Scaling, Setting};
use crate::labels::selection::{LabelPlan, PlannedLabel};
use crate::run::media::image_file_name;
use crate::run::{self, ItemFiles};
use crate::{ExportError, ExportOptions, LeftOut, PartsMode, Summary};

/// What `/` in an item id becomes in VOC file names.
const ID_SEPARATOR: &str = "__";
/// Labels and instances one 8-bit PNG holds: 255 is VOC's "void".
const MAX_VALUES: usize = 254;
/// VOC's "void" pixel value.
const VOID: u8 = 255;
/// Name of pixel value 0.
const BACKGROUND: &str = "background";

/// Folder of the photos.
const IMAGES_DIR: &str = "JPEGImages";
/// Folder of the XML annotation files.
const ANNOTATIONS_DIR: &str = "Annotations";
/// Folder of the class PNGs.
const CLASS_DIR: &str = "SegmentationClass";
/// Folder of the instance PNGs.
const OBJECT_DIR: &str = "SegmentationObject";
/// Folder of the detection subset lists.
const MAIN_LIST_DIR: &str = "ImageSets/Main";
/// Folder of the segmentation subset lists.
const SEGMENTATION_LIST_DIR: &str = "ImageSets/Segmentation";

/// The `voc` format: the label plan, the palette, the options.
pub(crate) struct Voc {
    /// The output folder.
    out: PathBuf,
    /// The export's options.
    options: ExportOptions,
    /// Which classes are kept, under which label ids.
    plan: LabelPlan,
    /// The VOC colour map, for both PNGs.
    palette: Vec<u8>,
}

impl Exporter for Voc {
    const FORMAT: Format = Format {
        name: "voc",
        description: "Pascal VOC 2012 layout: XML boxes with parts, class and instance \
                      palette PNGs (VOC devkit, torchvision, Datumaro)",
        takes: &[Setting::Parts, Setting::MaskKind],
        run: run::run::<Voc>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = VocSink<'e>;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let plan = LabelPlan::resolve(
            &job.options.labels,
            &job.dataset,
            Some((MAX_VALUES, Self::FORMAT.name)),
        )?;
        check_label_names(plan.labels())?;
        check_names(job.source)?;
        for dir in [
            IMAGES_DIR,
            ANNOTATIONS_DIR,
            CLASS_DIR,
            OBJECT_DIR,
            MAIN_LIST_DIR,
            SEGMENTATION_LIST_DIR,
        ] {
            let dir = job.out.join(dir);
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Ok(Voc {
            out: job.out.to_path_buf(),
            options: job.options.clone(),
            plan,
            palette: voc_palette(),
        })
    }

    fn sink<'e>(&'e self, _job: &Job<'_>) -> Result<VocSink<'e>, Error> {
        Ok(VocSink {
            out: &self.out,
            lists: HashMap::new(),
        })
    }

    /// The item's image, annotation file and both PNGs.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        let name = voc_name(&item.id);
        let file_name = voc_name(&image_file_name(&item));
        files.image(&item, self.out.join(IMAGES_DIR).join(&file_name))?;
        let mut left_out = Vec::new();
        let mut map = ObjectMap::empty(&item);
        let objects = self.objects(&item, &mut map, &mut left_out)?;
        // Instance number of each object index (0: not painted).
        let mut instances = vec![0u8; item.objects.len()];
        let mut classes = vec![0u8; item.objects.len()];
        for (position, object) in objects.iter().enumerate() {
            instances[object.index] = if position < MAX_VALUES {
                position as u8 + 1
            } else {
                left_out.push(LeftOut::VoidInstance);
                VOID
            };
            // Label ids fit: the plan was resolved with a capacity of 254.
            classes[object.index] = u8::try_from(object.label.id.0).unwrap_or(VOID);
        }
        let values = |of: &[u8]| -> Vec<u8> {
            map.owners
                .iter()
                .map(|&owner| match owner {
                    0 => 0,
                    owner => of[owner as usize - 1],
                })
                .collect()
        };
        for (dir, of) in [(CLASS_DIR, &classes), (OBJECT_DIR, &instances)] {
            let path = self.out.join(dir).join(format!("{name}.png"));
            let pixels = PngPixels::Indexed {
                indices: values(of),
                palette: self.palette.clone(),
            };
            files.png(path, map.width, map.height, pixels);
        }
        let path = self.out.join(ANNOTATIONS_DIR).join(format!("{name}.xml"));
        files.file(
            path,
            annotation_xml(&item, &file_name, &objects).into_bytes(),
        );
        let boxes = objects.iter().map(|o| 1 + o.parts.len() as u64).sum();
        files.leave_out_all(left_out);
        Ok(PreparedItem {
            subset: item.subset,
            name,
            boxes,
        })
    }

    /// Lists one prepared item and counts it.
    fn write(&self, sink: &mut VocSink<'_>, prepared: PreparedItem) -> Result<u64, Error> {
        let lists = match sink.lists.entry(prepared.subset.clone()) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(SubsetLists::create(sink.out, &prepared.subset)?)
            }
        };
        lists.add(&prepared.name)?;
        Ok(prepared.boxes)
    }

    fn finish(
        &self,
        sink: VocSink<'_>,
        _job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        sink.finish(subsets, &self.plan, summary)
    }
}

/// The VOC file name (without extension) of an item id.
fn voc_name(id: &str) -> String {
    id.replace('/', ID_SEPARATOR)
}

/// Refuses label names that `labelmap.txt` cannot carry.
fn check_label_names(labels: &[PlannedLabel]) -> Result<(), ExportError> {
    let mut seen = HashSet::new();
    for label in labels {
        let name = label.name.as_str();
        let problem = if name.is_empty() || name.trim() != name {
            Some("is empty or begins or ends with white space")
        } else if name.contains(':') {
            Some("contains `:`, which separates the fields of labelmap.txt")
        } else if name.starts_with('#') {
            Some("begins with `#`, which starts a comment in labelmap.txt")
        } else if name.chars().any(char::is_control) {
            Some("contains a control character")
        } else if name == BACKGROUND {
            Some("is the name of pixel value 0")
        } else if !seen.insert(name) {
            Some("is given to two labels")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(ExportError::Usage(format!(
                "voc cannot write label {} `{name}`: the name {problem}; \
                 rename it in a label list (--labels FILE, `new name = class`)",
                label.id
            )));
        }
    }
    Ok(())
}

/// Fails when two items would get the same VOC name, or a name cannot be a
/// line of a subset list. Reads item ids only; an item's annotation is read
/// just to name its image in an error.
fn check_names(source: &dyn ItemSource) -> Result<(), Error> {
    let ids: Vec<String> = (0..source.len())
        .into_par_iter()
        .map(|index| source.id_of(index))
        .collect::<Result<_, Error>>()?;
    let image_path =
        |index: usize| -> Result<PathBuf, Error> { Ok(source.load(index)?.image.path) };
    let mut owners: HashMap<String, (&str, &str)> = HashMap::new();
    for (index, id) in ids.iter().enumerate() {
        let subset = source.subset_of(index);
        if id.chars().any(char::is_control) {
            return Err(Error::invalid(
                image_path(index)?,
                format!("item id `{id}` contains a control character: it cannot name a VOC file"),
            ));
        }
        if let Some((other_subset, other_id)) = owners.insert(voc_name(id), (subset, id)) {
            return Err(Error::invalid(
                image_path(index)?,
                format!(
                    "items `{other_subset}/{other_id}` and `{subset}/{id}` would both be named \
                     `{}` in VOC, whose file names are flat (`/` is written as `{ID_SEPARATOR}`) \
                     and shared by all subsets",
                    voc_name(id)
                ),
            ));
        }
    }
    Ok(())
}

/// What a written item tells the subset lists and the summary.
pub(crate) struct PreparedItem {
    /// The item's subset.
    subset: String,
    /// The item's VOC name.
    name: String,
    /// `<object>`s and `<part>`s written.
    boxes: u64,
}

/// One `<object>` of an annotation file.
struct VocObject<'a> {
    /// Index in `item.objects`.
    index: usize,
    /// The object.
    object: &'a Object,
    /// Its label.
    label: &'a PlannedLabel,
    /// The tight box of its mask.
    bbox: BBox,
    /// Its level-1 parts written.
    parts: Vec<VocPart<'a>>,
}

/// One `<part>` of an object.
struct VocPart<'a> {
    /// Its label.
    label: &'a PlannedLabel,
    /// The tight box of its mask.
    bbox: BBox,
}

impl Voc {
    /// The `<object>`s of `item` with their `<part>`s, in annotation order,
    /// each object painted on `map` as it is found (every instance mask is
    /// decoded once); objects and parts not written are counted in `left_out`.
    fn objects<'i>(
        &'i self,
        item: &'i Item,
        map: &mut ObjectMap,
        left_out: &mut Vec<LeftOut>,
    ) -> Result<Vec<VocObject<'i>>, Error> {
        let mut objects = Vec::new();
        for (index, object) in item.objects.iter().enumerate() {
            if object.part_level != 0 {
                continue;
            }
            match self.labelled_box(item, index, object, Some(&mut *map))? {
                Ok((label, bbox)) => objects.push(VocObject {
                    index,
                    object,
                    label,
                    bbox,
                    parts: Vec::new(),
                }),
                Err(reason) => left_out.push(reason),
            }
        }
        if self.options.parts == PartsMode::Exclude {
            return Ok(objects);
        }
        for (index, part) in item.objects.iter().enumerate() {
            if part.part_level == 0 {
                continue;
            }
            if part.part_level > 1 {
                left_out.push(LeftOut::DeepPart);
                continue;
            }
            let parent = part.parent.and_then(|ade_id| {
                objects
                    .iter_mut()
                    .find(|candidate| candidate.object.ade_id == ade_id)
            });
            let Some(parent) = parent else {
                left_out.push(LeftOut::OrphanPart);
                continue;
            };
            match self.labelled_box(item, index, part, None)? {
                Ok((label, bbox)) => parent.parts.push(VocPart { label, bbox }),
                Err(reason) => left_out.push(reason),
            }
        }
        Ok(objects)
    }

    /// The label and box of `object`, `item.objects[index]`, or the reason it
    /// is left out; an object written is painted on `map` when one is given.
    fn labelled_box(
        &self,
        item: &Item,
        index: usize,
        object: &Object,
        map: Option<&mut ObjectMap>,
    ) -> Result<Result<(&PlannedLabel, BBox), LeftOut>, Error> {
        let Some(label) = self
            .plan
            .label_of(object)
            .and_then(|id| (id.0 as usize).checked_sub(1))
            .and_then(|position| self.plan.labels().get(position))
        else {
            return Ok(Err(LeftOut::NotSelected));
        };
        let mask = item.instance_mask(index)?;
        let visible = mask.cropped(MaskKind::Visible);
        let bbox = match self.options.mask_kind {
            MaskKind::Visible => visible.bbox(),
            // Every pixel where the object is, seen or hidden.
            MaskKind::Amodal => mask.extent(),
        };
        let Some(bbox) = bbox else {
            return Ok(Err(LeftOut::NoPixels));
        };
        if let Some(map) = map {
            map.add(item, index, &visible)?;
        }
        Ok(Ok((label, bbox)))
    }
}

/// The annotation file of one item, laid out as the VOC 2012 files are.
fn annotation_xml(item: &Item, file_name: &str, objects: &[VocObject]) -> String {
    let source_image = [&item.source.folder, &item.source.filename]
        .into_iter()
        .filter(|part| !part.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("/");
    let source_image = if source_image.is_empty() {
        "Unknown"
    } else {
        &source_image
    };
    let mut xml = String::new();
    let _ = write!(
        xml,
        "<annotation>\n\
         \t<folder>{}</folder>\n\
         \t<filename>{}</filename>\n\
         \t<source>\n\
         \t\t<database>ADE20K</database>\n\
         \t\t<annotation>ADE20K 2021_17_01</annotation>\n\
         \t\t<image>{}</image>\n\
         \t</source>\n\
         \t<size>\n\
         \t\t<width>{}</width>\n\
         \t\t<height>{}</height>\n\
         \t\t<depth>3</depth>\n\
         \t</size>\n\
         \t<segmented>1</segmented>\n",
        xml::text(&item.folder),
        xml::text(file_name),
        xml::text(source_image),
        item.image.width,
        item.image.height,
    );
    for object in objects {
        let occluded = u8::from(object.object.occluded == Occlusion::Yes);
        let _ = write!(
            xml,
            "\t<object>\n\
             \t\t<name>{}</name>\n\
             \t\t<pose>Unspecified</pose>\n\
             \t\t<truncated>{}</truncated>\n\
             \t\t<occluded>{occluded}</occluded>\n\
             \t\t<difficult>0</difficult>\n",
            xml::text(&object.label.name),
            u8::from(object.object.crop),
        );
        write_bndbox(&mut xml, "\t\t", object.bbox);
        for part in &object.parts {
            let _ = writeln!(
                xml,
                "\t\t<part>\n\t\t\t<name>{}</name>",
                xml::text(&part.label.name)
            );
            write_bndbox(&mut xml, "\t\t\t", part.bbox);
            xml.push_str("\t\t</part>\n");
        }
        xml.push_str("\t</object>\n");
    }
    xml.push_str("</annotation>\n");
    xml
}

/// Appends `<bndbox>` for `bbox` in VOC's 1-based, inclusive pixel coordinates.
fn write_bndbox(xml: &mut String, indent: &str, bbox: BBox) {
    let _ = write!(
        xml,
        "{indent}<bndbox>\n\
         {indent}\t<xmin>{}</xmin>\n\
         {indent}\t<ymin>{}</ymin>\n\
         {indent}\t<xmax>{}</xmax>\n\
         {indent}\t<ymax>{}</ymax>\n\
         {indent}</bndbox>\n",
        bbox.x + 1,
        bbox.y + 1,
        bbox.x + bbox.width,
        bbox.y + bbox.height,
    );
}

/// Writes the subset lists in item order and counts what was written.
pub(crate) struct VocSink<'a> {
    /// The output folder.
    out: &'a Path,
    /// The open lists, per subset.
    lists: HashMap<String, SubsetLists>,
}

/// The two lists of one subset.
struct SubsetLists {
    /// `ImageSets/Main/<subset>.txt` and `ImageSets/Segmentation/<subset>.txt`.
    files: [(PathBuf, BufWriter<File>); 2],
}

impl SubsetLists {
    /// Creates both (empty) lists of `subset`.
    fn create(out: &Path, subset: &str) -> Result<Self, Error> {
        let open = |dir: &str| -> Result<(PathBuf, BufWriter<File>), Error> {
            let path = out.join(dir).join(format!("{subset}.txt"));
            let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
            Ok((path, BufWriter::new(file)))
        };
        Ok(SubsetLists {
            files: [open(MAIN_LIST_DIR)?, open(SEGMENTATION_LIST_DIR)?],
        })
    }

    /// Appends an item's name to both lists.
    fn add(&mut self, name: &str) -> Result<(), Error> {
        for (path, file) in &mut self.files {
            writeln!(file, "{name}").map_err(|e| Error::io(&*path, e))?;
        }
        Ok(())
    }

    /// Flushes and closes both lists.
    fn finish(self) -> Result<(), Error> {
        for (path, file) in self.files {
            file.into_inner()
                .map_err(|e| Error::io(&path, e.into_error()))?;
        }
        Ok(())
    }
}

impl VocSink<'_> {
    /// Closes every subset's lists (empty for subsets without items), writes
    /// `labelmap.txt` and notes its conventions in `summary`.
    fn finish(
        mut self,
        subsets: &[String],
        plan: &LabelPlan,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        for subset in subsets {
            let lists = match self.lists.remove(subset) {
                Some(lists) => lists,
                None => SubsetLists::create(self.out, subset)?,
            };
            lists.finish()?;
        }
        let path = self.out.join("labelmap.txt");
        fs::write(&path, label_map(plan.labels())).map_err(|e| Error::io(&path, e))?;
        summary.categories = plan.labels().len();
        summary.notes.push(format!(
            "file names are item ids with `/` written as `{ID_SEPARATOR}`"
        ));
        summary.notes.push(
            "boxes are VOC's 1-based inclusive pixel coordinates (Datumaro: \
             coordinate_mode=\"voc-one-based\")"
                .into(),
        );
        Ok(())
    }
}

/// `labelmap.txt` in Datumaro's format: background, then every label with
/// the VOC colour of its id.
fn label_map(labels: &[PlannedLabel]) -> String {
    let mut text = format!("# label:color_rgb:parts:actions\n{BACKGROUND}:0,0,0::\n");
    for label in labels {
        let [r, g, b] = voc_color(label.id.0);
        let _ = writeln!(text, "{}:{r},{g},{b}::", label.name);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::LabelId;

    fn planned(id: u32, name: &str) -> PlannedLabel {
        PlannedLabel {
            id: LabelId(id),
            name: name.into(),
            is_thing: None,
            color: None,
            class_indices: vec![],
        }
    }

    #[test]
    fn ids_become_flat_names() {
        assert_eq!(
            voc_name("urban/street/ADE_train_00000001"),
            "urban__street__ADE_train_00000001"
        );
        assert_eq!(voc_name("ADE_val_00000001"), "ADE_val_00000001");
    }

    #[test]
    fn boxes_are_one_based_and_inclusive() {
        let mut xml = String::new();
        let bbox = BBox {
            x: 0,
            y: 2,
            width: 64,
            height: 1,
        };
        write_bndbox(&mut xml, "", bbox);
        assert_eq!(
            xml,
            "<bndbox>\n\t<xmin>1</xmin>\n\t<ymin>3</ymin>\n\t<xmax>64</xmax>\n\t<ymax>3</ymax>\n</bndbox>\n"
        );
    }

    #[test]
    fn label_map_gives_each_label_its_voc_colour() {
        let text = label_map(&[planned(1, "wall"), planned(2, "plant, flora")]);
        assert_eq!(
            text,
            "# label:color_rgb:parts:actions\nbackground:0,0,0::\n\
             wall:128,0,0::\nplant, flora:0,128,0::\n"
        );
    }

    #[test]
    fn label_names_labelmap_cannot_carry_are_refused() {
        for name in ["a:b", "#a", "background", " a", "", "a\nb"] {
            let error = check_label_names(&[planned(1, name)]).unwrap_err();
            assert!(error.to_string().contains("rename it"), "{name}: {error}");
        }
        let error = check_label_names(&[planned(1, "car"), planned(2, "car")]).unwrap_err();
        assert!(error.to_string().contains("two labels"));
        assert!(check_label_names(&[planned(1, "car & bus <é>")]).is_ok());
    }
}
