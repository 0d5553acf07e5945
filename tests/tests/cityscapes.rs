//! End-to-end tests of the Cityscapes exporter on the fixtures.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_export::trace::rasterize_even_odd;
use ade20k_export::{
    export, find_format, ExportError, ExportOptions, LabelList, LabelSelection, MediaMode,
};
use ade20k_import::Ade20k2020Dataset;
use ade20k_model::{Item, MaskKind};
use ade20k_test_support::images::read_png;
use ade20k_test_support::synthetic::items;
use ade20k_test_support::{fixture, read_json};
use ade20k_tests::{
    convert, files, ids_by_class, label_colors, on_threads, open, options,
    snapshots_of_every_fixture, visible_objects, FIXTURES,
};

/// The file `gtFine/<subset>/<city>/<name>_gtFine_<suffix>` of `item`.
fn gt_file(out: &Path, item: &Item, suffix: &str) -> PathBuf {
    let (city, name) = match item.id.rsplit_once('/') {
        Some((folder, name)) => (folder.replace('/', "_"), name),
        None => ("ade20k".to_string(), item.id.as_str()),
    };
    out.join("gtFine")
        .join(&item.subset)
        .join(city)
        .join(format!("{name}_gtFine_{suffix}"))
}

snapshots_of_every_fixture!("cityscapes", options());

#[test]
fn label_pixels_are_the_class_map_through_the_label_ids() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "cityscapes", &options());
        let ids = ids_by_class(&dataset);
        let colors = label_colors(&out);
        assert_eq!(colors.len(), ids.len() + 1);
        assert_eq!(colors[0], ([0, 0, 0], "unlabeled".to_string()));
        assert_eq!(summary.categories, ids.len());
        for item in items(&dataset) {
            let class_map = item.class_map(0).unwrap();
            let label_ids = read_png(&gt_file(&out, &item, "labelIds.png"));
            assert_eq!(label_ids.color_type, png::ColorType::Grayscale);
            assert_eq!(label_ids.bit_depth, png::BitDepth::Eight);
            let expected: Vec<u32> = class_map
                .classes()
                .iter()
                .map(|class| ids.get(class).copied().unwrap_or(0))
                .collect();
            assert_eq!(label_ids.samples, expected, "{name} {}", item.id);
            let color = read_png(&gt_file(&out, &item, "color.png"));
            assert_eq!(color.color_type, png::ColorType::Rgba);
            let expected: Vec<u32> = expected
                .iter()
                .flat_map(|&id| {
                    let [r, g, b] = colors[id as usize].0;
                    [r, g, b, 255]
                })
                .collect();
            assert_eq!(color.samples, expected, "{name} {}", item.id);
        }
    }
}

#[test]
fn each_visible_object_is_one_instance_numbered_per_class() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "cityscapes", &options());
        let mut instances_written = 0;
        for item in items(&dataset) {
            let label_ids = read_png(&gt_file(&out, &item, "labelIds.png")).samples;
            let instance_ids = read_png(&gt_file(&out, &item, "instanceIds.png"));
            assert_eq!(instance_ids.bit_depth, png::BitDepth::Sixteen);
            for (&label, &instance) in label_ids.iter().zip(&instance_ids.samples) {
                assert_eq!(label, instance / 1000, "every class is a thing");
            }
            let mut per_class: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
            for object in visible_objects(&item) {
                let mask = item.binary_mask(object, MaskKind::Visible).unwrap();
                let values: BTreeSet<u32> = mask
                    .pixels()
                    .iter()
                    .zip(&instance_ids.samples)
                    .filter(|(&set, _)| set == 1)
                    .map(|(_, &value)| value)
                    .collect();
                assert_eq!(values.len(), 1, "{} object {object}", item.id);
                let value = *values.first().unwrap();
                assert!(
                    per_class
                        .entry(value / 1000)
                        .or_default()
                        .insert(value % 1000),
                    "{} object {object}: instance {value} used twice",
                    item.id
                );
                instances_written += 1;
            }
            for (class, numbers) in per_class {
                let expected: BTreeSet<u32> = (0..numbers.len() as u32).collect();
                assert_eq!(
                    numbers, expected,
                    "{} class {class} numbered from 0",
                    item.id
                );
            }
            let distinct: BTreeSet<u32> = instance_ids
                .samples
                .iter()
                .copied()
                .filter(|&v| v > 0)
                .collect();
            assert_eq!(distinct.len(), visible_objects(&item).len());
        }
        assert_eq!(summary.annotations(), instances_written);
    }
}

#[test]
fn polygons_fill_back_to_the_label_image() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, _) = convert(&dataset, "cityscapes", &options());
        let ids: HashMap<String, u32> = label_colors(&out)
            .into_iter()
            .zip(0..)
            .map(|((_, name), id)| (name, id))
            .collect();
        let mut several_pieces = false;
        for item in items(&dataset) {
            let json = read_json(&gt_file(&out, &item, "polygons.json"));
            let (width, height) = (item.image.width, item.image.height);
            assert_eq!(json["imgWidth"], width);
            assert_eq!(json["imgHeight"], height);
            let objects = json["objects"].as_array().unwrap();
            several_pieces |= objects.len() > visible_objects(&item).len();
            let mut painted = vec![0u32; (width * height) as usize];
            for object in objects {
                let id = ids[object["label"].as_str().unwrap()];
                let points: Vec<[f64; 2]> = object["polygon"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|point| [point[0].as_f64().unwrap(), point[1].as_f64().unwrap()])
                    .collect();
                assert!(points.len() >= 4, "{} {object}", item.id);
                let mask = rasterize_even_odd(&points, width, height);
                for (pixel, &set) in painted.iter_mut().zip(mask.pixels()) {
                    if set == 1 {
                        *pixel = id;
                    }
                }
            }
            let label_ids = read_png(&gt_file(&out, &item, "labelIds.png")).samples;
            assert_eq!(painted, label_ids, "{name} {}", item.id);
        }
        if *name == "ade20k2020" {
            assert!(several_pieces, "the tree is in two pieces");
        }
    }
}

#[test]
fn polygons_are_listed_back_to_front() {
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "cityscapes", &options());
    let street = street(&dataset);
    let json = read_json(&gt_file(&out, &street, "polygons.json"));
    let labels: Vec<&str> = json["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|object| object["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.first(), Some(&"sky"), "farthest first");
    assert_eq!(labels.last(), Some(&"person"), "front-most last");
}

/// The street scene of the main fixture.
fn street(dataset: &Ade20k2020Dataset) -> Item {
    items(dataset)
        .into_iter()
        .find(|item| item.id == "urban/street/ADE_train_00000001")
        .unwrap()
}

/// `sky` and `wall` as stuff, `car`, `person`, `tree` as things, in that order.
fn street_labels() -> LabelList {
    let mut list = LabelList::parse("sky\nwall\ncar\nperson\ntree\n").unwrap();
    list.labels[0].is_thing = Some(false);
    list.labels[1].is_thing = Some(false);
    list
}

#[test]
fn stuff_pixels_hold_the_label_id_and_things_are_numbered() {
    let dataset = open("ade20k2020");
    let listed = ExportOptions {
        labels: LabelSelection::List(street_labels()),
        ..options()
    };
    let named_stuff = ExportOptions {
        labels: LabelSelection::List(LabelList::parse("sky\nwall\ncar\nperson\ntree\n").unwrap()),
        stuff: Some(LabelList::parse("sky\nwall\n").unwrap()),
        ..options()
    };
    for options in [listed, named_stuff] {
        let (_root, out, summary) = convert(&dataset, "cityscapes", &options);
        let names: Vec<String> = label_colors(&out).into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["unlabeled", "sky", "wall", "car", "person", "tree"]);
        let street = street(&dataset);
        let label_ids = read_png(&gt_file(&out, &street, "labelIds.png")).samples;
        let instance_ids = read_png(&gt_file(&out, &street, "instanceIds.png")).samples;
        let values: BTreeSet<u32> = instance_ids.iter().copied().collect();
        assert_eq!(
            values,
            BTreeSet::from([0, 1, 2, 3000, 4000, 5000]),
            "sky 1, wall 2, car 3000, person 4000, tree 5000"
        );
        for (&label, &instance) in label_ids.iter().zip(&instance_ids) {
            let expected = if instance < 1000 {
                instance
            } else {
                instance / 1000
            };
            assert_eq!(label, expected);
        }
        let whole_objects_not_listed: u64 = items(&dataset)
            .iter()
            .flat_map(|item| &item.objects)
            .filter(|object| {
                !object.is_part()
                    && !["sky", "wall", "car", "person", "tree"]
                        .contains(&object.name.split(',').next().unwrap())
            })
            .count() as u64;
        assert_eq!(
            summary.left_out["objects of classes not selected"],
            whole_objects_not_listed
        );
        assert!(summary.notes.contains(
            &"instanceIds: 3 thing classes as id × 1000 + instance, 2 stuff classes as id"
                .to_string()
        ));
    }
}

fn export_error(options: &ExportOptions) -> String {
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let format = find_format("cityscapes").unwrap();
    match export(&dataset, format, &root.path().join("out"), options, false) {
        Err(ExportError::Usage(message)) => message,
        other => panic!("expected a usage error, got {other:?}"),
    }
}

#[test]
fn thing_ids_must_fit_sixteen_bits() {
    let message = export_error(&ExportOptions {
        labels: LabelSelection::List(LabelList::scene_parsing_150()),
        ..options()
    });
    insta::assert_snapshot!("sceneparsing150_refused", message);
    assert!(message.contains("--stuff FILE"));
    let sixty_six: String = (1..=66).map(|index| format!("{index}\n")).collect();
    let message = export_error(&ExportOptions {
        labels: LabelSelection::List(LabelList::parse(&sixty_six).unwrap()),
        ..options()
    });
    assert_eq!(
        message,
        "cityscapes holds at most 65 classes but 66 are asked for; \
         choose fewer with --labels FILE, --labels sceneparsing150 or --top-classes K"
    );
}

/// Every file of `out` with its bytes.
fn contents(out: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files(out)
        .into_iter()
        .map(|file| {
            let bytes = fs::read(out.join(&file)).unwrap();
            (file, bytes)
        })
        .collect()
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020");
    let run = |threads: usize, options: &ExportOptions| {
        on_threads(threads, || {
            let (_root, out, _) = convert(&dataset, "cityscapes", options);
            contents(&out)
        })
    };
    let one = run(1, &options());
    assert_eq!(one, run(3, &options()));
}

#[test]
fn images_go_to_left_img_8bit_under_their_city() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "cityscapes", &copy);
    for (item, path) in items(&dataset).iter().zip([
        "training/home_kitchen/ADE_train_00000002_leftImg8bit.jpg",
        "training/urban_street/ADE_train_00000001_leftImg8bit.jpg",
        "validation/ade20k/ADE_val_00000001_leftImg8bit.jpg",
    ]) {
        let copied = out.join("leftImg8bit").join(path);
        assert_eq!(
            fs::read(&copied).unwrap(),
            fs::read(&item.image.path).unwrap()
        );
    }
    let (_root, out, _) = convert(&dataset, "cityscapes", &options());
    assert!(
        !out.join("leftImg8bit").exists(),
        "--media none writes no images"
    );
}

/// Copies the files of the street item into `folder` (its mask folder included).
fn copy_street_item(folder: &Path) {
    let source = fixture("ade20k2020").join("training/urban/street");
    fs::create_dir_all(folder.join("ADE_train_00000001")).unwrap();
    for file in files(&source) {
        fs::copy(source.join(&file), folder.join(&file)).unwrap();
    }
}

#[test]
fn items_whose_folders_flatten_to_one_city_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dataset_dir = root.path().join("dataset");
    copy_street_item(&dataset_dir.join("training/urban/street"));
    copy_street_item(&dataset_dir.join("training/urban_street"));
    let dataset = Ade20k2020Dataset::open(&dataset_dir).unwrap();
    let format = find_format("cityscapes").unwrap();
    let error = export(
        &dataset,
        format,
        &root.path().join("out"),
        &options(),
        false,
    )
    .expect_err("two items map to urban_street/ADE_train_00000001");
    let ExportError::Data(error) = error else {
        panic!("expected a data error, got {error:?}");
    };
    assert!(
        error.path.ends_with("urban_street/ADE_train_00000001.jpg"),
        "{error}"
    );
    assert!(
        error.to_string().contains("rename one of the folders"),
        "{error}"
    );
}
