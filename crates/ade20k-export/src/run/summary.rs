use std::collections::BTreeMap;
use std::fmt;

use crate::SkippedItem;

/// Why an object (or pixel, or item) was left out of an export; its
/// `Display` is the text [`Summary::left_out`] counts it under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeftOut {
    /// An object without pixels of the chosen mask kind.
    NoPixels,
    /// An object whose annotator polygon has fewer than 3 points, where the
    /// annotator's polygon is what is written.
    NoPolygon,
    /// An annotator polygon too short to be a polygon annotation (the object
    /// keeps its mask).
    ShortPolygon,
    /// A thing object written as its class's group (Cityscapes numbers at
    /// most 1000 instances of a class per image, KITTI 255).
    Grouped,
    /// An object of a class the export does not keep.
    NotSelected,
    /// A labelled pixel of a class the export does not keep, written as 0.
    NotSelectedPixel,
    /// A part below level 1 (VOC parts have one level).
    DeepPart,
    /// A part whose object is not written.
    OrphanPart,
    /// An object past the 254th of an image (VOC's `SegmentationObject`).
    VoidInstance,
    /// An item without the part level asked for (written empty).
    MissingPartLevel(u32),
    /// An object of a class the item filter's include list does not name.
    NotIncluded,
    /// An object of a class the item filter's exclude list names.
    Excluded,
    /// An object with fewer visible pixels than the item filter's minimum.
    TooSmall(u64),
    /// An instance none of whose visible pixels the semantic map gives to its
    /// class (`ade20k_challenge`: no instance id).
    NoClassPixel,
    /// An instance past the 255 ids of one image (`ade20k_challenge`'s
    /// instance maps; the smallest are left out).
    PastInstanceIds,
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeftOut::NoPixels => {
                f.write_str("objects with no pixels in their mask (wholly occluded)")
            }
            LeftOut::NoPolygon => {
                f.write_str("objects whose annotator polygon has fewer than 3 points")
            }
            LeftOut::ShortPolygon => f.write_str(
                "annotator polygons with fewer than 3 points (their objects have a mask only)",
            ),
            LeftOut::Grouped => f.write_str(
                "objects written as their class's group (more instances of \
                 the class in one image than the format's instance ids can number)",
            ),
            LeftOut::NotSelected => f.write_str("objects of classes not selected"),
            LeftOut::NotSelectedPixel => {
                f.write_str("pixels of classes not selected (written as 0)")
            }
            LeftOut::DeepPart => f.write_str("parts of parts (VOC parts have one level)"),
            LeftOut::OrphanPart => f.write_str("parts whose object is not written"),
            LeftOut::VoidInstance => f.write_str(
                "object instances past the 254th of an image (void, 255, in SegmentationObject)",
            ),
            LeftOut::MissingPartLevel(level) => {
                write!(f, "items without part level {level} (written empty)")
            }
            LeftOut::NotIncluded => f.write_str("objects of classes not included"),
            LeftOut::Excluded => f.write_str("objects of excluded classes"),
            LeftOut::TooSmall(pixels) => {
                write!(f, "objects with fewer than {pixels} visible pixels")
            }
            LeftOut::NoClassPixel => f.write_str(
                "instances with no visible pixel of their class in the semantic map \
                 (no instance id)",
            ),
            LeftOut::PastInstanceIds => f.write_str(
                "instances past the 255 ids of one image (the smallest, left out of the \
                 instance files)",
            ),
        }
    }
}

/// Skipped items the summary shows; `skipped.txt` lists them all.
const SKIPPED_SHOWN: usize = 5;

/// What an export wrote and what it left out. Fields may be added (the
/// struct is `non_exhaustive`): read them, or start from `Summary::default()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Items and annotations written, per subset.
    pub subsets: BTreeMap<String, SubsetSummary>,
    /// Objects left out, counted per reason (e.g. "objects with no visible pixels").
    pub left_out: BTreeMap<String, u64>,
    /// Number of categories written.
    pub categories: usize,
    /// Choices the export made that the reader of the output must know
    /// (e.g. the bit depth of mask files), one sentence each.
    pub notes: Vec<String>,
    /// Broken items left out, in item order (only with
    /// [`ExportOptions::skip_broken`](crate::ExportOptions::skip_broken)).
    pub skipped: Vec<SkippedItem>,
    /// Problems that did not stop the export, one sentence each, naming the
    /// file (e.g. a previous output that could not be removed).
    pub warnings: Vec<String>,
}

/// Counts of one subset; fields may be added (`non_exhaustive`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubsetSummary {
    /// Items (images) written.
    pub items: u64,
    /// Annotations written.
    pub annotations: u64,
}

impl Summary {
    /// Items written in all subsets.
    pub fn items(&self) -> u64 {
        self.subsets.values().map(|subset| subset.items).sum()
    }

    /// Annotations written in all subsets.
    pub fn annotations(&self) -> u64 {
        self.subsets.values().map(|subset| subset.annotations).sum()
    }

    /// Counts one object left out for `reason`.
    pub fn leave_out(&mut self, reason: LeftOut) {
        self.leave_out_many(reason, 1);
    }

    /// Counts `count` objects (or pixels) left out for `reason`.
    pub fn leave_out_many(&mut self, reason: LeftOut, count: u64) {
        *self.left_out.entry(reason.to_string()).or_default() += count;
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, subset) in &self.subsets {
            writeln!(
                f,
                "  {name}: {} items, {} annotations",
                subset.items, subset.annotations
            )?;
        }
        writeln!(f, "  categories: {}", self.categories)?;
        for (reason, count) in &self.left_out {
            writeln!(f, "  left out: {count} {reason}")?;
        }
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }
        if !self.skipped.is_empty() {
            writeln!(
                f,
                "  skipped: {} broken items, listed in {}",
                self.skipped.len(),
                crate::SKIPPED_FILE
            )?;
            for item in self.skipped.iter().take(SKIPPED_SHOWN) {
                writeln!(f, "    {}: {}", item.name(), item.reason())?;
            }
            if self.skipped.len() > SKIPPED_SHOWN {
                writeln!(f, "    … and {} more", self.skipped.len() - SKIPPED_SHOWN)?;
            }
        }
        Ok(())
    }
}
