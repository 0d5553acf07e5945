//! Mask paths that try to leave the dataset, and file names that are not UTF-8.

use ade20k_import::Ade20k2020Dataset;
use ade20k_model::ItemSource;
use ade20k_test_support::images::{gray_png, jpeg};
use ade20k_test_support::{standard_annotation, Fixture, CAR_MASK, HEIGHT, WHEEL_MASK, WIDTH};
use serde_json::json;

fn with_mask_path(fixture: &Fixture, mask_path: &str) -> String {
    let mut annotation = standard_annotation("a");
    annotation["annotation"]["object"][1]["instance_mask"] = json!(mask_path);
    fixture.item(
        "training/street",
        "a",
        &annotation,
        &[&CAR_MASK, &WHEEL_MASK],
    );
    let error = Ade20k2020Dataset::open(fixture.root())
        .unwrap()
        .load(0)
        .unwrap_err();
    assert_eq!(error.path, fixture.path("training/street/a.json"));
    error.to_string()
}

#[test]
fn mask_paths_climbing_out_of_the_subset_are_rejected() {
    let fixture = Fixture::new();
    let error = with_mask_path(&fixture, "../../validation/x.png");
    assert!(
        error.contains(
            "object 1: instance_mask `../../validation/x.png` leads outside the subset folder"
        ),
        "{error}"
    );
}

#[test]
fn mask_paths_inside_the_subset_may_use_dot_dot() {
    let fixture = Fixture::new();
    let mut annotation = standard_annotation("a");
    annotation["annotation"]["object"][1]["instance_mask"] =
        json!("../street/./a/instance_001_a.png");
    fixture.item(
        "training/street",
        "a",
        &annotation,
        &[&CAR_MASK, &WHEEL_MASK],
    );
    let item = Ade20k2020Dataset::open(fixture.root())
        .unwrap()
        .load(0)
        .unwrap();
    assert_eq!(item.instance_mask(1).unwrap().pixels()[1], 255);
}

#[test]
fn absolute_mask_paths_are_rejected() {
    let fixture = Fixture::new();
    let error = with_mask_path(&fixture, "/etc/passwd");
    assert!(
        error.contains("instance_mask `/etc/passwd` is an absolute path"),
        "{error}"
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_leading_out_of_the_subset_are_refused_at_mask_load() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    let outside = fixture.write("outside/secret.png", gray_png(WIDTH, HEIGHT, &CAR_MASK));
    let link = fixture.path("training/a/instance_001_a.png");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    let options = ade20k_import::ImportOptions {
        subsets: Some(vec!["training".into()]),
        ..Default::default()
    };
    let item = Ade20k2020Dataset::open_with(fixture.root(), &options)
        .unwrap()
        .load(0)
        .unwrap();
    assert!(item.instance_mask(0).is_ok());
    let error = item.instance_mask(1).unwrap_err();
    assert_eq!(error.path, link);
    assert!(
        error.to_string().contains("outside the subset folder"),
        "{error}"
    );
}

#[cfg(unix)]
#[test]
fn links_to_folders_inside_a_subset_are_an_error() {
    let fixture = Fixture::new();
    fixture.standard_item("training/street", "a");
    std::os::unix::fs::symlink(
        fixture.path("training/street"),
        fixture.path("training/loop"),
    )
    .unwrap();
    let error = Ade20k2020Dataset::open(fixture.root()).unwrap_err();
    assert_eq!(error.path, fixture.path("training/loop"));
    assert!(
        error.to_string().contains("symbolic link to a folder"),
        "{error}"
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_file_names_are_an_error_naming_the_path() {
    use std::os::unix::ffi::OsStrExt;
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.jpg");
    std::fs::write(fixture.path("training").join(name), jpeg(WIDTH, HEIGHT)).unwrap();
    let error = Ade20k2020Dataset::open(fixture.root()).unwrap_err();
    assert_eq!(error.path, fixture.path("training").join(name));
    let text = error.to_string();
    assert!(
        text.contains("caf\u{FFFD}.jpg: file name is not valid UTF-8"),
        "{text}"
    );
}
