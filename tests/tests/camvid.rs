//! End-to-end tests of the CamVid exporter on the fixtures.

use std::collections::BTreeSet;
use std::fs;

use ade20k_export::{
    export, find_format, ExportError, ExportOptions, LabelList, LabelSelection, MediaMode,
};
use ade20k_test_support::images::read_png;
use ade20k_test_support::synthetic::items;
use ade20k_tests::{
    assert_image_placed, assert_output_independent_of_threads, convert, file_contents,
    ids_by_class, label_colors, open, options, snapshots_of_every_fixture, FIXTURES,
};

snapshots_of_every_fixture!("camvid", options());

#[test]
fn masks_are_the_class_map_in_the_label_colours() {
    for name in FIXTURES {
        let dataset = open(name);
        let (_root, out, summary) = convert(&dataset, "camvid", &options());
        let ids = ids_by_class(&dataset);
        let colors: Vec<[u32; 3]> = label_colors(&out).into_iter().map(|(rgb, _)| rgb).collect();
        assert_eq!(colors.len(), ids.len() + 1);
        assert_eq!(colors[0], [0, 0, 0], "unlabeled is black");
        let distinct: BTreeSet<[u32; 3]> = colors.iter().copied().collect();
        assert_eq!(distinct.len(), colors.len(), "one colour per label");
        assert_eq!(summary.categories, ids.len());
        for item in items(&dataset) {
            let name = item.id.replace('/', "_");
            let mask = read_png(&out.join(format!("{}annot/{name}.png", item.subset)));
            assert_eq!(mask.color_type, png::ColorType::Rgb);
            let expected: Vec<u32> = item
                .class_map(0)
                .unwrap()
                .classes()
                .iter()
                .flat_map(|class| colors[ids.get(class).copied().unwrap_or(0) as usize])
                .collect();
            assert_eq!(mask.samples, expected, "{name} {}", item.id);
        }
    }
}

#[test]
fn subset_lists_pair_each_photo_with_its_mask_in_item_order() {
    let (_root, out, _) = convert(&open("ade20k2020"), "camvid", &options());
    assert_eq!(
        fs::read_to_string(out.join("training.txt")).unwrap(),
        "/training/home_kitchen_ADE_train_00000002.jpg /trainingannot/home_kitchen_ADE_train_00000002.png\n\
         /training/urban_street_ADE_train_00000001.jpg /trainingannot/urban_street_ADE_train_00000001.png\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("validation.txt")).unwrap(),
        "/validation/ADE_val_00000001.jpg /validationannot/ADE_val_00000001.png\n"
    );
}

#[test]
fn images_go_to_the_subset_folder_under_their_flat_names() {
    let dataset = open("ade20k2020");
    let copy = ExportOptions {
        media: MediaMode::Copy,
        ..options()
    };
    let (_root, out, _) = convert(&dataset, "camvid", &copy);
    for item in items(&dataset) {
        let placed = out
            .join(&item.subset)
            .join(format!("{}.jpg", item.id.replace('/', "_")));
        assert_image_placed(&placed, &item);
    }
}

#[test]
fn labels_of_one_colour_are_refused() {
    let dataset = open("ade20k2020");
    let root = tempfile::tempdir().unwrap();
    let format = find_format("camvid").unwrap();
    let mut list = LabelList::parse("sky\ncar\n").unwrap();
    list.labels[0].color = Some([10, 20, 30]);
    list.labels[1].color = Some([10, 20, 30]);
    let options = ExportOptions {
        labels: LabelSelection::List(list),
        ..options()
    };
    let out = root.path().join("out");
    let message = match export(&dataset, format, &out, &options, false) {
        Err(ExportError::Usage(message)) => message,
        other => panic!("expected a usage error, got {other:?}"),
    };
    assert_eq!(
        message,
        "camvid masks tell labels apart by colour only, but `sky` and `car` share the colour \
         10 20 30 (black is `unlabeled`); give them colours of their own in the --labels FILE"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn output_does_not_depend_on_threads() {
    let dataset = open("ade20k2020");
    assert_output_independent_of_threads(&dataset, "camvid", &options(), &[1, 3], file_contents);
}
