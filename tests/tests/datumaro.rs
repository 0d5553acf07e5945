//! End-to-end tests of the Datumaro exporter on the fixtures.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_export::rle::Rle;
use ade20k_export::{
    export, find_format, ExportError, ExportOptions, LabelList, LabelNaming, LabelSelection,
    MediaMode, PartsMode, Summary,
};
use ade20k_model::{
    BinaryMask, Categories, ClassIndex, InMemoryMasks, InstanceMask, Item, ItemSource, MaskKind,
    Object, ObjectId,
};
use ade20k_test_support::read_json;
use ade20k_test_support::synthetic::{items, synthetic_item, synthetic_object, Synthetic};
use ade20k_tests::{
    assert_image_placed, assert_output_independent_of_threads, convert, open, options, FIXTURES,
};
use serde_json::{json, Value};

const NOT_SELECTED: &str = "objects of classes not selected";
const NO_PIXELS: &str = "objects with no pixels in their mask (wholly occluded)";
const SHORT_POLYGONS: &str =
    "annotator polygons with fewer than 3 points (their objects have a mask only)";

fn subset_file(out: &Path, subset: &str) -> Value {
    read_json(&out.join(format!("annotations/{subset}.json")))
}

/// The label names of a subset file, in label id order.
fn label_names(file: &Value) -> Vec<String> {
    file["categories"]["label"]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|label| label["name"].as_str().unwrap().to_string())
        .collect()
}

/// One subset file, laid out for reading: the header, the labels with their
/// colours, the declared attributes, then each item and each of its
/// annotations on a line of its own (keys sorted).
fn describe(file: &Value) -> String {
    let mut text = String::new();
    let header = json!({
        "dm_format_version": file["dm_format_version"],
        "media_type": file["media_type"],
        "infos": file["infos"],
    });
    let _ = writeln!(text, "{header}");
    let colormap = file["categories"]["mask"]["colormap"].as_array().unwrap();
    for (label, color) in file["categories"]["label"]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .zip(colormap)
    {
        let _ = writeln!(
            text,
            "label {} {} (parent {}, attributes {}) colour {},{},{}",
            color["label_id"],
            label["name"],
            label["parent"],
            label["attributes"],
            color["r"],
            color["g"],
            color["b"]
        );
    }
    let _ = writeln!(
        text,
        "attributes {} label_groups {}",
        file["categories"]["label"]["attributes"], file["categories"]["label"]["label_groups"]
    );
    for item in file["items"].as_array().unwrap() {
        let _ = writeln!(
            text,
            "item {} image {} attr {}",
            item["id"], item["image"], item["attr"]
        );
        for annotation in item["annotations"].as_array().unwrap() {
            let _ = writeln!(text, "  {annotation}");
        }
    }
    text
}

#[test]
fn snapshots_of_every_fixture() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "datumaro", &options());
        let mut text = format!("{summary}");
        for subset in dataset.subsets() {
            let _ = write!(
                text,
                "\n== annotations/{subset}.json\n{}",
                describe(&subset_file(&out, subset))
            );
        }
        insta::assert_snapshot!(name.to_string(), text);
    }
}

#[test]
fn files_start_with_the_version_and_hold_one_item_per_line() {
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "datumaro", &options());
    for subset in dataset.subsets() {
        let text = fs::read_to_string(out.join(format!("annotations/{subset}.json"))).unwrap();
        assert!(text
            .starts_with(r#"{"dm_format_version":"1.0","media_type":2,"infos":{},"categories":{"#));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with(r#","items":["#));
        assert_eq!(lines[lines.len() - 1], "]}");
        let items = &lines[1..lines.len() - 1];
        assert_eq!(
            items.len(),
            subset_file(&out, subset)["items"].as_array().unwrap().len()
        );
        for line in items {
            assert!(line.starts_with(r#"{"id":""#), "{line}");
        }
    }
    let names: Vec<String> = fs::read_dir(out.join("annotations"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        names,
        ["training.json", "validation.json"],
        "no part file left"
    );
}

/// Checks every annotation of `out` against the source: the mask pixel for
/// pixel (of `kind`), the polygon point for point, id, group, z_order and
/// label name (`name_of` the object). Returns the masks and polygons seen.
fn check_annotations(
    dataset: &dyn ItemSource,
    out: &Path,
    kind: MaskKind,
    name_of: impl Fn(&Object) -> String,
) -> (usize, usize) {
    let sources: HashMap<(String, String), Item> = items(dataset)
        .into_iter()
        .map(|item| ((item.subset.clone(), item.id.clone()), item))
        .collect();
    let (mut masks, mut polygons) = (0, 0);
    for subset in dataset.subsets() {
        let file = subset_file(out, subset);
        let labels = label_names(&file);
        for record in file["items"].as_array().unwrap() {
            let item = &sources[&(subset.clone(), record["id"].as_str().unwrap().to_string())];
            let ext = item.image.path.extension().unwrap().to_str().unwrap();
            assert_eq!(
                record["image"],
                json!({"path": format!("{}.{ext}", item.id), "size": [item.image.height, item.image.width]})
            );
            assert_eq!(record["attr"], json!({"scene": item.scene}));
            for annotation in record["annotations"].as_array().unwrap() {
                let ade_id = annotation["id"].as_u64().unwrap() as u32;
                let index = item.object_index(ObjectId(ade_id)).unwrap();
                let object = &item.objects[index];
                let mut root = object;
                while let Some(parent) = root.parent {
                    root = &item.objects[item.object_index(parent).unwrap()];
                }
                assert_eq!(annotation["group"], root.ade_id.0 + 1);
                assert_eq!(annotation["z_order"], object.part_level);
                let label = annotation["label_id"].as_u64().unwrap() as usize;
                assert_eq!(labels[label], name_of(object), "{} {ade_id}", item.id);
                match annotation["type"].as_str().unwrap() {
                    "mask" => {
                        let rle = &annotation["rle"];
                        let size = rle["size"].as_array().unwrap();
                        let (height, width) =
                            (size[0].as_u64().unwrap(), size[1].as_u64().unwrap());
                        let decoded = Rle::from_coco_string(
                            height as u32,
                            width as u32,
                            rle["counts"].as_str().unwrap(),
                        )
                        .unwrap()
                        .decode()
                        .unwrap();
                        let expected = item.binary_mask(index, kind).unwrap();
                        assert_eq!(decoded, expected, "{} object {ade_id}", item.id);
                        masks += 1;
                    }
                    "polygon" => {
                        let expected: Vec<f64> = object.polygon.iter().flatten().copied().collect();
                        assert_eq!(annotation["points"], json!(expected));
                        polygons += 1;
                    }
                    other => panic!("unexpected annotation type {other}"),
                }
            }
        }
    }
    (masks, polygons)
}

/// The canonical name of every class of `dataset`.
fn canonical_names(dataset: &dyn ItemSource) -> BTreeMap<ClassIndex, String> {
    let mut categories = Categories::new();
    for item in items(dataset) {
        item.objects.iter().for_each(|o| categories.observe(o));
    }
    categories.canonical_names()
}

/// Objects with pixels of `kind` (no parts unless `parts`), and how many of
/// them have a polygon of 3 points or more.
fn expected_counts(dataset: &dyn ItemSource, kind: MaskKind, parts: bool) -> (usize, usize) {
    let (mut masks, mut polygons) = (0, 0);
    for item in items(dataset) {
        for (index, object) in item.objects.iter().enumerate() {
            if (parts || !object.is_part()) && !item.binary_mask(index, kind).unwrap().is_empty() {
                masks += 1;
                polygons += usize::from(object.polygon.len() >= 3);
            }
        }
    }
    (masks, polygons)
}

#[test]
fn masks_polygons_and_labels_match_the_source() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "datumaro", &options());
        let names = canonical_names(&dataset);
        let seen = check_annotations(&dataset, &out, MaskKind::Visible, |object| {
            names[&object.class].clone()
        });
        assert_eq!(
            seen,
            expected_counts(&dataset, MaskKind::Visible, true),
            "{name}"
        );
        assert_eq!(summary.annotations() as usize, seen.0 + seen.1);
        // Every class of the dataset is a label, by increasing class index.
        let labels = label_names(&subset_file(&out, &dataset.subsets()[0]));
        assert_eq!(
            labels,
            names.values().cloned().collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(summary.categories, labels.len());
    }
}

#[test]
fn the_street_counts_its_objects_parts_and_polygons() {
    let dataset = open("ade20k2020");
    let (_root, _out, summary) = convert(&dataset, "datumaro", &options());
    assert_eq!(summary.items(), 3);
    // 22 objects and parts, less the wholly hidden ashcan: 21 masks; the
    // hinge's empty and the industrial plant's two-point polygon are not
    // written: 19 polygons.
    assert_eq!(summary.annotations(), 21 + 19);
    assert_eq!(summary.left_out[NO_PIXELS], 1);
    assert_eq!(summary.left_out[SHORT_POLYGONS], 2);
    assert_eq!(summary.left_out.len(), 2);
}

#[test]
fn amodal_masks_include_hidden_pixels() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        mask_kind: MaskKind::Amodal,
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "datumaro", &options);
    let names = canonical_names(&dataset);
    let seen = check_annotations(&dataset, &out, MaskKind::Amodal, |object| {
        names[&object.class].clone()
    });
    assert_eq!(seen, expected_counts(&dataset, MaskKind::Amodal, true));
    assert!(
        !summary.left_out.contains_key(NO_PIXELS),
        "the ashcan has amodal pixels"
    );
}

#[test]
fn parts_can_be_left_out() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        parts: PartsMode::Exclude,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "datumaro", &options);
    let names = canonical_names(&dataset);
    let seen = check_annotations(&dataset, &out, MaskKind::Visible, |object| {
        assert!(!object.is_part());
        names[&object.class].clone()
    });
    assert_eq!(seen, expected_counts(&dataset, MaskKind::Visible, false));
}

/// The annotations of item `id` in the `training` file, as (type, id) → annotation.
fn annotations_of(out: &Path, id: &str) -> BTreeMap<(String, u64), Value> {
    let file = subset_file(out, "training");
    let item = file["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == id)
        .unwrap()
        .clone();
    item["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let key = (
                a["type"].as_str().unwrap().to_string(),
                a["id"].as_u64().unwrap(),
            );
            (key, a.clone())
        })
        .collect()
}

#[test]
fn an_object_its_parts_and_their_polygons_share_a_group() {
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "datumaro", &options());
    let street = annotations_of(&out, "urban/street/ADE_train_00000001");
    let group_of = |id: u64| street[&("mask".to_string(), id)]["group"].as_u64().unwrap();
    // The car (2), its wheels (3, 4) and window (5), the window's panes (6, 7).
    for part in 2..=7 {
        assert_eq!(group_of(part), 3, "object {part} is in the car's group");
        assert_eq!(street[&("polygon".to_string(), part)]["group"], 3);
    }
    assert_eq!(group_of(8), 9, "the person is alone in its group");
    let parent_of = |id: u64| {
        street[&("mask".to_string(), id)]["attributes"]
            .get("parent_id")
            .cloned()
    };
    assert_eq!(parent_of(3), Some(json!(2)));
    assert_eq!(parent_of(6), Some(json!(5)));
    assert_eq!(parent_of(2), None);
    assert_eq!(street[&("mask".to_string(), 6)]["z_order"], 2);
}

#[test]
fn attributes_carry_the_ade_fields_and_words() {
    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "datumaro", &options());
    let street = annotations_of(&out, "urban/street/ADE_train_00000001");
    let person = &street[&("mask".to_string(), 8)]["attributes"];
    assert_eq!(person["walking"], true);
    assert_eq!(person["raw_name"], "man");
    assert_eq!(person["part_level"], 0);
    assert_eq!(person["ade_class"], 1831);
    assert!(person["occluded"].is_boolean());
    assert!(person["crop"].is_boolean());
    assert!(person["depth_ordering_rank"].is_u64());
    assert_eq!(
        street[&("polygon".to_string(), 8)]["attributes"],
        *person,
        "the polygon carries the same attributes"
    );
    let kitchen = annotations_of(&out, "home/kitchen/ADE_train_00000002");
    let floor = &kitchen[&("mask".to_string(), 2)]["attributes"];
    assert!(
        floor.get("occluded").is_none(),
        "unknown occlusion is left out"
    );
    let plant = &kitchen[&("mask".to_string(), 6)]["attributes"];
    assert_eq!(
        (&plant["green"], &plant["potted"]),
        (&json!(true), &json!(true))
    );
    assert!(
        !kitchen.contains_key(&("polygon".to_string(), 8)),
        "two-point polygon"
    );
    assert!(
        !kitchen.contains_key(&("polygon".to_string(), 11)),
        "empty polygon"
    );
    // Every key used is declared, in both subset files alike.
    let declared = &subset_file(&out, "training")["categories"]["label"]["attributes"];
    assert_eq!(
        *declared,
        subset_file(&out, "validation")["categories"]["label"]["attributes"]
    );
    let declared: BTreeSet<&str> = declared
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    for subset in dataset.subsets() {
        for item in subset_file(&out, subset)["items"].as_array().unwrap() {
            for annotation in item["annotations"].as_array().unwrap() {
                for key in annotation["attributes"].as_object().unwrap().keys() {
                    assert!(declared.contains(key.as_str()), "{key}");
                }
            }
        }
    }
    assert!(declared.contains("ceramic") && declared.contains("closed"));
}

#[test]
fn scene_parsing_150_lists_every_label_with_its_colour() {
    let dataset = open("ade20k2020");
    let list = LabelList::scene_parsing_150();
    let options = ExportOptions {
        labels: LabelSelection::List(list.clone()),
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "datumaro", &options);
    let file = subset_file(&out, "training");
    let names = label_names(&file);
    let expected: Vec<String> = list.labels.iter().map(|l| l.name.clone()).collect();
    assert_eq!(names, expected);
    let colors: Vec<[u8; 3]> = file["categories"]["mask"]["colormap"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(index, c)| {
            assert_eq!(c["label_id"], index);
            ["r", "g", "b"].map(|channel| c[channel].as_u64().unwrap() as u8)
        })
        .collect();
    let expected: Vec<[u8; 3]> = list.labels.iter().map(|l| l.color.unwrap()).collect();
    assert_eq!(colors, expected);
    assert_eq!(summary.categories, 150);
    // Every object is written under a listed label, or counted.
    let objects: usize = items(&dataset).iter().map(|item| item.objects.len()).sum();
    let masks: usize = dataset
        .subsets()
        .iter()
        .map(|subset| {
            let file = subset_file(&out, subset);
            let items = file["items"].as_array().unwrap();
            items
                .iter()
                .flat_map(|item| item["annotations"].as_array().unwrap())
                .filter(|a| a["type"] == "mask")
                .count()
        })
        .sum();
    // Not selected by index: two wheels, two windowpanes (3057), the
    // industrial plant, the handle, the hinge, the pot and the wholly hidden
    // ashcan (the fixture's windowpane, pot and ashcan indices are not the
    // release's).
    assert!(!summary.left_out.contains_key(NO_PIXELS));
    assert_eq!(summary.left_out[NOT_SELECTED], 9);
    assert_eq!(
        masks as u64 + summary.left_out[NOT_SELECTED],
        objects as u64
    );
    let street = annotations_of(&out, "urban/street/ADE_train_00000001");
    let label_of = |id: u64| {
        let label = street[&("mask".to_string(), id)]["label_id"]
            .as_u64()
            .unwrap();
        names[label as usize].as_str()
    };
    assert_eq!(
        [0, 1, 2, 8, 9].map(label_of),
        [
            "sky",
            "wall",
            "car, auto, automobile, machine, motorcar",
            "person, individual, someone, somebody, mortal, soul",
            "tree"
        ]
    );
}

#[test]
fn a_label_list_names_and_numbers_the_labels() {
    let dataset = open("ade20k2020");
    let list = LabelList::parse("vehicle = car\nperson\nround thing = 3054\n").unwrap();
    let options = ExportOptions {
        labels: LabelSelection::List(list),
        ..options()
    };
    let (_root, out, summary) = convert(&dataset, "datumaro", &options);
    assert_eq!(
        label_names(&subset_file(&out, "validation")),
        ["vehicle", "person", "round thing"]
    );
    let street = annotations_of(&out, "urban/street/ADE_train_00000001");
    let labels: BTreeMap<u64, u64> = street
        .iter()
        .filter(|((kind, _), _)| kind == "mask")
        .map(|((_, id), a)| (*id, a["label_id"].as_u64().unwrap()))
        .collect();
    assert_eq!(labels, BTreeMap::from([(2, 0), (3, 2), (4, 2), (8, 1)]));
    // Street: sky, wall, window, 2 panes, tree, ashcan; kitchen: its 8
    // objects and parts; validation: its 3 objects.
    assert_eq!(summary.left_out[NOT_SELECTED], 7 + 8 + 3);
    assert_eq!(summary.annotations(), 4 + 4);
}

#[test]
fn full_names_are_the_wordnet_names() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        label_naming: LabelNaming::Full,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "datumaro", &options);
    let names = label_names(&subset_file(&out, "training"));
    assert!(names.contains(&"car, auto, automobile, machine, motorcar".to_string()));
    check_annotations(&dataset, &out, MaskKind::Visible, |object| {
        object.name.clone()
    });
}

#[test]
fn raw_names_are_the_annotators_words_in_the_dataset_label_order() {
    let dataset = open("ade20k2020_meta");
    let options = ExportOptions {
        label_naming: LabelNaming::Raw,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "datumaro", &options);
    assert_eq!(
        label_names(&subset_file(&out, "training")),
        [
            "automobile",
            "wheel",
            "man",
            "tree",
            "sky",
            "wall",
            "floor",
            "bicycle"
        ]
    );
    check_annotations(&dataset, &out, MaskKind::Visible, |object| {
        object.raw_name.clone()
    });

    let dataset = open("ade20k2020");
    let (_root, out, _) = convert(&dataset, "datumaro", &options);
    let names = label_names(&subset_file(&out, "validation"));
    assert!(names.contains(&"cars".to_string()));
    assert!(names.contains(&"café sign".to_string()), "Latin-1 decoded");
    check_annotations(&dataset, &out, MaskKind::Visible, |object| {
        object.raw_name.clone()
    });
}

fn datumaro() -> &'static ade20k_export::Format {
    find_format("datumaro").unwrap()
}

fn refusal(options: &ExportOptions) -> String {
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("out");
    let error = export(&dataset, datumaro(), &target, options, false).unwrap_err();
    assert!(matches!(error, ExportError::Usage(_)));
    assert!(!target.exists());
    error.to_string()
}

#[test]
fn options_without_meaning_are_refused() {
    let raw_with_list = ExportOptions {
        label_naming: LabelNaming::Raw,
        labels: LabelSelection::TopClasses(3),
        ..options()
    };
    assert_eq!(
        refusal(&raw_with_list),
        "--label-name raw names categories by the annotators' words; \
         it cannot be combined with a class selection (--labels, --top-classes)"
    );
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(&dataset, "datumaro", &options(), &[1, 2, 4], |out| {
        dataset
            .subsets()
            .iter()
            .map(|subset| fs::read(out.join(format!("annotations/{subset}.json"))).unwrap())
            .collect::<Vec<_>>()
    });
}

#[test]
fn images_are_placed_where_the_items_name_them() {
    let dataset = open("ade20k2020");
    let options = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "datumaro", &options);
    for item in items(&dataset) {
        let file = subset_file(&out, &item.subset);
        let record = file["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|record| record["id"] == item.id.as_str())
            .unwrap()
            .clone();
        let path = out
            .join("images")
            .join(&item.subset)
            .join(record["image"]["path"].as_str().unwrap());
        assert_image_placed(&path, &item);
    }
    let (_root, out, _) = convert(&dataset, "datumaro", &ade20k_tests::options());
    assert!(!out.join("images").exists(), "--media none writes no image");
}

/// A 1-pixel-high item whose object `i` is pixel `i` alone, of class
/// `classes[i].0` named `classes[i].1`, typed `classes[i].2`.
fn one_pixel_objects(subset: &str, id: &str, classes: &[(u32, &str, &str)]) -> Item {
    let width = classes.len() as u32;
    let mut masks = InMemoryMasks::default();
    let objects = classes
        .iter()
        .enumerate()
        .map(|(position, &(class, name, raw_name))| {
            let ade_id = position as u32;
            let mut pixels = vec![InstanceMask::ABSENT; width as usize];
            pixels[position] = InstanceMask::VISIBLE;
            let mask = InstanceMask::from_pixels(width, 1, pixels).unwrap();
            masks.instance_masks.insert(ObjectId(ade_id), mask);
            Object {
                attributes: vec![String::new(), "crop".into(), "open".into()],
                ..synthetic_object(ObjectId(ade_id), ClassIndex(class), name, raw_name)
            }
        })
        .collect();
    synthetic_item(subset, id, (width, 1), objects, masks)
}

fn export_synthetic(
    source: &Synthetic,
    options: &ExportOptions,
) -> (tempfile::TempDir, PathBuf, Summary) {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let summary = export(source, datumaro(), &out, options, false).unwrap();
    (root, out, summary)
}

#[test]
fn empty_and_shared_label_names_are_made_distinct() {
    let classes = [
        (1, "thing, object", ""),
        (2, "thing, object", "x"),
        (3, "unnamed", ""),
    ];
    let source = Synthetic {
        subsets: vec!["training".into(), "empty".into()],
        items: vec![one_pixel_objects("training", "a", &classes)],
    };
    let full = ExportOptions {
        label_naming: LabelNaming::Full,
        ..options()
    };
    let (_root, out, summary) = export_synthetic(&source, &full);
    assert_eq!(
        label_names(&subset_file(&out, "training")),
        ["thing, object", "thing, object (2)", "unnamed"]
    );
    assert_eq!(
        summary
            .notes
            .iter()
            .filter(|n| n.contains("renamed"))
            .count(),
        1
    );
    let raw = ExportOptions {
        label_naming: LabelNaming::Raw,
        ..options()
    };
    let (_root, out, summary) = export_synthetic(&source, &raw);
    let file = subset_file(&out, "training");
    assert_eq!(label_names(&file), ["unnamed", "x"]);
    let labels: Vec<&Value> = file["items"][0]["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["label_id"])
        .collect();
    assert_eq!(labels, [&json!(0), &json!(1), &json!(0)]);
    // Empty words and words equal to a fixed key are dropped.
    assert_eq!(
        file["items"][0]["annotations"][0]["attributes"],
        json!({"ade_class": 1, "crop": false, "open": true, "part_level": 0, "raw_name": ""})
    );
    // A subset without items still gets its file, with the same categories.
    let empty = subset_file(&out, "empty");
    assert_eq!(empty["items"], json!([]));
    assert_eq!(empty["categories"], file["categories"]);
    assert_eq!(summary.subsets["empty"].items, 0);
    let one_pixel = BinaryMask::from_pixels(3, 1, vec![1, 0, 0]).unwrap();
    assert_eq!(
        file["items"][0]["annotations"][0]["rle"],
        json!({"counts": Rle::encode(&one_pixel).to_coco_string(), "size": [1, 3]})
    );
}
