#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

use std::fs::{self, File, FileType, Metadata};
use std::io::Read;
use std::path::Path;

use ade20k_model::Error;

/// Opens the regular file at `path` (or that a symbolic link at `path` leads
/// to) for reading. Anything else is an error naming `path` and saying what
/// it is; a missing or unreadable file is the system's error.
pub fn open_regular(path: &Path) -> Result<File, Error> {
    open_checked(path).map(|(file, _)| file)
}

/// The metadata of the regular file at `path`, following symbolic links,
/// without opening it: the check [`open_regular`] makes first.
pub fn regular_metadata(path: &Path) -> Result<Metadata, Error> {
    let metadata = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if metadata.is_file() {
        Ok(metadata)
    } else {
        Err(not_regular(path, metadata.file_type()))
    }
}

/// Reads the regular file at `path` whole, refusing it when it holds more
/// than `max_bytes` bytes (before reading any of it, and again should it grow
/// while it is read).
pub fn read_regular(path: &Path, max_bytes: u64) -> Result<Vec<u8>, Error> {
    let (file, size) = open_checked(path)?;
    let too_large = |size: u64| {
        Error::invalid(
            path,
            format!("the file is {size} bytes, more than the limit of {max_bytes} bytes"),
        )
    };
    if size > max_bytes {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let read = bytes.len() as u64;
    if read > max_bytes {
        return Err(too_large(read));
    }
    Ok(bytes)
}

/// Opens the regular file at `path` and gives its size.
fn open_checked(path: &Path) -> Result<(File, u64), Error> {
    regular_metadata(path)?;
    let file = open_without_blocking(path)?;
    let metadata = file.metadata().map_err(|e| Error::io(path, e))?;
    if metadata.is_file() {
        Ok((file, metadata.len()))
    } else {
        Err(not_regular(path, metadata.file_type()))
    }
}

/// Opens `path` for reading without waiting for a writer, should it be a
/// FIFO after all. Reads of a regular file ignore the flag.
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> Result<File, Error> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    rustix::fs::open(path, flags, Mode::empty())
        .map(File::from)
        .map_err(|errno| Error::io(path, errno.into()))
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|e| Error::io(path, e))
}

/// The error for `path`, of type `file_type`, which is not a regular file.
fn not_regular(path: &Path, file_type: FileType) -> Error {
    let through_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let what = if through_link {
        format!("leads through a symbolic link to {}", kind(file_type))
    } else {
        format!("is {}", kind(file_type))
    };
    Error::invalid(
        path,
        format!("{what}, not a regular file; only regular files are read"),
    )
}

/// What a file that is not a regular file is, with its article.
fn kind(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        } else if file_type.is_char_device() {
            return "a character device";
        } else if file_type.is_block_device() {
            return "a block device";
        } else if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::FileTypeExt;

    use super::*;

    #[test]
    fn regular_files_and_links_to_them_are_read() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("a.json");
        fs::write(&path, b"{}").unwrap();
        let link = folder.path().join("link.json");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert_eq!(read_regular(&path, 2).unwrap(), b"{}");
        assert_eq!(read_regular(&link, 2).unwrap(), b"{}");
        let mut text = String::new();
        open_regular(&link)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "{}");
        assert_eq!(regular_metadata(&link).unwrap().len(), 2);
    }

    #[test]
    fn larger_files_are_refused_before_reading() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("a.json");
        fs::write(&path, [b' '; 10]).unwrap();
        let error = read_regular(&path, 9).unwrap_err();
        assert_eq!(error.path, path);
        assert_eq!(
            error.problem.to_string(),
            "the file is 10 bytes, more than the limit of 9 bytes"
        );
        assert_eq!(read_regular(&path, 10).unwrap().len(), 10);
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let folder = tempfile::tempdir().unwrap();
        let fifo = folder.path().join("pipe.json");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
            0,
        )
        .unwrap();
        for error in [
            read_regular(&fifo, 100).unwrap_err(),
            open_regular(&fifo).unwrap_err(),
            regular_metadata(&fifo).unwrap_err(),
        ] {
            assert_eq!(error.path, fifo);
            assert_eq!(
                error.problem.to_string(),
                "is a named pipe (FIFO), not a regular file; only regular files are read"
            );
        }
        // The open itself never blocks, should the check before it be passed.
        let opened = open_without_blocking(&fifo).unwrap();
        assert!(opened.metadata().unwrap().file_type().is_fifo());
    }

    #[test]
    fn devices_folders_and_links_to_them_are_named() {
        let folder = tempfile::tempdir().unwrap();
        let zero = folder.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let error = read_regular(&zero, u64::MAX).unwrap_err();
        assert_eq!(error.path, zero);
        assert!(
            error.to_string().contains(
                "leads through a symbolic link to a character device, not a regular file"
            ),
            "{error}"
        );
        let error = open_regular(folder.path()).unwrap_err();
        assert!(error.to_string().contains("is a folder"), "{error}");
        let missing = folder.path().join("missing");
        let error = open_regular(&missing).unwrap_err();
        assert_eq!(error.path, missing);
        assert!(matches!(error.problem, ade20k_model::Problem::Io(_)));
    }
}
