//! The files one item writes, held until the item is prepared.
//!
//! A format's `prepare` reads the item and says which files it becomes; the
//! runner writes them once `prepare` has returned. So every error of
//! `prepare` is an error of the input, met before anything of the item is
//! written: `--skip-broken` can leave the item out whole, and an error while
//! writing is always an output error that stops the export. It also
//! collects the objects `prepare` leaves out, which the runner counts.

use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{Error, Item};

use crate::encode::png_out::{write_png, write_png_file, PngPixels};
use crate::run::media::{image_file_name, place_file, real_file, scaled_photo};
use crate::{LeftOut, MediaMode};

/// The files of one item, to be written in the order they were added, and
/// the objects of the item left out.
pub(crate) struct ItemFiles {
    media: MediaMode,
    pending: Vec<Pending>,
    left_out: Vec<(LeftOut, u64)>,
}

/// One file to write.
enum Pending {
    /// The item's photo, the regular file `source`, placed as `media` says.
    Image {
        source: PathBuf,
        destination: PathBuf,
    },
    /// A PNG to encode.
    Png {
        path: PathBuf,
        width: u32,
        height: u32,
        pixels: PngPixels,
    },
    /// A PNG already encoded.
    PngFile { path: PathBuf, bytes: Vec<u8> },
    /// Any other file.
    File { path: PathBuf, bytes: Vec<u8> },
}

impl ItemFiles {
    /// No file yet; photos will be placed as `media` says.
    pub fn new(media: MediaMode) -> Self {
        ItemFiles {
            media,
            pending: Vec::new(),
            left_out: Vec::new(),
        }
    }

    /// Places the item's photo at `destination` (unless [`MediaMode::None`]);
    /// with [`MediaMode::Scaled`], a photo larger than the item says is
    /// decoded and encoded again at the item's size now.
    /// The photo is resolved now to the regular file it is, symbolic links
    /// followed: a photo that is not one is an error of the input.
    pub fn image(&mut self, item: &Item, destination: PathBuf) -> Result<(), Error> {
        if self.media != MediaMode::None {
            let source = real_file(&item.image.path)?;
            match self.media {
                MediaMode::Scaled => match scaled_photo(item, &source)? {
                    Some(bytes) => self.file(destination, bytes),
                    None => self.pending.push(Pending::Image {
                        source,
                        destination,
                    }),
                },
                _ => self.pending.push(Pending::Image {
                    source,
                    destination,
                }),
            }
        }
        Ok(())
    }

    /// Places the item's photo as `<images>/<subset>/<item id>.<ext>` and
    /// returns its name relative to `<images>/<subset>`.
    pub fn image_in_subset_folder(&mut self, item: &Item, images: &Path) -> Result<String, Error> {
        let file_name = image_file_name(item);
        self.image(item, images.join(&item.subset).join(&file_name))?;
        Ok(file_name)
    }

    /// Writes a `width`×`height` PNG of `pixels` to `path`.
    pub fn png(&mut self, path: PathBuf, width: u32, height: u32, pixels: PngPixels) {
        self.pending.push(Pending::Png {
            path,
            width,
            height,
            pixels,
        });
    }

    /// Writes `bytes`, a PNG already encoded, to `path`.
    pub fn png_file(&mut self, path: PathBuf, bytes: Vec<u8>) {
        self.pending.push(Pending::PngFile { path, bytes });
    }

    /// Writes `bytes` to `path`.
    pub fn file(&mut self, path: PathBuf, bytes: Vec<u8>) {
        self.pending.push(Pending::File { path, bytes });
    }

    /// Counts one object left out for each of `reasons`.
    pub fn leave_out_all(&mut self, reasons: impl IntoIterator<Item = LeftOut>) {
        self.left_out
            .extend(reasons.into_iter().map(|reason| (reason, 1)));
    }

    /// Counts `count` objects (or pixels) left out for `reason`.
    pub fn leave_out_many(&mut self, reason: LeftOut, count: u64) {
        self.left_out.push((reason, count));
    }

    /// Writes every file, creating folders as needed; stops at the first
    /// error. Returns the objects left out, counted per reason.
    pub fn write(self) -> Result<Vec<(LeftOut, u64)>, Error> {
        for pending in self.pending {
            match pending {
                Pending::Image {
                    source,
                    destination,
                } => place_file(&source, &destination, self.media)?,
                Pending::Png {
                    path,
                    width,
                    height,
                    pixels,
                } => write_png(&path, width, height, &pixels)?,
                Pending::PngFile { path, bytes } => write_png_file(&path, &bytes)?,
                Pending::File { path, bytes } => {
                    if let Some(parent) = path.parent() {
                        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                    }
                    fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?
                }
            }
        }
        Ok(self.left_out)
    }
}
