//! End-to-end tests of the Segment Anything (SA-1B) exporter on the fixtures.

use std::collections::BTreeMap;
use std::path::Path;

use ade20k_export::rle::Rle;
use ade20k_export::{ExportOptions, LabelList, LabelSelection, MediaMode, PartsMode};
use ade20k_model::{Item, MaskKind};
use ade20k_test_support::read_json;
use ade20k_test_support::synthetic::items;
use ade20k_tests::{
    assert_flattened_names_refused, assert_image_placed, assert_output_independent_of_threads,
    convert, file_contents, open, options, snapshots_of_every_fixture, FIXTURES,
};
use serde_json::Value;

/// The JSON file of `item`.
fn record(out: &Path, item: &Item) -> Value {
    let name = item.id.replace('/', "_");
    read_json(&out.join(&item.subset).join(format!("{name}.json")))
}

/// The annotations of `record` by the ADE id of their object.
fn by_ade_id(record: &Value) -> BTreeMap<u64, &Value> {
    record["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|annotation| {
            let ade_id = annotation["attributes"]["ade_id"].as_u64().unwrap();
            (ade_id, annotation)
        })
        .collect()
}

fn numbers(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

snapshots_of_every_fixture!("segment_anything", options());

#[test]
fn every_object_with_pixels_is_one_annotation_of_its_mask() {
    for kind in [MaskKind::Visible, MaskKind::Amodal] {
        for name in FIXTURES {
            let dataset = open(name);
            let chosen = ExportOptions {
                mask_kind: kind,
                ..options()
            };
            let (_root, out, summary) = convert(&dataset, "segment_anything", &chosen);
            let mut ids: BTreeMap<String, (Vec<u64>, Vec<u64>)> = BTreeMap::new();
            let mut written = 0;
            for item in items(&dataset) {
                let record = record(&out, &item);
                let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
                assert_eq!(keys, ["annotations", "image"], "{}", item.id);
                let image = &record["image"];
                assert_eq!(image.as_object().unwrap().len(), 4, "{}", item.id);
                assert_eq!(image["width"], item.image.width);
                assert_eq!(image["height"], item.image.height);
                let file_name = format!("{}.jpg", item.id.replace('/', "_"));
                assert_eq!(image["file_name"], file_name.as_str());
                let subset_ids = ids.entry(item.subset.clone()).or_default();
                subset_ids.0.push(image["image_id"].as_u64().unwrap());
                let annotations = by_ade_id(&record);
                let mut kept = 0;
                for (index, object) in item.objects.iter().enumerate() {
                    let mask = item.binary_mask(index, kind).unwrap();
                    let Some(annotation) = annotations.get(&u64::from(object.ade_id.0)) else {
                        assert!(mask.is_empty(), "{} object {index} is written", item.id);
                        continue;
                    };
                    kept += 1;
                    let what = format!("{name} {} object {index}", item.id);
                    let segmentation = &annotation["segmentation"];
                    let size = numbers(&segmentation["size"]);
                    assert_eq!(
                        size,
                        [u64::from(mask.height()), u64::from(mask.width())],
                        "{what}"
                    );
                    let counts = segmentation["counts"].as_str().unwrap();
                    let rle = Rle::from_coco_string(mask.height(), mask.width(), counts).unwrap();
                    assert_eq!(rle.decode().unwrap(), mask, "{what}");
                    assert_eq!(annotation["area"], mask.area(), "{what}");
                    let bbox = mask.bbox().unwrap();
                    assert_eq!(
                        numbers(&annotation["bbox"]),
                        [bbox.x, bbox.y, bbox.width, bbox.height].map(u64::from),
                        "{what}"
                    );
                    let point = numbers(&annotation["point_coords"][0]);
                    assert!(mask.get(point[0] as u32, point[1] as u32), "{what}");
                    assert_eq!(
                        numbers(&annotation["crop_box"]),
                        [0, 0, item.image.width, item.image.height].map(u64::from)
                    );
                    assert_eq!(annotation["predicted_iou"].as_f64(), Some(1.0));
                    assert_eq!(annotation["stability_score"].as_f64(), Some(1.0));
                    assert_eq!(annotation["category_id"], object.class.0, "{what}");
                    assert_eq!(annotation["category_name"], object.name.as_str());
                    if let Some(parent) = object.parent {
                        assert_eq!(
                            annotation["attributes"]["parent_id"],
                            annotations[&u64::from(parent.0)]["id"],
                            "{what}"
                        );
                    }
                    subset_ids.1.push(annotation["id"].as_u64().unwrap());
                }
                assert_eq!(annotations.len(), kept, "{}", item.id);
                written += kept;
            }
            for (subset, (images, annotations)) in ids {
                assert_eq!(images, (1..=images.len() as u64).collect::<Vec<_>>());
                let mut sorted = annotations.clone();
                sorted.sort();
                assert_eq!(sorted, (1..=annotations.len() as u64).collect::<Vec<_>>());
                assert!(!images.is_empty(), "{subset}");
            }
            assert_eq!(summary.annotations(), written as u64);
        }
    }
}

#[test]
fn a_label_list_names_and_numbers_the_classes() {
    let list = LabelList::parse("sky\ncar\nperson\n").unwrap();
    let selected = ExportOptions {
        labels: LabelSelection::List(list),
        parts: PartsMode::Exclude,
        ..options()
    };
    let dataset = open("ade20k2020");
    let (_root, out, summary) = convert(&dataset, "segment_anything", &selected);
    let street = items(&dataset)
        .into_iter()
        .find(|item| item.id == "urban/street/ADE_train_00000001")
        .unwrap();
    let named: Vec<(u64, String)> = record(&out, &street)["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|annotation| {
            let id = annotation["category_id"].as_u64().unwrap();
            let name = annotation["category_name"].as_str().unwrap().to_string();
            (id, name)
        })
        .collect();
    assert_eq!(
        named,
        [(1, "sky".into()), (2, "car".into()), (3, "person".into())]
    );
    assert_eq!(summary.categories, 3);
    assert!(summary.left_out["objects of classes not selected"] > 0);
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    assert_output_independent_of_threads(
        &dataset,
        "segment_anything",
        &copy,
        &[1, 3],
        file_contents,
    );
}

#[test]
fn images_lie_beside_their_files() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "segment_anything", &copy);
    for item in items(&dataset) {
        let file_name = record(&out, &item)["image"]["file_name"]
            .as_str()
            .unwrap()
            .to_string();
        assert_image_placed(&out.join(&item.subset).join(file_name), &item);
    }
    let (_root, out, _) = convert(&dataset, "segment_anything", &options());
    for item in items(&dataset) {
        let name = item.id.replace('/', "_");
        assert!(
            !out.join(&item.subset).join(format!("{name}.jpg")).exists(),
            "--media none writes no images"
        );
    }
}

#[test]
fn items_whose_ids_flatten_to_one_name_are_refused() {
    assert_flattened_names_refused(
        "segment_anything",
        "its segment_anything file training/urban_street_ADE_train_00000001.json",
    );
}
