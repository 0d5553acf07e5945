//! End-to-end tests of the COCO panoptic exporter on the fixtures.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_export::{
    export, find_format, ExportError, ExportOptions, LabelList, LabelNaming, LabelSelection,
    MediaMode,
};
use ade20k_import::Ade20k2020Dataset;
use ade20k_model::{BinaryMask, Item, ItemSource, MaskKind};
use ade20k_test_support::images::read_png;
use ade20k_test_support::read_json;
use ade20k_tests::{
    assert_output_independent_of_threads, convert, file_contents, open, options, FIXTURES,
};
use serde_json::{json, Value};

const NOT_SELECTED: &str = "objects of classes not selected";
const NO_PIXELS: &str = "objects with no pixels in their mask (wholly occluded)";

/// A decoded panoptic PNG: the segment id of every pixel (`R + 256·G + 256²·B`).
struct Panoptic {
    width: u32,
    height: u32,
    ids: Vec<u32>,
}

impl Panoptic {
    fn read(path: &Path) -> Panoptic {
        let png = read_png(path);
        assert_eq!(png.color_type, png::ColorType::Rgb, "{path:?}");
        assert_eq!(png.bit_depth, png::BitDepth::Eight, "{path:?}");
        let ids = png
            .samples
            .chunks_exact(3)
            .map(|rgb| rgb[0] + 256 * rgb[1] + 65536 * rgb[2])
            .collect();
        Panoptic {
            width: png.width,
            height: png.height,
            ids,
        }
    }

    /// `W×H RGB 8-bit: void ×n, 1 ×n, …` (by segment id).
    fn describe(&self) -> String {
        let mut histogram: BTreeMap<u32, usize> = BTreeMap::new();
        for &id in &self.ids {
            *histogram.entry(id).or_default() += 1;
        }
        let counts: Vec<String> = histogram
            .iter()
            .map(|(&id, n)| match id {
                0 => format!("void ×{n}"),
                id => format!("{id} ×{n}"),
            })
            .collect();
        format!(
            "{}×{} RGB 8-bit: {}",
            self.width,
            self.height,
            counts.join(", ")
        )
    }

    /// The pixels of segment `id`, as a mask.
    fn segment(&self, id: u32) -> BinaryMask {
        let pixels = self.ids.iter().map(|&v| u8::from(v == id)).collect();
        BinaryMask::from_pixels(self.width, self.height, pixels).unwrap()
    }
}

fn png_path(out: &Path, subset: &str, file_name: &str) -> PathBuf {
    out.join("annotations")
        .join(format!("panoptic_{subset}"))
        .join(file_name)
}

fn panoptic_json(out: &Path, subset: &str) -> Value {
    read_json(&out.join(format!("annotations/panoptic_{subset}.json")))
}

/// One image of the output with its source item and decoded PNG.
struct Image {
    item: Item,
    annotation: Value,
    png: Panoptic,
}

/// Every image of every subset, with the category records (id → record).
fn images(dataset: &Ade20k2020Dataset, out: &Path) -> (Vec<Image>, HashMap<u64, Value>) {
    let items: HashMap<(String, String), Item> = (0..dataset.len())
        .map(|index| {
            let item = dataset.load(index).unwrap();
            ((item.subset.clone(), item.id.clone()), item)
        })
        .collect();
    let mut images = Vec::new();
    let mut categories = HashMap::new();
    for subset in dataset.subsets() {
        let panoptic = panoptic_json(out, subset);
        for category in panoptic["categories"].as_array().unwrap() {
            categories.insert(category["id"].as_u64().unwrap(), category.clone());
        }
        let annotations = panoptic["annotations"].as_array().unwrap();
        let records = panoptic["images"].as_array().unwrap();
        assert_eq!(annotations.len(), records.len(), "one annotation per image");
        for (record, annotation) in records.iter().zip(annotations) {
            assert_eq!(annotation["image_id"], record["id"]);
            let file_name = annotation["file_name"].as_str().unwrap();
            let id = file_name.strip_suffix(".png").unwrap();
            let image_name = record["file_name"].as_str().unwrap();
            assert_eq!(image_name.rsplit_once('.').unwrap().0, id);
            let item = items[&(subset.clone(), id.to_string())].clone();
            let png = Panoptic::read(&png_path(out, subset, file_name));
            assert_eq!(
                (png.width, png.height),
                (item.image.width, item.image.height)
            );
            images.push(Image {
                item,
                annotation: annotation.clone(),
                png,
            });
        }
    }
    (images, categories)
}

/// The visible masks of the level-0 objects of `item` with pixels, by index.
fn visible_objects(item: &Item) -> Vec<(usize, BinaryMask)> {
    (0..item.objects.len())
        .filter(|&index| !item.objects[index].is_part())
        .map(|index| (index, item.binary_mask(index, MaskKind::Visible).unwrap()))
        .filter(|(_, mask)| !mask.is_empty())
        .collect()
}

fn bbox_of(mask: &BinaryMask) -> Value {
    let bbox = mask.bbox().unwrap();
    json!([bbox.x, bbox.y, bbox.width, bbox.height])
}

/// Checks that segments_info and the PNG agree: the same ids, area and bbox of
/// each id's pixels, iscrowd 0. Returns the segments by id.
fn check_segments_match_png(image: &Image) -> BTreeMap<u32, Value> {
    let segments: BTreeMap<u32, Value> = image.annotation["segments_info"]
        .as_array()
        .unwrap()
        .iter()
        .map(|segment| (segment["id"].as_u64().unwrap() as u32, segment.clone()))
        .collect();
    let in_png: BTreeSet<u32> = image
        .png
        .ids
        .iter()
        .copied()
        .filter(|&id| id != 0)
        .collect();
    assert_eq!(
        in_png,
        segments.keys().copied().collect(),
        "{}: ids of the PNG and of segments_info",
        image.item.id
    );
    assert_eq!(
        segments.keys().copied().collect::<Vec<_>>(),
        (1..=segments.len() as u32).collect::<Vec<_>>(),
        "segment ids are 1, 2, …"
    );
    for (&id, segment) in &segments {
        let pixels = image.png.segment(id);
        assert_eq!(segment["area"].as_u64().unwrap(), pixels.area());
        assert_eq!(segment["bbox"], bbox_of(&pixels));
        assert_eq!(segment["iscrowd"], 0);
    }
    segments
}

#[test]
fn snapshots_of_every_fixture() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "coco_panoptic", &options());
        let mut pngs = String::new();
        for subset in dataset.subsets() {
            let text = fs::read_to_string(out.join(format!("annotations/panoptic_{subset}.json")))
                .unwrap();
            insta::assert_snapshot!(format!("{name}_{subset}"), text);
            for annotation in panoptic_json(&out, subset)["annotations"]
                .as_array()
                .unwrap()
            {
                let file_name = annotation["file_name"].as_str().unwrap();
                let png = Panoptic::read(&png_path(&out, subset, file_name));
                writeln!(pngs, "panoptic_{subset}/{file_name}: {}", png.describe()).unwrap();
            }
        }
        insta::assert_snapshot!(format!("{name}_pngs"), pngs);
        insta::assert_snapshot!(format!("{name}_summary"), summary.to_string());
    }
}

#[test]
fn every_object_is_a_segment_equal_to_its_visible_mask() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "coco_panoptic", &options());
        let (images, categories) = images(&dataset, &out);
        let mut segments_seen = 0;
        for image in &images {
            let segments = check_segments_match_png(image);
            let objects = visible_objects(&image.item);
            assert_eq!(segments.len(), objects.len(), "{}", image.item.id);
            let mut covered = vec![false; image.png.ids.len()];
            for (index, mask) in &objects {
                let first = mask.pixels().iter().position(|&set| set == 1).unwrap();
                let id = image.png.ids[first];
                assert_eq!(
                    &image.png.segment(id),
                    mask,
                    "{} object {index}",
                    image.item.id
                );
                let class = image.item.objects[*index].class;
                assert_eq!(segments[&id]["category_id"], class.0);
                assert_eq!(categories[&u64::from(class.0)]["isthing"], 1);
                for (covered, &set) in covered.iter_mut().zip(mask.pixels()) {
                    *covered |= set == 1;
                }
            }
            for (&id, covered) in image.png.ids.iter().zip(&covered) {
                assert_eq!(id == 0, !covered, "void is what no visible mask covers");
            }
            segments_seen += segments.len();
        }
        assert_eq!(summary.annotations() as usize, segments_seen);
    }
}

#[test]
fn wholly_occluded_objects_and_parts_are_not_segments() {
    let dataset = open("ade20k2020");
    let (_root, out, summary) = convert(&dataset, "coco_panoptic", &options());
    assert_eq!(summary.left_out, BTreeMap::from([(NO_PIXELS.into(), 1)]));
    let (images, categories) = images(&dataset, &out);
    assert!(
        !categories.contains_key(&113),
        "the ashcan is wholly hidden"
    );
    assert!(!categories.contains_key(&3054), "wheels are parts");
    let street = images
        .iter()
        .find(|i| i.item.id.ends_with("00000001"))
        .unwrap();
    assert_eq!(
        street.annotation["segments_info"].as_array().unwrap().len(),
        5
    );
}

#[test]
fn sceneparsing150_brings_the_benchmark_split() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        labels: LabelSelection::List(LabelList::scene_parsing_150()),
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "coco_panoptic", &options);
    let categories = panoptic_json(&out, "training")["categories"].clone();
    let categories = categories.as_array().unwrap();
    assert_eq!(categories.len(), 150);
    assert_eq!(
        categories[0],
        json!({"id": 1, "name": "wall", "supercategory": "partition", "isthing": 0,
               "color": [120, 120, 120]})
    );
    let isthing = |name: &str| {
        categories
            .iter()
            .find(|c| c["name"].as_str().unwrap().starts_with(name))
            .unwrap()["isthing"]
            .clone()
    };
    assert_eq!(isthing("sky"), 0);
    assert_eq!(isthing("person"), 1);
    assert_eq!(isthing("car"), 1);
    // The industrial plant (1911) and the fixture's ashcan (113, not the
    // release's ashcan index) are not benchmark classes: their pixels are
    // void. The door (774) is the benchmark's "door, double door".
    assert_eq!(summary.left_out[NOT_SELECTED], 2);
    assert_eq!(isthing("door"), 1);
    let (images, _) = images(&dataset, &out);
    let kitchen = images
        .iter()
        .find(|i| i.item.id.ends_with("00000002"))
        .unwrap();
    for dropped in [4] {
        let mask = kitchen
            .item
            .binary_mask(dropped, MaskKind::Visible)
            .unwrap();
        for (&id, &set) in kitchen.png.ids.iter().zip(mask.pixels()) {
            if set == 1 {
                assert_eq!(id, 0);
            }
        }
    }
    for image in &images {
        let segments = check_segments_match_png(image);
        let stuff: Vec<u64> = segments
            .values()
            .map(|s| s["category_id"].as_u64().unwrap())
            .filter(|&id| categories[id as usize - 1]["isthing"] == 0)
            .collect();
        let distinct: BTreeSet<u64> = stuff.iter().copied().collect();
        assert_eq!(
            stuff.len(),
            distinct.len(),
            "one stuff segment per category"
        );
    }
}

#[test]
fn stuff_objects_of_one_label_become_one_segment() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        labels: LabelSelection::List(
            LabelList::parse("structure = wall\nstructure = floor\ndoor\n").unwrap(),
        ),
        stuff: Some(LabelList::parse("structure\n").unwrap()),
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "coco_panoptic", &options);
    let text = fs::read_to_string(out.join("annotations/panoptic_training.json")).unwrap();
    insta::assert_snapshot!("ade20k2020_structure_stuff_training", text);
    let (images, categories) = images(&dataset, &out);
    assert_eq!(categories[&1]["name"], "structure");
    assert_eq!(categories[&1]["isthing"], 0);
    assert_eq!(categories[&2]["isthing"], 1);
    let kitchen = images
        .iter()
        .find(|i| i.item.id.ends_with("00000002"))
        .unwrap();
    let segments = check_segments_match_png(kitchen);
    assert_eq!(segments.len(), 2, "wall and floor merged; the door");
    let wall = kitchen.item.binary_mask(0, MaskKind::Visible).unwrap();
    let floor = kitchen.item.binary_mask(1, MaskKind::Visible).unwrap();
    let union: Vec<u8> = wall
        .pixels()
        .iter()
        .zip(floor.pixels())
        .map(|(a, b)| a | b)
        .collect();
    let union = BinaryMask::from_pixels(wall.width(), wall.height(), union).unwrap();
    assert_eq!(kitchen.png.segment(1), union);
    assert_eq!(segments[&1]["category_id"], 1);
    assert_eq!(
        segments[&1]["area"].as_u64().unwrap(),
        wall.area() + floor.area()
    );
    assert_eq!(segments[&1]["bbox"], bbox_of(&union));
    assert_eq!(segments[&2]["category_id"], 2);
    // Void: sky, car, person, tree, ashcan (street); both plants; sky, sign.
    assert_eq!(summary.left_out, BTreeMap::from([(NOT_SELECTED.into(), 9)]));
}

#[test]
fn stuff_list_without_selection_names_classes() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        stuff: Some(LabelList::parse("sky\n2978\nfloor, flooring\n").unwrap()),
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "coco_panoptic", &options);
    let (images, categories) = images(&dataset, &out);
    let stuff: BTreeSet<u64> = categories
        .values()
        .filter(|c| c["isthing"] == 0)
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(stuff, BTreeSet::from([976, 2420, 2978]));
    for image in &images {
        check_segments_match_png(image);
    }
}

#[test]
fn raw_naming_makes_every_word_a_thing() {
    let dataset = open("ade20k2020_meta");
    let options = ExportOptions {
        label_naming: LabelNaming::Raw,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "coco_panoptic", &options);
    let (images, categories) = images(&dataset, &out);
    assert!(categories.values().all(|c| c["isthing"] == 1));
    assert_eq!(
        categories[&1]["name"], "automobile",
        "dataset_meta.json order"
    );
    for image in &images {
        let segments = check_segments_match_png(image);
        for (index, mask) in visible_objects(&image.item) {
            let first = mask.pixels().iter().position(|&set| set == 1).unwrap();
            let id = segments[&image.png.ids[first]]["category_id"]
                .as_u64()
                .unwrap();
            assert_eq!(categories[&id]["name"], image.item.objects[index].raw_name);
        }
    }
}

fn export_error(options: &ExportOptions) -> String {
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let format = find_format("coco_panoptic").unwrap();
    match export(&dataset, format, &root.path().join("out"), options, false) {
        Err(ExportError::Usage(message)) => message,
        other => panic!("expected a usage error, got {other:?}"),
    }
}

#[test]
fn meaningless_requests_fail_up_front() {
    let raw_selection = ExportOptions {
        label_naming: LabelNaming::Raw,
        labels: LabelSelection::TopClasses(3),
        ..options()
    };
    assert!(export_error(&raw_selection).contains("cannot be combined with a class selection"));
    let raw_stuff = ExportOptions {
        label_naming: LabelNaming::Raw,
        stuff: Some(LabelList::parse("sky\n").unwrap()),
        ..options()
    };
    assert!(export_error(&raw_stuff).starts_with("--stuff lists classes"));
    let split_twice = ExportOptions {
        labels: LabelSelection::List(LabelList::scene_parsing_150()),
        stuff: Some(LabelList::parse("sky\n").unwrap()),
        ..options()
    };
    assert_eq!(
        export_error(&split_twice),
        "the label list carries its own thing/stuff split (sceneparsing150); \
         --stuff cannot be combined with it"
    );
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let dataset = open("ade20k2020");
    let one = assert_output_independent_of_threads(
        &dataset,
        "coco_panoptic",
        &options(),
        &[1, 2, 4],
        file_contents,
    );
    assert_eq!(one.len(), 5, "2 JSON files and 3 PNGs");
}

#[test]
fn images_are_placed_under_their_subset() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "coco_panoptic", &options);
    for subset in dataset.subsets() {
        for image in panoptic_json(&out, subset)["images"].as_array().unwrap() {
            let file_name = image["file_name"].as_str().unwrap();
            let copied = out.join("images").join(subset).join(file_name);
            assert!(copied.is_file(), "{copied:?}");
        }
    }
}
