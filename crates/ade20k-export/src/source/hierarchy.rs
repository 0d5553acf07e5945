//! Objects and their parts: parent chains, which objects survive when some
//! are removed, and the class-map pixels removed objects take with them.
//! Every walk up a parent chain goes through [`Hierarchy`], every removal
//! from a class map through [`clear_where_seen`].

use std::collections::HashMap;

use ade20k_model::{ClassMap, Error, InstanceMask, Item, Object, ObjectId};

use crate::encode::composite::instance_mask_like;

/// The objects of an item, found by ADE id, to walk their parent chains.
pub(crate) struct Hierarchy<'a> {
    objects: &'a [Object],
    position_of_id: HashMap<ObjectId, usize>,
}

/// How a walk up a parent chain ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChainEnd {
    /// At an object without parent.
    Root,
    /// At an object whose parent, this ADE id, is no object of the item.
    MissingParent(ObjectId),
    /// The parents form a cycle.
    Cycle,
}

impl<'a> Hierarchy<'a> {
    /// The hierarchy of the objects of `item`.
    pub fn of(item: &'a Item) -> Self {
        Hierarchy {
            objects: &item.objects,
            position_of_id: item
                .objects
                .iter()
                .enumerate()
                .map(|(position, object)| (object.ade_id, position))
                .collect(),
        }
    }

    /// The positions of object `start` and of its ancestors, nearest first,
    /// as far as the chain can be followed, and how it ended. A cycle is
    /// followed once round.
    pub fn ancestry(&self, start: usize) -> (Vec<usize>, ChainEnd) {
        let mut chain = vec![start];
        loop {
            let current = chain[chain.len() - 1];
            let Some(parent) = self.objects[current].parent else {
                return (chain, ChainEnd::Root);
            };
            let Some(&position) = self.position_of_id.get(&parent) else {
                return (chain, ChainEnd::MissingParent(parent));
            };
            if chain.len() >= self.objects.len() {
                return (chain, ChainEnd::Cycle);
            }
            chain.push(position);
        }
    }

    /// The position of the object at the end of the parent chain of object
    /// `start` (itself when it has no parent; where a parent is missing, the
    /// last object reached).
    pub fn root(&self, start: usize) -> usize {
        let (chain, _) = self.ancestry(start);
        chain[chain.len() - 1]
    }
}

/// For each object of `item`, whether it is kept: `own[i]` is true for it and
/// for every one of its ancestors, so the parts of a removed object go with it.
///
/// A parent link to no object of the item, and a cycle of parents, met while
/// walking up from a kept object are errors naming the item's image.
pub(crate) fn kept_with_ancestors(item: &Item, own: &[bool]) -> Result<Vec<bool>, Error> {
    let hierarchy = Hierarchy::of(item);
    (0..item.objects.len())
        .map(|start| {
            let (chain, end) = hierarchy.ancestry(start);
            if !chain.iter().all(|&position| own[position]) {
                return Ok(false);
            }
            match end {
                ChainEnd::Root => Ok(true),
                ChainEnd::MissingParent(parent) => Err(Error::invalid(
                    &item.image.path,
                    format!(
                        "object {}: its parent {parent} is not an object of the item",
                        item.objects[chain[chain.len() - 1]].ade_id
                    ),
                )),
                ChainEnd::Cycle => Err(Error::invalid(
                    &item.image.path,
                    format!(
                        "object {}: its parents form a cycle",
                        item.objects[start].ade_id
                    ),
                )),
            }
        })
        .collect()
}

/// Sets `kept` to false at every pixel of `map`, the class map of part level
/// `level`, where one of the `removed` objects of that level is seen (its
/// instance mask is visible there): the pixels removing them clears.
pub(crate) fn clear_where_seen<'o>(
    item: &Item,
    map: &ClassMap,
    level: u32,
    removed: impl IntoIterator<Item = &'o Object>,
    kept: &mut [bool],
) -> Result<(), Error> {
    for object in removed.into_iter().filter(|o| o.part_level == level) {
        let mask = instance_mask_like(item, object, map, level)?;
        for (keep, &value) in kept.iter_mut().zip(mask.pixels()) {
            if value == InstanceMask::VISIBLE {
                *keep = false;
            }
        }
    }
    Ok(())
}
