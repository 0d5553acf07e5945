//! Tiny ADE20K 2020 datasets written into temporary folders, for cases the
//! committed fixtures do not have.

use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::ClassIndex;
use serde_json::{json, Value};

use crate::images::{gray_png, jpeg, rgb_png};

/// Width of the photos of [`Fixture::standard_item`].
pub const WIDTH: u32 = 4;
/// Height of the photos of [`Fixture::standard_item`].
pub const HEIGHT: u32 = 2;

/// Class of the car of [`Fixture::standard_item`]: R = 10, G = 145.
pub const CAR: ClassIndex = ClassIndex(401);
/// Class of the wheel of [`Fixture::standard_item`]: R = 110, G = 184.
pub const WHEEL: ClassIndex = ClassIndex(3000);

/// Instance mask of the car: visible, visible, hidden, absent on the first row.
pub const CAR_MASK: [u8; 8] = [255, 255, 128, 0, 0, 0, 0, 0];
/// Instance mask of the wheel, as a binary 0/1 mask.
pub const WHEEL_MASK: [u8; 8] = [0, 1, 0, 0, 0, 0, 0, 0];

/// A dataset folder that is deleted at the end of the test.
pub struct Fixture {
    folder: tempfile::TempDir,
}

impl Fixture {
    /// An empty dataset folder.
    pub fn new() -> Self {
        Fixture {
            folder: tempfile::tempdir().unwrap(),
        }
    }

    /// The dataset's folder.
    pub fn root(&self) -> &Path {
        self.folder.path()
    }

    /// The path of `relative` inside the dataset's folder.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    /// Writes `bytes` to `relative`, creating its folders.
    pub fn write(&self, relative: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
        path
    }

    /// Writes the item `<folder>/<stem>` made of a JPEG photo, `annotation`
    /// as its JSON, its class map of level 0 and a part map of level 1, and an
    /// instance mask per entry of `masks` (named `instance_NNN_<stem>.png`).
    pub fn item(&self, folder: &str, stem: &str, annotation: &Value, masks: &[&[u8]]) {
        self.write(&format!("{folder}/{stem}.jpg"), jpeg(WIDTH, HEIGHT));
        self.write(&format!("{folder}/{stem}.json"), annotation.to_string());
        let mut seg = vec![0; (WIDTH * HEIGHT * 3) as usize];
        seg[..6].copy_from_slice(&[10, 145, 1, 10, 145, 1]);
        self.write(
            &format!("{folder}/{stem}_seg.png"),
            rgb_png(WIDTH, HEIGHT, &seg),
        );
        let mut parts = vec![0; (WIDTH * HEIGHT * 3) as usize];
        parts[3..6].copy_from_slice(&[110, 184, 0]);
        self.write(
            &format!("{folder}/{stem}_parts_1.png"),
            rgb_png(WIDTH, HEIGHT, &parts),
        );
        for (id, mask) in masks.iter().enumerate() {
            self.write(
                &format!("{folder}/{stem}/instance_{id:03}_{stem}.png"),
                gray_png(WIDTH, HEIGHT, mask),
            );
        }
    }

    /// A car (id 0) with a wheel (id 1, a part of the car).
    pub fn standard_item(&self, folder: &str, stem: &str) {
        self.item(
            folder,
            stem,
            &standard_annotation(stem),
            &[&CAR_MASK, &WHEEL_MASK],
        );
    }
}

/// The annotation of [`Fixture::standard_item`].
pub fn standard_annotation(stem: &str) -> Value {
    json!({"annotation": {
        "filename": format!("{stem}.jpg"),
        "folder": "ADE20K_2021_17_01/images/ADE/training/urban/street",
        "imsize": [HEIGHT, WIDTH, 3],
        "source": {"folder": "", "filename": "", "origin": ""},
        "scene": ["outdoor", "urban", "street"],
        "object": [
            object(0, CAR, "car, auto", stem, None),
            object(1, WHEEL, "wheel", stem, Some(0)),
        ]
    }})
}

/// An object entry whose instance mask is `<stem>/instance_<id>_<stem>.png`.
pub fn object(id: u32, class: ClassIndex, name: &str, stem: &str, parent: Option<u32>) -> Value {
    json!({
        "id": id,
        "name": name,
        "name_ndx": class,
        "hypernym": [name, "entity"],
        "raw_name": name,
        "attributes": [],
        "depth_ordering_rank": id + 1,
        "occluded": "no",
        "crop": "0",
        "parts": {
            "part_level": u32::from(parent.is_some()),
            "ispartof": parent.map_or(json!([]), |p| json!(p)),
            "hasparts": []
        },
        "instance_mask": format!("{stem}/instance_{id:03}_{stem}.png"),
        "polygon": {"x": [0, 1, 1], "y": [0, 0, 1]},
        "saved_date": "21-Jan-2006 17:11:45"
    })
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}
