//! The challenge's two tables: `objectInfo150.csv` (the classes, with how
//! much of the data each covers, counted from what was written) and
//! `sceneCategories.txt` (`<name> <scene>` per image).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use ade20k_model::Error;

use super::classes::Classes;

/// The subset counted in the `Train` column of `objectInfo150.csv`.
const TRAINING: &str = "training";
/// The subset counted in the `Val` column.
const VALIDATION: &str = "validation";
/// The scene written for an image whose annotation names none.
const NO_SCENE: &str = "misc";

/// Pixels of each value (0..=150) of one semantic map.
pub(super) type PixelCounts = [u64; 151];

/// The pixels of each value of `semantic`.
pub(super) fn pixel_counts(semantic: &[u8]) -> PixelCounts {
    let mut pixels = [0u64; 151];
    for &value in semantic {
        pixels[usize::from(value)] += 1;
    }
    pixels
}

/// Pixel and image counts per class value (index 0 = other).
pub(super) struct ClassCounts {
    pixels: Vec<u64>,
    training_images: Vec<u64>,
    validation_images: Vec<u64>,
    all_pixels: u64,
}

impl ClassCounts {
    /// No image counted.
    pub fn new() -> Self {
        ClassCounts {
            pixels: vec![0; 151],
            training_images: vec![0; 151],
            validation_images: vec![0; 151],
            all_pixels: 0,
        }
    }

    /// Counts one image of `subset` whose semantic map holds `pixels[v]`
    /// pixels of each value `v` ([`pixel_counts`]).
    pub fn add(&mut self, subset: &str, pixels: &PixelCounts) {
        let images = match subset {
            TRAINING => Some(&mut self.training_images),
            VALIDATION => Some(&mut self.validation_images),
            _ => None,
        };
        if let Some(images) = images {
            for (count, &seen) in images.iter_mut().zip(pixels) {
                *count += u64::from(seen > 0);
            }
        }
        for (total, seen) in self.pixels.iter_mut().zip(pixels) {
            *total += seen;
        }
        self.all_pixels += pixels.iter().sum::<u64>();
    }

    /// Writes `objectInfo150.csv`: `Idx,Ratio,Train,Val,Stuff,Name`, where
    /// `Ratio` is the class's share of all pixels written (4 decimals),
    /// `Train` and `Val` the training and validation images it appears in,
    /// `Stuff` and `Name` the challenge's own.
    pub fn write(&self, path: &Path, classes: &Classes) -> Result<(), Error> {
        let mut text = String::from("Idx,Ratio,Train,Val,Stuff,Name\n");
        for (position, class) in classes.semantic.iter().enumerate() {
            let value = position + 1;
            let ratio = self.pixels[value] as f64 / self.all_pixels.max(1) as f64;
            text.push_str(&format!(
                "{value},{ratio:.4},{},{},{},{}\n",
                self.training_images[value],
                self.validation_images[value],
                u8::from(class.object_info_stuff),
                class.object_info_name
            ));
        }
        std::fs::write(path, text).map_err(|e| Error::io(path, e))
    }
}

/// `sceneCategories.txt`, written a line per image as images arrive.
pub(super) struct SceneFile {
    path: PathBuf,
    out: BufWriter<File>,
}

impl SceneFile {
    /// Creates the file at `path`.
    pub fn create(path: PathBuf) -> Result<Self, Error> {
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(SceneFile {
            path,
            out: BufWriter::new(file),
        })
    }

    /// Writes `<name> <scene>`: the most specific of the image's scene
    /// words, blanks as `_` (`living room` → `living_room`, as the challenge
    /// writes them); `misc` when the annotation names no scene.
    pub fn add(&mut self, name: &str, scene: &[String]) -> Result<(), Error> {
        let scene = scene
            .last()
            .map(|word| word.trim().replace(char::is_whitespace, "_"))
            .filter(|word| !word.is_empty())
            .unwrap_or_else(|| NO_SCENE.to_string());
        writeln!(self.out, "{name} {scene}").map_err(|e| Error::io(&self.path, e))
    }

    /// Flushes and closes the file.
    pub fn finish(self) -> Result<(), Error> {
        self.out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))
            .map(drop)
    }
}
