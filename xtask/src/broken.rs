//! The broken datasets under `tests/assets/broken/<case>/`: each a small
//! valid dataset with exactly one defect, for the tests of how bad input is
//! refused (`crates/ade20k-cli/tests/bad_input.rs`).
//!
//! Every case starts from one or two copies of a small scene cut from the café
//! scene of the main fixture (sky above a signboard, 24 × 16) in `training/`,
//! then changes, removes or adds files as [`Edit`]s. Cases of an annotation
//! that cannot be read have two items, the first intact and the second broken,
//! except `json_every_one_broken`, which detection finds by its `_seg.png`.
//!
//! Defects git cannot carry are made by the tests from `valid/`: a file
//! without read permission and a file name that is not UTF-8.

use std::path::{Path, PathBuf};

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use serde_json::{json, Value};

use crate::classes::{SIGNBOARD, SKY};
use crate::files::{self, PathError};
use crate::scene::Shape;
use crate::standard_png::write_chunk;
use crate::writer::{whole, Item};

/// Folder of the broken datasets under `tests/assets`.
pub const FOLDER: &str = "broken";

/// Size of the scene of every case.
const WIDTH: u32 = 24;
const HEIGHT: u32 = 16;

/// Stems of the first (intact) and second item of a case.
const FIRST: &str = "ADE_train_00000001";
const SECOND: &str = "ADE_train_00000002";

/// A file outside every case's dataset, which a symbolic link in
/// `mask_symlink_outside` points to: a valid instance mask of the right size.
const OUTSIDE_FILE: &str = "outside-the-dataset.png";

/// Makes a file's new bytes from its old ones.
pub type Change = Box<dyn Fn(Vec<u8>) -> Result<Vec<u8>, String>>;

/// A change made to a fixture after its items are written; paths are
/// relative to the fixture's folder.
pub enum Edit {
    /// Replaces a file's bytes with what the function makes of them.
    Change(PathBuf, Change),
    /// Writes a file, replacing it if it exists.
    Write(PathBuf, Vec<u8>),
    /// Copies a file.
    Copy { from: PathBuf, to: PathBuf },
    /// Deletes a file.
    Remove(PathBuf),
    /// Replaces a file with a symbolic link to `target` (relative to the link's folder).
    Symlink { link: PathBuf, target: PathBuf },
}

impl Edit {
    /// Applies the edit inside `folder`.
    pub fn apply(&self, folder: &Path) -> Result<(), PathError> {
        match self {
            Edit::Change(path, change) => {
                let path = folder.join(path);
                let bytes = change(files::read(&path)?).map_err(|e| PathError::new(&path, e))?;
                files::write(&path, &bytes)
            }
            Edit::Write(path, bytes) => files::write(&folder.join(path), bytes),
            Edit::Copy { from, to } => {
                files::write(&folder.join(to), &files::read(&folder.join(from))?)
            }
            Edit::Remove(path) => {
                let path = folder.join(path);
                std::fs::remove_file(&path).map_err(|e| PathError::new(&path, e))
            }
            Edit::Symlink { link, target } => {
                let link = folder.join(link);
                match std::fs::remove_file(&link) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(PathError::new(&link, e))
                    }
                    _ => {}
                }
                symlink(target, &link).map_err(|e| PathError::new(&link, e))
            }
        }
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "the broken fixtures need symbolic links (Unix only)",
    ))
}

/// One broken dataset: its items (in `training/`) and its defect.
struct Case {
    name: &'static str,
    items: Vec<&'static str>,
    edits: Vec<Edit>,
}

/// The items and edits of every case, with paths relative to [`FOLDER`].
pub fn items_and_edits() -> (Vec<Item>, Vec<Edit>) {
    let mut items = Vec::new();
    let mut edits = vec![Edit::Write(
        OUTSIDE_FILE.into(),
        grey_png(WIDTH, HEIGHT, 255),
    )];
    for case in cases() {
        for stem in &case.items {
            items.push(sign(&format!("{}/training", case.name), stem));
        }
        let at = |path: &Path| Path::new(case.name).join(path);
        edits.extend(case.edits.into_iter().map(|edit| match edit {
            Edit::Change(path, change) => Edit::Change(at(&path), change),
            Edit::Write(path, bytes) => Edit::Write(at(&path), bytes),
            Edit::Copy { from, to } => Edit::Copy {
                from: at(&from),
                to: at(&to),
            },
            Edit::Remove(path) => Edit::Remove(at(&path)),
            Edit::Symlink { link, target } => Edit::Symlink {
                link: at(&link),
                target,
            },
        }));
    }
    (items, edits)
}

/// The sky above the café sign, small.
fn sign(folder: &str, name: &str) -> Item {
    Item::new(folder, name, WIDTH, HEIGHT)
        .scene_words(&["outdoor", "urban", "street"])
        .objects(vec![
            /* 0 */ whole(SKY, "sky", Shape::rect(0, 0, 24, 7), 2),
            /* 1 */ whole(SIGNBOARD, "café sign", Shape::rect(5, 9, 15, 13), 1),
        ])
}

/// `training/<stem><suffix>`.
fn file(stem: &str, suffix: &str) -> PathBuf {
    PathBuf::from(format!("training/{stem}{suffix}"))
}

/// The instance mask of object `id` of item `stem`.
fn mask(stem: &str, id: usize) -> PathBuf {
    PathBuf::from(format!("training/{stem}/instance_{id:03}_{stem}.png"))
}

/// Changes the annotation of item `stem` with `change`.
fn edit_json(stem: &str, change: fn(&mut Value)) -> Edit {
    Edit::Change(
        file(stem, ".json"),
        Box::new(move |bytes| {
            let mut document: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
            change(&mut document);
            let mut text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
            text.push('\n');
            Ok(text.into_bytes())
        }),
    )
}

/// Object `id` of an annotation.
fn object(document: &mut Value, id: usize) -> &mut Value {
    &mut document["annotation"]["object"][id]
}

fn case(name: &'static str, items: &[&'static str], edits: Vec<Edit>) -> Case {
    Case {
        name,
        items: items.to_vec(),
        edits,
    }
}

fn cases() -> Vec<Case> {
    let one = &[FIRST][..];
    let two = &[FIRST, SECOND][..];
    vec![
        case("valid", one, vec![]),
        // The annotation JSON.
        case(
            "json_truncated",
            two,
            vec![Edit::Change(
                file(SECOND, ".json"),
                Box::new(|bytes| Ok(bytes[..bytes.len() / 2].to_vec())),
            )],
        ),
        case(
            "json_empty",
            two,
            vec![Edit::Write(file(SECOND, ".json"), Vec::new())],
        ),
        case(
            "json_not_object",
            two,
            vec![Edit::Write(
                file(SECOND, ".json"),
                b"[\"annotation\"]\n".to_vec(),
            )],
        ),
        case(
            "json_annotation_missing",
            two,
            vec![edit_json(SECOND, |document| {
                let annotation = document["annotation"].take();
                *document = json!({ "annotations": annotation });
            })],
        ),
        case(
            "json_object_wrong_type",
            one,
            vec![edit_json(FIRST, |document| {
                let first = object(document, 0).take();
                document["annotation"]["object"] = json!({ "0": first });
            })],
        ),
        case(
            "json_field_wrong_type",
            one,
            vec![edit_json(FIRST, |document| {
                object(document, 1)["name_ndx"] = json!("2262");
            })],
        ),
        case(
            "json_repeated_ids",
            one,
            vec![edit_json(FIRST, |document| {
                object(document, 1)["id"] = json!(0);
            })],
        ),
        case(
            "json_missing_parent",
            one,
            vec![edit_json(FIRST, |document| {
                let sign = object(document, 1);
                sign["parts"]["part_level"] = json!(1);
                sign["parts"]["ispartof"] = json!(7);
            })],
        ),
        case(
            "json_parent_cycle",
            one,
            vec![edit_json(FIRST, |document| {
                for (id, parent) in [(0, 1), (1, 0)] {
                    let parts = &mut object(document, id)["parts"];
                    parts["part_level"] = json!(1);
                    parts["ispartof"] = json!(parent);
                }
            })],
        ),
        case(
            "json_every_one_broken",
            one,
            vec![Edit::Change(
                file(FIRST, ".json"),
                Box::new(|bytes| Ok(bytes[..bytes.len() / 2].to_vec())),
            )],
        ),
        case(
            "json_part_level_absurd",
            one,
            vec![edit_json(FIRST, |document| {
                object(document, 1)["parts"]["part_level"] = json!(u32::MAX);
            })],
        ),
        // The mask PNGs.
        case(
            "png_truncated",
            one,
            vec![Edit::Change(
                mask(FIRST, 1),
                Box::new(|bytes| Ok(bytes[..bytes.len() / 2].to_vec())),
            )],
        ),
        case(
            "png_empty",
            one,
            vec![Edit::Write(mask(FIRST, 1), Vec::new())],
        ),
        case(
            "png_not_png",
            one,
            vec![Edit::Write(
                mask(FIRST, 1),
                b"<html><body>404 Not Found</body></html>\n".to_vec(),
            )],
        ),
        case(
            "png_seg_grey",
            one,
            vec![Edit::Write(
                file(FIRST, "_seg.png"),
                grey_png(WIDTH, HEIGHT, 0),
            )],
        ),
        case(
            "png_parts_grey",
            one,
            vec![Edit::Write(
                file(FIRST, "_parts_1.png"),
                grey_png(WIDTH, HEIGHT, 0),
            )],
        ),
        case(
            "image_not_image",
            one,
            vec![Edit::Write(
                file(FIRST, ".jpg"),
                b"<html><body>404 Not Found</body></html>\n".to_vec(),
            )],
        ),
        case(
            "png_mask_rgb",
            one,
            vec![Edit::Write(mask(FIRST, 1), rgb_png(WIDTH, HEIGHT))],
        ),
        case(
            "png_wrong_size",
            one,
            vec![Edit::Write(
                mask(FIRST, 1),
                grey_png(WIDTH / 2, HEIGHT / 2, 255),
            )],
        ),
        case(
            "png_bomb",
            one,
            vec![Edit::Write(mask(FIRST, 1), png_claiming(100_000, 100_000))],
        ),
        // Files and folders.
        case(
            "missing_seg",
            one,
            vec![Edit::Remove(file(FIRST, "_seg.png"))],
        ),
        case("missing_mask", one, vec![Edit::Remove(mask(FIRST, 1))]),
        case(
            "missing_image",
            two,
            vec![Edit::Remove(file(SECOND, ".jpg"))],
        ),
        case(
            "json_without_image",
            one,
            vec![Edit::Copy {
                from: file(FIRST, ".json"),
                to: file(SECOND, ".json"),
            }],
        ),
        case(
            "empty_subset",
            one,
            vec![Edit::Write(
                "validation/README.txt".into(),
                b"This subset has no items.\n".to_vec(),
            )],
        ),
        case(
            "not_ade20k",
            &[],
            vec![
                Edit::Write("photos/cat.jpg".into(), b"\xFF\xD8\xFF\xD9".to_vec()),
                Edit::Write(
                    "photos/cat.xml".into(),
                    b"<annotation><filename>cat.jpg</filename></annotation>\n".to_vec(),
                ),
            ],
        ),
        case(
            "not_ade20k_json",
            &[],
            vec![
                Edit::Write("photos/cat.jpg".into(), b"\xFF\xD8\xFF\xD9".to_vec()),
                Edit::Write(
                    "photos/cat.json".into(),
                    b"{\"shapes\": [], \"imagePath\": \"cat.jpg\"}\n".to_vec(),
                ),
            ],
        ),
        // Paths that lead out of the dataset or the output.
        case(
            "mask_absolute",
            one,
            vec![edit_json(FIRST, |document| {
                object(document, 1)["instance_mask"] =
                    json!("/tmp/ADE_train_00000001/instance_001_ADE_train_00000001.png");
            })],
        ),
        case(
            "mask_dotdot",
            one,
            vec![edit_json(FIRST, |document| {
                object(document, 1)["instance_mask"] = json!(
                    "../../valid/training/ADE_train_00000001/instance_001_ADE_train_00000001.png"
                );
            })],
        ),
        case(
            "mask_symlink_outside",
            one,
            vec![Edit::Symlink {
                link: mask(FIRST, 1),
                target: Path::new("../../..").join(OUTSIDE_FILE),
            }],
        ),
        case(
            "names_that_climb",
            one,
            vec![edit_json(FIRST, |document| {
                let annotation = &mut document["annotation"];
                annotation["filename"] = json!("../../../../escaped.jpg");
                annotation["folder"] = json!("../../../../escaped");
                annotation["scene"] = json!(["../../escaped", "/tmp/escaped"]);
                annotation["source"]["filename"] = json!("../../escaped.jpg");
                annotation["source"]["folder"] = json!("/tmp/escaped");
                for id in 0..2 {
                    let object = object(document, id);
                    object["name"] = json!(format!("../../escaped/{id}"));
                    object["raw_name"] = json!(format!("/tmp/escaped/{id}"));
                }
            })],
        ),
    ]
}

/// An 8-bit grey PNG of one value.
fn grey_png(width: u32, height: u32, value: u8) -> Vec<u8> {
    let pixels = vec![value; (width * height) as usize];
    encode_png(&pixels, width, height, ExtendedColorType::L8)
}

/// An RGB PNG: the visible region of the sign in white, the rest black.
fn rgb_png(width: u32, height: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let inside = (5..15).contains(&x) && (9..13).contains(&y);
            pixels.extend([if inside { 255 } else { 0 }; 3]);
        }
    }
    encode_png(&pixels, width, height, ExtendedColorType::Rgb8)
}

fn encode_png(pixels: &[u8], width: u32, height: u32, color: ExtendedColorType) -> Vec<u8> {
    let mut bytes = Vec::new();
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Fast, FilterType::Adaptive)
        .write_image(pixels, width, height, color)
        .expect("a small PNG encodes into memory");
    bytes
}

/// A grey PNG whose header claims `width` × `height` pixels: what a
/// decompression bomb shows a reader before its data inflates to gigabytes.
/// Its data is an empty zlib stream: the header is all a guard needs to read.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut header = Vec::with_capacity(13);
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    // 8 bits, greyscale, deflate, adaptive filtering, not interlaced.
    header.extend([8, 0, 0, 0, 0]);
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    write_chunk(&mut bytes, b"IHDR", &header);
    write_chunk(
        &mut bytes,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    write_chunk(&mut bytes, b"IEND", &[]);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bomb_header_is_a_valid_png_header() {
        let bytes = png_claiming(100_000, 90_000);
        let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .unwrap();
        assert_eq!(reader.into_dimensions().unwrap(), (100_000, 90_000));
    }
}
