//! The ADE20K 2020 dataset: its items, found once, loaded one at a time.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Component, Path};
use std::sync::Arc;

use ade20k_model::{Error, ImageInfo, Item, ItemSource, MaskSource, Object};

use crate::annotation::parse_annotation;
use crate::catalog::{catalog_dataset, catalog_item_source, Catalog, FoundItem};
use crate::format::InputFormat;
use crate::header::photo_size;
use crate::layout::{find_layout, Layout};
use crate::masks::{class_map_path, FileMasks};
use crate::pixels::DEFAULT_MAX_PIXELS;

/// Choices made when opening a dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// Keep only these subsets; `None` keeps every subset.
    pub subsets: Option<Vec<String>>,
    /// Largest number of pixels a mask PNG may claim in its header; larger
    /// ones are refused before decoding (a guard against decompression bombs).
    pub max_pixels: u64,
    /// Largest annotation file (`<name>.json`, `<name>_atr.txt`,
    /// `dataset_meta.json`), in bytes; larger ones are refused before they are read.
    pub max_annotation_bytes: u64,
}

/// The default limit on the size of one annotation file: 64 MiB. The
/// release's largest annotations are a few MB; one of 32 objects and parts
/// takes 21 kB.
pub const DEFAULT_MAX_ANNOTATION_BYTES: u64 = 64 << 20;

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            subsets: None,
            max_pixels: DEFAULT_MAX_PIXELS,
            max_annotation_bytes: DEFAULT_MAX_ANNOTATION_BYTES,
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
pub struct Ade20k2020Dataset {
    catalog: Catalog,
    masks: Arc<dyn MaskSource>,
}

impl Ade20k2020Dataset {
    /// Opens the dataset at `path` (see [`crate::detect`] for where it may point) with
    /// default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with(path, &ImportOptions::default())
    }

    /// Opens the dataset at `path` with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: &ImportOptions) -> Result<Self, Error> {
        let (_, layout) = find_layout(
            path.as_ref(),
            Some(InputFormat::Ade20k2020),
            options.max_annotation_bytes,
        )?;
        Self::from_layout(layout, options)
    }

    /// Loads the one item whose photo is `photo` (`<folder>/<name>.jpg`, with
    /// `<name>.json`, `<name>_seg.png`, the `_parts_N.png` and the instance
    /// masks beside it), without looking for the rest of its dataset: its id
    /// is `<name>` and its subset the name of `<folder>`, inside which its
    /// instance masks must lie. The checks are those of [`ItemSource::load`].
    pub fn load_photo(photo: impl AsRef<Path>, options: &ImportOptions) -> Result<Item, Error> {
        let photo = photo.as_ref();
        let folder = photo.parent().unwrap_or(Path::new("."));
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let canonical_folder = fs::canonicalize(folder).map_err(|e| Error::io(folder, e))?;
        let (Some(id), Some(subset)) = (
            photo.file_stem().and_then(OsStr::to_str),
            canonical_folder.file_name().and_then(OsStr::to_str),
        ) else {
            return Err(Error::invalid(photo, "the photo's path is not UTF-8"));
        };
        ade20k_fs::regular_metadata(photo)?;
        let annotation = photo.with_extension("json");
        let part_levels = (1..)
            .take_while(|&level| ade20k_fs::regular_metadata(&class_map_path(photo, level)).is_ok())
            .count() as u32;
        let masks = FileMasks::new(
            BTreeMap::from([(subset.to_owned(), canonical_folder.clone())]),
            options.max_pixels,
        );
        let found = FoundItem {
            id,
            subset,
            photo,
            annotation: &annotation,
            part_levels,
        };
        let bytes = ade20k_fs::read_regular(&annotation, options.max_annotation_bytes)?;
        item_from_files(&found, &bytes, Arc::new(masks))
    }

    /// Opens the dataset whose subsets `layout` found.
    pub(crate) fn from_layout(layout: Layout, options: &ImportOptions) -> Result<Self, Error> {
        let catalog = Catalog::open(layout, InputFormat::Ade20k2020, options)?;
        let masks = FileMasks::new(catalog.canonical_subset_dirs.clone(), options.max_pixels);
        Ok(Ade20k2020Dataset {
            catalog,
            masks: Arc::new(masks),
        })
    }
}

catalog_dataset!(Ade20k2020Dataset);

impl ItemSource for Ade20k2020Dataset {
    catalog_item_source!();

    fn load(&self, index: usize) -> Result<Item, Error> {
        let found = self.catalog.item(index)?;
        let bytes = self.catalog.read_annotation(&found)?;
        item_from_files(&found, &bytes, Arc::clone(&self.masks))
    }

    fn label_order(&self) -> Option<&[String]> {
        self.catalog.label_order.as_deref()
    }
}

/// The item whose files `found` names, from the bytes of its annotation,
/// its masks read through `masks`.
fn item_from_files(
    found: &FoundItem,
    annotation_bytes: &[u8],
    masks: Arc<dyn MaskSource>,
) -> Result<Item, Error> {
    check_seg_exists(&class_map_path(found.photo, 0))?;
    let annotation = parse_annotation(annotation_bytes)
        .map_err(|problem| Error::new(found.annotation, problem))?;
    let folder_depth = found.id.matches('/').count();
    for object in &annotation.objects {
        check_mask_path(object, folder_depth)
            .map_err(|message| Error::invalid(found.annotation, message))?;
    }
    let (width, height) = photo_size(
        found.photo,
        annotation.image_size,
        "its annotation's imsize",
    )?;
    Ok(Item {
        id: found.id.to_string(),
        subset: found.subset.to_string(),
        image: ImageInfo {
            path: found.photo.to_path_buf(),
            width,
            height,
        },
        folder: annotation.folder,
        scene: annotation.scene,
        source: annotation.source,
        objects: annotation.objects,
        part_levels: found.part_levels,
        masks,
    })
}

/// Checks that the level-0 class map `path`, which every item needs, is a
/// regular file.
fn check_seg_exists(path: &Path) -> Result<(), Error> {
    match ade20k_fs::regular_metadata(path) {
        Err(error) if error.is_not_found() => Err(Error::invalid(
            path,
            "class map not found: every item needs a <name>_seg.png beside its photo",
        )),
        result => result.map(drop),
    }
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
