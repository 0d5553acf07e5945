//! `cargo xtask bench-data`: a synthetic dataset of the size and shape of the
//! ADE20K 2020 release, for benchmarks. It is generated on demand, never committed.
//!
//! Each image is about 2048 × 1536 pixels (1600 to 2400 wide, about 4:3) with
//! 30 to 70 whole objects (50 on average) and 5 to 35 parts (20 on average;
//! three quarters at level 1, the rest at level 2). A few large background
//! regions lie behind smaller objects in a random depth order, so that
//! instance masks carry hidden (128) pixels; parts lie inside their parents.
//! Shapes are polygons of 10 to 40 points, which are also the annotators'
//! polygons of the JSON. Classes come from [`OBJECT_CLASSES`] and
//! [`PART_CLASSES`] with Zipf-skewed frequencies, raw names vary, and the
//! field variants of the release appear at realistic rates. Items are split
//! 9 to 1 between `training` and `validation`, in scene folders
//! (`training/home_or_hotel/bedroom/ADE_train_00000001`).
//!
//! PNGs are filtered and compressed as common PNG writers do by default, so
//! that they take as long to decode as the release's ([`Encoding::Release`]).
//! Item `i` depends only on the seed and `i`, so the output does not depend on
//! the number of threads.

use std::f64::consts::{PI, TAU};
use std::fmt;
use std::ops::Add;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde_json::json;

use crate::classes::{Class, OBJECT_CLASSES, PART_CLASSES};
use crate::files::{self, PathError};
use crate::random::{Rng, Zipf};
use crate::scene::Shape;
use crate::writer::{part, whole, Attributes, Encoding, Item, ObjectSpec, PolygonStyle, Source};

/// Scene folders (`<scene>/<subscene>`) and their scene words, most frequent first.
const SCENES: &[(&str, &[&str])] = &[
    ("home_or_hotel/bedroom", &["indoor", "home", "bedroom"]),
    ("urban/street", &["outdoor", "urban", "street"]),
    (
        "home_or_hotel/living_room",
        &["indoor", "home", "living room"],
    ),
    ("home_or_hotel/bathroom", &["indoor", "home", "bathroom"]),
    ("home_or_hotel/kitchen", &["indoor", "home", "kitchen"]),
    (
        "urban/building_facade",
        &["outdoor", "urban", "building facade"],
    ),
    (
        "home_or_hotel/dining_room",
        &["indoor", "home", "dining room"],
    ),
    ("urban/skyscraper", &["outdoor", "urban", "skyscraper"]),
    ("work_place/office", &["indoor", "work place", "office"]),
    (
        "shopping_and_dining/restaurant",
        &["indoor", "shopping and dining", "restaurant"],
    ),
    (
        "transportation/highway",
        &["outdoor", "transportation", "highway"],
    ),
    (
        "nature_landscape/mountain",
        &["outdoor", "nature landscape", "mountain"],
    ),
    (
        "nature_landscape/coast",
        &["outdoor", "nature landscape", "coast"],
    ),
    ("cultural/church__indoor", &["indoor", "cultural", "church"]),
    (
        "sports_and_leisure/playground",
        &["outdoor", "sports and leisure", "playground"],
    ),
    (
        "transportation/airport_terminal",
        &["indoor", "transportation", "airport terminal"],
    ),
    (
        "industrial/warehouse__indoor",
        &["indoor", "industrial", "warehouse"],
    ),
    (
        "nature_landscape/forest_path",
        &["outdoor", "nature landscape", "forest path"],
    ),
    (
        "shopping_and_dining/supermarket",
        &["indoor", "shopping and dining", "supermarket"],
    ),
    (
        "unclassified/corridor",
        &["indoor", "unclassified", "corridor"],
    ),
];

/// Attribute words, written as a bare string.
const ATTRIBUTE_WORDS: &[&str] = &[
    "closed", "open", "walking", "standing", "sitting", "parked", "lit", "wooden", "folded",
];

/// Attribute lists.
const ATTRIBUTE_LISTS: &[&[&str]] = &[
    &["green", "potted"],
    &["open", "wooden"],
    &["standing", "talking"],
    &["parked", "red"],
    &["ceramic"],
];

/// Raw names outside ASCII, typed in images whose JSON is in Latin-1.
const ACCENTED_RAW_NAMES: &[&str] = &["façade", "café sign", "crème", "piñata", "pâtisserie"];

/// What was written.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    training: usize,
    validation: usize,
    objects: usize,
    parts_level_1: usize,
    parts_level_2: usize,
    files: usize,
    bytes: u64,
}

impl Totals {
    fn of(item: &Item, bytes: u64) -> Totals {
        let level = |mut index: usize| {
            let mut level = 0;
            while let Some(parent) = item.objects[index].placement.parent {
                (index, level) = (parent, level + 1);
            }
            level
        };
        let levels: Vec<usize> = (0..item.objects.len()).map(level).collect();
        let count = |wanted| levels.iter().filter(|&&level| level == wanted).count();
        let validation = item.folder.starts_with("validation/");
        let class_maps = levels.iter().max().map_or(1, |deepest| deepest + 1);
        Totals {
            training: usize::from(!validation),
            validation: usize::from(validation),
            objects: count(0),
            parts_level_1: count(1),
            parts_level_2: count(2),
            // Photo, annotation, class maps, instance masks.
            files: 2 + class_maps + item.objects.len(),
            bytes,
        }
    }
}

impl Add for Totals {
    type Output = Totals;

    fn add(self, other: Totals) -> Totals {
        Totals {
            training: self.training + other.training,
            validation: self.validation + other.validation,
            objects: self.objects + other.objects,
            parts_level_1: self.parts_level_1 + other.parts_level_1,
            parts_level_2: self.parts_level_2 + other.parts_level_2,
            files: self.files + other.files,
            bytes: self.bytes + other.bytes,
        }
    }
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let images = self.training + self.validation;
        let per_image = |count: usize| count as f64 / images.max(1) as f64;
        let parts = self.parts_level_1 + self.parts_level_2;
        writeln!(
            f,
            "{images} images ({} training, {} validation)",
            self.training, self.validation
        )?;
        writeln!(
            f,
            "{} objects ({:.1} per image), {parts} parts ({:.1} per image)",
            self.objects,
            per_image(self.objects),
            per_image(parts),
        )?;
        writeln!(
            f,
            "parts at level 1: {}, at level 2: {}",
            self.parts_level_1, self.parts_level_2
        )?;
        write!(f, "{} files, {:.1} MB", self.files, self.bytes as f64 / 1e6)
    }
}

/// Writes `images` synthetic items under `out`, which must be missing or
/// empty, and prints what it wrote.
pub fn write(images: usize, out: &Path, seed: u64) -> Result<(), PathError> {
    let not_empty = out
        .read_dir()
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if not_empty {
        return Err(PathError::new(
            out,
            "is not empty; give a new or empty folder",
        ));
    }
    files::create_dir_all(out)?;
    let started = Instant::now();
    let generator = Generator::new(seed);
    let totals = (0..images)
        .into_par_iter()
        .map(|index| {
            let item = generator.item(index);
            let bytes = item.write(out, Encoding::Release)?;
            Ok(Totals::of(&item, bytes))
        })
        .try_reduce(Totals::default, |a, b| Ok(a + b))?;
    let seconds = started.elapsed().as_secs_f64();
    println!("wrote {} with seed {seed}:", out.display());
    println!("{totals}");
    println!(
        "in {seconds:.1} s ({:.2} images/s on {} threads)",
        images as f64 / seconds,
        rayon::current_num_threads()
    );
    Ok(())
}

/// Makes the items of one seed.
struct Generator {
    seed: u64,
    scenes: Zipf,
    object_classes: Zipf,
    part_classes: Zipf,
}

impl Generator {
    fn new(seed: u64) -> Generator {
        Generator {
            seed,
            scenes: Zipf::new(SCENES.len()),
            object_classes: Zipf::new(OBJECT_CLASSES.len()),
            part_classes: Zipf::new(PART_CLASSES.len()),
        }
    }

    /// Item `index`: every tenth goes to `validation`, the others to
    /// `training`, each subset numbered from 1 in item order.
    fn item(&self, index: usize) -> Item {
        let mut rng = Rng::new(self.seed, index as u64);
        let validations_so_far = (index + 1) / 10;
        let (subset, name) = match index % 10 {
            9 => ("validation", format!("ADE_val_{validations_so_far:08}")),
            _ => (
                "training",
                format!("ADE_train_{:08}", index + 1 - validations_so_far),
            ),
        };
        let (scene_folder, scene_words) = SCENES[self.scenes.sample(&mut rng)];
        let width = rng.between(1600..=2400);
        let height = width * 3 / 4 + rng.between(0..=96) - 48;
        let mut item = Item::new(&format!("{subset}/{scene_folder}"), &name, width, height)
            .scene_words(scene_words)
            .source(source(&mut rng, scene_folder));
        if rng.chance(0.25) {
            item = item.crop_as_strings();
        }
        let mut objects = self.objects(&mut rng, width, height);
        if rng.chance(0.03) {
            let index = rng.below(objects.len());
            objects[index].raw_name = rng.pick(ACCENTED_RAW_NAMES).to_owned();
            item = item.latin1();
        }
        item.objects(objects)
    }

    /// The objects, then their level-1 parts, then the level-2 parts.
    fn objects(&self, rng: &mut Rng, width: u32, height: u32) -> Vec<ObjectSpec> {
        let object_count = rng.between(30..=70) as usize;
        let part_count = rng.between(5..=35) as usize;
        let background_count = rng.between(3..=5) as usize;
        let image_area = f64::from(width) * f64::from(height);

        // Backgrounds take the deepest ranks, the other objects a random order in front.
        let mut front_ranks: Vec<u32> = (1..=(object_count - background_count) as u32).collect();
        rng.shuffle(&mut front_ranks);
        let mut blobs = Vec::with_capacity(object_count + part_count);
        let mut objects = Vec::with_capacity(object_count + part_count);
        for index in 0..object_count {
            let (area, depth_rank) = match index.checked_sub(background_count) {
                None => (rng.uniform(0.15, 0.5), (object_count - index) as u32),
                // Log-uniform between 0.01 % and 4 % of the image.
                Some(front) => (10_f64.powf(rng.uniform(-4.0, -1.4)), front_ranks[front]),
            };
            let blob = Blob::anywhere(rng, width, height, area * image_area);
            let class = OBJECT_CLASSES[self.object_classes.sample(rng)];
            let object = whole(class, raw_name(rng, &class), blob.outline(rng), depth_rank);
            objects.push(vary(rng, object));
            blobs.push(blob);
        }

        // Parts go to the largest objects in front of the backgrounds.
        let mut parents: Vec<usize> = (background_count..object_count).collect();
        parents.sort_by(|&a, &b| blobs[b].area().total_cmp(&blobs[a].area()));
        parents.truncate(2 + part_count / 4);
        let level_2_count = part_count / 4;
        let level_1_count = part_count - level_2_count;
        let mut parts_of = vec![0; object_count + part_count];
        for part_index in 0..part_count {
            let parent = match part_index.checked_sub(level_1_count) {
                None => rng.pick(&parents),
                Some(_) => object_count + rng.below(level_1_count),
            };
            parts_of[parent] += 1;
            let blob = blobs[parent].inside(rng);
            let class = PART_CLASSES[self.part_classes.sample(rng)];
            let shape = blob.outline(rng);
            let object = part(
                parent,
                class,
                raw_name(rng, &class),
                shape,
                parts_of[parent],
            );
            objects.push(vary(rng, object));
            blobs.push(blob);
        }

        // A single part is often written as a bare integer, as the release's
        // conversion from MATLAB does.
        for (object, &parts) in objects.iter_mut().zip(&parts_of) {
            if parts == 1 && rng.chance(0.8) {
                object.single_part_as_integer = true;
            }
        }
        objects
    }
}

/// The `source` field: a SUN database photo, or empty strings (a fifth of the images).
fn source(rng: &mut Rng, scene_folder: &str) -> Source {
    if rng.chance(0.2) {
        return Source::default();
    }
    let subscene = scene_folder.rsplit('/').next().unwrap_or(scene_folder);
    let letters: String = (0..16)
        .map(|_| char::from(b'a' + rng.below(26) as u8))
        .collect();
    Source {
        folder: format!("sun_database/{}/{subscene}", &subscene[..1]),
        filename: format!("sun_{letters}.jpg"),
        origin: String::new(),
    }
}

/// What an annotator may have typed for `class`: mostly its first synonym,
/// sometimes its plural or another synonym.
fn raw_name(rng: &mut Rng, class: &Class) -> String {
    let synonyms: Vec<&str> = class.name.split(", ").collect();
    match rng.below(20) {
        0..=13 => synonyms[0].to_owned(),
        14..=16 => plural(synonyms[0]),
        _ => rng.pick(&synonyms).to_owned(),
    }
}

/// A rough English plural.
fn plural(word: &str) -> String {
    if ["s", "x", "ch", "sh"].iter().any(|end| word.ends_with(end)) {
        format!("{word}es")
    } else if word.ends_with('y') && !word.ends_with("ay") && !word.ends_with("ey") {
        format!("{}ies", &word[..word.len() - 1])
    } else {
        format!("{word}s")
    }
}

/// The field variants of the release, at rates like its own.
fn vary(rng: &mut Rng, object: ObjectSpec) -> ObjectSpec {
    let attributes = match rng.below(20) {
        0..=2 => Attributes::Single(rng.pick(ATTRIBUTE_WORDS)),
        3..=4 => Attributes::List(rng.pick(ATTRIBUTE_LISTS)),
        _ => Attributes::None,
    };
    let polygon = match rng.below(100) {
        0..=2 => PolygonStyle::Empty,
        3..=4 => PolygonStyle::TwoPoints,
        5..=14 => PolygonStyle::OutlineWithClickDates,
        _ => PolygonStyle::Outline,
    };
    let mut object = object.attributes(attributes).polygon(polygon);
    if rng.chance(0.05) {
        object = object.occlusion_unknown();
    }
    if rng.chance(0.01) {
        object = object.extra_field("annotator", json!("labelme"));
    }
    object
}

/// An ellipse-sized blob from which a polygon is drawn.
#[derive(Clone, Copy, Debug)]
struct Blob {
    cx: f64,
    cy: f64,
    rx: f64,
    ry: f64,
}

impl Blob {
    /// A blob of about `area` pixels centred anywhere in the image.
    fn anywhere(rng: &mut Rng, width: u32, height: u32, area: f64) -> Blob {
        let radius = (area / PI).sqrt();
        let stretch = rng.uniform(-0.7, 0.7).exp().sqrt();
        Blob {
            cx: rng.uniform(0.0, f64::from(width)),
            cy: rng.uniform(0.0, f64::from(height)),
            rx: radius * stretch,
            ry: radius / stretch,
        }
    }

    /// A smaller blob mostly inside this one.
    fn inside(&self, rng: &mut Rng) -> Blob {
        let scale = rng.uniform(0.15, 0.45);
        let stretch = rng.uniform(-0.5, 0.5).exp().sqrt();
        Blob {
            cx: self.cx + rng.uniform(-0.6, 0.6) * self.rx,
            cy: self.cy + rng.uniform(-0.6, 0.6) * self.ry,
            rx: self.rx * scale * stretch,
            ry: self.ry * scale / stretch,
        }
    }

    fn area(&self) -> f64 {
        PI * self.rx * self.ry
    }

    /// A star-shaped polygon of 10 to 40 points around the blob's centre,
    /// with a few lobes and some jitter.
    fn outline(&self, rng: &mut Rng) -> Shape {
        let points = rng.between(10..=40);
        let lobes = f64::from(rng.between(2..=5));
        let (phase, amplitude) = (rng.uniform(0.0, TAU), rng.uniform(0.05, 0.3));
        let vertices = (0..points)
            .map(|point| {
                let angle = TAU * (f64::from(point) + rng.uniform(-0.3, 0.3)) / f64::from(points);
                let reach =
                    1.0 + amplitude * (lobes * angle + phase).sin() + rng.uniform(-0.08, 0.08);
                (
                    self.cx + self.rx * reach * angle.cos(),
                    self.cy + self.ry * reach * angle.sin(),
                )
            })
            .collect();
        Shape::polygon(vertices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_reproducible_and_split_nine_to_one() {
        let generator = Generator::new(5);
        let first = generator.item(0);
        let again = generator.item(0);
        assert_eq!(first.name, "ADE_train_00000001");
        assert_eq!(
            format!("{:?}", first.objects),
            format!("{:?}", again.objects)
        );
        assert_eq!(generator.item(9).name, "ADE_val_00000001");
        assert!(generator.item(9).folder.starts_with("validation/"));
        assert_eq!(generator.item(10).name, "ADE_train_00000010");
    }

    #[test]
    fn an_item_is_written_and_counted() {
        let out = tempfile::tempdir().unwrap();
        let mut item = Generator::new(1).item(3);
        // The top left corner only, which is quick to write in a debug build.
        (item.width, item.height) = (item.width / 4, item.height / 4);
        let bytes = item.write(out.path(), Encoding::Release).unwrap();
        let totals = Totals::of(&item, bytes);
        let written = files::list_files(out.path()).unwrap();
        assert_eq!(totals.files, written.len());
        assert!(totals.objects >= 30 && totals.parts_level_1 > 0);
        let folder = out.path().join(&item.folder);
        assert!(folder.join(format!("{}_seg.png", item.name)).is_file());
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("glass"), "glasses");
        assert_eq!(plural("body"), "bodies");
        assert_eq!(plural("key"), "keys");
        assert_eq!(plural("car"), "cars");
    }
}
