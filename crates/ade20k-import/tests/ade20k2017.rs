//! Reading ADE20K 2017 datasets (`<name>_atr.txt`, instances in the B channel
//! of the class maps) and telling them from ADE20K 2020 ones.

use ade20k_import::{
    detect, detect_format, open, Ade20k2017Dataset, Ade20k2020Dataset, ImportOptions, InputFormat,
};
use ade20k_model::{
    ClassIndex, InstanceMask, Item, ItemSource, MaskKind, ObjectId, Occlusion, Problem,
};
use ade20k_test_support::images::{jpeg, rgb_png};
use ade20k_test_support::{message, Fixture};

/// Width of every photo and class map here.
const W: u32 = 4;
/// Height of every photo and class map here.
const H: u32 = 3;

const CAR: ClassIndex = ClassIndex(401);
const PERSON: ClassIndex = ClassIndex(1831);
const WALL: ClassIndex = ClassIndex(2978);
const WHEEL: ClassIndex = ClassIndex(3000);
const HEAD: ClassIndex = ClassIndex(1200);
const SKY: ClassIndex = ClassIndex(2);
const PLATE: ClassIndex = ClassIndex(1400);
const RIM: ClassIndex = ClassIndex(2000);

/// One class map pixel: class index and instance code (B).
type Pixel = (ClassIndex, u8);
const NONE: Pixel = (ClassIndex::UNLABELED, 0);

/// An RGB class map PNG of `W`×`H` `pixels`: R = class / 256 * 10 + 3 (the
/// decoder's division by 10 drops the 3), G = class % 256, B = the code.
fn class_map(pixels: &[Pixel]) -> Vec<u8> {
    assert_eq!(pixels.len(), (W * H) as usize);
    let rgb: Vec<u8> = pixels
        .iter()
        .flat_map(|&(ClassIndex(class), code)| {
            let red = if class == 0 { 0 } else { class / 256 * 10 + 3 };
            [red as u8, (class % 256) as u8, code]
        })
        .collect();
    rgb_png(W, H, &rgb)
}

/// Writes the item `<folder>/<stem>`: a JPEG photo, `atr` as its
/// `_atr.txt`, and one class map per entry of `levels` (`_seg.png` first).
fn write_item(fixture: &Fixture, folder: &str, stem: &str, atr: &[u8], levels: &[&[Pixel]]) {
    fixture.write(&format!("{folder}/{stem}.jpg"), jpeg(W, H));
    fixture.write(&format!("{folder}/{stem}_atr.txt"), atr);
    for (level, pixels) in levels.iter().enumerate() {
        let name = match level {
            0 => format!("{folder}/{stem}_seg.png"),
            n => format!("{folder}/{stem}_parts_{n}.png"),
        };
        fixture.write(&name, class_map(pixels));
    }
}

/// `street/1`: a car (B 30, listed first but instance 2), an occluded person
/// (B 10), a wall (B 90, raw name in Windows-1252) and, at level 1, a wheel
/// of the car (B 5) and a head of the person (B 6).
#[rustfmt::skip]
const STREET_SEG: [Pixel; 12] = [
    (CAR, 30), (CAR, 30), (PERSON, 10), NONE,
    (CAR, 30), (CAR, 30), (PERSON, 10), (WALL, 90),
    (WALL, 90), (WALL, 90), (WALL, 90), (WALL, 90),
];
#[rustfmt::skip]
const STREET_PARTS: [Pixel; 12] = [
    NONE, NONE, (HEAD, 6), NONE,
    (WHEEL, 5), NONE, NONE, NONE,
    NONE, NONE, NONE, NONE,
];
const STREET_ATR: &[u8] = b"002 # 0 # 0 # car, auto, automobile, machine, motorcar # car # \"\"\r\n\
    001 # 0 # 1 # person, individual, someone, somebody, mortal, soul # person # \"walking, talking\"\r\n\
    001 # 1 # 0 # wheel # wheel # \"\"\r\n\
    \r\n\
    002 # 1 # 0 # head # head # \"\"\r\n\
    003 # 0 # 0 # wall # caf\xE9 wall # \"\"\r\n";

/// Datumaro's test asset `ade20k_dataset/validation/2_atr.txt`, verbatim,
/// with class maps giving the masks Datumaro's test expects of it.
const DATUMARO_ATR: &str = "001 # 0 # 0 # sky # sky # \"\"\n\
    002 # 0 # 0 # person, individual, someone, somebody, mortal, soul # person # \"\"\n\
    001 # 1 # 0 # license plate # license plate # \"\"\n\
    001 # 2 # 0 # rim # rim # \"\"\n";
#[rustfmt::skip]
const DATUMARO_SEG: [Pixel; 12] = [
    NONE, (SKY, 7), (PERSON, 200), (SKY, 7),
    NONE, (SKY, 7), (PERSON, 200), (SKY, 7),
    NONE, (SKY, 7), (PERSON, 200), (SKY, 7),
];
#[rustfmt::skip]
const DATUMARO_PARTS_1: [Pixel; 12] = [
    NONE, (PLATE, 40), NONE, (PLATE, 40),
    NONE, (PLATE, 40), NONE, (PLATE, 40),
    NONE, (PLATE, 40), NONE, (PLATE, 40),
];
#[rustfmt::skip]
const DATUMARO_PARTS_2: [Pixel; 12] = [
    NONE, (RIM, 9), NONE, NONE,
    NONE, (RIM, 9), NONE, NONE,
    NONE, (RIM, 9), NONE, NONE,
];

/// A 2017 dataset with `training/street/1` and Datumaro's `validation/2`.
fn dataset_2017(fixture: &Fixture, root: &str) {
    write_item(
        fixture,
        &format!("{root}training/street"),
        "1",
        STREET_ATR,
        &[&STREET_SEG, &STREET_PARTS],
    );
    write_item(
        fixture,
        &format!("{root}validation"),
        "2",
        DATUMARO_ATR.as_bytes(),
        &[&DATUMARO_SEG, &DATUMARO_PARTS_1, &DATUMARO_PARTS_2],
    );
}

/// The instance mask with 255 where `pixels` has code `code`.
fn region(pixels: &[Pixel], code: u8) -> Vec<u8> {
    pixels
        .iter()
        .map(|&(_, b)| if b == code { 255 } else { 0 })
        .collect()
}

fn load(fixture: &Fixture, index: usize) -> Item {
    Ade20k2017Dataset::open(fixture.root())
        .unwrap()
        .load(index)
        .unwrap()
}

#[test]
fn every_field_is_read() {
    let fixture = Fixture::new();
    dataset_2017(&fixture, "");
    let dataset = Ade20k2017Dataset::open(fixture.root()).unwrap();
    assert_eq!(dataset.subsets(), ["training", "validation"]);
    assert_eq!(dataset.layout().subset_root, fixture.root());
    assert_eq!(
        (dataset.item_id(0), dataset.item_id(1)),
        (Some("street/1"), Some("2"))
    );
    assert_eq!(dataset.subset_of(1), "validation");
    let item = dataset.load(0).unwrap();
    assert_eq!(
        (item.id.as_str(), item.subset.as_str()),
        ("street/1", "training")
    );
    assert_eq!(item.image.path, fixture.path("training/street/1.jpg"));
    assert_eq!((item.image.width, item.image.height), (W, H));
    assert_eq!(item.part_levels, 1);
    assert!(item.folder.is_empty() && item.scene.is_empty());
    let summary: Vec<_> = item
        .objects
        .iter()
        .map(|o| {
            (
                o.ade_id.0,
                o.class,
                o.part_level,
                o.parent.map(|parent| parent.0),
                o.children.iter().map(|child| child.0).collect::<Vec<_>>(),
                o.occluded,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (0, CAR, 0, None, vec![2], Occlusion::No),
            (1, PERSON, 0, None, vec![3], Occlusion::Yes),
            (2, WHEEL, 1, Some(0), vec![], Occlusion::No),
            (3, HEAD, 1, Some(1), vec![], Occlusion::No),
            (4, WALL, 0, None, vec![], Occlusion::No),
        ]
    );
    let person = &item.objects[1];
    assert_eq!(
        person.name,
        "person, individual, someone, somebody, mortal, soul"
    );
    assert_eq!(person.raw_name, "person");
    assert_eq!(person.attributes, ["walking", "talking"]);
    assert_eq!(item.objects[4].raw_name, "café wall");
    for object in &item.objects {
        assert!(!object.crop && object.depth_rank.is_none());
        assert!(object.hypernym.is_empty() && object.polygon.is_empty());
        assert!(object.instance_mask.is_empty() && object.saved_date.is_empty());
    }
}

#[test]
fn instance_masks_are_the_b_regions_of_each_level() {
    let fixture = Fixture::new();
    dataset_2017(&fixture, "");
    let item = load(&fixture, 0);
    let expected = [
        region(&STREET_SEG, 30),
        region(&STREET_SEG, 10),
        region(&STREET_PARTS, 5),
        region(&STREET_PARTS, 6),
        region(&STREET_SEG, 90),
    ];
    for (index, pixels) in expected.iter().enumerate() {
        let mask = item.instance_mask(index).unwrap();
        assert_eq!((mask.width(), mask.height()), (W, H));
        assert_eq!(mask.pixels(), pixels, "object {index}");
        assert!(!mask.pixels().contains(&InstanceMask::HIDDEN));
        assert_eq!(
            item.binary_mask(index, MaskKind::Visible).unwrap(),
            item.binary_mask(index, MaskKind::Amodal).unwrap()
        );
    }
    let objects = item.class_map(0).unwrap();
    assert_eq!(
        &objects.classes()[..4],
        &[CAR, CAR, PERSON, ClassIndex::UNLABELED]
    );
    assert_eq!(&objects.instances()[..4], &[30, 30, 10, 0]);
    assert_eq!(item.class_map(1).unwrap().classes()[4], WHEEL);
    let beyond = item.class_map(2).unwrap_err();
    assert_eq!(beyond.path, fixture.path("training/street/1_parts_2.png"));
    assert!(beyond.to_string().contains("1 part level"), "{beyond}");
}

#[test]
fn the_datumaro_asset_gives_the_masks_datumaro_expects() {
    let fixture = Fixture::new();
    dataset_2017(&fixture, "");
    let item = load(&fixture, 1);
    assert_eq!(item.part_levels, 2);
    let names: Vec<_> = item.objects.iter().map(|o| o.raw_name.as_str()).collect();
    assert_eq!(names, ["sky", "person", "license plate", "rim"]);
    let classes: Vec<_> = item.objects.iter().map(|o| o.class).collect();
    assert_eq!(classes, [SKY, PERSON, PLATE, RIM]);
    // Datumaro's expected masks, one row repeated three times.
    let rows: [[u8; 4]; 4] = [[0, 1, 0, 1], [0, 0, 1, 0], [0, 1, 0, 1], [0, 1, 0, 0]];
    for (index, row) in rows.iter().enumerate() {
        let expected: Vec<u8> = row.repeat(3).iter().map(|&v| v * 255).collect();
        assert_eq!(item.instance_mask(index).unwrap().pixels(), expected);
    }
    let parents: Vec<_> = item.objects.iter().map(|o| o.parent).collect();
    assert_eq!(
        parents,
        [None, None, Some(0), Some(2)].map(|id| id.map(ObjectId))
    );
}

#[test]
fn detection_tells_the_two_formats_apart() {
    let fixture_2017 = Fixture::new();
    dataset_2017(&fixture_2017, "");
    let (format, layout) = detect_format(fixture_2017.root()).unwrap();
    assert_eq!(format, InputFormat::Ade20k2017);
    assert_eq!(layout.subsets, ["training", "validation"]);
    let fixture_2020 = Fixture::new();
    fixture_2020.standard_item("training/street", "a");
    let (format, layout) = detect_format(fixture_2020.root()).unwrap();
    assert_eq!(format, InputFormat::Ade20k2020);
    assert_eq!(layout.subset_root, fixture_2020.root());

    // Each format's own opener refuses the other.
    let error = message(detect(fixture_2017.root()));
    assert!(error.contains("<name>.jpg + <name>.json items"), "{error}");
    assert!(Ade20k2020Dataset::open(fixture_2017.root()).is_err());
    let error = message(Ade20k2017Dataset::open(fixture_2020.root()));
    assert!(
        error.contains("<name>.jpg + <name>_atr.txt items"),
        "{error}"
    );

    // open reads either.
    let options = ImportOptions::default();
    let any_2017 = open(fixture_2017.root(), &options).unwrap();
    assert_eq!(any_2017.load(0).unwrap().objects[0].class, CAR);
    let any_2020 = open(fixture_2020.root(), &options).unwrap();
    assert_eq!(
        any_2020.load(0).unwrap().objects[0].class,
        ade20k_test_support::CAR
    );
    let chosen = InputFormat::Ade20k2017
        .open(fixture_2017.root(), &options)
        .unwrap();
    assert_eq!(chosen.len(), 2);

    // A folder that is neither says what it looked for, or names the first
    // annotation beside a photo and why it is none.
    let empty = Fixture::new();
    empty.write("train/a.jpg", jpeg(W, H));
    let error = message(detect_format(empty.root()));
    assert!(
        error.contains("<name>.jpg + <name>.json or <name>_atr.txt items"),
        "{error}"
    );
    let atr = empty.write("train/a_atr.txt", "index\tname\n");
    let error = detect_format(empty.root()).unwrap_err();
    assert_eq!(error.path, atr);
    let text = error.problem.to_string();
    assert!(
        text.starts_with("line 1: has 1 column(s) where 6 are expected")
            && text.contains("no ADE20K item was found under"),
        "{text}"
    );
}

#[test]
fn subsets_of_both_formats_are_an_error_unless_one_is_chosen() {
    let fixture = Fixture::new();
    fixture.standard_item("new", "a");
    write_item(
        &fixture,
        "old",
        "b",
        STREET_ATR,
        &[&STREET_SEG, &STREET_PARTS],
    );
    let error = detect_format(fixture.root()).unwrap_err();
    assert_eq!(error.path, fixture.root());
    let text = error.to_string();
    assert!(
        text.contains("ade20k2020 items (in `new`) and ade20k2017 items (in `old`)"),
        "{text}"
    );
    let options = ImportOptions {
        subsets: Some(vec!["old".into()]),
        ..ImportOptions::default()
    };
    let dataset = Ade20k2017Dataset::open_with(fixture.root(), &options).unwrap();
    assert_eq!(dataset.load(0).unwrap().objects.len(), 5);
}

#[test]
fn the_release_root_and_its_images_folder_are_found() {
    let fixture = Fixture::new();
    fixture.write("ADE20K_2016_07_26/index_ade20k.mat", b"MATLAB 5.0");
    dataset_2017(&fixture, "ADE20K_2016_07_26/images/");
    let subset_root = fixture.path("ADE20K_2016_07_26/images");
    for entry in ["ADE20K_2016_07_26", "ADE20K_2016_07_26/images"] {
        let (format, layout) = detect_format(&fixture.path(entry)).unwrap();
        assert_eq!(format, InputFormat::Ade20k2017);
        assert_eq!(layout.subset_root, subset_root, "from {entry}");
    }
}

#[test]
fn annotation_errors_name_the_atr_file_and_line() {
    let fixture = Fixture::new();
    dataset_2017(&fixture, "");
    let atr = fixture.path("training/street/1_atr.txt");
    let dataset = Ade20k2017Dataset::open(fixture.root()).unwrap();
    let load_error = |text: &str| {
        std::fs::write(&atr, text).unwrap();
        let error = dataset.load(0).unwrap_err();
        assert_eq!(error.path, atr, "{error}");
        error.to_string()
    };
    let cases = [
        (
            "001 # 0 # 0 # car # car # \"\"\n001 # 0 # 0 # car\n",
            "line 2: has 4 column(s)",
        ),
        (
            "one # 0 # 0 # car # car # \"\"",
            "line 1: instance column `one`",
        ),
        (
            "1 # zero # 0 # car # car # \"\"",
            "part level column `zero`",
        ),
        (
            "1 # 0 # maybe # car # car # \"\"",
            "occluded column `maybe`",
        ),
        (
            "4 # 0 # 0 # car # car # \"\"",
            "instance 4 of part level 0, but 1_seg.png has 3 instance region(s)",
        ),
        (
            "1 # 2 # 0 # rim # rim # \"\"",
            "part level 2, but there is no 1_parts_2.png",
        ),
        (
            "1 # 0 # 0 # a # a # \"\"\n\n001 # 0 # 0 # b # b # \"\"",
            "line 3: instance 1 of part level 0 is annotated twice (line 1 too)",
        ),
    ];
    for (text, expected) in cases {
        let error = load_error(text);
        assert!(error.contains(expected), "{text:?}: {error}");
    }
    // A B region whose pixels are all unlabeled has no class.
    let mut seg = STREET_SEG;
    seg[3] = (ClassIndex::UNLABELED, 120);
    fixture.write("training/street/1_seg.png", class_map(&seg));
    let error = load_error("4 # 0 # 0 # thing # thing # \"\"");
    assert!(
        error.contains("has class 0 (unlabeled) everywhere"),
        "{error}"
    );
}

#[test]
fn pixel_errors_name_the_class_map_or_photo() {
    let fixture = Fixture::new();
    dataset_2017(&fixture, "");
    let dataset = Ade20k2017Dataset::open(fixture.root()).unwrap();
    let seg = fixture.path("training/street/1_seg.png");
    let parts = fixture.path("training/street/1_parts_1.png");

    std::fs::write(&parts, rgb_png(1, 1, &[0, 0, 0])).unwrap();
    let error = dataset.load(0).unwrap_err();
    assert_eq!(error.path, parts);
    assert!(
        error.to_string().contains("class map is 1×1 pixels"),
        "{error}"
    );

    std::fs::write(&seg, rgb_png(5, 3, &[0; 45])).unwrap();
    let error = dataset.load(0).unwrap_err();
    assert_eq!(error.path, fixture.path("training/street/1.jpg"));
    assert!(
        error
            .to_string()
            .contains("image is 4×3 pixels but its class map 1_seg.png says 5×3"),
        "{error}"
    );

    std::fs::write(&seg, b"not a png").unwrap();
    let error = dataset.load(0).unwrap_err();
    assert_eq!(error.path, seg);
    assert!(matches!(error.problem, Problem::Image(_)));

    std::fs::remove_file(&seg).unwrap();
    let error = dataset.load(0).unwrap_err();
    assert_eq!(error.path, seg);
    assert!(matches!(error.problem, Problem::Io(_)));

    let options = ImportOptions {
        max_pixels: 11,
        ..ImportOptions::default()
    };
    let limited = Ade20k2017Dataset::open_with(fixture.root(), &options).unwrap();
    let error = limited.load(1).unwrap_err();
    assert_eq!(error.path, fixture.path("validation/2_seg.png"));
    assert!(
        error.to_string().contains("more than the limit of 11"),
        "{error}"
    );
}

#[test]
fn broken_items_are_listed_and_fail_to_load_naming_the_file() {
    let fixture = Fixture::new();
    dataset_2017(&fixture, "");
    fixture.write("training/no_atr.jpg", jpeg(W, H));
    fixture.write("training/no_photo_atr.txt", DATUMARO_ATR);
    let dataset = Ade20k2017Dataset::open(fixture.root()).unwrap();
    let ids: Vec<_> = (0..dataset.len())
        .map(|i| dataset.item_id(i).unwrap())
        .collect();
    assert_eq!(ids, ["no_atr", "no_photo", "street/1", "2"]);
    let known: Vec<_> = (0..dataset.len())
        .map(|i| dataset.id_of(i).unwrap())
        .collect();
    assert_eq!(known, ids, "ItemSource::id_of knows broken items' ids too");
    let error = dataset.id_of(4).unwrap_err().to_string();
    assert!(
        error.contains("no item 4: the dataset has 4 items"),
        "{error}"
    );
    let error = dataset.load(0).unwrap_err();
    assert_eq!(error.path, fixture.path("training/no_atr_atr.txt"));
    assert!(error.to_string().contains("no_atr.jpg"), "{error}");
    let error = dataset.load(1).unwrap_err();
    assert_eq!(error.path, fixture.path("training/no_photo_atr.txt"));
    assert!(error.to_string().contains("no photo beside"), "{error}");
    let error = message(dataset.load(4));
    assert!(
        error.contains("no item 4: the dataset has 4 items"),
        "{error}"
    );
}

#[test]
fn damaged_annotations_never_panic() {
    let fixture = Fixture::new();
    dataset_2017(&fixture, "");
    let atr = fixture.path("training/street/1_atr.txt");
    let dataset = Ade20k2017Dataset::open(fixture.root()).unwrap();
    for end in 0..STREET_ATR.len() {
        std::fs::write(&atr, &STREET_ATR[..end]).unwrap();
        if let Err(error) = dataset.load(0) {
            assert_eq!(error.path, atr);
        }
    }
    for position in 0..STREET_ATR.len() {
        let mut damaged = STREET_ATR.to_vec();
        damaged[position] = damaged[position].wrapping_add(17);
        std::fs::write(&atr, &damaged).unwrap();
        if let Err(error) = dataset.load(0) {
            assert_eq!(error.path, atr);
        }
    }
}
