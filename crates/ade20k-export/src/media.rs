//! Placing image files in the output folder.

use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{Error, Item};

use crate::MediaMode;

/// Checks that the item's subset and id, which output paths are made of, stay
/// inside the output folder: the subset one plain folder name, the id
/// `/`-separated plain names (no `..`, `.`, empty or absolute part). The
/// importers make them from file names, which always pass; an [`ItemSource`]
/// of another origin may not.
///
/// [`ItemSource`]: ade20k_model::ItemSource
pub fn check_output_names(item: &Item) -> Result<(), Error> {
    let plain = |name: &str| {
        let mut components = Path::new(name).components();
        matches!(
            (components.next(), components.next()),
            (Some(std::path::Component::Normal(part)), None) if part == name
        )
    };
    let (what, value) = if !plain(&item.subset) {
        ("subset", &item.subset)
    } else if !item.id.split('/').all(plain) {
        ("item id", &item.id)
    } else {
        return Ok(());
    };
    Err(Error::invalid(
        &item.image.path,
        format!(
            "{what} `{value}` would lead outside the output folder: it must be \
             `/`-separated names without `..`, `.` or a leading `/`"
        ),
    ))
}

/// The item's image file name relative to its subset's image folder:
/// `<item id>.<extension of the source image>`.
pub fn image_file_name(item: &Item) -> String {
    match item.image.path.extension().and_then(|ext| ext.to_str()) {
        Some(ext) => format!("{}.{ext}", item.id),
        None => item.id.clone(),
    }
}

/// Puts the item's image at `<images>/<subset>/<item id>.<ext>` as `mode`
/// says, and returns its name relative to the subset folder
/// ([`image_file_name`]): the layout of every format with an images folder
/// per subset.
pub fn place_in_subset_folder(
    item: &Item,
    images: &Path,
    mode: MediaMode,
) -> Result<String, Error> {
    let file_name = image_file_name(item);
    place_image(item, &images.join(&item.subset).join(&file_name), mode)?;
    Ok(file_name)
}

/// Puts the item's image at `destination` as `mode` says, creating folders as needed.
pub fn place_image(item: &Item, destination: &Path, mode: MediaMode) -> Result<(), Error> {
    if mode == MediaMode::None {
        return Ok(());
    }
    if let Some(parent) = destination.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let source = &item.image.path;
    match mode {
        MediaMode::None => Ok(()),
        MediaMode::Copy => copy(source, destination),
        MediaMode::Hardlink => match fs::hard_link(source, destination) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::io(source, e)),
            Err(_) => copy(source, destination),
        },
        MediaMode::Symlink => {
            let target = absolute(source)?;
            symlink(&target, destination).map_err(|e| Error::io(destination, e))
        }
    }
}

fn copy(source: &Path, destination: &Path) -> Result<(), Error> {
    fs::copy(source, destination)
        .map(drop)
        .map_err(|e| match fs::metadata(source) {
            Err(_) => Error::io(source, e),
            Ok(_) => Error::io(destination, e),
        })
}

fn absolute(path: &Path) -> Result<PathBuf, Error> {
    fs::canonicalize(path).map_err(|e| Error::io(path, e))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_file(target, link)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ade20k_model::{ImageInfo, InMemoryMasks, SourceInfo};

    use super::*;

    fn item(subset: &str, id: &str) -> Item {
        Item {
            id: id.into(),
            subset: subset.into(),
            image: ImageInfo {
                path: "photo.jpg".into(),
                width: 1,
                height: 1,
            },
            folder: String::new(),
            scene: vec![],
            source: SourceInfo::default(),
            objects: vec![],
            part_levels: 0,
            masks: Arc::new(InMemoryMasks::default()),
        }
    }

    #[test]
    fn names_that_leave_the_output_folder_are_refused() {
        for (subset, id) in [
            ("training", "urban/street/ADE_train_1"),
            ("training", "ADE_train_1"),
            ("val..idation", "a..b/c"),
        ] {
            assert!(check_output_names(&item(subset, id)).is_ok(), "{id}");
        }
        for (subset, id) in [
            ("training", "../escaped"),
            ("training", "urban/../../escaped"),
            ("training", "/tmp/escaped"),
            ("training", "a//b"),
            ("training", "./a"),
            ("training", ""),
            ("..", "a"),
            ("a/b", "c"),
            ("", "a"),
        ] {
            let error = check_output_names(&item(subset, id)).unwrap_err();
            assert_eq!(error.path, Path::new("photo.jpg"));
            assert!(
                error
                    .to_string()
                    .contains("would lead outside the output folder"),
                "{error}"
            );
        }
    }
}
