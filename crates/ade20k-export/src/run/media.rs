//! Placing image files in the output folder.

use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{Error, Item};

use crate::source::resize::shrink_area;
use crate::MediaMode;

/// The quality photos are encoded at as JPEG when they are scaled
/// ([`MediaMode::Scaled`]): high enough that the encoding adds less than the
/// scaling removes.
pub const JPEG_QUALITY: u8 = 90;

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

/// Puts the regular file `source` (resolved by [`real_file`]) at
/// `destination` as `mode` says, creating folders as needed.
///
/// A photo that is a symbolic link (git-annex, DVC) is copied, linked or
/// pointed to as the file its links lead to, never as the link itself.
/// [`MediaMode::Scaled`] copies: the photos to scale are encoded by
/// [`scaled_photo`] instead.
pub fn place_file(source: &Path, destination: &Path, mode: MediaMode) -> Result<(), Error> {
    if mode == MediaMode::None {
        return Ok(());
    }
    if let Some(parent) = destination.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    match mode {
        MediaMode::None => Ok(()),
        MediaMode::Copy | MediaMode::Scaled => copy(source, destination),
        MediaMode::Hardlink => {
            fs::hard_link(source, destination).or_else(|_| copy(source, destination))
        }
        MediaMode::Symlink => symlink(source, destination).map_err(|e| Error::io(destination, e)),
    }
}

/// The photo `source` of `item` encoded at the item's size when its own size
/// differs (`None` when it has that size already, to be copied): decoded,
/// averaged down ([`shrink_area`]) and encoded in its own format (JPEG at
/// [`JPEG_QUALITY`], PNG lossless). Grey photos stay grey.
pub fn scaled_photo(item: &Item, source: &Path) -> Result<Option<Vec<u8>>, Error> {
    use image::{DynamicImage, ImageEncoder, ImageFormat, ImageReader};

    let size = (item.image.width, item.image.height);
    let fail =
        |e: image::ImageError| Error::invalid(source, format!("cannot decode the photo: {e}"));
    let reader = || {
        ImageReader::open(source)
            .map_err(|e| Error::io(source, e))?
            .with_guessed_format()
            .map_err(|e| Error::io(source, e))
    };
    if reader()?.into_dimensions().map_err(fail)? == size {
        return Ok(None);
    }
    let reader = reader()?;
    let format = reader.format();
    let photo = reader.decode().map_err(fail)?;
    let original = (photo.width(), photo.height());
    let (pixels, color) = match photo {
        DynamicImage::ImageLuma8(grey) => (grey.into_raw(), image::ExtendedColorType::L8),
        other => (other.into_rgb8().into_raw(), image::ExtendedColorType::Rgb8),
    };
    let channels = usize::from(color.channel_count());
    let scaled = shrink_area(&pixels, original, channels, size);
    let mut out = Vec::new();
    let encoded = match format {
        Some(ImageFormat::Png) => image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&scaled, size.0, size.1, color),
        _ => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode(&scaled, size.0, size.1, color),
    };
    encoded.map_err(|e| Error::invalid(source, format!("cannot encode the scaled photo: {e}")))?;
    Ok(Some(out))
}

/// The absolute path of the file `path` is, every symbolic link on the way
/// followed; an error naming `path` unless that is a regular file (a folder,
/// a FIFO that would block the reader, a device, a dangling link).
pub fn real_file(path: &Path) -> Result<PathBuf, Error> {
    let real = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let metadata = fs::metadata(&real).map_err(|e| Error::io(path, e))?;
    if metadata.is_file() {
        Ok(real)
    } else if real == path {
        Err(Error::invalid(path, "image is not a regular file"))
    } else {
        Err(Error::invalid(
            path,
            format!(
                "image leads to {}, which is not a regular file",
                real.display()
            ),
        ))
    }
}

/// Copies the regular file `source` to the new file `destination`, with the
/// source's permission bits: a reflink (the file system shares the blocks
/// until either file is written) where the file system has them, otherwise
/// `copy_file_range`, which copies inside the kernel.
#[cfg(all(
    target_os = "linux",
    not(any(target_arch = "sparc", target_arch = "sparc64"))
))]
fn copy(source: &Path, destination: &Path) -> Result<(), Error> {
    let mut from = fs::File::open(source).map_err(|e| Error::io(source, e))?;
    let permissions = from
        .metadata()
        .map_err(|e| Error::io(source, e))?
        .permissions();
    let mut to = fs::File::create_new(destination).map_err(|e| Error::io(destination, e))?;
    if rustix::fs::ioctl_ficlone(&to, &from).is_err() {
        // `io::copy` between two files is `copy_file_range` on Linux.
        std::io::copy(&mut from, &mut to).map_err(|e| Error::io(destination, e))?;
    }
    to.set_permissions(permissions)
        .map_err(|e| Error::io(destination, e))
}

/// Copies the regular file `source` to `destination` the platform's fastest
/// way ([`fs::copy`]: a clone on APFS).
#[cfg(not(all(
    target_os = "linux",
    not(any(target_arch = "sparc", target_arch = "sparc64"))
)))]
fn copy(source: &Path, destination: &Path) -> Result<(), Error> {
    fs::copy(source, destination)
        .map(drop)
        .map_err(|e| Error::io(destination, e))
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

    #[cfg(unix)]
    #[test]
    fn an_image_that_is_not_a_regular_file_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("photo.jpg");
        fs::create_dir(&folder).unwrap();
        let link = dir.path().join("link.jpg");
        symlink(&folder, &link).unwrap();
        for (path, problem) in [
            (&folder, "image is not a regular file".to_string()),
            (
                &link,
                format!(
                    "image leads to {}, which is not a regular file",
                    fs::canonicalize(&folder).unwrap().display()
                ),
            ),
        ] {
            let mut item = item("training", "a");
            item.image.path = fs::canonicalize(dir.path()).unwrap().join(path);
            let error = real_file(&item.image.path).unwrap_err();
            assert_eq!(error.path, item.image.path);
            assert_eq!(error.problem.to_string(), problem);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_copy_has_the_source_bytes_and_permissions_and_never_replaces_a_file() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("photo.jpg");
        fs::write(&source, b"JPEG bytes").unwrap();
        fs::set_permissions(&source, fs::Permissions::from_mode(0o640)).unwrap();
        let destination = dir.path().join("copy.jpg");
        copy(&source, &destination).unwrap();
        assert_eq!(fs::read(&destination).unwrap(), b"JPEG bytes");
        let mode = fs::metadata(&destination).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);

        fs::write(&destination, b"other").unwrap();
        let error = copy(&source, &destination).unwrap_err();
        assert_eq!(error.path, destination);
        assert_eq!(fs::read(&destination).unwrap(), b"other");
    }
}
