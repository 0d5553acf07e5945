//! Open Images V6 instance segmentation: one PNG per mask and the CSV files
//! that list them, as the Open Images release lays them out and Datumaro's
//! `open_images` reads them.
//!
//! # Layout
//!
//! ```text
//! images/<subset>/<name>.<ext>                                the photo, placed as --media says
//! masks/<subset>/<name>_<label>_<box id>.png                  8-bit grey: 255 inside the mask, 0 outside
//! annotations/<subset>-annotations-object-segmentation.csv   one row per mask
//! annotations/<subset>-images-with-rotation.csv              one row per image
//! annotations/oidv6-class-descriptions.csv                   LabelName,DisplayName
//! annotations/images.meta                                    `<name> <height> <width>` (Datumaro's)
//! ```
//!
//! `<name>` is the item's id with `/` replaced by `_`
//! (`urban/street/ADE_train_00000001` → `urban_street_ADE_train_00000001`),
//! the `ImageID`: Open Images' folders are flat and its mask file names
//! cannot hold a `/`. Two items whose ids flatten to the same name are an
//! error.
//!
//! # The records
//!
//! Each kept object (parts too, unless `--parts exclude`: Open Images has
//! part classes of its own, such as faces) with pixels in its visible mask
//! (or its amodal one with `--amodal`) is one mask row:
//!
//! - `MaskPath`: the PNG's name in `masks/<subset>/`;
//! - `ImageID`: `<name>`;
//! - `LabelName`: `/ade20k/<id>`, `<id>` being the label plan's id (the ADE
//!   class index without `--labels`); Open Images names classes by Freebase
//!   MIDs (`/m/0k4j`), which ADE20K's classes have none of, so they get ids
//!   of their own of the same shape. In the file name the label is written
//!   without its slashes (`ade20k401`), as Open Images writes `m0k4j`;
//! - `BoxID`: the object's ADE id in 8 hex digits, unique in its image as
//!   Open Images' box ids are;
//! - `BoxXMin`, `BoxXMax`, `BoxYMin`, `BoxYMax`: the mask's tight box in
//!   coordinates normalised by the image's width and height (the right and
//!   bottom edges of the last pixels: `(x + width) / image width`);
//! - `PredictedIoU` and `Clicks`: empty. Open Images' masks were made by an
//!   interactive segmentation model from annotators' clicks, and these hold
//!   the model's estimated quality and those clicks; ADE20K's masks were
//!   drawn as polygons by people, with neither.
//!
//! `oidv6-class-descriptions.csv` (the V6 name, with its header row) gives
//! every label seen its `DisplayName`: the list's name, or the canonical
//! class name. `<subset>-images-with-rotation.csv` lists every image with
//! its `ImageID` and `Subset`; its other columns (the Flickr URLs, licence,
//! author, size, MD5, rotation) have nothing in ADE20K and are empty. CSV
//! fields holding a comma, quote or line break are quoted (RFC 4180).
//!
//! # Mask size
//!
//! Open Images does not store masks at the size of the images they
//! annotate: a reader scales each mask to its image (Datumaro with
//! nearest-neighbour interpolation). Here every mask is written at the size
//! of the image as written (scaled with `--max-short-side`), so that scaling
//! is the identity and no reader changes a pixel.
//!
//! # Where Datumaro differs
//!
//! Datumaro 1.13.12 names its labels by `LabelName` (`/ade20k/401`), not by
//! `DisplayName`. It scales a mask to the size of its image, which it takes
//! from the image file or, with no image written (`--media none`), from
//! `annotations/images.meta`, its own file, written here for it: without
//! either it drops the mask. An image missing from
//! `<subset>-images-with-rotation.csv` would get its subset from the mask's
//! file name cut at the first `-`, so every image is listed there. It reads
//! the box columns only to match a mask with a row of `-annotations-bbox.csv`,
//! which is not written.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{BBox, Error, Item};

use crate::encode::json_records::RecordWriter;
use crate::encode::png_out::PngPixels;
use crate::formats::flat_names::FlatNames;
use crate::formats::{masked_objects, Exporter, Format, Job, MaskedObject, Scaling, Setting};
use crate::labels::registry::LabelRegistry;
use crate::labels::selection::LabelPlan;
use crate::run::{self, ItemFiles};
use crate::{ExportError, ExportOptions, LabelNaming, Summary};

/// The header of `<subset>-annotations-object-segmentation.csv`.
const MASK_HEADER: &str =
    "MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks\n";
/// The header of `<subset>-images-with-rotation.csv`.
const IMAGE_HEADER: &str = "ImageID,Subset,OriginalURL,OriginalLandingURL,License,\
                            AuthorProfileURL,Author,Title,OriginalSize,OriginalMD5,\
                            Thumbnail300KURL,Rotation\n";

/// The `open_images` format: its label plan and options.
pub(crate) struct OpenImages {
    out: PathBuf,
    options: ExportOptions,
    plan: LabelPlan,
}

impl Exporter for OpenImages {
    const FORMAT: Format = Format {
        name: "open_images",
        description: "Open Images V6 segmentation: a PNG per mask, CSVs with boxes and \
                      class descriptions (Open Images tools, FiftyOne, Datumaro)",
        takes: &[Setting::Parts, Setting::MaskKind],
        run: run::run::<OpenImages>,
        scaling: Scaling::Optional,
    };
    type Prepared = PreparedItem;
    type Sink<'e> = OpenImagesSink<'e>;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let plan = LabelPlan::resolve(&job.options.labels, &job.dataset, None)?;
        Ok(OpenImages {
            out: job.out.to_path_buf(),
            options: job.options.clone(),
            plan,
        })
    }

    fn sink<'e>(&'e self, job: &Job<'_>) -> Result<OpenImagesSink<'e>, Error> {
        let annotations = self.out.join("annotations");
        fs::create_dir_all(&annotations).map_err(|e| Error::io(&annotations, e))?;
        let mut meta = RecordWriter::create(annotations.join("images.meta"))?;
        meta.raw(b"# <image name> <height> <width>\n\n")?;
        Ok(OpenImagesSink {
            names: FlatNames::default(),
            labels: LabelRegistry::new(
                LabelNaming::Canonical,
                &self.plan,
                job.source.label_order(),
            ),
            subsets: BTreeMap::new(),
            annotations,
            meta,
        })
    }

    /// Draws the masks of the item's kept objects and writes their rows.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<PreparedItem, Error> {
        let name = item.id.replace('/', "_");
        let image_name = match item.image.path.extension().and_then(|ext| ext.to_str()) {
            Some(ext) => format!("{name}.{ext}"),
            None => name.clone(),
        };
        let images = self.out.join("images").join(&item.subset);
        files.image(&item, images.join(image_name))?;
        let masks = self.out.join("masks").join(&item.subset);
        let (width, height) = (item.image.width, item.image.height);
        let mut rows = String::new();
        let mut written = Vec::new();
        let mut left_out = Vec::new();
        for MaskedObject {
            index,
            object,
            label,
            mask,
            bbox,
        } in masked_objects(&self.plan, &item, &self.options, &mut left_out)?
        {
            let box_id = format!("{:08x}", object.ade_id.0);
            let mask_path = format!("{name}_ade20k{label}_{box_id}.png");
            let pixels = mask
                .to_full()
                .into_pixels()
                .iter()
                .map(|&set| set * 255)
                .collect();
            files.png(
                masks.join(&mask_path),
                width,
                height,
                PngPixels::Gray8(pixels),
            );
            rows.push_str(&mask_row(
                &mask_path, &name, label.0, &box_id, bbox, width, height,
            ));
            written.push(index);
        }
        files.leave_out_all(left_out);
        Ok(PreparedItem {
            item,
            name,
            rows,
            written,
        })
    }

    /// Appends the item's rows to its subset's files, in item order.
    fn write(&self, sink: &mut OpenImagesSink<'_>, prepared: PreparedItem) -> Result<u64, Error> {
        let PreparedItem {
            item,
            name,
            rows,
            written,
        } = prepared;
        let subset = &item.subset;
        sink.names.claim(subset, &name, &item.image.path, || {
            format!("its open_images masks masks/{subset}/{name}_*.png")
        })?;
        for &index in &written {
            sink.labels.category_id(&item.objects[index]);
        }
        let files = sink.subset(subset)?;
        files.images.raw(
            format!(
                "{},{}{}\n",
                csv_field(&name),
                csv_field(subset),
                ",".repeat(10)
            )
            .as_bytes(),
        )?;
        files.masks.raw(rows.as_bytes())?;
        let meta = format!(
            "{} {} {}\n",
            shell_word(&name),
            item.image.height,
            item.image.width
        );
        sink.meta.raw(meta.as_bytes())?;
        Ok(written.len() as u64)
    }

    /// Writes the class descriptions and closes every subset's files (empty
    /// ones too).
    fn finish(
        &self,
        mut sink: OpenImagesSink<'_>,
        _job: &Job<'_>,
        subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        for subset in subsets {
            sink.subset(subset)?;
        }
        for (_, files) in sink.subsets {
            files.images.finish()?;
            files.masks.finish()?;
        }
        sink.meta.finish()?;
        let labels = sink.labels.labels();
        let mut text = String::from("LabelName,DisplayName\n");
        for label in &labels {
            text.push_str(&format!(
                "/ade20k/{},{}\n",
                label.id,
                csv_field(&label.name)
            ));
        }
        let path = sink.annotations.join("oidv6-class-descriptions.csv");
        fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        summary.categories = labels.len();
        Ok(())
    }
}

/// One item, its masks drawn, ready to be written in order.
pub(crate) struct PreparedItem {
    item: Item,
    /// The item's `ImageID`.
    name: String,
    /// Its rows of `<subset>-annotations-object-segmentation.csv`.
    rows: String,
    /// The indices in `item.objects` of the objects written.
    written: Vec<usize>,
}

/// What writing needs across items.
pub(crate) struct OpenImagesSink<'a> {
    names: FlatNames,
    labels: LabelRegistry<'a>,
    subsets: BTreeMap<String, SubsetFiles>,
    /// The `annotations/` folder.
    annotations: PathBuf,
    /// `annotations/images.meta`.
    meta: RecordWriter,
}

/// The two CSV files of one subset, their header written.
struct SubsetFiles {
    images: RecordWriter,
    masks: RecordWriter,
}

impl OpenImagesSink<'_> {
    /// The files of `subset`, created on first use.
    fn subset(&mut self, subset: &str) -> Result<&mut SubsetFiles, Error> {
        Ok(match self.subsets.entry(subset.to_string()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(SubsetFiles::create(&self.annotations, subset)?),
        })
    }
}

impl SubsetFiles {
    fn create(annotations: &Path, subset: &str) -> Result<Self, Error> {
        let mut images =
            RecordWriter::create(annotations.join(format!("{subset}-images-with-rotation.csv")))?;
        images.raw(IMAGE_HEADER.as_bytes())?;
        let mut masks = RecordWriter::create(
            annotations.join(format!("{subset}-annotations-object-segmentation.csv")),
        )?;
        masks.raw(MASK_HEADER.as_bytes())?;
        Ok(SubsetFiles { images, masks })
    }
}

/// One row of `<subset>-annotations-object-segmentation.csv`.
fn mask_row(
    mask_path: &str,
    image_id: &str,
    label: u32,
    box_id: &str,
    bbox: BBox,
    width: u32,
    height: u32,
) -> String {
    let across = |start: u32, length: u32, side: u32| {
        let side = f64::from(side);
        (f64::from(start) / side, f64::from(start + length) / side)
    };
    let (x_min, x_max) = across(bbox.x, bbox.width, width);
    let (y_min, y_max) = across(bbox.y, bbox.height, height);
    format!(
        "{},{},/ade20k/{label},{box_id},{x_min},{x_max},{y_min},{y_max},,\n",
        csv_field(mask_path),
        csv_field(image_id)
    )
}

/// `text` as one CSV field: quoted, its quotes doubled, when it holds a
/// comma, a quote or a line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// `text` as one word of `images.meta`, which Datumaro splits as a shell
/// does: single-quoted unless it is made of safe characters only.
fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\"'\"'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_where_csv_needs_it() {
        assert_eq!(csv_field("wall"), "wall");
        assert_eq!(csv_field("car, auto"), "\"car, auto\"");
        assert_eq!(csv_field("12\" disc"), "\"12\"\" disc\"");
    }

    #[test]
    fn meta_words_are_quoted_as_a_shell_reads_them() {
        assert_eq!(shell_word("ADE_train_00000001"), "ADE_train_00000001");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), "'it'\"'\"'s'");
    }

    #[test]
    fn boxes_are_normalised_to_the_pixel_edges() {
        let bbox = BBox {
            x: 0,
            y: 10,
            width: 64,
            height: 20,
        };
        let row = mask_row("m.png", "i", 3, "00000001", bbox, 64, 40);
        assert_eq!(row, "m.png,i,/ade20k/3,00000001,0,1,0.25,0.75,,\n");
    }
}
