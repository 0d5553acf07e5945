//! Datasets as formats see them: [`ItemSource`](ade20k_model::ItemSource)
//! adapters that leave out items ([`PickedItems`]) or objects
//! ([`FilteredSource`](filter::FilteredSource)), and the part hierarchy they
//! keep whole; items scaled down for `max_short_side` ([`resized`], with
//! the kernels in [`resize`]).

pub(crate) mod filter;
pub(crate) mod hierarchy;
mod picked;
pub(crate) mod resize;
pub(crate) mod resized;

pub(crate) use picked::PickedItems;
