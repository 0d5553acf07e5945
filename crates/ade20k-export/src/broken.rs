//! `--skip-broken`: the items of a dataset that can be read whole, and the
//! others listed with the reason.
//!
//! An item is broken when its annotation cannot be parsed, the header of one
//! of its files (photo, class maps, instance masks) is missing or wrong, one
//! of its masks (the class map of each of its part levels, the instance mask
//! of each of its objects, unless the format reads none: `semantic`) cannot be
//! decoded or disagrees with the item, or, when images reach the output, its
//! image is not a regular file (symbolic links followed) or cannot be
//! opened.
//!
//! [`check`] reads every item that way, in parallel, *before*
//! the format sees the dataset, and the format then reads only the items that
//! passed. This is how input errors are told from output errors: while the
//! check runs nothing is written, so every error it meets is about the input
//! and makes a skip; once the format runs, every error (writing included)
//! stops the export as it always does. It also means a skipped item leaves
//! nothing behind in any format (no image linked, no mask file written), the
//! formats' whole-dataset passes (label collection, pixel counts, name checks)
//! never see it, and the output is exactly the conversion of the dataset
//! without the broken items, numbered the same whatever the thread count.
//! The price is that every mask the format reads is decoded twice.

use std::fmt::{self, Write as _};
use std::path::PathBuf;

use ade20k_model::{Error, Item, ItemSource, PassCounter, Phase, PhaseHook};
use rayon::prelude::*;

use crate::picked::PickedItems;
use crate::{MediaMode, Reads};

/// The file listing the skipped items, written at the top of the output only
/// when an item was skipped: one line per item, in item order, each a
/// [`SkippedItem`] as its `Display` writes it.
pub const SKIPPED_FILE: &str = "skipped.txt";

/// An item left out of an export because it is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedItem {
    /// The subset the item belongs to.
    pub subset: String,
    /// The item's id within its subset; `#<position>` (from 1) only when the
    /// source cannot tell the id of an item it cannot load (the importers of
    /// this project always can).
    pub id: String,
    /// The file the problem was found in.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: String,
}

impl SkippedItem {
    /// `<subset>/<item id>`, escaped as in [`SKIPPED_FILE`] (see the `Display`
    /// implementation): no line break or tab.
    pub fn name(&self) -> String {
        format!("{}/{}", Escaped(&self.subset), Escaped(&self.id))
    }

    /// `<file>: <problem>`, escaped as [`SkippedItem::name`].
    pub fn reason(&self) -> String {
        format!(
            "{}: {}",
            Escaped(&self.path.to_string_lossy()),
            Escaped(&self.problem)
        )
    }
}

/// `<subset>/<item id>`, a tab, then `<file>: <problem>`: one line of
/// [`SKIPPED_FILE`], without the line feed. So that one item is one line
/// whatever its names hold, a backslash in any of the four is written `\\`,
/// a tab `\t`, a line feed `\n`, a carriage return `\r`, and any other
/// control character or Unicode line or paragraph separator `\u{<hex code>}`
/// (`\u{b}`, `\u{2028}`).
impl fmt::Display for SkippedItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\t{}", self.name(), self.reason())
    }
}

/// Text written with the escapes of [`SkippedItem`]'s `Display`.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '\t' => f.write_str("\\t")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                    write!(f, "\\u{{{:x}}}", u32::from(c))?
                }
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// Reads every item of `inner` (see the module documentation): returns the
/// dataset without its broken items, and those items in item order.
/// `progress` is told of each item checked ([`Phase::CheckingItems`]).
pub(crate) fn check<'a>(
    inner: &'a dyn ItemSource,
    reads: Reads,
    media: MediaMode,
    progress: Option<&PhaseHook>,
) -> (PickedItems<'a>, Vec<SkippedItem>) {
    let counter = PassCounter::start(progress, Phase::CheckingItems, inner.len());
    let results: Vec<Result<(), Error>> = (0..inner.len())
        .into_par_iter()
        .map(|index| {
            let result = check_item(inner, index, reads, media);
            counter.item_done();
            result
        })
        .collect();
    let mut indices = Vec::new();
    let mut skipped = Vec::new();
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(()) => indices.push(index),
            Err(error) => skipped.push(SkippedItem {
                subset: inner.subset_of(index).to_string(),
                id: inner
                    .id_of(index)
                    .unwrap_or_else(|_| format!("#{}", index + 1)),
                path: error.path,
                problem: error.problem.to_string(),
            }),
        }
    }
    (PickedItems::new(inner, indices), skipped)
}

/// Reads item `index` of `source` the way a format would, writing nothing.
fn check_item(
    source: &dyn ItemSource,
    index: usize,
    reads: Reads,
    media: MediaMode,
) -> Result<(), Error> {
    let item: Item = source.load(index)?;
    item.check_files()?;
    for level in 0..=item.part_levels {
        item.class_map(level)?;
    }
    if reads == Reads::Everything {
        for object in 0..item.objects.len() {
            item.instance_mask(object)?;
        }
    }
    if media != MediaMode::None {
        ade20k_fs::open_regular(&item.image.path)?;
    }
    Ok(())
}
