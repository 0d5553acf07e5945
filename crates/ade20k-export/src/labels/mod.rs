//! Which classes an export keeps and the ids and names it gives them: the
//! label selection every format shares ([`selection`]: `--labels`, presets,
//! `--top-classes`, resolved into a plan) and the registry that numbers the
//! categories as items are written ([`registry`]).

pub(crate) mod registry;
pub(crate) mod selection;
