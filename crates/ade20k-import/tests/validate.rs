//! `validate` and `dataset_stats` on small datasets built in temporary folders.

use std::fs;

use ade20k_import::{
    dataset_stats, validate, Ade20k2020Dataset, Finding, FindingKind, Severity, StatsOptions,
    MAX_PART_LEVEL,
};
use ade20k_model::{ClassIndex, ObjectId};
use ade20k_test_support::images::gray_png;
use ade20k_test_support::{
    object, standard_annotation, Fixture, CAR, CAR_MASK, HEIGHT, WHEEL, WHEEL_MASK, WIDTH,
};
use serde_json::{json, Value};

const STEM: &str = "ADE_train_1";
const FOLDER: &str = "training/street";

/// The standard car and wheel, with the car listing the wheel in `hasparts`.
fn consistent_annotation() -> Value {
    let mut annotation = standard_annotation(STEM);
    annotation["annotation"]["object"][0]["parts"]["hasparts"] = json!([1]);
    annotation
}

/// A dataset of one item with `annotation` and the standard masks.
fn dataset_with(annotation: &Value) -> Fixture {
    let fixture = Fixture::new();
    fixture.item(FOLDER, STEM, annotation, &[&CAR_MASK, &WHEEL_MASK]);
    fixture
}

/// `(kind, object, problem)` of every finding in the dataset at `fixture`:
/// the message without what a warning adds on how conversions tolerate it.
fn findings(fixture: &Fixture) -> Vec<(FindingKind, Option<u32>, String)> {
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    validate(&dataset)
        .findings
        .into_iter()
        .map(|finding| {
            (
                finding.kind,
                finding.object.map(|id| id.0),
                problem(&finding),
            )
        })
        .collect()
}

/// The problem a finding states: its message, less the sentence every
/// warning (and no error) ends with.
fn problem(finding: &Finding) -> String {
    assert_eq!(finding.severity, finding.kind.severity());
    match finding.kind.tolerated_as() {
        Some(tolerated) => finding
            .message
            .strip_suffix(&format!("; {tolerated}"))
            .unwrap_or_else(|| panic!("a warning says how it is tolerated: {finding}"))
            .to_string(),
        None => finding.message.clone(),
    }
}

fn mask_file(id: u32) -> String {
    format!("{FOLDER}/{STEM}/instance_{id:03}_{STEM}.png")
}

#[test]
fn a_consistent_item_has_no_finding() {
    let fixture = dataset_with(&consistent_annotation());
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let report = validate(&dataset);
    assert_eq!(report.items, 1);
    assert!(report.is_clean(), "{:?}", report.findings);
    assert!(report.counts().is_empty());
}

#[test]
fn a_part_its_parent_does_not_list_is_a_hierarchy_finding() {
    let fixture = dataset_with(&standard_annotation(STEM));
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let report = validate(&dataset);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    let finding = &report.findings[0];
    assert_eq!(finding.kind, FindingKind::Hierarchy);
    assert_eq!(finding.object, Some(ObjectId(1)));
    assert_eq!(finding.file, fixture.path(&format!("{FOLDER}/{STEM}.json")));
    assert_eq!(
        finding.to_string(),
        format!(
            "warning: hierarchy: {}: object 1: a part of object 0 (ispartof), which does not \
             list it in hasparts; conversions follow each object's own ispartof and \
             part_level, not hasparts (ade20k2020 writes hasparts as the source has it, less \
             the objects a cut removes)",
            finding.file.display()
        )
    );
    assert_eq!(report.counts().get(&FindingKind::Hierarchy), Some(&1));
    assert_eq!(report.count_of(Severity::Warning), 1);
    assert!(!report.fails(false), "a warning alone does not fail");
    assert!(report.fails(true), "but it does when strict");
}

#[test]
fn every_kind_has_a_severity_and_only_warnings_say_how_they_are_tolerated() {
    use FindingKind::*;
    for kind in [Item, InstanceMask, ClassMap] {
        assert_eq!(kind.severity(), Severity::Error, "{kind}");
        assert_eq!(kind.tolerated_as(), None, "{kind}");
    }
    for kind in [InstanceRegion, ClassValue, Hierarchy, Polygon] {
        assert_eq!(kind.severity(), Severity::Warning, "{kind}");
        assert!(kind.tolerated_as().is_some(), "{kind}");
    }
}

/// A part at the deepest level allowed: the checks and counts go over the
/// levels that have objects (0 and 32), not every level up to the deepest.
#[test]
fn only_the_part_levels_present_are_checked_and_counted() {
    let mut annotation = consistent_annotation();
    annotation["annotation"]["object"][1]["parts"]["part_level"] = json!(MAX_PART_LEVEL);
    let fixture = dataset_with(&annotation);
    assert_eq!(
        findings(&fixture),
        [
            (
                FindingKind::Hierarchy,
                Some(1),
                "part level 32 under object 0 of part level 0".to_string()
            ),
            (
                FindingKind::ClassMap,
                None,
                "class map of part level 32 requested, but the item has 1 part level(s)"
                    .to_string()
            ),
        ]
    );
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let stats = dataset_stats(&dataset, &StatsOptions::default()).unwrap();
    assert_eq!(
        stats.total.parts.into_iter().collect::<Vec<_>>(),
        [(MAX_PART_LEVEL, 1)]
    );
}

#[test]
fn a_mask_that_is_not_its_region_is_found_with_pixel_counts() {
    let fixture = dataset_with(&consistent_annotation());
    // The car is seen on pixel 0 only, but B = 1 covers pixels 0 and 1.
    let mut car = CAR_MASK;
    car[1] = 128;
    fixture.write(&mask_file(0), gray_png(WIDTH, HEIGHT, &car));
    assert_eq!(
        findings(&fixture),
        [(
            FindingKind::InstanceRegion,
            Some(0),
            "its 1 visible pixels are not one instance region: B = 1 covers 1 of them, \
             and the region of B = 1 has 2 pixels"
                .to_string()
        )]
    );
}

#[test]
fn a_mask_where_the_map_has_another_class_is_found() {
    let fixture = dataset_with(&consistent_annotation());
    // The car moved to pixels 2 and 3, where _seg.png is unlabeled.
    let car = [0, 0, 255, 255, 0, 0, 0, 0];
    fixture.write(&mask_file(0), gray_png(WIDTH, HEIGHT, &car));
    let found = findings(&fixture);
    assert_eq!(
        found,
        [
            (
                FindingKind::ClassValue,
                Some(0),
                format!(
                    "2 of its 2 visible pixels have another class than its name_ndx {CAR} \
                     (most: class 0, 2 pixels)"
                )
            ),
            (
                FindingKind::InstanceRegion,
                Some(0),
                "none of its 2 visible pixels has an instance code (B is 0 there)".into()
            ),
            (
                FindingKind::InstanceRegion,
                None,
                "the region of B = 1 (2 pixels) is no level-0 object's visible region".into()
            ),
        ]
    );
}

#[test]
fn missing_and_misshapen_files_are_findings_not_aborts() {
    let fixture = dataset_with(&consistent_annotation());
    fs::remove_file(fixture.path(&mask_file(1))).unwrap();
    fs::remove_file(fixture.path(&format!("{FOLDER}/{STEM}_parts_1.png"))).unwrap();
    fixture.write(&mask_file(0), gray_png(2, 1, &[255, 255]));
    // A second item whose annotation is not JSON.
    fixture.standard_item(FOLDER, "ADE_train_2");
    fixture.write(&format!("{FOLDER}/ADE_train_2.json"), "{");
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let report = validate(&dataset);
    let summary: Vec<(FindingKind, Option<u32>, String)> = report
        .findings
        .iter()
        .map(|f| {
            let file = f.file.strip_prefix(fixture.root()).unwrap();
            (f.kind, f.object.map(|id| id.0), file.display().to_string())
        })
        .collect();
    assert_eq!(
        summary,
        [
            (FindingKind::InstanceMask, Some(0), mask_file(0)),
            (
                FindingKind::ClassMap,
                None,
                format!("{FOLDER}/{STEM}_parts_1.png")
            ),
            (FindingKind::InstanceMask, Some(1), mask_file(1)),
            (
                FindingKind::Item,
                None,
                format!("{FOLDER}/ADE_train_2.json")
            ),
        ]
    );
    assert!(
        report.findings[0].message.contains("2×1 pixels"),
        "{}",
        report.findings[0]
    );
    assert_eq!(report.items, 2);
}

#[test]
fn polygons_outside_the_image_and_wrong_part_levels_are_found() {
    let mut annotation = consistent_annotation();
    annotation["annotation"]["object"][0]["polygon"] = json!({"x": [0, 9, 4], "y": [0, 0, -1]});
    annotation["annotation"]["object"][1]["parts"]["part_level"] = json!(2);
    let fixture = dataset_with(&annotation);
    let found = findings(&fixture);
    assert_eq!(
        found[..2],
        [
            (
                FindingKind::Hierarchy,
                Some(1),
                "part level 2 under object 0 of part level 0".into()
            ),
            (
                FindingKind::Polygon,
                Some(0),
                format!(
                    "2 of 3 polygon points lie outside the {WIDTH}×{HEIGHT} image, the first \
                     at (9, 0)"
                )
            ),
        ]
    );
    // Level 2 has no class map.
    assert_eq!(found[2].0, FindingKind::ClassMap);
    assert!(found[2].2.contains("part level 2"), "{}", found[2].2);
}

#[test]
fn stats_count_objects_parts_classes_and_pixels() {
    let fixture = Fixture::new();
    fixture.item(
        FOLDER,
        STEM,
        &consistent_annotation(),
        &[&CAR_MASK, &WHEEL_MASK],
    );
    let mut second = consistent_annotation();
    second["annotation"]["object"] = json!([object(0, CAR, "car, auto", "b", None)]);
    second["annotation"]["scene"] = json!(["indoor"]);
    fixture.item("validation", "b", &second, &[&CAR_MASK]);
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let stats = dataset_stats(&dataset, &StatsOptions { pixels: true }).unwrap();
    let subsets: Vec<(&str, u64, u64)> = stats
        .subsets
        .iter()
        .map(|s| (s.name.as_str(), s.items, s.objects))
        .collect();
    assert_eq!(subsets, [("training", 1, 1), ("validation", 1, 1)]);
    assert_eq!(stats.total.items, 2);
    assert_eq!(stats.total.parts.get(&1), Some(&1));
    let classes: Vec<(ClassIndex, &str, u64, u64, Option<u64>)> = stats
        .classes
        .iter()
        .map(|c| (c.index, c.name.as_str(), c.objects, c.parts, c.pixels))
        .collect();
    // Each item's _seg.png has 2 car pixels.
    assert_eq!(
        classes,
        [(CAR, "car", 2, 0, Some(4)), (WHEEL, "wheel", 0, 1, Some(0))]
    );
    let scenes: Vec<(&str, u64)> = stats
        .scenes
        .iter()
        .map(|s| (s.scene.as_str(), s.items))
        .collect();
    assert_eq!(scenes, [("indoor", 1), ("outdoor/urban/street", 1)]);
    assert_eq!(stats.part_pairs.len(), 1);
    assert_eq!(
        (
            stats.part_pairs[0].object.as_str(),
            stats.part_pairs[0].part.as_str()
        ),
        ("car", "wheel")
    );
    let size = stats.image_size.unwrap();
    assert_eq!((size.min_width, size.max_height), (WIDTH, HEIGHT));
    let without_pixels = dataset_stats(&dataset, &StatsOptions::default()).unwrap();
    assert!(without_pixels.classes.iter().all(|c| c.pixels.is_none()));
    let json = serde_json::to_value(&without_pixels).unwrap();
    assert!(json["classes"][0].get("pixels").is_none());
    assert_eq!(json["total"]["parts"]["1"], 1);
}
