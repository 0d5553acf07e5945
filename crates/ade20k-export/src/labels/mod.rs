//! Which classes an export keeps and the ids and names it gives them: the
//! label selection every format shares ([`selection`]: `--labels`, presets,
//! `--top-classes`, resolved into a plan), the registry that numbers the
//! categories as items are written ([`registry`]), and the coloured labels of
//! the formats that write `label_colors.txt` ([`colors`]).

use std::fmt;

use serde::Serialize;

pub(crate) mod colors;
pub(crate) mod registry;
pub(crate) mod selection;

/// The id of an exported label or category, as a format writes it; not an
/// ADE class index, though under some namings it has the same value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub(crate) struct LabelId(pub u32);

impl fmt::Display for LabelId {
    /// The bare number, e.g. `12`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
