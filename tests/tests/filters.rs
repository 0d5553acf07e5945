//! The item filter (`ExportOptions::filter`) and the progress hook, end to
//! end: every format sees only the items and objects the filter keeps.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use ade20k_export::{
    ExportOptions, IdPatterns, ItemFilter, LabelList, LabelSelection, MediaMode, ProgressHook,
};
use ade20k_import::{validate, Ade20k2020Dataset, Finding, ValidationReport};
use ade20k_model::{ClassIndex, ItemSource, MaskKind};
use ade20k_test_support::images::read_png;
use ade20k_test_support::{fixture, read_json};
use ade20k_tests::{convert, open, options};

fn filtered(filter: ItemFilter) -> ExportOptions {
    ExportOptions {
        filter,
        ..options()
    }
}

/// ADE ids of the objects of item `index` that have at least `min_area`
/// visible pixels, as have all their ancestors.
fn large_objects(dataset: &Ade20k2020Dataset, index: usize, min_area: u64) -> BTreeSet<u32> {
    let item = dataset.load(index).unwrap();
    let large: Vec<bool> = (0..item.objects.len())
        .map(|i| item.binary_mask(i, MaskKind::Visible).unwrap().area() >= min_area)
        .collect();
    let keeps = |mut i: usize| loop {
        if !large[i] {
            return false;
        }
        match item.objects[i].parent {
            None => return true,
            Some(parent) => i = item.object_index(parent).unwrap(),
        }
    };
    (0..item.objects.len())
        .filter(|&i| keeps(i))
        .map(|i| item.objects[i].ade_id.0)
        .collect()
}

#[test]
fn coco_holds_only_the_items_and_objects_kept() {
    let dataset = open("ade20k2020");
    let mut filter = ItemFilter::default();
    filter.items = Some(IdPatterns::new(["urban/**"]).unwrap());
    filter.min_area = 40;
    let (_root, out, summary) = convert(&dataset, "coco", &filtered(filter));
    insta::assert_snapshot!(summary.to_string());
    assert!(
        !out.join("annotations/instances_validation.json").exists(),
        "a subset without items is left out"
    );
    let coco = read_json(&out.join("annotations/instances_training.json"));
    let images = coco["images"].as_array().unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(
        images[0]["file_name"],
        "urban/street/ADE_train_00000001.jpg"
    );
    let street = (0..dataset.len())
        .find(|&i| dataset.item_id(i) == Some("urban/street/ADE_train_00000001"))
        .unwrap();
    let written: BTreeSet<u32> = coco["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|annotation| {
            assert!(annotation["area"].as_u64().unwrap() >= 40, "{annotation}");
            annotation["attributes"]["ade_id"].as_u64().unwrap() as u32
        })
        .collect();
    assert_eq!(written, large_objects(&dataset, street, 40));
    assert!(written.len() < dataset.load(street).unwrap().objects.len());
}

#[test]
fn semantic_masks_lose_the_pixels_of_excluded_classes() {
    let dataset = open("ade20k2020");
    let mut filter = ItemFilter::default();
    filter.exclude = Some(LabelList::parse("person\ntree\n").unwrap());
    let (_root, out, summary) = convert(&dataset, "semantic", &filtered(filter));
    assert_eq!(
        summary.left_out.get("objects of excluded classes"),
        Some(&2)
    );
    for index in 0..dataset.len() {
        let item = dataset.load(index).unwrap();
        let path = out
            .join("annotations")
            .join(&item.subset)
            .join(format!("{}.png", item.id));
        let expected: Vec<u32> = item
            .class_map(0)
            .unwrap()
            .classes()
            .iter()
            .map(|&ClassIndex(class)| {
                if matches!(class, 1831 | 2855) {
                    0
                } else {
                    class
                }
            })
            .collect();
        assert_eq!(read_png(&path).samples, expected, "{}", item.id);
    }
}

#[test]
fn a_cut_by_area_is_a_consistent_dataset() {
    let dataset = open("ade20k2020");
    let mut filter = ItemFilter::default();
    filter.min_area = 40;
    let options = ExportOptions {
        media: MediaMode::Copy,
        ..filtered(filter)
    };
    let (_root, out, summary) = convert(&dataset, "ade20k2020", &options);
    let cut = Ade20k2020Dataset::open(&out).unwrap();
    // The cut adds no inconsistency: validate finds in it what it finds in
    // the source (the kitchen wall's click beyond the border, kept).
    let findings = |report: ValidationReport, root: &Path| -> Vec<Finding> {
        let mut findings = report.findings;
        for finding in &mut findings {
            finding.file = finding.file.strip_prefix(root).unwrap().to_path_buf();
        }
        findings
    };
    assert_eq!(
        findings(validate(&cut), &out),
        findings(validate(&dataset), &fixture("ade20k2020"))
    );
    let mut objects = 0;
    for index in 0..cut.len() {
        let item = cut.load(index).unwrap();
        let ids: Vec<u32> = item.objects.iter().map(|o| o.ade_id.0).collect();
        let kept: Vec<u32> = large_objects(&dataset, index, 40).into_iter().collect();
        assert_eq!(ids, kept, "{}: ids are the source's", item.id);
        objects += item.objects.len();
        for i in 0..item.objects.len() {
            let area = item.binary_mask(i, MaskKind::Visible).unwrap().area();
            assert!(area >= 40, "{} object {i}: {area}", item.id);
        }
    }
    let expected: usize = (0..dataset.len())
        .map(|index| large_objects(&dataset, index, 40).len())
        .sum();
    assert_eq!(objects, expected);
    assert_eq!(summary.annotations(), expected as u64);
}

#[test]
fn include_keeps_class_indices_where_labels_renumber() {
    let dataset = open("ade20k2020");
    let list = LabelList::parse("car\nwheel\n").unwrap();
    let categories = |options: &ExportOptions| -> Vec<(u64, String)> {
        let (_root, out, _) = convert(&dataset, "coco", options);
        let coco = read_json(&out.join("annotations/instances_training.json"));
        coco["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_u64().unwrap(),
                    c["name"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let mut include = ItemFilter::default();
    include.include = Some(list.clone());
    let included = filtered(include);
    assert_eq!(
        categories(&included),
        [(401, "car".into()), (3054, "wheel".into())]
    );
    let labelled = ExportOptions {
        labels: LabelSelection::List(list),
        ..options()
    };
    assert_eq!(
        categories(&labelled),
        [(1, "car".into()), (2, "wheel".into())]
    );
}

#[test]
fn progress_is_reported_once_per_item_in_order() {
    let dataset = open("ade20k2020");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let mut filter = ItemFilter::default();
    filter.limit = Some(2);
    let options = ExportOptions {
        progress: Some(ProgressHook::new(move |item| {
            record.lock().unwrap().push(format!(
                "{}/{} {} {} {}",
                item.done, item.total, item.subset, item.id, item.objects
            ));
        })),
        filter,
        ..options()
    };
    let (_root, _out, summary) = convert(&dataset, "yolo", &options);
    assert_eq!(summary.items(), 2);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "1/2 training home/kitchen/ADE_train_00000002 8",
            "2/2 training urban/street/ADE_train_00000001 11",
        ]
    );
}

#[test]
fn every_format_honours_the_filter() {
    let dataset = open("ade20k2020");
    let mut filter = ItemFilter::default();
    filter.items = Some(IdPatterns::new(["*_val_*"]).unwrap());
    for format in ade20k_export::FORMATS {
        let (_root, _out, summary) = convert(&dataset, format.name, &filtered(filter.clone()));
        let subsets: Vec<&String> = summary.subsets.keys().collect();
        assert_eq!(subsets, ["validation"], "{}", format.name);
        assert_eq!(summary.items(), 1, "{}", format.name);
        assert_eq!(
            summary.notes.last().map(String::as_str),
            Some("the item filter kept 1 of 3 items"),
            "{}",
            format.name
        );
    }
}
