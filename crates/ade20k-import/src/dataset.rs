//! The dataset: its items, found once, loaded one at a time.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path};
use std::sync::Arc;

use ade20k_model::{Error, ImageInfo, Item, ItemSource, MaskSource, Object, Problem};
use serde_json::Value;

use crate::annotation::{decode_text, parse_annotation, Annotation};
use crate::header::image_dimensions;
use crate::layout::{detect, Layout};
use crate::masks::FileMasks;
use crate::names::META_FILE_NAME;
use crate::pixels::DEFAULT_MAX_PIXELS;
use crate::scan::{scan_subset, Entry, ItemFiles};

/// Choices made when opening a dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// Keep only these subsets; `None` keeps every subset.
    pub subsets: Option<Vec<String>>,
    /// Largest number of pixels a mask PNG may claim in its header; larger
    /// ones are refused before decoding (a guard against decompression bombs).
    pub max_pixels: u64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            subsets: None,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

/// An ADE20K 2020/2021 dataset on disk, read as an [`ItemSource`].
///
/// Opening finds every item (by file names only); [`ItemSource::load`] then
/// parses the annotation of one item, and the item's masks are decoded only
/// when asked for. Items are ordered by subset name, then by id (byte order).
/// Broken items (a photo without annotation, an annotation without photo) are
/// kept in the list, and loading them gives an error naming the file.
pub struct Ade20kDataset {
    layout: Layout,
    subsets: Vec<String>,
    entries: Vec<Entry>,
    masks: Arc<dyn MaskSource>,
    label_order: Option<Vec<String>>,
}

impl Ade20kDataset {
    /// Opens the dataset at `path` (see [`detect`] for where it may point) with
    /// default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with(path, &ImportOptions::default())
    }

    /// Opens the dataset at `path` with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: &ImportOptions) -> Result<Self, Error> {
        let layout = detect(path.as_ref())?;
        let subsets = select_subsets(&layout, options.subsets.as_deref())?;
        let label_order = read_label_order(&layout.subset_root.join(META_FILE_NAME))?;
        let mut entries = Vec::new();
        let mut canonical_subset_dirs = BTreeMap::new();
        for (position, subset) in subsets.iter().enumerate() {
            let subset_dir = layout.subset_dir(subset);
            let first = entries.len();
            scan_subset(position, &subset_dir, &mut entries)?;
            if entries.len() == first {
                return Err(Error::invalid(&subset_dir, "subset has no items"));
            }
            entries[first..].sort_unstable_by(|a, b| a.id.cmp(&b.id));
            let canonical = fs::canonicalize(&subset_dir).map_err(|e| Error::io(&subset_dir, e))?;
            canonical_subset_dirs.insert(subset.clone(), canonical);
        }
        Ok(Ade20kDataset {
            layout,
            subsets,
            entries,
            masks: Arc::new(FileMasks::new(canonical_subset_dirs, options.max_pixels)),
            label_order,
        })
    }

    /// Where the dataset's subsets are; lists every subset on disk, including
    /// those left out by [`ImportOptions::subsets`].
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Id of item `index`, without loading it; `None` when out of range.
    pub fn item_id(&self, index: usize) -> Option<&str> {
        self.entries.get(index).map(|entry| entry.id.as_str())
    }

    fn subset_name(&self, entry: &Entry) -> &str {
        self.subsets.get(entry.subset).map_or("", String::as_str)
    }

    fn load_entry(&self, entry: &Entry) -> Result<Item, Error> {
        let (photo, part_levels) = match &entry.files {
            ItemFiles::Complete { photo, part_levels } => (photo, *part_levels),
            ItemFiles::MissingAnnotation { photo } => {
                let expected = photo.with_extension("json");
                return Err(Error::io(
                    &expected,
                    io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("annotation of {} not found", photo.display()),
                    ),
                ));
            }
            ItemFiles::MissingPhoto { annotation } => {
                return Err(Error::invalid(
                    annotation,
                    "no photo beside this annotation (looked for the same stem with \
                     extension jpg, jpeg, png, bmp, tif, tiff or webp)",
                ));
            }
        };
        let annotation_path = photo.with_extension("json");
        let bytes = fs::read(&annotation_path).map_err(|e| Error::io(&annotation_path, e))?;
        let annotation =
            parse_annotation(&bytes).map_err(|problem| Error::new(&annotation_path, problem))?;
        let folder_depth = entry.id.matches('/').count();
        for object in &annotation.objects {
            check_mask_path(object, folder_depth)
                .map_err(|message| Error::invalid(&annotation_path, message))?;
        }
        let (width, height) = photo_size(&annotation, photo)?;
        Ok(Item {
            id: entry.id.clone(),
            subset: self.subset_name(entry).to_string(),
            image: ImageInfo {
                path: photo.clone(),
                width,
                height,
            },
            folder: annotation.folder,
            scene: annotation.scene,
            source: annotation.source,
            objects: annotation.objects,
            part_levels,
            masks: Arc::clone(&self.masks),
        })
    }
}

impl fmt::Debug for Ade20kDataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ade20kDataset")
            .field("layout", &self.layout)
            .field("subsets", &self.subsets)
            .field("items", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl ItemSource for Ade20kDataset {
    fn subsets(&self) -> &[String] {
        &self.subsets
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    /// # Panics
    ///
    /// When `index` is not below [`ItemSource::len`].
    fn subset_of(&self, index: usize) -> &str {
        self.subset_name(&self.entries[index])
    }

    fn load(&self, index: usize) -> Result<Item, Error> {
        match self.entries.get(index) {
            Some(entry) => self.load_entry(entry),
            None => Err(Error::invalid(
                &self.layout.subset_root,
                format!("no item {index}: the dataset has {} items", self.len()),
            )),
        }
    }

    fn label_order(&self) -> Option<&[String]> {
        self.label_order.as_deref()
    }
}

/// The subsets kept by `wanted`, in layout order; a wanted subset that does
/// not exist is an error.
fn select_subsets(layout: &Layout, wanted: Option<&[String]>) -> Result<Vec<String>, Error> {
    let Some(wanted) = wanted else {
        return Ok(layout.subsets.clone());
    };
    if let Some(missing) = wanted.iter().find(|name| !layout.subsets.contains(name)) {
        return Err(Error::invalid(
            &layout.subset_root,
            format!(
                "no subset `{missing}` here; the subsets are: {}",
                layout.subsets.join(", ")
            ),
        ));
    }
    Ok(layout
        .subsets
        .iter()
        .filter(|name| wanted.contains(name))
        .cloned()
        .collect())
}

/// Label names ordered by the numeric keys of `label_map` in Datumaro's
/// `dataset_meta.json`; `None` when the file does not exist.
fn read_label_order(path: &Path) -> Result<Option<Vec<String>>, Error> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(Error::io(path, error)),
    };
    parse_label_map(&bytes)
        .map(Some)
        .map_err(|problem| Error::new(path, problem))
}

fn parse_label_map(bytes: &[u8]) -> Result<Vec<String>, Problem> {
    let document: Value =
        serde_json::from_str(&decode_text(bytes)).map_err(|e| Problem::Json(e.to_string()))?;
    let Some(Value::Object(label_map)) = document.get("label_map") else {
        return Err(Problem::Json(
            "expected an object with key `label_map`: {\"0\": \"name\", …}".into(),
        ));
    };
    let mut labels = BTreeMap::new();
    for (key, value) in label_map {
        let index: u64 = key.trim().parse().map_err(|_| {
            Problem::Json(format!(
                "label_map key `{key}` is not a non-negative integer"
            ))
        })?;
        let Value::String(name) = value else {
            return Err(Problem::Json(format!(
                "label_map value of key `{key}` must be a string, found {value}"
            )));
        };
        if labels.insert(index, name.clone()).is_some() {
            return Err(Problem::Json(format!("label_map has key {index} twice")));
        }
    }
    Ok(labels.into_values().collect())
}

/// Checks that the instance mask path of `object`, relative to a folder
/// `folder_depth` levels below the subset folder, stays inside the subset.
fn check_mask_path(object: &Object, folder_depth: usize) -> Result<(), String> {
    let mut depth = folder_depth;
    for component in Path::new(&object.instance_mask).components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    format!(
                        "object {}: instance_mask `{}` leads outside the subset folder",
                        object.ade_id, object.instance_mask
                    )
                })?;
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "object {}: instance_mask `{}` is an absolute path; it must be \
                     relative to the folder of the annotation",
                    object.ade_id, object.instance_mask
                ));
            }
        }
    }
    Ok(())
}

/// `(width, height)` of the photo: `imsize` of the annotation, checked against
/// the file header when the format's header can be read, or the header alone.
fn photo_size(annotation: &Annotation, photo: &Path) -> Result<(u32, u32), Error> {
    match (annotation.image_size, image_dimensions(photo)?) {
        (Some(annotated), Some(actual)) if annotated != actual => Err(Error::invalid(
            photo,
            format!(
                "image is {}×{} pixels but its annotation's imsize says {}×{}",
                actual.0, actual.1, annotated.0, annotated.1
            ),
        )),
        (Some(size), _) | (None, Some(size)) => Ok(size),
        (None, None) => Err(Error::invalid(
            photo,
            "the annotation has no imsize and the size of this image format cannot be \
             read (only PNG and JPEG headers are)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_map_is_ordered_by_numeric_key() {
        let labels = parse_label_map(br#"{"label_map": {"10": "tree", "2": "car", "0": "sky"}}"#);
        assert_eq!(labels.unwrap(), ["sky", "car", "tree"]);
    }

    #[test]
    fn invalid_label_maps_are_rejected() {
        for (bytes, expected) in [
            (&br#"{"labels": {}}"#[..], "key `label_map`"),
            (br#"{"label_map": {"x": "car"}}"#, "key `x`"),
            (br#"{"label_map": {"0": 5}}"#, "must be a string"),
            (br#"{"label_map": {"1": "a", "01": "b"}}"#, "key 1 twice"),
            (br#"{"label_map": "#, "EOF"),
        ] {
            let error = parse_label_map(bytes).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
        }
    }
}
