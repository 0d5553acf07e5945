//! `ade20k preview`: masks drawn over the image, checked pixel by pixel.

use std::path::Path;

use ade20k_import::Ade20k2020Dataset;
use ade20k_model::{ItemSource, MaskKind, ObjectId};
use ade20k_test_support::{arg, fixture, text, Binary};

/// The binary under test.
const ADE20K: Binary = Binary::new(env!("CARGO_BIN_EXE_ade20k"));

const STREET: &str = "urban/street/ADE_train_00000001";

/// The preview palette's colours 1 and 2 (the second and third drawn),
/// as the unit tests of the palette pin them.
const PALETTE_1: [u8; 3] = [45, 84, 179];
const PALETTE_2: [u8; 3] = [167, 242, 61];

fn rgb(path: &Path) -> image::RgbImage {
    image::open(path).unwrap().to_rgb8()
}

/// The visible mask of the street's object `ade_id`, as a pixel test.
fn visible(ade_id: u32) -> impl Fn(u32, u32) -> bool {
    let dataset = Ade20k2020Dataset::open(fixture("ade20k2020")).unwrap();
    let index = (0..dataset.len())
        .find(|&i| dataset.item_id(i) == Some(STREET))
        .unwrap();
    let item = dataset.load(index).unwrap();
    let mask = item
        .binary_mask(
            item.object_index(ObjectId(ade_id)).unwrap(),
            MaskKind::Visible,
        )
        .unwrap();
    move |x, y| mask.get(x, y)
}

#[test]
fn the_car_is_blended_with_its_class_colour_and_outlined() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("street.png");
    let dataset = fixture("ade20k2020");
    let run = ADE20K.run(&["preview", arg(&dataset), STREET, "-o", arg(&out)]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(
        text(&run.stdout),
        format!(
            "wrote {}: 6 shapes of training {STREET} (level 0)\n",
            out.display()
        )
    );
    let preview = rgb(&out);
    let photo = rgb(&dataset.join(format!("training/{STREET}.jpg")));
    assert_eq!(preview.dimensions(), photo.dimensions());
    // The car (object 2) is the third class drawn, after sky and wall.
    let car = visible(2);
    let color = PALETTE_2;
    let inside = |x: u32, y: u32| {
        car(x, y) && car(x - 1, y) && car(x + 1, y) && car(x, y - 1) && car(x, y + 1)
    };
    // Bottom rows, below the labels drawn around the middle of the car.
    let (x, y) = (20, 41);
    assert!(inside(x, y));
    let photo_pixel = photo.get_pixel(x, y).0;
    let blended: [u8; 3] =
        [0, 1, 2].map(|c| ((u16::from(photo_pixel[c]) + u16::from(color[c])) / 2) as u8);
    assert_eq!(preview.get_pixel(x, y).0, blended);
    // Its border pixels in the bottom rows are the colour itself.
    let border: Vec<(u32, u32)> = (40..48)
        .flat_map(|y| (1..63).map(move |x| (x, y)))
        .filter(|&(x, y)| car(x, y) && !inside(x, y))
        .collect();
    assert!(!border.is_empty());
    for (x, y) in border {
        assert_eq!(preview.get_pixel(x, y).0, color, "({x}, {y})");
    }
}

#[test]
fn the_coco_annotations_of_the_item_draw_the_same_picture() {
    let root = tempfile::tempdir().unwrap();
    let dataset = fixture("ade20k2020");
    let own = root.path().join("own.png");
    let run = ADE20K.run(&["preview", arg(&dataset), STREET, "-o", arg(&own)]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    for segmentation in ["rle", "polygon"] {
        let coco = root.path().join(segmentation);
        let run = ADE20K.convert(
            &dataset,
            "coco",
            &coco,
            &["--segmentation", segmentation, "--quiet"],
        );
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        let drawn = root.path().join(format!("{segmentation}.png"));
        let annotations = coco.join("annotations/instances_training.json");
        let run = ADE20K.run(&[
            "preview",
            arg(&dataset),
            STREET,
            "-o",
            arg(&drawn),
            "--coco",
            arg(&annotations),
        ]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        assert!(
            rgb(&own) == rgb(&drawn),
            "{segmentation}: the COCO masks differ from the item's"
        );
    }
}

#[test]
fn instances_and_parts_get_colours_of_their_own() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("parts.png");
    let dataset = fixture("ade20k2020");
    let run = ADE20K.run(&[
        "preview",
        arg(&dataset),
        &format!("training/{STREET}"),
        "-o",
        arg(&out),
        "--instances",
        "--level",
        "1",
        "--no-labels",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("3 shapes"));
    // The parts of level 1 are wheel (3), wheel (4) and window (5), in that
    // order; the second wheel's border pixels have the second colour.
    let wheel = visible(4);
    let preview = rgb(&out);
    let border: Vec<(u32, u32)> = (0..47)
        .flat_map(|y| (0..64).map(move |x| (x, y)))
        .filter(|&(x, y)| wheel(x, y) && !wheel(x, y + 1))
        .collect();
    assert!(!border.is_empty());
    for (x, y) in border {
        assert_eq!(preview.get_pixel(x, y).0, PALETTE_1, "({x}, {y})");
    }
}

#[test]
fn wrong_requests_are_refused_with_a_reason() {
    let root = tempfile::tempdir().unwrap();
    let dataset = fixture("ade20k2020");
    let out = root.path().join("p.png");
    let unknown = ADE20K.run(&[
        "preview",
        arg(&dataset),
        "ADE_train_00000001",
        "-o",
        arg(&out),
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains(
        "no item `ADE_train_00000001` in the dataset; ids look like `home/kitchen/ADE_train_00000002`"
    ));
    let inside = dataset.join("training/p.png");
    let run = ADE20K.run(&["preview", arg(&dataset), STREET, "-o", arg(&inside)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(!inside.exists());
    let not_coco = root.path().join("other.json");
    std::fs::write(
        &not_coco,
        r#"{"images": [], "annotations": [], "categories": []}"#,
    )
    .unwrap();
    let run = ADE20K.run(&[
        "preview",
        arg(&dataset),
        STREET,
        "-o",
        arg(&out),
        "--coco",
        arg(&not_coco),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains(&format!(
        "{}: no image with file_name `{STREET}.jpg`",
        not_coco.display()
    )));
    assert!(!out.exists());
}
