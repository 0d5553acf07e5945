//! Objects and their parts: which survive when some are removed.

use std::collections::HashMap;

use ade20k_model::{Error, Item};

/// For each object of `item`, whether it is kept: `own[i]` is true for it and
/// for every one of its ancestors, so the parts of a removed object go with it.
///
/// A parent link to no object of the item, and a cycle of parents, are errors
/// naming the item's image.
pub(crate) fn kept_with_ancestors(item: &Item, own: &[bool]) -> Result<Vec<bool>, Error> {
    let objects = &item.objects;
    let position_of_id: HashMap<u32, usize> = objects
        .iter()
        .enumerate()
        .map(|(position, object)| (object.ade_id, position))
        .collect();
    let mut kept: Vec<Option<bool>> = vec![None; objects.len()];
    for start in 0..objects.len() {
        // Walk up from `start` to the first object whose fate is known or that
        // is removed on its own account; the objects passed on the way are
        // kept exactly when that one is.
        let mut chain = Vec::new();
        let mut current = start;
        let decided = loop {
            if let Some(known) = kept[current] {
                break known;
            }
            if !own[current] {
                kept[current] = Some(false);
                break false;
            }
            chain.push(current);
            let Some(parent) = objects[current].parent else {
                break true;
            };
            if chain.len() > objects.len() {
                return Err(Error::invalid(
                    &item.image.path,
                    format!("object {}: its parents form a cycle", objects[start].ade_id),
                ));
            }
            current = *position_of_id.get(&parent).ok_or_else(|| {
                Error::invalid(
                    &item.image.path,
                    format!(
                        "object {}: its parent {parent} is not an object of the item",
                        objects[current].ade_id
                    ),
                )
            })?;
        };
        for &position in &chain {
            kept[position] = Some(decided);
        }
    }
    // The loop above decides every object.
    Ok(kept
        .into_iter()
        .map(|known| known.unwrap_or(true))
        .collect())
}
