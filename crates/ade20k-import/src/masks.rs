//! Loading the masks of imported items from disk, on demand.

use std::collections::BTreeMap;
use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use ade20k_model::{
    ClassMap, CroppedMask, Error, ImageInfo, InstanceMask, Item, MaskKind, MaskSource, Object,
    SourceFile,
};

use crate::format::InputFormat;
use crate::names::class_map_file_name;
use crate::pixels::{
    check_mask_header, decode_class_map, decode_cropped_instance_mask, decode_instance_mask,
    MaskPng,
};

/// Reads the masks of the items of one dataset from the files beside their
/// photos. One value is shared by every item of the dataset.
#[derive(Debug)]
pub(crate) struct FileMasks {
    /// Canonical path of each subset folder, by subset name: instance masks
    /// must really be inside the folder of their item's subset.
    canonical_subset_dirs: BTreeMap<String, PathBuf>,
    /// Largest number of pixels a mask may have.
    max_pixels: u64,
}

impl FileMasks {
    pub fn new(canonical_subset_dirs: BTreeMap<String, PathBuf>, max_pixels: u64) -> Self {
        FileMasks {
            canonical_subset_dirs,
            max_pixels,
        }
    }

    /// The real location of `path`, which must be inside the folder of `subset`.
    fn resolve_inside_subset(&self, path: &Path, subset: &str) -> Result<PathBuf, Error> {
        let subset_dir = self.canonical_subset_dirs.get(subset).ok_or_else(|| {
            Error::invalid(
                path,
                format!("the item's subset `{subset}` is not in this dataset"),
            )
        })?;
        let real = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        if real.starts_with(subset_dir) {
            Ok(real)
        } else {
            Err(Error::invalid(
                path,
                format!(
                    "leads to {}, outside the subset folder {}",
                    real.display(),
                    subset_dir.display()
                ),
            ))
        }
    }
}

impl FileMasks {
    /// The path of `object`'s instance mask (as named in errors) and the
    /// bytes of that file, which must be inside the item's subset folder.
    fn instance_mask_file(
        &self,
        item: &Item,
        object: &Object,
    ) -> Result<(PathBuf, Vec<u8>), Error> {
        let path = photo_folder(item).join(&object.instance_mask);
        let real = self.resolve_inside_subset(&path, &item.subset)?;
        let bytes = read_mask_file(&real).map_err(|e| Error::new(&path, e.problem))?;
        Ok((path, bytes))
    }

    /// Checks the header of the mask PNG of kind `kind` at `real` (named
    /// `path` in errors): a PNG of its kind, of the size of `image`.
    fn check_header(
        &self,
        path: &Path,
        real: &Path,
        kind: MaskPng,
        image: &ImageInfo,
    ) -> Result<(), Error> {
        let file = ade20k_fs::open_regular(real).map_err(|e| Error::new(path, e.problem))?;
        // The signature and the header chunk take 33 bytes.
        let reader = BufReader::with_capacity(64, file);
        let size = check_mask_header(reader, kind, self.max_pixels)
            .map_err(|problem| Error::new(path, problem))?;
        let what = match kind {
            MaskPng::InstanceMask => "instance mask",
            MaskPng::ClassMap => "class map",
        };
        check_size(path, what, size, image)
    }
}

impl MaskSource for FileMasks {
    fn instance_mask(&self, item: &Item, object: &Object) -> Result<InstanceMask, Error> {
        self.instance_mask_and_file(item, object)
            .map(|(mask, _)| mask)
    }

    fn instance_mask_and_file(
        &self,
        item: &Item,
        object: &Object,
    ) -> Result<(InstanceMask, Option<Vec<u8>>), Error> {
        let (path, bytes) = self.instance_mask_file(item, object)?;
        let mask =
            decode_instance_mask(&bytes, self.max_pixels).map_err(|e| Error::new(&path, e))?;
        check_size(
            &path,
            "instance mask",
            (mask.width(), mask.height()),
            &item.image,
        )?;
        Ok((mask, Some(bytes)))
    }

    fn cropped_mask(
        &self,
        item: &Item,
        object: &Object,
        kind: MaskKind,
    ) -> Result<CroppedMask, Error> {
        let (path, bytes) = self.instance_mask_file(item, object)?;
        let mask = decode_cropped_instance_mask(&bytes, self.max_pixels, kind)
            .map_err(|e| Error::new(&path, e))?;
        check_size(
            &path,
            "instance mask",
            (mask.frame_width(), mask.frame_height()),
            &item.image,
        )?;
        Ok(mask)
    }

    fn class_map(&self, item: &Item, level: u32) -> Result<ClassMap, Error> {
        self.class_map_and_file(item, level).map(|(map, _)| map)
    }

    fn check_files(&self, item: &Item) -> Result<(), Error> {
        for level in 0..=item.part_levels {
            let path = class_map_path(&item.image.path, level);
            self.check_header(&path, &path, MaskPng::ClassMap, &item.image)?;
        }
        for object in &item.objects {
            let path = photo_folder(item).join(&object.instance_mask);
            let real = self.resolve_inside_subset(&path, &item.subset)?;
            self.check_header(&path, &real, MaskPng::InstanceMask, &item.image)?;
        }
        Ok(())
    }

    fn class_map_and_file(
        &self,
        item: &Item,
        level: u32,
    ) -> Result<(ClassMap, Option<Vec<u8>>), Error> {
        let path = class_map_path(&item.image.path, level);
        if level > item.part_levels {
            return Err(missing_level(&path, level, item.part_levels));
        }
        let bytes = read_mask_file(&path)?;
        let map = decode_class_map(&bytes, self.max_pixels).map_err(|e| Error::new(&path, e))?;
        check_size(&path, "class map", (map.width(), map.height()), &item.image)?;
        Ok((map, Some(bytes)))
    }

    fn annotation_file(&self, item: &Item) -> Result<Option<SourceFile>, Error> {
        let path = annotation_path(&item.image.path)?;
        let bytes = ade20k_fs::read_regular(&path, u64::MAX)?;
        Ok(Some(SourceFile { path, bytes }))
    }
}

/// The annotation file of the photo `photo`: `<stem>.json` beside it, or the
/// file whose extension is `json` in another case, as the catalog finds it.
fn annotation_path(photo: &Path) -> Result<PathBuf, Error> {
    let format = InputFormat::Ade20k2020;
    let folder = photo.parent().unwrap_or(Path::new(""));
    let stem = photo
        .file_stem()
        .map(|stem| stem.to_string_lossy())
        .unwrap_or_default();
    let usual = folder.join(format.annotation_file_name(&stem));
    if usual.is_file() {
        return Ok(usual);
    }
    for entry in fs::read_dir(folder).map_err(|e| Error::io(folder, e))? {
        let name = entry.map_err(|e| Error::io(folder, e))?.file_name();
        if let Some(name) = name.to_str() {
            if format.annotation_stem(name) == Some(&*stem) {
                return Ok(folder.join(name));
            }
        }
    }
    // Reading it names the file that is missing.
    Ok(usual)
}

/// The folder of the item's photo and annotation, which mask paths are relative to.
fn photo_folder(item: &Item) -> &Path {
    item.image.path.parent().unwrap_or(Path::new(""))
}

/// Path of the class map of part level `level` beside the photo `photo`:
/// `<stem>_seg.png` or `<stem>_parts_<level>.png`.
pub(crate) fn class_map_path(photo: &Path, level: u32) -> PathBuf {
    let stem = photo
        .file_stem()
        .map(|stem| stem.to_string_lossy())
        .unwrap_or_default();
    photo
        .parent()
        .unwrap_or(Path::new(""))
        .join(class_map_file_name(&stem, level))
}

/// The error for a class map of part level `level` asked of an item with
/// `part_levels` part levels; it names `path`, the class map asked for.
pub(crate) fn missing_level(path: &Path, level: u32, part_levels: u32) -> Error {
    Error::invalid(
        path,
        format!(
            "class map of part level {level} requested, but the item has {part_levels} part level(s)"
        ),
    )
}

/// The bytes of the mask PNG at `path`, a regular file. Their number is not
/// limited: what decoding costs is, by the pixels the PNG header may claim.
pub(crate) fn read_mask_file(path: &Path) -> Result<Vec<u8>, Error> {
    ade20k_fs::read_regular(path, u64::MAX)
}

/// Reads and decodes the class map at `path`, refusing more than `max_pixels` pixels.
pub(crate) fn read_class_map(path: &Path, max_pixels: u64) -> Result<ClassMap, Error> {
    let bytes = read_mask_file(path)?;
    decode_class_map(&bytes, max_pixels).map_err(|e| Error::new(path, e))
}

/// Checks that the mask at `path` (a `what`) of `size` has the size of `image`.
pub(crate) fn check_size(
    path: &Path,
    what: &str,
    size: (u32, u32),
    image: &ImageInfo,
) -> Result<(), Error> {
    let expected = (image.width, image.height);
    if size == expected {
        Ok(())
    } else {
        Err(Error::invalid(
            path,
            format!(
                "{what} is {}×{} pixels but the image {} is {}×{}",
                size.0,
                size.1,
                image.path.display(),
                expected.0,
                expected.1
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_annotation_is_found_beside_the_photo_whatever_the_case_of_its_extension() {
        let folder = tempfile::tempdir().unwrap();
        let photo = folder.path().join("a.jpg");
        let read = |photo: &Path| fs::read_to_string(annotation_path(photo).unwrap()).unwrap();
        fs::write(folder.path().join("b.json"), "b").unwrap();
        fs::write(folder.path().join("a.JSON"), "upper").unwrap();
        assert_eq!(read(&photo), "upper");
        fs::write(folder.path().join("a.json"), "lower").unwrap();
        assert_eq!(read(&photo), "lower");
        let missing = folder.path().join("c.jpg");
        assert_eq!(
            annotation_path(&missing).unwrap(),
            folder.path().join("c.json")
        );
    }
}
