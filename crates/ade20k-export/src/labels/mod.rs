//! Which classes an export keeps and the ids and names it gives them: the
//! label selection every format shares ([`selection`]: `--labels`, presets,
//! `--top-classes`, resolved into a plan), the registry that numbers the
//! categories as items are written ([`registry`]), and the coloured labels of
//! the formats that write `label_colors.txt` ([`colors`]).

pub(crate) mod colors;
pub(crate) mod registry;
pub(crate) mod selection;
