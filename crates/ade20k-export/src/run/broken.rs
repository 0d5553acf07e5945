//! `--skip-broken`: the items of a dataset that can be read whole, and the
//! others listed with the reason.
//!
//! An item is broken when its annotation cannot be parsed, the header of one
//! of its files (photo, class maps, instance masks) is missing or wrong, or
//! what the format reads of it cannot be read: a mask it decodes cannot be
//! decoded or disagrees with the item, or, when images reach the output, its
//! image is not a regular file (symbolic links followed). A mask the format
//! never decodes (`semantic` decodes no instance mask) breaks nothing for it,
//! unless its header is wrong.
//!
//! Every mask is decoded once, by the format: the pipeline prepares each
//! item, and an error while loading, checking or preparing it (which read the
//! input and write nothing) leaves the item out; every later error, writing
//! included, stops the export. A skipped item leaves nothing behind in any
//! format and the items after it are numbered as if it never existed. Only
//! the passes over the whole dataset that some formats make before the first
//! item (label collection, `--top-classes` pixel counts) read items earlier:
//! the first such pass has [`check`] read what they read (each annotation,
//! the headers of its files, and with `--top-classes` the class map of level
//! 0), so that they never see an item broken there (see [`WholeDataset`]). A
//! format that makes no such pass reads each item once. An item whose
//! masks' pixels alone are broken is counted by those passes before it is
//! left out.

use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::sync::OnceLock;

use ade20k_model::{Error, Item, ItemSource, PassCounter, Phase, PhaseHook};
use rayon::prelude::*;

use crate::source::PickedItems;
use crate::{ExportOptions, LabelSelection};

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

impl SkippedItem {
    /// Item `index` of `source`, broken by `error`.
    pub(crate) fn of(source: &dyn ItemSource, index: usize, error: Error) -> Self {
        SkippedItem {
            subset: source.subset_of(index).to_string(),
            id: source
                .id_of(index)
                .unwrap_or_else(|_| format!("#{}", index + 1)),
            path: error.path,
            problem: error.problem.to_string(),
        }
    }
}

/// The dataset as the passes over every item that some formats make before
/// the first item is written (label collection, `--top-classes` pixel
/// counts) see it: with [`ExportOptions::skip_broken`], only the items that
/// [`check`] finds readable. The check runs on the first call of
/// [`WholeDataset::items`], so a format that makes no such pass never pays
/// for it; the runner then writes only those items too.
pub(crate) struct WholeDataset<'a> {
    source: &'a dyn ItemSource,
    options: &'a ExportOptions,
    readable: OnceLock<Readable<'a>>,
}

/// The items of a dataset that [`check`] finds readable, and the others.
pub(crate) struct Readable<'a> {
    /// The readable items.
    pub items: PickedItems<'a>,
    /// The broken items, as (index in the dataset, item) in item order.
    pub skipped: Vec<(usize, SkippedItem)>,
}

impl<'a> WholeDataset<'a> {
    /// The dataset `source` exported with `options`.
    pub fn new(source: &'a dyn ItemSource, options: &'a ExportOptions) -> Self {
        WholeDataset {
            source,
            options,
            readable: OnceLock::new(),
        }
    }

    /// The items a pass over the whole dataset reads: without
    /// `skip_broken` every item, with it the readable ones (checked now,
    /// once).
    pub fn items(&self) -> &dyn ItemSource {
        if !self.options.skip_broken {
            return self.source;
        }
        &self
            .readable
            .get_or_init(|| check(self.source, self.options))
            .items
    }

    /// Where the passes report their progress.
    pub fn progress(&self) -> Option<&PhaseHook> {
        self.options.phases.as_ref()
    }

    /// The readable items and the broken ones, when a pass has asked for
    /// them.
    pub fn readable(&self) -> Option<&Readable<'a>> {
        self.readable.get()
    }
}

/// Reads of every item of `inner` what the passes over the whole dataset
/// read (see the module documentation), in parallel. [`ExportOptions::phases`]
/// is told of each item checked ([`Phase::CheckingItems`]).
fn check<'a>(inner: &'a dyn ItemSource, options: &ExportOptions) -> Readable<'a> {
    let class_map = matches!(options.labels, LabelSelection::TopClasses(_));
    let counter = PassCounter::start(options.phases.as_ref(), Phase::CheckingItems, inner.len());
    let results: Vec<Result<(), Error>> = (0..inner.len())
        .into_par_iter()
        .map(|index| {
            let result = check_item(inner, index, class_map);
            counter.item_done();
            result
        })
        .collect();
    let mut indices = Vec::new();
    let mut skipped = Vec::new();
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(()) => indices.push(index),
            Err(error) => skipped.push((index, SkippedItem::of(inner, index, error))),
        }
    }
    Readable {
        items: PickedItems::new(inner, indices),
        skipped,
    }
}

/// Reads of item `index` of `inner` what [`check`] reads: its annotation,
/// the headers of its files and, with `class_map`, its level-0 class map.
fn check_item(inner: &dyn ItemSource, index: usize, class_map: bool) -> Result<(), Error> {
    let item: Item = inner.load(index)?;
    item.check_files()?;
    if class_map {
        item.class_map(0)?;
    }
    Ok(())
}
