//! Opening datasets and loading their items and masks.

use ade20k_import::{Ade20k2020Dataset, ImportOptions};
use ade20k_model::{ClassIndex, ItemSource, MaskKind, ObjectId, Occlusion};
use ade20k_test_support::images::{gray_png, jpeg, rgb_png};
use ade20k_test_support::{
    message, standard_annotation, Fixture, CAR, CAR_MASK, HEIGHT, WHEEL, WHEEL_MASK, WIDTH,
};
use serde_json::json;

#[test]
fn items_are_ordered_by_subset_then_id_and_load_fully() {
    let fixture = Fixture::new();
    fixture.standard_item("validation/urban/street", "b");
    fixture.standard_item("training/urban/street", "b");
    fixture.standard_item("training/urban/street", "a");
    fixture.standard_item("training/indoor", "c");
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    assert_eq!(dataset.subsets(), ["training", "validation"]);
    assert_eq!(dataset.layout().subset_root, fixture.root());
    let ids: Vec<_> = (0..dataset.len())
        .map(|i| dataset.item_id(i).unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "indoor/c",
            "urban/street/a",
            "urban/street/b",
            "urban/street/b"
        ]
    );
    assert_eq!(dataset.subset_of(3), "validation");
    assert_eq!(dataset.item_id(4), None);

    let item = dataset.load(1).unwrap();
    assert_eq!(
        (item.id.as_str(), item.subset.as_str()),
        ("urban/street/a", "training")
    );
    assert_eq!(item.image.path, fixture.path("training/urban/street/a.jpg"));
    assert_eq!((item.image.width, item.image.height), (WIDTH, HEIGHT));
    assert_eq!(
        item.folder,
        "ADE20K_2021_17_01/images/ADE/training/urban/street"
    );
    assert_eq!(item.scene, ["outdoor", "urban", "street"]);
    assert_eq!(item.part_levels, 1);
    let [car, wheel] = item.objects.as_slice() else {
        panic!("two objects expected, got {:?}", item.objects);
    };
    assert_eq!(
        (car.ade_id, car.class, car.parent),
        (ObjectId(0), CAR, None)
    );
    assert_eq!(
        (wheel.class, wheel.part_level, wheel.parent),
        (WHEEL, 1, Some(ObjectId(0)))
    );
    assert_eq!(car.occluded, Occlusion::No);
    assert_eq!(car.polygon, [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]);
}

#[test]
fn masks_decode_lazily_with_visible_and_amodal_pixels() {
    let fixture = Fixture::new();
    fixture.standard_item("training/street", "a");
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let item = dataset.load(0).unwrap();
    let car = item.instance_mask(0).unwrap();
    assert_eq!(car.pixels(), &CAR_MASK);
    assert_eq!(item.binary_mask(0, MaskKind::Visible).unwrap().area(), 2);
    assert_eq!(item.binary_mask(0, MaskKind::Amodal).unwrap().area(), 3);
    // The wheel's mask is binary 0/1: 1 is visible.
    assert_eq!(
        item.instance_mask(1).unwrap().pixels(),
        &[0, 255, 0, 0, 0, 0, 0, 0]
    );

    let objects = item.class_map(0).unwrap();
    assert_eq!(&objects.classes()[..3], &[CAR, CAR, ClassIndex::UNLABELED]);
    assert_eq!(&objects.instances()[..3], &[1, 1, 0]);
    let parts = item.class_map(1).unwrap();
    assert_eq!(
        &parts.classes()[..3],
        &[ClassIndex::UNLABELED, WHEEL, ClassIndex::UNLABELED]
    );
    let beyond = message(item.class_map(2));
    assert!(
        beyond.contains("a_parts_2.png") && beyond.contains("1 part level"),
        "{beyond}"
    );
}

#[test]
fn part_levels_count_consecutive_part_maps() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    let level_three = rgb_png(WIDTH, HEIGHT, &[0; (WIDTH * HEIGHT * 3) as usize]);
    fixture.write("training/a_parts_3.png", &level_three);
    fixture.standard_item("training", "b");
    fixture.write("training/b_parts_2.png", &level_three);
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    assert_eq!(dataset.load(0).unwrap().part_levels, 1);
    assert_eq!(dataset.load(1).unwrap().part_levels, 2);
}

#[test]
fn missing_class_map_and_mask_files_are_named() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let item = dataset.load(0).unwrap();
    std::fs::remove_file(fixture.path("training/a_seg.png")).unwrap();
    std::fs::remove_file(fixture.path("training/a/instance_001_a.png")).unwrap();
    let error = item.class_map(0).unwrap_err();
    assert_eq!(error.path, fixture.path("training/a_seg.png"));
    assert!(matches!(error.problem, ade20k_model::Problem::Io(_)));
    let error = item.instance_mask(1).unwrap_err();
    assert_eq!(error.path, fixture.path("training/a/instance_001_a.png"));
    assert!(error.to_string().contains("No such file"), "{error}");
    // An item without its `_seg.png` does not load.
    let error = dataset.load(0).unwrap_err();
    assert_eq!(error.path, fixture.path("training/a_seg.png"));
    assert!(error.to_string().contains("class map not found"), "{error}");
}

#[test]
fn masks_of_the_wrong_kind_or_size_are_rejected() {
    let fixture = Fixture::new();
    let hidden_everywhere = [128; 8];
    let rgb_mask = rgb_png(WIDTH, HEIGHT, &[255; (WIDTH * HEIGHT * 3) as usize]);
    fixture.item(
        "training",
        "a",
        &standard_annotation("a"),
        &[&hidden_everywhere, &[0; 8]],
    );
    fixture.write("training/a/instance_001_a.png", rgb_mask);
    fixture.write("training/a_seg.png", gray_png(WIDTH, HEIGHT, &[0; 8]));
    fixture.write("training/a_parts_1.png", rgb_png(1, 1, &[0, 0, 0]));
    let item = Ade20k2020Dataset::open(fixture.root())
        .unwrap()
        .load(0)
        .unwrap();
    // Wholly hidden: no visible pixel, every pixel amodal.
    assert!(item.binary_mask(0, MaskKind::Visible).unwrap().is_empty());
    assert_eq!(item.binary_mask(0, MaskKind::Amodal).unwrap().area(), 8);
    let colour = message(item.instance_mask(1));
    assert!(
        colour.contains("instance_001_a.png") && colour.contains("must be grayscale, found RGB"),
        "{colour}"
    );
    let grey = message(item.class_map(0));
    assert!(
        grey.contains("a_seg.png") && grey.contains("class map must be RGB"),
        "{grey}"
    );
    let size = message(item.class_map(1));
    assert!(
        size.contains("a_parts_1.png") && size.contains("is 1×1 pixels but the image"),
        "{size}"
    );

    fixture.write(
        "training/a/instance_001_a.png",
        gray_png(2, 2, &[0, 255, 0, 255]),
    );
    let size = message(item.instance_mask(1));
    assert!(
        size.contains("instance mask is 2×2 pixels") && size.contains("is 4×2"),
        "{size}"
    );
    fixture.write(
        "training/a/instance_001_a.png",
        gray_png(WIDTH, HEIGHT, &[0, 128, 255, 1, 0, 0, 0, 0]),
    );
    let value = message(item.instance_mask(1));
    assert!(
        value.contains("instance_001_a.png") && value.contains("value 1 "),
        "{value}"
    );
}

#[test]
fn oversized_mask_header_is_refused() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    let options = ImportOptions {
        max_pixels: 7,
        ..ImportOptions::default()
    };
    let item = Ade20k2020Dataset::open_with(fixture.root(), &options)
        .unwrap()
        .load(0)
        .unwrap();
    let error = message(item.instance_mask(0));
    assert!(
        error.contains("instance_000_a.png")
            && error.contains("4×2 = 8 pixels, more than the limit of 7"),
        "{error}"
    );
}

#[test]
fn annotations_larger_than_the_limit_are_refused_before_they_are_read() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    fixture.standard_item("training", "b");
    let limit = std::fs::metadata(fixture.path("training/a.json"))
        .unwrap()
        .len();
    let mut padded = standard_annotation("b").to_string();
    padded.push_str(&" ".repeat(limit as usize));
    let large = fixture.write("training/b.json", &padded);
    let options = ImportOptions {
        max_annotation_bytes: limit,
        ..ImportOptions::default()
    };
    let dataset = Ade20k2020Dataset::open_with(fixture.root(), &options).unwrap();
    assert_eq!(dataset.load(0).unwrap().id, "a");
    let error = dataset.load(1).unwrap_err();
    assert_eq!(error.path, large);
    assert_eq!(
        error.problem.to_string(),
        format!(
            "the file is {} bytes, more than the limit of {limit} bytes",
            padded.len()
        )
    );
    assert_eq!(
        Ade20k2020Dataset::open(fixture.root())
            .unwrap()
            .load(1)
            .unwrap()
            .id,
        "b"
    );
}

#[test]
fn broken_items_are_listed_and_fail_to_load_naming_the_file() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "good");
    fixture.write("training/no_json.jpg", jpeg(WIDTH, HEIGHT));
    fixture.write(
        "training/no_photo.json",
        standard_annotation("no_photo").to_string(),
    );
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let ids: Vec<_> = (0..dataset.len())
        .map(|i| dataset.item_id(i).unwrap())
        .collect();
    assert_eq!(ids, ["good", "no_json", "no_photo"]);
    let known: Vec<_> = (0..dataset.len())
        .map(|i| dataset.id_of(i).unwrap())
        .collect();
    assert_eq!(known, ids, "ItemSource::id_of knows broken items' ids too");
    let error = dataset.id_of(3).unwrap_err().to_string();
    assert!(
        error.contains("no item 3: the dataset has 3 items"),
        "{error}"
    );
    let error = dataset.load(1).unwrap_err();
    assert_eq!(error.path, fixture.path("training/no_json.json"));
    assert!(error.to_string().contains("no_json.jpg"), "{error}");
    let error = dataset.load(2).unwrap_err();
    assert_eq!(error.path, fixture.path("training/no_photo.json"));
    assert!(error.to_string().contains("no photo beside"), "{error}");
    let error = dataset.load(3).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no item 3: the dataset has 3 items"),
        "{error}"
    );
}

#[test]
fn broken_annotations_name_the_json_file() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    let json = fixture.path("training/a.json");
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let load_error = |bytes: &[u8]| {
        std::fs::write(&json, bytes).unwrap();
        let error = dataset.load(0).unwrap_err();
        assert_eq!(error.path, json);
        error.to_string()
    };
    assert!(load_error(br#"{"annotation": {"object": ["#).contains("EOF"));
    assert!(load_error(b"[]").contains("top level must be an object"));
    let mut repeated = standard_annotation("a");
    repeated["annotation"]["object"][1]["id"] = json!(0);
    assert!(load_error(repeated.to_string().as_bytes()).contains("object id 0 is used twice"));
}

#[test]
fn latin1_annotation_is_decoded() {
    let fixture = Fixture::new();
    let mut annotation = standard_annotation("a");
    annotation["annotation"]["object"][0]["raw_name"] = json!("caf__");
    fixture.item("training", "a", &annotation, &[&CAR_MASK, &WHEEL_MASK]);
    let text = annotation.to_string().replace("caf__", "caf\u{1}");
    let bytes: Vec<u8> = text
        .bytes()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    fixture.write("training/a.json", bytes);
    let item = Ade20k2020Dataset::open(fixture.root())
        .unwrap()
        .load(0)
        .unwrap();
    assert_eq!(item.objects[0].raw_name, "café");
}

#[test]
fn image_size_comes_from_the_header_when_imsize_is_missing_and_must_agree_with_it() {
    let fixture = Fixture::new();
    let mut annotation = standard_annotation("a");
    annotation["annotation"]
        .as_object_mut()
        .unwrap()
        .remove("imsize");
    fixture.item("training", "a", &annotation, &[&CAR_MASK, &WHEEL_MASK]);
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let item = dataset.load(0).unwrap();
    assert_eq!((item.image.width, item.image.height), (WIDTH, HEIGHT));

    annotation["annotation"]["imsize"] = json!([HEIGHT, WIDTH + 1, 3]);
    fixture.write("training/a.json", annotation.to_string());
    let error = dataset.load(0).unwrap_err();
    assert_eq!(error.path, fixture.path("training/a.jpg"));
    assert!(
        error
            .to_string()
            .contains("image is 4×2 pixels but its annotation's imsize says 5×2"),
        "{error}"
    );
}

#[test]
fn same_stem_twice_fails_open_naming_both_files() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    fixture.write("training/a.png", gray_png(1, 1, &[0]));
    let error = message(Ade20k2020Dataset::open(fixture.root()));
    assert!(
        error.contains("a.jpg") && error.contains("a.png"),
        "{error}"
    );
}

#[test]
fn empty_subset_fails_unless_filtered_out() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    std::fs::create_dir_all(fixture.path("extra/nothing_here")).unwrap();
    let error = Ade20k2020Dataset::open(fixture.root()).unwrap_err();
    assert_eq!(error.path, fixture.path("extra"));
    assert!(error.to_string().contains("subset has no items"));
    let options = ImportOptions {
        subsets: Some(vec!["training".into()]),
        ..ImportOptions::default()
    };
    let dataset = Ade20k2020Dataset::open_with(fixture.root(), &options).unwrap();
    assert_eq!(dataset.subsets(), ["training"]);
    assert_eq!(dataset.layout().subsets, ["extra", "training"]);
    let options = ImportOptions {
        subsets: Some(vec!["test".into()]),
        ..ImportOptions::default()
    };
    let error = message(Ade20k2020Dataset::open_with(fixture.root(), &options));
    assert!(
        error.contains("no subset `test` here; the subsets are: extra, training"),
        "{error}"
    );
}

#[test]
fn dataset_meta_fixes_the_label_order() {
    let fixture = Fixture::new();
    fixture.standard_item("training", "a");
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    assert_eq!(dataset.label_order(), None);
    fixture.write(
        "dataset_meta.json",
        r#"{"label_map": {"1": "person", "0": "car"}}"#,
    );
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    assert_eq!(dataset.label_order().unwrap(), ["car", "person"]);
    assert_eq!(dataset.len(), 1);
    fixture.write("dataset_meta.json", r#"{"label_map": []}"#);
    let error = Ade20k2020Dataset::open(fixture.root()).unwrap_err();
    assert_eq!(error.path, fixture.path("dataset_meta.json"));
}

#[test]
fn items_load_from_any_thread() {
    let fixture = Fixture::new();
    for stem in ["a", "b", "c", "d"] {
        fixture.standard_item("training", stem);
    }
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..dataset.len())
            .map(|index| {
                let dataset = &dataset;
                scope.spawn(move || dataset.load(index).unwrap().instance_mask(0).unwrap())
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap().pixels(), &CAR_MASK);
        }
    });
}

#[test]
fn an_item_loads_alone_from_its_photo() {
    let fixture = Fixture::new();
    fixture.standard_item("training/urban/street", "a");
    let dataset = Ade20k2020Dataset::open(fixture.root()).unwrap();
    let whole = dataset.load(0).unwrap();
    let photo = fixture.path("training/urban/street/a.jpg");
    let alone = Ade20k2020Dataset::load_photo(&photo, &ImportOptions::default()).unwrap();
    assert_eq!((alone.id.as_str(), alone.subset.as_str()), ("a", "street"));
    assert_eq!(alone.image, whole.image);
    assert_eq!(alone.objects, whole.objects);
    assert_eq!(alone.part_levels, whole.part_levels);
    assert_eq!(alone.class_map(0).unwrap(), whole.class_map(0).unwrap());
    for index in 0..alone.objects.len() {
        assert_eq!(
            alone.instance_mask(index).unwrap().pixels(),
            whole.instance_mask(index).unwrap().pixels()
        );
    }
    let missing = fixture.path("training/urban/street/b.jpg");
    let error = Ade20k2020Dataset::load_photo(&missing, &ImportOptions::default()).unwrap_err();
    assert_eq!(error.path, missing);
}
