//! Writes one ADE20K 2020 item from its scene description: the photo, the
//! annotation JSON, the class maps of every part level and one instance mask
//! per object and part.

use std::collections::BTreeMap;
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use serde::Serialize;
use serde_json::{json, Value};

use crate::classes::Class;
use crate::files::{self, PathError};
use crate::scene::{Placement, Scene, Shape};
use crate::standard_png::{self, Color};

/// Folder of the images inside the real release. The `folder` field of an
/// annotation is this joined with the item's folder inside its dataset.
pub const RELEASE_IMAGES_FOLDER: &str = "ADE20K_2021_17_01/images/ADE";

/// The largest class index the class maps can hold: R = (class / 256) * 10 ≤ 255.
const MAX_CLASS_INDEX: u32 = 25 * 256 + 255;

/// How many objects of one part level a class map tells apart (B = 1..=255).
const INSTANCE_CODES: usize = 255;

/// How instance masks mark their pixels.
#[derive(Clone, Copy, Debug)]
pub enum MaskValues {
    /// As the release: 255 visible, 128 hidden, 0 absent.
    Release,
    /// As some synthetic datasets: 1 visible, 0 otherwise (hidden pixels are not marked).
    Binary,
}

impl MaskValues {
    /// The values of visible and of hidden pixels.
    fn visible_and_hidden(self) -> (u8, u8) {
        match self {
            MaskValues::Release => (255, 128),
            MaskValues::Binary => (1, 0),
        }
    }
}

/// How the image files of an item are written.
#[derive(Clone, Copy, Debug)]
pub enum Encoding {
    /// For the committed test datasets: small files, written fast. PNGs are
    /// compressed by the pure-Rust `fdeflate`, whose output does not depend on
    /// which zlib backend other crates of the workspace select. JPEG quality 90.
    Fixtures,
    /// As the release's files: PNGs filtered and compressed at zlib's default
    /// level as libpng and Pillow write them ([`standard_png`]), which take as
    /// long to decode as theirs (`fdeflate`'s fast streams decode about a third
    /// faster). JPEG quality 85.
    Release,
}

impl Encoding {
    /// Encodes RGB `pixels`, row-major, as a JPEG file.
    fn jpeg(self, pixels: &[u8], width: u32, height: u32) -> image::ImageResult<Vec<u8>> {
        let quality = match self {
            Encoding::Fixtures => 90,
            Encoding::Release => 85,
        };
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, quality).write_image(
            pixels,
            width,
            height,
            ExtendedColorType::Rgb8,
        )?;
        Ok(bytes)
    }

    /// Encodes 8-bit `pixels`, row-major, as a PNG file.
    fn png(
        self,
        pixels: &[u8],
        width: u32,
        height: u32,
        color: Color,
    ) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        match self {
            Encoding::Fixtures => {
                let color = match color {
                    Color::Gray => ExtendedColorType::L8,
                    Color::Rgb => ExtendedColorType::Rgb8,
                };
                let mut bytes = Vec::new();
                PngEncoder::new_with_quality(
                    &mut bytes,
                    CompressionType::Fast,
                    FilterType::Adaptive,
                )
                .write_image(pixels, width, height, color)?;
                Ok(bytes)
            }
            Encoding::Release => Ok(standard_png::encode(pixels, width, height, color)?),
        }
    }
}

/// Character encoding of the annotation JSON file.
#[derive(Clone, Copy, Debug)]
pub enum TextEncoding {
    /// UTF-8, as most files of the release.
    Utf8,
    /// ISO-8859-1: one byte per character, not valid UTF-8 beyond ASCII.
    Latin1,
}

impl TextEncoding {
    fn encode(self, text: &str) -> Result<Vec<u8>, String> {
        match self {
            TextEncoding::Utf8 => Ok(text.as_bytes().to_vec()),
            TextEncoding::Latin1 => text
                .chars()
                .map(|c| u8::try_from(c).map_err(|_| format!("{c:?} has no Latin-1 encoding")))
                .collect(),
        }
    }
}

/// How the annotation JSON is laid out.
#[derive(Clone, Copy, Debug)]
pub enum JsonLayout {
    /// Indented, two spaces a level, ending with a newline, as other tools write it.
    Indented,
    /// One line without spaces after `:` or `,` and no final newline, as the release writes it.
    OneLine,
}

/// How the `crop` flags of an annotation are written.
#[derive(Clone, Copy, Debug)]
pub enum CropEncoding {
    /// Numbers `0` and `1`.
    Number,
    /// Strings `"0"` and `"1"`.
    String,
}

/// The `source` field of an annotation: where the photo came from.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Source {
    /// Folder of the original photo.
    pub folder: String,
    /// File name of the original photo.
    pub filename: String,
    /// Collection the photo came from.
    pub origin: String,
}

/// The `attributes` field of an object.
#[derive(Clone, Copy, Debug)]
pub enum Attributes {
    /// `[]`.
    None,
    /// A bare string, e.g. `"walking"`.
    Single(&'static str),
    /// A list of strings.
    List(&'static [&'static str]),
}

/// The `polygon` field of an object.
#[derive(Clone, Copy, Debug)]
pub enum PolygonStyle {
    /// A rough outline of the shape (see [`Shape::outline`]).
    Outline,
    /// The outline, with a `click_date` for every point.
    OutlineWithClickDates,
    /// No points at all.
    Empty,
    /// The first two points of the outline only.
    TwoPoints,
    /// The outline with its right-most point one pixel beyond the right
    /// border (x = width + 1), as annotators' clicks sometimes are.
    OutlineBeyondTheBorder,
}

/// One object or part of an item: its class, geometry and how its fields are written.
#[derive(Clone, Debug)]
pub struct ObjectSpec {
    /// Canonical class.
    pub class: Class,
    /// The word the annotator typed.
    pub raw_name: String,
    /// Shape, depth rank and parent.
    pub placement: Placement,
    /// The `attributes` field.
    pub attributes: Attributes,
    /// Whether `occluded` says `"yes"`/`"no"` (from the geometry) or `[]` (unknown).
    pub occlusion_known: bool,
    /// Whether `hasparts` is written as a bare integer; the object then has exactly one part.
    pub single_part_as_integer: bool,
    /// The `polygon` field.
    pub polygon: PolygonStyle,
    /// Fields outside the format, which readers must ignore.
    pub extra_fields: Vec<(&'static str, Value)>,
}

/// A whole object (part level 0).
pub fn whole(
    class: Class,
    raw_name: impl Into<String>,
    shape: Shape,
    depth_rank: u32,
) -> ObjectSpec {
    ObjectSpec {
        class,
        raw_name: raw_name.into(),
        placement: Placement {
            shape,
            depth_rank,
            parent: None,
        },
        attributes: Attributes::None,
        occlusion_known: true,
        single_part_as_integer: false,
        polygon: PolygonStyle::Outline,
        extra_fields: Vec::new(),
    }
}

/// A part of the object with id `parent`; its depth rank orders it among its siblings.
pub fn part(
    parent: usize,
    class: Class,
    raw_name: impl Into<String>,
    shape: Shape,
    depth_rank: u32,
) -> ObjectSpec {
    let mut spec = whole(class, raw_name, shape, depth_rank);
    spec.placement.parent = Some(parent);
    spec
}

impl ObjectSpec {
    /// Sets the `attributes` field.
    pub fn attributes(mut self, attributes: Attributes) -> Self {
        self.attributes = attributes;
        self
    }

    /// Writes `occluded` as `[]`.
    pub fn occlusion_unknown(mut self) -> Self {
        self.occlusion_known = false;
        self
    }

    /// Writes `hasparts` as a bare integer.
    pub fn single_part_as_integer(mut self) -> Self {
        self.single_part_as_integer = true;
        self
    }

    /// Sets how `polygon` is written.
    pub fn polygon(mut self, style: PolygonStyle) -> Self {
        self.polygon = style;
        self
    }

    /// Adds a field outside the format.
    pub fn extra_field(mut self, key: &'static str, value: Value) -> Self {
        self.extra_fields.push((key, value));
        self
    }
}

/// One annotated photo and the way its files are written.
#[derive(Clone, Debug)]
pub struct Item {
    /// File stem shared by the photo, annotation, class maps and mask folder.
    pub name: String,
    /// Folder of the files inside the dataset, starting with the subset: `training/urban/street`.
    pub folder: String,
    /// Photo width in pixels.
    pub width: u32,
    /// Photo height in pixels.
    pub height: u32,
    /// The `scene` field: scene words, e.g. `["outdoor", "urban", "street"]`.
    pub scene_words: &'static [&'static str],
    /// The `source` field.
    pub source: Source,
    /// Objects and parts; parents are given by index in this list.
    pub objects: Vec<ObjectSpec>,
    /// The `id` of each object, by index; empty: the index. Real items skip numbers.
    pub ids: Vec<usize>,
    /// How `crop` flags are written.
    pub crop_encoding: CropEncoding,
    /// How instance masks mark their pixels.
    pub mask_values: MaskValues,
    /// Encoding of the annotation JSON.
    pub text_encoding: TextEncoding,
    /// Layout of the annotation JSON.
    pub json_layout: JsonLayout,
}

/// Fields of the annotation JSON, in the order the release writes them.
#[derive(Serialize)]
struct AnnotationFile<'a> {
    annotation: Annotation<'a>,
}

#[derive(Serialize)]
struct Annotation<'a> {
    filename: String,
    folder: String,
    imsize: [u32; 3],
    source: &'a Source,
    scene: &'a [&'a str],
    object: Vec<ObjectRecord<'a>>,
}

#[derive(Serialize)]
struct ObjectRecord<'a> {
    id: usize,
    name: &'a str,
    name_ndx: u32,
    hypernym: &'a [&'a str],
    raw_name: &'a str,
    attributes: Value,
    depth_ordering_rank: u32,
    occluded: Value,
    crop: Value,
    parts: PartsRecord,
    instance_mask: String,
    polygon: PolygonRecord,
    saved_date: String,
    #[serde(flatten)]
    extra_fields: BTreeMap<&'a str, &'a Value>,
}

#[derive(Serialize)]
struct PartsRecord {
    part_level: usize,
    ispartof: Value,
    hasparts: Value,
}

#[derive(Serialize)]
struct PolygonRecord {
    x: Vec<i32>,
    y: Vec<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    click_date: Option<Vec<String>>,
}

impl Item {
    /// An item with no objects, indented UTF-8 JSON, numeric crop flags and release-style masks.
    pub fn new(folder: &str, name: &str, width: u32, height: u32) -> Item {
        Item {
            name: name.to_owned(),
            folder: folder.to_owned(),
            width,
            height,
            scene_words: &[],
            source: Source::default(),
            objects: Vec::new(),
            ids: Vec::new(),
            crop_encoding: CropEncoding::Number,
            mask_values: MaskValues::Release,
            text_encoding: TextEncoding::Utf8,
            json_layout: JsonLayout::Indented,
        }
    }

    /// Sets the scene words.
    pub fn scene_words(mut self, words: &'static [&'static str]) -> Self {
        self.scene_words = words;
        self
    }

    /// Sets the `source` field.
    pub fn source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// Sets the objects and parts.
    pub fn objects(mut self, objects: Vec<ObjectSpec>) -> Self {
        self.objects = objects;
        self
    }

    /// Writes `crop` flags as strings.
    pub fn crop_as_strings(mut self) -> Self {
        self.crop_encoding = CropEncoding::String;
        self
    }

    /// Writes binary 0/1 instance masks.
    pub fn binary_masks(mut self) -> Self {
        self.mask_values = MaskValues::Binary;
        self
    }

    /// Writes the annotation JSON in Latin-1.
    pub fn latin1(mut self) -> Self {
        self.text_encoding = TextEncoding::Latin1;
        self
    }

    /// Writes the annotation JSON on one line, as the release does.
    pub fn one_line_json(mut self) -> Self {
        self.json_layout = JsonLayout::OneLine;
        self
    }

    /// Numbers the objects with `ids` (one per object, in order) instead of their indices.
    pub fn ids(mut self, ids: &[usize]) -> Self {
        self.ids = ids.to_vec();
        self
    }

    /// The `id` of the object at `index`.
    fn id(&self, index: usize) -> usize {
        self.ids.get(index).copied().unwrap_or(index)
    }

    /// Writes the item's files under `dataset_root` (the folder holding the
    /// subsets), compressed as `encoding` says. Returns how many bytes it wrote.
    pub fn write(&self, dataset_root: &Path, encoding: Encoding) -> Result<u64, PathError> {
        let folder = dataset_root.join(&self.folder);
        let name = &self.name;
        let annotation_path = folder.join(format!("{name}.json"));
        let scene = Scene::new(
            self.width,
            self.height,
            self.objects.iter().map(|o| o.placement.clone()).collect(),
        )
        .and_then(|scene| self.check_encodable(&scene).map(|()| scene))
        .map_err(|message| PathError::new(&annotation_path, message))?;
        let instance_codes = instance_codes(&scene);
        let mut written = 0;
        let mut write = |path: &Path, bytes: &[u8]| {
            written += bytes.len() as u64;
            files::write(path, bytes)
        };
        let png = |path: &Path, pixels: &[u8], color| {
            encoding
                .png(pixels, self.width, self.height, color)
                .map_err(|e| PathError::new(path, e))
        };

        let photo_path = folder.join(format!("{name}.jpg"));
        let photo = encoding
            .jpeg(&self.photo(&scene), self.width, self.height)
            .map_err(|e| PathError::new(&photo_path, e))?;
        write(&photo_path, &photo)?;

        let text = self
            .annotation_text(&scene)
            .map_err(|message| PathError::new(&annotation_path, message))?;
        write(&annotation_path, &text)?;

        for level in 0..=scene.max_level() {
            let map_path = folder.join(match level {
                0 => format!("{name}_seg.png"),
                _ => format!("{name}_parts_{level}.png"),
            });
            let map = self.class_map(&scene, level, &instance_codes);
            write(&map_path, &png(&map_path, &map, Color::Rgb)?)?;
        }

        let (visible, hidden) = self.mask_values.visible_and_hidden();
        for index in 0..self.objects.len() {
            let mask_path = folder.join(self.instance_mask_path(self.id(index)));
            let mask = scene.mask(index, visible, hidden);
            write(&mask_path, &png(&mask_path, &mask, Color::Gray)?)?;
        }
        Ok(written)
    }

    /// Checks that the ids name every object once and that the class maps
    /// can hold every class and instance code.
    fn check_encodable(&self, scene: &Scene) -> Result<(), String> {
        let distinct: std::collections::BTreeSet<usize> = self.ids.iter().copied().collect();
        if !self.ids.is_empty()
            && (self.ids.len() != self.objects.len() || distinct.len() != self.ids.len())
        {
            return Err(format!(
                "{} objects numbered by {} ids, {} distinct",
                self.objects.len(),
                self.ids.len(),
                distinct.len()
            ));
        }
        if let Some(object) = self
            .objects
            .iter()
            .find(|object| object.class.name_ndx == 0 || object.class.name_ndx > MAX_CLASS_INDEX)
        {
            return Err(format!(
                "class index {} of {:?} is outside 1..={MAX_CLASS_INDEX}",
                object.class.name_ndx, object.class.name
            ));
        }
        for level in 0..=scene.max_level() {
            let count = scene.levels().filter(|&l| l == level).count();
            if count > INSTANCE_CODES {
                return Err(format!(
                    "{count} objects at part level {level}; a class map tells {INSTANCE_CODES} apart"
                ));
            }
        }
        Ok(())
    }

    /// Path of the instance mask of object `id`, relative to the item's folder.
    fn instance_mask_path(&self, id: usize) -> String {
        let name = &self.name;
        format!("{name}/instance_{id:03}_{name}.png")
    }

    /// A synthetic photo, RGB, row-major: a colour gradient, tinted by the
    /// class of the deepest object or part seen at each pixel.
    fn photo(&self, scene: &Scene) -> Vec<u8> {
        let span = |extent: u32| (extent - 1).max(1);
        let tints: Vec<[u8; 3]> = self
            .objects
            .iter()
            .map(|object| class_tint(object.class.name_ndx))
            .collect();
        let mut pixels = Vec::with_capacity(self.width as usize * self.height as usize * 3);
        let mut deepest = vec![None; self.width as usize];
        for y in 0..self.height {
            deepest.fill(None);
            for level in 0..=scene.max_level() {
                for (deepest, seen) in deepest.iter_mut().zip(scene.visible_row(level, y)) {
                    if seen.is_some() {
                        *deepest = seen;
                    }
                }
            }
            for (x, seen) in (0..self.width).zip(&deepest) {
                let gradient = [
                    (x * 255 / span(self.width)) as u8,
                    (y * 255 / span(self.height)) as u8,
                    96,
                ];
                match seen {
                    Some(id) => {
                        pixels.extend(gradient.iter().zip(tints[*id]).map(|(&gradient, tint)| {
                            ((u16::from(gradient) + 3 * u16::from(tint)) / 4) as u8
                        }))
                    }
                    None => pixels.extend(gradient),
                }
            }
        }
        pixels
    }

    /// The class map of part level `level`, RGB, row-major: class in R and G,
    /// instance code in B.
    fn class_map(&self, scene: &Scene, level: usize, instance_codes: &[u8]) -> Vec<u8> {
        let colours: Vec<[u8; 3]> = self
            .objects
            .iter()
            .zip(instance_codes)
            .map(|(object, &code)| {
                let class = object.class.name_ndx;
                [(class / 256 * 10) as u8, (class % 256) as u8, code]
            })
            .collect();
        let mut pixels = Vec::with_capacity(self.width as usize * self.height as usize * 3);
        for y in 0..self.height {
            for seen in scene.visible_row(level, y) {
                pixels.extend(seen.map_or([0, 0, 0], |id| colours[id]));
            }
        }
        pixels
    }

    /// The annotation JSON, laid out and encoded.
    fn annotation_text(&self, scene: &Scene) -> Result<Vec<u8>, String> {
        let objects = self
            .objects
            .iter()
            .enumerate()
            .map(|(index, object)| self.object_record(scene, index, object))
            .collect::<Result<_, _>>()?;
        let file = AnnotationFile {
            annotation: Annotation {
                filename: format!("{}.jpg", self.name),
                folder: format!("{RELEASE_IMAGES_FOLDER}/{}", self.folder),
                imsize: [self.height, self.width, 3],
                source: &self.source,
                scene: self.scene_words,
                object: objects,
            },
        };
        let text = match self.json_layout {
            JsonLayout::Indented => {
                serde_json::to_string_pretty(&file).map_err(|e| e.to_string())? + "\n"
            }
            JsonLayout::OneLine => serde_json::to_string(&file).map_err(|e| e.to_string())?,
        };
        self.text_encoding.encode(&text)
    }

    /// The `object` entry of the object at `index`.
    fn object_record<'a>(
        &self,
        scene: &Scene,
        index: usize,
        object: &'a ObjectSpec,
    ) -> Result<ObjectRecord<'a>, String> {
        let id = self.id(index);
        let flag = |set: bool| match self.crop_encoding {
            CropEncoding::Number => json!(u8::from(set)),
            CropEncoding::String => json!(if set { "1" } else { "0" }),
        };
        let parts: Vec<usize> = scene
            .parts_of(index)
            .into_iter()
            .map(|part| self.id(part))
            .collect();
        let hasparts = match (object.single_part_as_integer, parts.as_slice()) {
            (false, _) => json!(parts),
            (true, [only]) => json!(only),
            (true, _) => {
                return Err(format!(
                    "object {id} writes its part as an integer but has {} parts",
                    parts.len()
                ))
            }
        };
        Ok(ObjectRecord {
            id,
            name: object.class.name,
            name_ndx: object.class.name_ndx,
            hypernym: object.class.hypernym,
            raw_name: &object.raw_name,
            attributes: match object.attributes {
                Attributes::None => json!([]),
                Attributes::Single(word) => json!(word),
                Attributes::List(words) => json!(words),
            },
            depth_ordering_rank: object.placement.depth_rank,
            occluded: match object.occlusion_known {
                true if scene.is_occluded(index) => json!("yes"),
                true => json!("no"),
                false => json!([]),
            },
            crop: flag(scene.is_cropped(index)),
            parts: PartsRecord {
                part_level: scene.level(index),
                ispartof: object
                    .placement
                    .parent
                    .map_or(json!([]), |parent| json!(self.id(parent))),
                hasparts,
            },
            instance_mask: self.instance_mask_path(id),
            polygon: self.polygon_record(id, object),
            saved_date: timestamp(id, 59),
            extra_fields: object.extra_fields.iter().map(|(k, v)| (*k, v)).collect(),
        })
    }

    /// The `polygon` of object `id`.
    fn polygon_record(&self, id: usize, object: &ObjectSpec) -> PolygonRecord {
        let mut outline = object.placement.shape.outline(self.width, self.height);
        let points: &[(i32, i32)] = match object.polygon {
            PolygonStyle::Outline | PolygonStyle::OutlineWithClickDates => &outline[..],
            PolygonStyle::Empty => &[],
            PolygonStyle::TwoPoints => &outline[..2.min(outline.len())],
            PolygonStyle::OutlineBeyondTheBorder => {
                if let Some(right_most) = outline.iter_mut().max_by_key(|point| point.0) {
                    right_most.0 = self.width as i32 + 1;
                }
                &outline[..]
            }
        };
        let click_date = matches!(object.polygon, PolygonStyle::OutlineWithClickDates).then(|| {
            (0..points.len())
                .map(|point| timestamp(id, point))
                .collect()
        });
        PolygonRecord {
            x: points.iter().map(|&(x, _)| x).collect(),
            y: points.iter().map(|&(_, y)| y).collect(),
            click_date,
        }
    }
}

/// The B value of every object in its class map: distinct non-zero codes per
/// part level, following a fixed permutation of 1..=255 so that they do not
/// follow the object order.
fn instance_codes(scene: &Scene) -> Vec<u8> {
    let mut objects_seen_per_level = vec![0; scene.max_level() + 1];
    scene
        .levels()
        .map(|level| {
            let ordinal = objects_seen_per_level[level];
            objects_seen_per_level[level] += 1;
            // 97 is prime to 255, so this maps 0..255 onto 0..255 one to one.
            ((ordinal * 97 + 23) % INSTANCE_CODES + 1) as u8
        })
        .collect()
}

/// A saturated colour that depends on the class only.
fn class_tint(class: u32) -> [u8; 3] {
    let hash = class.wrapping_mul(2_654_435_761);
    [(hash >> 24) as u8, (hash >> 16) as u8, (hash >> 8) as u8]
}

/// A fixed date in the release's format: the polygon of object `id` is
/// clicked point by point during minute `id`, and saved at its last second.
fn timestamp(id: usize, second: usize) -> String {
    format!("05-Mar-2008 14:{:02}:{:02}", id % 60, second % 60)
}
