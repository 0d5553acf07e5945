//! LabelMe 3.0 XML, the annotation format of the LabelMe tool and toolbox
//! that ADE20K was annotated with, as Datumaro (`label_me`) reads it:
//!
//! ```text
//! Annotations/<subset>/<item id>.xml              one <annotation> per item
//! Images/<subset>/<item id>.<ext>                 the photos (linked, copied or left out: --media)
//! Masks/<subset>/<item id>_mask_<ADE id>.png      one mask per object (not with source-polygon)
//! ```
//!
//! **Annotation.** `<filename>` is the image path relative to the folder
//! (`urban/street/ADE_train_00000001.jpg`) and `<folder>` the subset, so
//! that `<folder>/<filename>` under `Images/` is the photo, as the LabelMe
//! toolbox joins them; `<source>` names ADE20K; `<imagesize>` holds `<nrows>`
//! and `<ncols>`.
//!
//! **Objects.** Each object and part (unless `--parts exclude`) of a kept
//! class is an `<object>`, in annotation order, with `<name>` (its label:
//! every class of the dataset by class index, named canonically, or the
//! `--labels` / `--top-classes` selection; an empty name becomes `unnamed`
//! and a name taken twice gets ` (2)`, …), `<deleted>0`, `<verified>0`,
//! `<occluded>` (`yes`, `no`, or empty when not annotated), `<attributes>`,
//! `<parts>` with `<hasparts>` (the ADE ids of its parts written, joined by
//! `,`) and `<ispartof>` (its parent's ADE id, when the parent is written),
//! `<date>` (the annotation date) and `<id>` (its ADE id). `<attributes>`
//! holds the object's attribute words (sorted; empty ones and `crop`,
//! `part_level` and `occluded` dropped), then `crop=true|false` and
//! `part_level=N`, joined by `, `, each word with `\`, `=`, `"` and `,`
//! escaped by a backslash (Datumaro's convention for the free text LabelMe
//! leaves it). Its shape is, by default, a `<segm>`: `<box>` (`xmin`, `ymin`,
//! `xmax`, `ymax`: the tight box of the mask, the maxima exclusive) and
//! `<mask>`, the mask file's name under `Masks/<subset>/`: an 8-bit RGB PNG
//! of the image's size, white where the object's visible mask is set (its
//! amodal mask with `--amodal`), black elsewhere. With `--segmentation
//! source-polygon` it is a `<polygon>` of `<pt>`s (`<x>`, `<y>`): the
//! annotator's own points, written exactly; objects whose polygon has fewer
//! than 3 points are then left out and counted. A LabelMe object has one
//! polygon, so masks traced to several (`--segmentation polygon`) are refused.
//! Objects with no pixels in their mask are left out, and objects of classes
//! not kept, both counted.
//!
//! # Where Datumaro differs
//!
//! Datumaro 1.13 reads every `*.xml` under the folder, the subset from
//! `<folder>` and the item id from `<filename>` without its extension; it
//! numbers labels in order of first appearance. It reads `<mask>` files as
//! colour images and sets the pixels where any channel is not 0 (a grey PNG
//! it cannot read, hence RGB), ignores `<box>`, and gives an object, its
//! parts and theirs one group from `<hasparts>`/`<ispartof>`. It takes
//! `name=value` attributes with `true`/`false` as booleans and numbers as
//! numbers, and bare words as `true`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use ade20k_model::{BBox, Error, Item, Object, ObjectId, Occlusion};

use crate::encode::png_out::PngPixels;
use crate::encode::xml;
use crate::formats::cvat::words;
use crate::formats::datumaro::distinct_names;
use crate::formats::{masked_objects, Exporter, Format, Job, MaskedObject, Scaling, Setting};
use crate::labels::selection::LabelPlan;
use crate::run::{self, ItemFiles};
use crate::{ExportError, ExportOptions, LeftOut, SegmentationMode, Summary};

/// Folder of the annotation files.
const ANNOTATIONS_DIR: &str = "Annotations";
/// Folder of the photos.
const IMAGES_DIR: &str = "Images";
/// Folder of the mask PNGs.
const MASKS_DIR: &str = "Masks";
/// Colour of a mask's set pixels.
const SET: [u8; 3] = [255, 255, 255];

/// The `label_me` format: the label plan, the label names, the options.
pub(crate) struct LabelMe {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
    /// Label names by id − 1, distinct and non-empty.
    names: Vec<String>,
    /// How many names were changed to make them so.
    renamed: usize,
}

impl Exporter for LabelMe {
    const FORMAT: Format = Format {
        name: "label_me",
        description: "LabelMe 3.0 XML: one file per image, objects with parts, mask PNGs or \
                      annotator polygons (LabelMe toolbox, Datumaro)",
        takes: &[Setting::Parts, Setting::MaskKind, Setting::Segmentation],
        run: run::run::<LabelMe>,
        scaling: Scaling::Optional,
    };
    type Prepared = u64;
    type Sink<'e> = ();

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        if job.options.segmentation == SegmentationMode::Polygon {
            return Err(ExportError::Usage(
                "label_me holds one polygon per object, and a mask traced to polygons may need \
                 several: write the masks (the default) or the annotators' polygons \
                 (--segmentation source-polygon)"
                    .into(),
            ));
        }
        let plan = LabelPlan::resolve(
            &job.options.labels,
            &job.dataset,
            Some((usize::MAX, Self::FORMAT.name)),
        )?;
        let (names, renamed) =
            distinct_names(plan.labels().iter().map(|l| l.name.clone()).collect());
        Ok(LabelMe {
            out: job.out.to_path_buf(),
            options: job.options.clone(),
            plan,
            names,
            renamed,
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<(), Error> {
        Ok(())
    }

    /// The item's annotation file, its masks and its image.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<u64, Error> {
        let file_name = files.image_in_subset_folder(&item, &self.out.join(IMAGES_DIR))?;
        let masks_dir = self.out.join(MASKS_DIR).join(&item.subset);
        let mut left_out = Vec::new();
        let mut kept = Vec::new();
        for MaskedObject {
            index,
            object,
            mask,
            bbox,
            ..
        } in masked_objects(&self.plan, &item, &self.options, &mut left_out)?
        {
            let shape = if self.options.segmentation == SegmentationMode::SourcePolygon {
                if object.polygon.len() < 3 {
                    left_out.push(LeftOut::NoPolygon);
                    continue;
                }
                Shape::Polygon
            } else {
                let name = format!("{}_mask_{}.png", item.id, object.ade_id);
                let pixels = mask
                    .to_full()
                    .pixels()
                    .iter()
                    .flat_map(|&set| if set == 1 { SET } else { [0; 3] })
                    .collect();
                files.png(
                    masks_dir.join(&name),
                    item.image.width,
                    item.image.height,
                    PngPixels::Rgb8(pixels),
                );
                Shape::Mask(name, bbox)
            };
            kept.push((index, shape));
        }
        files.leave_out_all(left_out);
        let xml = self.annotation_xml(&item, &file_name, &kept);
        let path = self
            .out
            .join(ANNOTATIONS_DIR)
            .join(&item.subset)
            .join(format!("{}.xml", item.id));
        files.file(path, xml.into_bytes());
        Ok(kept.len() as u64)
    }

    fn write(&self, _sink: &mut (), objects: u64) -> Result<u64, Error> {
        Ok(objects)
    }

    fn finish(
        &self,
        _sink: (),
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        if self.renamed > 0 {
            summary.notes.push(format!(
                "{} label names were empty or taken and were renamed \
                 (`unnamed`, `<name> (2)`, …): LabelMe tells labels apart by name",
                self.renamed
            ));
        }
        summary.notes.push(
            if self.options.segmentation == SegmentationMode::SourcePolygon {
                "objects: the annotator's polygon of each object or part"
            } else {
                "objects: one mask PNG per object or part"
            }
            .into(),
        );
        summary.categories = self.names.len();
        Ok(())
    }
}

/// The shape of one object.
enum Shape {
    /// The mask file's name under `Masks/<subset>/`, and its tight box.
    Mask(String, BBox),
    /// The annotator's polygon.
    Polygon,
}

impl LabelMe {
    /// The `<annotation>` of `item`, whose objects `kept` (index, shape) are written.
    fn annotation_xml(&self, item: &Item, file_name: &str, kept: &[(usize, Shape)]) -> String {
        let written: HashSet<ObjectId> = kept
            .iter()
            .map(|(index, _)| item.objects[*index].ade_id)
            .collect();
        let mut parts: HashMap<ObjectId, Vec<ObjectId>> = HashMap::new();
        for (index, _) in kept {
            let object = &item.objects[*index];
            if let Some(parent) = object.parent.filter(|p| written.contains(p)) {
                parts.entry(parent).or_default().push(object.ade_id);
            }
        }
        let mut xml = format!(
            "<annotation>\n  <filename>{}</filename>\n  <folder>{}</folder>\n  <source>\n    \
             <sourceImage></sourceImage>\n    <sourceAnnotation>ADE20K</sourceAnnotation>\n  \
             </source>\n  <imagesize>\n    <nrows>{}</nrows>\n    <ncols>{}</ncols>\n  \
             </imagesize>\n",
            xml::text(file_name),
            xml::text(&item.subset),
            item.image.height,
            item.image.width
        );
        for (index, shape) in kept {
            let object = &item.objects[*index];
            // Every selected object has a label; ids are 1..=N.
            let Some(label) = self.plan.label_of(object) else {
                continue;
            };
            let occluded = match object.occluded {
                Occlusion::Yes => "yes",
                Occlusion::No => "no",
                Occlusion::Unknown => "",
            };
            let has_parts = parts
                .get(&object.ade_id)
                .map(|ids| {
                    ids.iter()
                        .map(ObjectId::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            let is_part_of = object
                .parent
                .filter(|p| written.contains(p))
                .map(|p| p.to_string())
                .unwrap_or_default();
            let _ = write!(
                xml,
                "  <object>\n    <name>{}</name>\n    <deleted>0</deleted>\n    \
                 <verified>0</verified>\n    <occluded>{occluded}</occluded>\n    \
                 <attributes>{}</attributes>\n    <parts>\n      \
                 <hasparts>{has_parts}</hasparts>\n      <ispartof>{is_part_of}</ispartof>\n    \
                 </parts>\n    <date>{}</date>\n    <id>{}</id>\n",
                xml::text(&self.names[label.0 as usize - 1]),
                xml::text(&attributes(object)),
                xml::text(&object.saved_date),
                object.ade_id
            );
            match shape {
                Shape::Mask(name, bbox) => {
                    let _ = write!(
                        xml,
                        "    <segm>\n      <box>\n        <xmin>{}</xmin>\n        \
                         <ymin>{}</ymin>\n        <xmax>{}</xmax>\n        <ymax>{}</ymax>\n      \
                         </box>\n      <mask>{}</mask>\n    </segm>\n",
                        bbox.x,
                        bbox.y,
                        bbox.x + bbox.width,
                        bbox.y + bbox.height,
                        xml::text(name)
                    );
                }
                Shape::Polygon => {
                    xml.push_str("    <polygon>\n");
                    for [x, y] in &object.polygon {
                        let _ = writeln!(
                            xml,
                            "      <pt>\n        <x>{x}</x>\n        <y>{y}</y>\n      </pt>"
                        );
                    }
                    xml.push_str("    </polygon>\n");
                }
            }
            xml.push_str("  </object>\n");
        }
        xml.push_str("</annotation>\n");
        xml
    }
}

/// The `<attributes>` text of `object`: its words (sorted, without empty
/// ones and `crop`, `part_level` and `occluded`), `crop=…` and `part_level=…`.
fn attributes(object: &Object) -> String {
    let mut fields: Vec<String> = words(object)
        .iter()
        .map(|word| escape_attribute(word))
        .collect();
    fields.push(format!("crop={}", object.crop));
    fields.push(format!("part_level={}", object.part_level));
    fields.join(", ")
}

/// `word` with `\`, `=`, `"` and `,` escaped by a backslash.
fn escape_attribute(word: &str) -> String {
    let mut escaped = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(c, '\\' | '=' | '"' | ',') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_words_are_escaped_and_joined() {
        let object = Object {
            attributes: vec![
                "walking".into(),
                "a=b, \"c\"\\".into(),
                String::new(),
                "crop".into(),
            ],
            crop: true,
            part_level: 1,
            ..Object::default()
        };
        assert_eq!(
            attributes(&object),
            r#"a\=b\, \"c\"\\, walking, crop=true, part_level=1"#
        );
    }
}
