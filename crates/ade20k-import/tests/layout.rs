//! Finding the folder of subsets from wherever the user points.

use ade20k_import::{detect, Ade20k2020Dataset};
use ade20k_model::ItemSource;
use ade20k_test_support::images::jpeg;
use ade20k_test_support::{Fixture, HEIGHT, WIDTH};

/// The release's layout: `ADE20K_2021_17_01/images/ADE/{training,validation}/<scene>/<scene>/`.
fn release() -> Fixture {
    let fixture = Fixture::new();
    fixture.write("ADE20K_2021_17_01/objects.txt", "index\tname\n");
    fixture.write("ADE20K_2021_17_01/index_ade20k.pkl", b"\x80\x04.");
    fixture.standard_item(
        "ADE20K_2021_17_01/images/ADE/training/urban/street",
        "ADE_train_00000001",
    );
    fixture.standard_item(
        "ADE20K_2021_17_01/images/ADE/validation/urban/street",
        "ADE_val_00000001",
    );
    fixture
}

#[test]
fn the_subset_root_is_found_from_every_entry_point() {
    let fixture = release();
    let subset_root = fixture.path("ADE20K_2021_17_01/images/ADE");
    for entry_point in [
        "ADE20K_2021_17_01",
        "ADE20K_2021_17_01/images",
        "ADE20K_2021_17_01/images/ADE",
    ] {
        let layout = detect(&fixture.path(entry_point)).unwrap();
        assert_eq!(layout.subset_root, subset_root, "from {entry_point}");
        assert_eq!(
            layout.subsets,
            ["training", "validation"],
            "from {entry_point}"
        );
    }
    // The folder holding the release root, whatever the root's name.
    std::fs::rename(
        fixture.path("ADE20K_2021_17_01"),
        fixture.path("ade-download"),
    )
    .unwrap();
    let layout = detect(fixture.root()).unwrap();
    assert_eq!(layout.subset_root, fixture.path("ade-download/images/ADE"));
    let dataset = Ade20k2020Dataset::open(fixture.path("ade-download")).unwrap();
    assert_eq!(dataset.item_id(0), Some("urban/street/ADE_train_00000001"));
    assert_eq!(dataset.subset_of(1), "validation");
}

#[test]
fn a_plain_folder_of_subsets_is_its_own_subset_root() {
    let fixture = Fixture::new();
    fixture.standard_item("train", "1");
    fixture.standard_item("val/street", "2");
    let layout = detect(fixture.root()).unwrap();
    assert_eq!(layout.subset_root, fixture.root());
    assert_eq!(layout.subsets, ["train", "val"]);
}

#[test]
fn folders_without_ade_items_are_not_datasets() {
    let fixture = Fixture::new();
    // A photo beside JSON that is not an ADE annotation.
    fixture.write("train/a.jpg", jpeg(WIDTH, HEIGHT));
    let not_ade = fixture.write("train/a.json", r#"{"images": []}"#);
    // A photo with no JSON at all.
    fixture.write("val/b.jpg", jpeg(WIDTH, HEIGHT));
    let error = detect(fixture.root()).unwrap_err();
    assert_eq!(error.path, not_ade, "the first annotation beside a photo");
    assert_eq!(
        error.problem.to_string(),
        format!(
            "invalid JSON: the top level has no key `annotation`; no ADE20K item was found \
             under {} (a photo beside an annotation that can be read, or beside its \
             <name>_seg.png), and this is the first annotation beside a photo",
            fixture.root().display()
        )
    );
    std::fs::remove_file(&not_ade).unwrap();
    let error = detect(fixture.root()).unwrap_err();
    assert_eq!(error.path, fixture.root());
    let text = error.to_string();
    assert!(
        text.contains("no folder of subsets holding <name>.jpg + <name>.json items"),
        "{text}"
    );
    assert!(text.contains("3 levels"), "{text}");
}

#[test]
fn an_item_whose_annotation_is_broken_is_found_by_its_class_map() {
    let fixture = Fixture::new();
    fixture.standard_item("training/street", "a");
    let annotation = fixture.write("training/street/a.json", "{\"annotation\": ");
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    assert_eq!(dataset.layout().subset_root, fixture.root());
    let error = dataset.load(0).unwrap_err();
    assert_eq!(error.path, annotation);
    assert!(error.to_string().contains("invalid JSON"), "{error}");
}

#[test]
fn items_too_deep_are_not_found() {
    let fixture = Fixture::new();
    fixture.standard_item("a/b/c/d/e/f/g/h/i/j/subset/street", "x");
    assert!(detect(fixture.root()).is_err());
    let layout = detect(&fixture.path("a/b/c/d/e/f/g/h/i/j")).unwrap();
    assert_eq!(layout.subsets, ["subset"]);
}

#[test]
fn a_file_or_missing_path_is_an_error_naming_it() {
    let fixture = Fixture::new();
    let file = fixture.write("file.txt", "x");
    let error = detect(&file).unwrap_err();
    assert_eq!(error.path, file);
    assert!(error.to_string().contains("is not a folder"));
    let missing = fixture.path("missing");
    let error = detect(&missing).unwrap_err();
    assert_eq!(error.path, missing);
    assert!(error.to_string().contains("does not exist"), "{error}");
}
