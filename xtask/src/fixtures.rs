//! The synthetic ADE20K 2020 datasets committed under `tests/assets/`.
//!
//! Every scene is a table of objects: id (the comment; the index, and the id
//! too when the item numbers its objects otherwise), class, raw name, amodal
//! shape and depth rank (1 = front-most among its siblings), then the
//! variants its fields are written with. Coordinates are pixels: `rect` takes
//! left, top, right, bottom (exclusive); `circle`, `ellipse` and `ring` take
//! the centre first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::json;

use crate::broken::{self, Edit};
use crate::classes::{
    ASHCAN, CAR, DOOR, FLOOR, HANDLE, HINGE, PERSON, PLANT_FLORA, PLANT_WORKS, POT, ROAD,
    SIGNBOARD, SKY, TREE, WALL, WHEEL, WINDOW, WINDOWPANE,
};
use crate::files::{self, PathError};
use crate::scene::Shape;
use crate::writer::{
    part, whole, Attributes, Encoding, Item, PolygonStyle, Source, RELEASE_IMAGES_FOLDER,
};

/// A synthetic dataset, written under a folder of `tests/assets` that it owns.
pub struct Fixture {
    /// Folder under `tests/assets`.
    pub folder: &'static str,
    /// Folder holding the subsets, relative to [`Fixture::folder`].
    dataset_root: &'static str,
    items: Vec<Item>,
    /// Files other than items, relative to [`Fixture::folder`], with their bytes.
    other_files: Vec<(&'static str, Vec<u8>)>,
    /// Changes made once the items and other files are written.
    edits: Vec<Edit>,
}

impl Fixture {
    /// Writes the fixture into `assets/<folder>`, which should not exist yet.
    pub fn write(&self, assets: &Path) -> Result<(), PathError> {
        let folder = assets.join(self.folder);
        let dataset_root = folder.join(self.dataset_root);
        for item in &self.items {
            item.write(&dataset_root, Encoding::Fixtures)?;
        }
        for (path, bytes) in &self.other_files {
            files::write(&folder.join(path), bytes)?;
        }
        for edit in &self.edits {
            edit.apply(&folder)?;
        }
        Ok(())
    }
}

/// Every fixture dataset.
pub fn all() -> Vec<Fixture> {
    vec![
        Fixture {
            folder: "ade20k2020",
            dataset_root: "",
            items: vec![
                street("training/urban/street"),
                kitchen(),
                cafe_sign("validation").latin1(),
            ],
            other_files: Vec::new(),
            edits: Vec::new(),
        },
        {
            let items = vec![outdoor_person(), indoor_car()];
            let labels = [
                "automobile",
                "wheel",
                "man",
                "tree",
                "sky",
                "wall",
                "floor",
                "bicycle",
            ];
            Fixture {
                folder: "ade20k2020_meta",
                dataset_root: "",
                items,
                other_files: vec![("dataset_meta.json", dataset_meta(&labels))],
                edits: Vec::new(),
            }
        },
        {
            let items = vec![
                street("training/urban/street").one_line_json(),
                cafe_sign("validation/urban/street").one_line_json(),
            ];
            let objects_txt = objects_txt(&items);
            Fixture {
                folder: "ade20k2020_release",
                dataset_root: RELEASE_IMAGES_FOLDER,
                items,
                other_files: vec![("ADE20K_2021_17_01/objects.txt", objects_txt)],
                edits: Vec::new(),
            }
        },
        Fixture {
            folder: "ade20k2020_binary",
            dataset_root: "",
            items: vec![street_binary()],
            other_files: Vec::new(),
            edits: Vec::new(),
        },
        {
            let (items, edits) = broken::items_and_edits();
            Fixture {
                folder: broken::FOLDER,
                dataset_root: "",
                items,
                other_files: Vec::new(),
                edits,
            }
        },
    ]
}

/// A street: every part level up to 2, occlusion of objects and parts, a
/// tree whose visible region is split in two and has a hole, and a trash can
/// wholly hidden behind the car.
fn street(folder: &str) -> Item {
    Item::new(folder, "ADE_train_00000001", 64, 48)
        .scene_words(&["outdoor", "urban", "street"])
        .source(Source {
            folder: "sun_database/s/street".into(),
            filename: "sun_aabqzkwvlxsmqhcn.jpg".into(),
            origin: String::new(),
        })
        .objects(vec![
            /* 0 */ whole(SKY, "sky", Shape::rect(0, 0, 64, 20), 6),
            /* 1 */ whole(WALL, "wall", Shape::rect(34, 4, 64, 34), 5),
            /* 2 */
            whole(
                CAR,
                "cars",
                Shape::union([Shape::rect(8, 28, 44, 44), Shape::rect(16, 21, 36, 29)]),
                2,
            ),
            /* 3 */ part(2, WHEEL, "wheel", Shape::circle(15.5, 40.0, 3.5), 1),
            /* 4 */ part(2, WHEEL, "wheel", Shape::circle(37.5, 40.0, 3.5), 2),
            /* 5 */ part(2, WINDOW, "window", Shape::rect(18, 22, 34, 28), 3),
            /* 6 */ part(5, WINDOWPANE, "glass", Shape::rect(20, 23, 26, 27), 1),
            /* 7 */ part(5, WINDOWPANE, "windowpane", Shape::rect(27, 23, 33, 27), 2),
            /* 8 */
            whole(
                PERSON,
                "man",
                Shape::union([Shape::circle(40.5, 21.5, 3.0), Shape::rect(36, 25, 45, 46)]),
                1,
            )
            .attributes(Attributes::Single("walking")),
            /* 9 */
            whole(
                TREE,
                "tree",
                Shape::union([
                    Shape::ring(14.0, 12.0, 10.0, 4.0),
                    Shape::rect(12, 20, 16, 48),
                ]),
                3,
            ),
            /* 10 */ whole(ASHCAN, "trash can", Shape::rect(24, 33, 30, 40), 4),
        ])
}

/// A kitchen with the field variants of the format, as real files have
/// them: one-line JSON without spaces; ids that skip numbers (0, 2, 5, …);
/// attributes as a string, a list or `[]`; crop as strings; occluded
/// unknown; `hasparts` as a list or a bare integer; empty, two-point and
/// click-dated polygons, and one with a point beyond the image's right
/// border; depth ranks that skip values; an extra field; and the two
/// classes named "plant". The comments give each object's index, then its id.
fn kitchen() -> Item {
    Item::new("training/home/kitchen", "ADE_train_00000002", 56, 40)
        .scene_words(&["indoor", "home", "kitchen"])
        .crop_as_strings()
        .one_line_json()
        .ids(&[0, 2, 5, 6, 8, 9, 11, 14])
        .objects(vec![
            /* 0, id 0 */
            whole(WALL, "walls", Shape::rect(0, 0, 56, 26), 9)
                .extra_field("annotator", json!("labelme"))
                .polygon(PolygonStyle::OutlineBeyondTheBorder),
            /* 1, id 2 */
            whole(FLOOR, "floor", Shape::rect(0, 26, 56, 40), 12).occlusion_unknown(),
            /* 2, id 5 */
            whole(DOOR, "door", Shape::rect(6, 4, 20, 34), 4)
                .attributes(Attributes::Single("closed"))
                .polygon(PolygonStyle::OutlineWithClickDates),
            /* 3, id 6 */
            whole(
                PLANT_FLORA,
                "plant",
                Shape::union([Shape::circle(22.0, 23.0, 6.0), Shape::rect(19, 28, 26, 36)]),
                1,
            )
            .attributes(Attributes::List(&["green", "potted"]))
            .single_part_as_integer(),
            /* 4, id 8 */
            whole(PLANT_WORKS, "power plant", Shape::rect(36, 6, 50, 16), 7)
                .polygon(PolygonStyle::TwoPoints),
            /* 5, id 9: part of the door */
            part(2, HANDLE, "handle", Shape::rect(16, 17, 19, 21), 1),
            /* 6, id 11: part of the door */
            part(2, HINGE, "hinge", Shape::rect(6, 8, 8, 12), 2)
                .polygon(PolygonStyle::Empty)
                .occlusion_unknown(),
            /* 7, id 14: part of the plant */
            part(3, POT, "pot", Shape::rect(19, 28, 26, 36), 1)
                .attributes(Attributes::List(&["ceramic"])),
        ])
}

/// A shop front with a sign whose raw name and wall's raw name are not ASCII.
fn cafe_sign(folder: &str) -> Item {
    Item::new(folder, "ADE_val_00000001", 48, 40)
        .scene_words(&["outdoor", "urban", "street"])
        .objects(vec![
            /* 0 */ whole(SKY, "sky", Shape::rect(0, 0, 48, 14), 3),
            /* 1 */ whole(WALL, "façade", Shape::rect(0, 14, 48, 40), 2),
            /* 2 */ whole(SIGNBOARD, "café sign", Shape::rect(10, 18, 30, 26), 1),
        ])
}

/// A person in front of a tree, for the fixture with a label map.
fn outdoor_person() -> Item {
    Item::new("training", "ADE_train_00000003", 48, 32)
        .scene_words(&["outdoor", "nature", "park"])
        .objects(vec![
            /* 0 */ whole(SKY, "sky", Shape::rect(0, 0, 48, 16), 3),
            /* 1 */ whole(TREE, "tree", Shape::ellipse(12.0, 16.0, 8.0, 10.0), 2),
            /* 2 */
            whole(
                PERSON,
                "man",
                Shape::union([Shape::circle(32.0, 12.0, 3.0), Shape::rect(29, 15, 36, 30)]),
                1,
            ),
        ])
}

/// A car with two wheels in a room, for the fixture with a label map.
fn indoor_car() -> Item {
    Item::new("training", "ADE_train_00000004", 40, 40)
        .scene_words(&["indoor", "garage"])
        .objects(vec![
            /* 0 */ whole(WALL, "wall", Shape::rect(0, 0, 40, 24), 3),
            /* 1 */ whole(FLOOR, "floor", Shape::rect(0, 24, 40, 40), 4),
            /* 2 */ whole(CAR, "automobile", Shape::rect(4, 20, 36, 34), 1),
            /* 3 */ part(2, WHEEL, "wheel", Shape::circle(11.0, 31.0, 3.0), 1),
            /* 4 */ part(2, WHEEL, "wheel", Shape::circle(29.0, 31.0, 3.0), 2),
        ])
}

/// A person in front of a car, with binary 0/1 instance masks.
fn street_binary() -> Item {
    Item::new("training/street", "ADE_train_00000005", 40, 32)
        .scene_words(&["outdoor", "urban", "street"])
        .binary_masks()
        .objects(vec![
            /* 0 */ whole(ROAD, "road", Shape::rect(0, 20, 40, 32), 3),
            /* 1 */ whole(CAR, "car", Shape::rect(6, 14, 30, 28), 2),
            /* 2 */ part(1, WHEEL, "wheel", Shape::circle(11.0, 25.0, 3.0), 1),
            /* 3 */ part(1, WHEEL, "wheel", Shape::circle(25.0, 25.0, 3.0), 2),
            /* 4 */
            whole(
                PERSON,
                "person",
                Shape::union([Shape::circle(28.0, 8.0, 3.0), Shape::rect(25, 11, 32, 30)]),
                1,
            ),
        ])
}

/// Datumaro's meta file: `{"label_map": {"0": label, ...}}` in the given order.
fn dataset_meta(labels: &[&str]) -> Vec<u8> {
    let entries: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(index, label)| format!("    \"{index}\": {}", json!(label)))
        .collect();
    format!(
        "{{\n  \"label_map\": {{\n{}\n  }}\n}}\n",
        entries.join(",\n")
    )
    .into_bytes()
}

/// A stand-in for the release's `objects.txt`: one tab-separated row per
/// class of `items`, with how many whole objects and parts of it there are
/// and in how many images it appears.
fn objects_txt(items: &[Item]) -> Vec<u8> {
    #[derive(Default)]
    struct Counts {
        name: &'static str,
        objects: usize,
        parts: usize,
        images: BTreeSet<usize>,
    }
    let mut classes: BTreeMap<u32, Counts> = BTreeMap::new();
    for (image, item) in items.iter().enumerate() {
        for object in &item.objects {
            let counts = classes.entry(object.class.name_ndx).or_default();
            counts.name = object.class.name;
            match object.placement.parent {
                None => counts.objects += 1,
                Some(_) => counts.parts += 1,
            }
            counts.images.insert(image);
        }
    }
    let mut text = String::from("name_ndx\tname\tobjects\tparts\timages\n");
    for (name_ndx, counts) in classes {
        text += &format!(
            "{name_ndx}\t{}\t{}\t{}\t{}\n",
            counts.name,
            counts.objects,
            counts.parts,
            counts.images.len()
        );
    }
    text.into_bytes()
}
