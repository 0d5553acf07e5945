//! CVAT for images 1.1 XML, as CVAT imports it ("CVAT 1.1" format, project
//! backup layout) and Datumaro reads it (`cvat`):
//!
//! ```text
//! annotations.xml                    every item, its shapes, and the labels
//! images/<subset>/<item id>.<ext>    the photos (linked, copied or left out: --media)
//! ```
//!
//! **Meta.** `<annotations>` opens with `<version>1.1</version>` and `<meta>`,
//! which holds one `<project>` (named `ADE20K`) with its `<labels>` and, in
//! `<tasks>`, one `<task>` per subset (`<id>` from 1 in the order of the
//! subsets' first items, subsets without items last; `<name>` and `<subset>`
//! the subset, `<size>` its items, `<mode>annotation</mode>`), as CVAT
//! exports a project. Each `<label>` has its `<name>`, `<color>`
//! (`#rrggbb`: the label list's colour, else the Pascal VOC colour of its
//! id), `<type>any</type>` and the `<attributes>` its shapes use:
//! `crop` (checkbox), `part_level` (number, `0`, the highest level written
//! for it or 1, step 1) and one checkbox per attribute word written on its
//! objects (default `false`), sorted. Labels are those of the label plan (every
//! class of the dataset by class index, named canonically, or the `--labels`
//! / `--top-classes` selection), in id order; CVAT finds labels by name, so
//! an empty name becomes `unnamed` and a name already taken gets ` (2)`,
//! ` (3)`, … (stated in the summary's notes).
//!
//! **Images.** One `<image>` per item, in item order: `id` numbers them from 0
//! across subsets, `name` is the image path relative to `images/<subset>/`
//! (`urban/street/ADE_train_00000001.jpg`: Datumaro's item id is the name
//! without extension), `subset`, `task_id` (that subset's task), `width` and
//! `height`.
//!
//! **Shapes.** Each object and part (unless `--parts exclude`) of a kept class
//! becomes, in annotation order:
//!
//! - by default, a `<mask>`: CVAT's own run-length encoding of its visible
//!   mask (`--amodal`: amodal), `rle` the comma-separated lengths of
//!   alternating runs of unset and set pixels, row by row over the mask's
//!   tight box (the first run unset, possibly 0), and `left`, `top`,
//!   `width`, `height` that box in image pixels;
//! - with `--segmentation polygon`, one `<polygon>` per 8-connected component
//!   of that mask, traced along the pixel borders with its holes bridged (see
//!   [`crate::encode::trace`]): filled even-odd and sampled at pixel centres,
//!   the polygons cover exactly the mask;
//! - with `--segmentation source-polygon`, one `<polygon>`: the annotator's
//!   own; objects whose polygon has fewer than 3 points are left out and
//!   counted.
//!
//! `points` are `x,y` pairs joined by `;`, written exactly (pixel corners for
//! traced polygons, the annotated coordinates otherwise). Each shape has
//! `label`, `source="manual"`, `occluded` (1 when the annotator said so, 0
//! for no or unknown), `z_order` and, when its object has parts written (or
//! its mask traces to several polygons), `group_id`: 1 + the ADE id of the
//! level-0 object, the same for the object, its parts and theirs, which is how
//! CVAT groups shapes. `z_order` comes from the depth ordering (ADE: 1 =
//! front-most; CVAT: the greater, the closer): the object of the item's
//! greatest rank R gets 1, rank r gets R + 1 − r, and an object without a rank
//! takes the z order of its nearest ranked parent, else 0. Its `<attribute>`s
//! are `crop` (`true`/`false`), `part_level` and each attribute word of the
//! object as `true`; words that are empty, or equal to `crop`, `part_level` or
//! `occluded`, are dropped. Objects with no pixels in their mask are left out,
//! and objects of classes not kept, both counted.
//!
//! Images are written one by one to a hidden part file; once every item is
//! read (which fixes each label's attribute words), `annotations.xml` is
//! assembled from the meta, the spooled images and the closing tag.
//!
//! # Where Datumaro differs
//!
//! Datumaro 1.13 reads every `<subset>` of a project's meta as a subset and
//! finds each image under `images/<name>` or `images/<subset>/<name>`. It
//! decodes a `<mask>`'s `rle` as column-major runs of a `width` × `height`
//! array and transposes it, which reads CVAT's row-major runs right. It turns
//! the `true`/`false` attribute values into booleans and numbers of
//! non-`text` attributes into floats (`part_level` 1.0), puts `occluded` among
//! the attributes, and does not read `id`, `source`, `<color>` or the
//! attributes' declarations beyond their names and input types. It refuses
//! an `<image>` whose file it cannot find, so it reads an export with images
//! only (not `--media none`); CVAT imports `annotations.xml` alone.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use ade20k_model::{BBox, CroppedMask, Error, Item, Object, ObjectId, Occlusion};

use crate::encode::json_records::RecordWriter;
use crate::encode::palette::label_color;
use crate::encode::trace::trace_cropped;
use crate::encode::xml;
use crate::formats::datumaro::distinct_names;
use crate::formats::{masked_objects, Exporter, Format, Job, MaskedObject, Scaling, Setting};
use crate::labels::selection::LabelPlan;
use crate::labels::LabelId;
use crate::run::{self, ItemFiles};
use crate::source::hierarchy::Hierarchy;
use crate::{ExportError, ExportOptions, LeftOut, SegmentationMode, Summary};

/// The hidden file the `<image>` elements are spooled to.
const SPOOL: &str = ".images.part";
/// Attribute words dropped: the attributes every shape has.
const RESERVED: [&str; 3] = ["crop", "part_level", "occluded"];

/// The `cvat` format: the label plan, the label names, the options.
pub(crate) struct Cvat {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
    /// Label names by id − 1, distinct and non-empty.
    names: Vec<String>,
    /// How many names were changed to make them so.
    renamed: usize,
}

impl Exporter for Cvat {
    const FORMAT: Format = Format {
        name: "cvat",
        description: "CVAT for images 1.1 XML: masks or polygons, attributes, z order and \
                      object-part groups (CVAT, Datumaro)",
        takes: &[Setting::Parts, Setting::MaskKind, Setting::Segmentation],
        run: run::run::<Cvat>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = CvatSink;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        // Ids 1..=N up front, so that every label is named before the first item.
        let plan = LabelPlan::resolve(
            &job.options.labels,
            &job.dataset,
            Some((usize::MAX, Self::FORMAT.name)),
        )?;
        let (names, renamed) =
            distinct_names(plan.labels().iter().map(|l| l.name.clone()).collect());
        fs::create_dir_all(job.out).map_err(|e| Error::io(job.out, e))?;
        Ok(Cvat {
            out: job.out.to_path_buf(),
            options: job.options.clone(),
            plan,
            names,
            renamed,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<CvatSink, Error> {
        Ok(CvatSink {
            images: RecordWriter::create(self.out.join(SPOOL))?,
            next_id: 0,
            tasks: Vec::new(),
            words: vec![BTreeSet::new(); self.names.len()],
            levels: vec![0; self.names.len()],
        })
    }

    /// Encodes the shapes of the item's objects as XML, places the image.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        let name = files.image_in_subset_folder(&item, &self.out.join("images"))?;
        let mut left_out = Vec::new();
        let mut shapes = Vec::new();
        for MaskedObject {
            index,
            object,
            mask,
            bbox,
            ..
        } in masked_objects(&self.plan, &item, &self.options, &mut left_out)?
        {
            let geometries = match self.options.segmentation {
                SegmentationMode::Rle => vec![Geometry::Mask(cvat_rle(&mask, bbox), bbox)],
                SegmentationMode::Polygon => trace_cropped(&mask)
                    .into_iter()
                    .map(Geometry::Polygon)
                    .collect(),
                SegmentationMode::SourcePolygon if object.polygon.len() < 3 => {
                    left_out.push(LeftOut::NoPolygon);
                    continue;
                }
                SegmentationMode::SourcePolygon => vec![Geometry::Polygon(object.polygon.clone())],
            };
            shapes.push((index, geometries));
        }
        files.leave_out_all(left_out);
        let hierarchy = Hierarchy::of(&item);
        let roots: Vec<ObjectId> = shapes
            .iter()
            .map(|(index, _)| item.objects[hierarchy.root(*index)].ade_id)
            .collect();
        let mut per_root: HashMap<ObjectId, usize> = HashMap::new();
        for ((_, geometries), root) in shapes.iter().zip(&roots) {
            *per_root.entry(*root).or_default() += geometries.len();
        }
        let depth = Depth::of(&item, &hierarchy);
        let mut xml = String::new();
        let mut labelled = Vec::new();
        let mut count = 0;
        for ((index, geometries), root) in shapes.iter().zip(&roots) {
            let object = &item.objects[*index];
            // Every selected object has a label; ids are 1..=N.
            let Some(label) = self.plan.label_of(object) else {
                continue;
            };
            let words = words(object);
            let group = (per_root[root] > 1).then_some(u64::from(root.0) + 1);
            for geometry in geometries {
                shape_xml(
                    &mut xml,
                    &self.names[label.0 as usize - 1],
                    object,
                    geometry,
                    depth.z_order(*index),
                    group,
                    &words,
                );
                count += 1;
            }
            labelled.push((label, object.part_level, words));
        }
        Ok(PreparedItem {
            subset: item.subset,
            name,
            width: item.image.width,
            height: item.image.height,
            xml,
            count,
            labelled,
        })
    }

    fn write(&self, sink: &mut CvatSink, prepared: PreparedItem) -> Result<u64, Error> {
        let PreparedItem {
            subset,
            name,
            width,
            height,
            xml,
            count,
            labelled,
        } = prepared;
        for (label, level, words) in labelled {
            let at = label.0 as usize - 1;
            sink.levels[at] = sink.levels[at].max(level);
            sink.words[at].extend(words);
        }
        let task = match sink.tasks.iter().position(|(name, _)| *name == subset) {
            Some(position) => position,
            None => {
                sink.tasks.push((subset.clone(), 0));
                sink.tasks.len() - 1
            }
        };
        sink.tasks[task].1 += 1;
        let element = format!(
            "  <image id=\"{}\" name=\"{}\" subset=\"{}\" task_id=\"{}\" \
             width=\"{width}\" height=\"{height}\">\n{xml}  </image>\n",
            sink.next_id,
            xml::attribute(&name),
            xml::attribute(&subset),
            task + 1,
        );
        sink.next_id += 1;
        sink.images.raw(element.as_bytes())?;
        Ok(count)
    }

    fn finish(
        &self,
        sink: CvatSink,
        _job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let CvatSink {
            images,
            mut tasks,
            words,
            levels,
            ..
        } = sink;
        for subset in subsets {
            if !tasks.iter().any(|(name, _)| name == subset) {
                tasks.push((subset.clone(), 0));
            }
        }
        let path = self.out.join("annotations.xml");
        let mut out = RecordWriter::create(path)?;
        out.raw(self.meta(&tasks, &words, &levels).as_bytes())?;
        let part = images.finish()?;
        out.append_file(&part)?;
        fs::remove_file(&part).map_err(|e| Error::io(&part, e))?;
        out.raw(b"</annotations>\n")?;
        out.finish()?;
        if self.renamed > 0 {
            summary.notes.push(format!(
                "{} label names were empty or taken and were renamed \
                 (`unnamed`, `<name> (2)`, …): CVAT finds labels by name",
                self.renamed
            ));
        }
        summary.notes.push(
            match self.options.segmentation {
                SegmentationMode::Rle => "shapes: one mask per object or part",
                SegmentationMode::Polygon => {
                    "shapes: one polygon per connected part of each object's or part's mask"
                }
                SegmentationMode::SourcePolygon => {
                    "shapes: the annotator's polygon of each object or part"
                }
            }
            .into(),
        );
        summary.categories = self.names.len();
        Ok(())
    }
}

impl Cvat {
    /// The XML declaration, `<annotations>`, `<version>` and `<meta>`.
    fn meta(&self, tasks: &[(String, u64)], words: &[BTreeSet<String>], levels: &[u32]) -> String {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n  \
             <version>1.1</version>\n  <meta>\n    <project>\n      <name>ADE20K</name>\n      \
             <labels>\n",
        );
        for (at, (name, label)) in self.names.iter().zip(self.plan.labels()).enumerate() {
            let [r, g, b] = label_color(label);
            let _ = write!(
                xml,
                "        <label>\n          <name>{}</name>\n          \
                 <color>#{r:02x}{g:02x}{b:02x}</color>\n          <type>any</type>\n          \
                 <attributes>\n",
                xml::text(name)
            );
            attribute_xml(&mut xml, "crop", "checkbox", "false", "false\ntrue");
            let levels = format!("0\n{}\n1", levels[at].max(1));
            attribute_xml(&mut xml, "part_level", "number", "0", &levels);
            for word in &words[at] {
                attribute_xml(&mut xml, word, "checkbox", "false", "false\ntrue");
            }
            xml.push_str("          </attributes>\n        </label>\n");
        }
        xml.push_str("      </labels>\n      <tasks>\n");
        for (id, (subset, size)) in tasks.iter().enumerate() {
            let subset = xml::text(subset);
            let _ = write!(
                xml,
                "        <task>\n          <id>{}</id>\n          <name>{subset}</name>\n          \
                 <size>{size}</size>\n          <mode>annotation</mode>\n          \
                 <overlap>0</overlap>\n          <subset>{subset}</subset>\n        </task>\n",
                id + 1
            );
        }
        xml.push_str("      </tasks>\n    </project>\n  </meta>\n");
        xml
    }
}

/// Appends the declaration of one label attribute to `xml`.
fn attribute_xml(xml: &mut String, name: &str, input_type: &str, default: &str, values: &str) {
    let _ = write!(
        xml,
        "            <attribute>\n              <name>{}</name>\n              \
         <mutable>False</mutable>\n              <input_type>{input_type}</input_type>\n              \
         <default_value>{default}</default_value>\n              <values>{values}</values>\n            \
         </attribute>\n",
        xml::text(name)
    );
}

/// One item, its shapes in XML, ready to be numbered and written.
pub(crate) struct PreparedItem {
    subset: String,
    /// Image path relative to `images/<subset>/`.
    name: String,
    width: u32,
    height: u32,
    /// The item's shape elements.
    xml: String,
    /// How many shapes `xml` holds.
    count: u64,
    /// Label id, part level and attribute words of each object written.
    labelled: Vec<(LabelId, u32, Vec<String>)>,
}

/// The geometry of one shape.
enum Geometry {
    /// CVAT's RLE of the mask over its tight box.
    Mask(String, BBox),
    /// A closed polygon of `[x, y]` points.
    Polygon(Vec<[f64; 2]>),
}

/// Writes the images in item order and gathers what the meta needs.
pub(crate) struct CvatSink {
    /// The spooled `<image>` elements.
    images: RecordWriter,
    /// The `id` of the next image.
    next_id: u64,
    /// The subsets in order of their first item, with their item counts:
    /// the tasks, numbered from 1.
    tasks: Vec<(String, u64)>,
    /// Attribute words written, per label id − 1.
    words: Vec<BTreeSet<String>>,
    /// Highest part level written, per label id − 1.
    levels: Vec<u32>,
}

/// CVAT's RLE of `mask` over `bbox`, its tight box: lengths of alternating
/// runs of unset and set pixels, row by row, the first run unset.
fn cvat_rle(mask: &CroppedMask, bbox: BBox) -> String {
    let mut counts = Vec::new();
    let mut current = false;
    let mut run = 0u64;
    for y in bbox.y..bbox.y + bbox.height {
        for x in bbox.x..bbox.x + bbox.width {
            if mask.get(x, y) != current {
                counts.push(run);
                run = 0;
                current = !current;
            }
            run += 1;
        }
    }
    counts.push(run);
    let mut text = String::with_capacity(counts.len() * 4);
    for (n, count) in counts.iter().enumerate() {
        if n > 0 {
            text.push_str(", ");
        }
        let _ = write!(text, "{count}");
    }
    text
}

/// The z orders of an item's objects, from their depth ranks.
struct Depth<'a> {
    item: &'a Item,
    hierarchy: &'a Hierarchy<'a>,
    /// The item's greatest depth rank.
    deepest: u32,
}

impl<'a> Depth<'a> {
    fn of(item: &'a Item, hierarchy: &'a Hierarchy<'a>) -> Self {
        let deepest = item.objects.iter().filter_map(|o| o.depth_rank).max();
        Depth {
            item,
            hierarchy,
            deepest: deepest.unwrap_or(0),
        }
    }

    /// The z order of `item.objects[index]` (see the module docs).
    fn z_order(&self, index: usize) -> u32 {
        let (chain, _) = self.hierarchy.ancestry(index);
        chain
            .into_iter()
            .find_map(|position| self.item.objects[position].depth_rank)
            .map_or(0, |rank| (self.deepest + 1).saturating_sub(rank))
    }
}

/// The attribute words of `object` written as checkboxes (and as LabelMe
/// attributes): sorted, without duplicates, empty words and [`RESERVED`] ones.
pub(crate) fn words(object: &Object) -> Vec<String> {
    let mut words: Vec<String> = object
        .attributes
        .iter()
        .filter(|word| !word.is_empty() && !RESERVED.contains(&word.as_str()))
        .cloned()
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Appends the element of one shape to `xml`.
fn shape_xml(
    xml: &mut String,
    label: &str,
    object: &Object,
    geometry: &Geometry,
    z_order: u32,
    group: Option<u64>,
    words: &[String],
) {
    let tag = match geometry {
        Geometry::Mask(..) => "mask",
        Geometry::Polygon(_) => "polygon",
    };
    let occluded = u8::from(object.occluded == Occlusion::Yes);
    let _ = write!(
        xml,
        "    <{tag} label=\"{}\" source=\"manual\" occluded=\"{occluded}\"",
        xml::attribute(label)
    );
    match geometry {
        Geometry::Mask(rle, bbox) => {
            let _ = write!(
                xml,
                " rle=\"{rle}\" left=\"{}\" top=\"{}\" width=\"{}\" height=\"{}\"",
                bbox.x, bbox.y, bbox.width, bbox.height
            );
        }
        Geometry::Polygon(points) => {
            xml.push_str(" points=\"");
            for (n, [x, y]) in points.iter().enumerate() {
                let separator = if n > 0 { ";" } else { "" };
                let _ = write!(xml, "{separator}{x},{y}");
            }
            xml.push('"');
        }
    }
    let _ = write!(xml, " z_order=\"{z_order}\"");
    if let Some(group) = group {
        let _ = write!(xml, " group_id=\"{group}\"");
    }
    xml.push_str(">\n");
    let _ = writeln!(
        xml,
        "      <attribute name=\"crop\">{}</attribute>",
        object.crop
    );
    let _ = writeln!(
        xml,
        "      <attribute name=\"part_level\">{}</attribute>",
        object.part_level
    );
    for word in words {
        let _ = writeln!(
            xml,
            "      <attribute name=\"{}\">true</attribute>",
            xml::attribute(word)
        );
    }
    let _ = writeln!(xml, "    </{tag}>");
}
