//! `annotations_instance/<subset>/<name>.png`: the 2017 instance
//! challenge's encoding (RGB, R = Instance100 class 1..=100, G = instance id
//! 1..=255 unique in the image, 0 = none, B = 0).

use ade20k_model::{BBox, BinaryMask, CroppedMask, Error, Item};

use super::classes::Classes;
use crate::encode::composite::{Extent, ObjectMap};
use crate::LeftOut;

/// The instance ids one image holds (the G channel, 0 = none).
const MAX_INSTANCES: usize = 255;

/// One instance of an image.
pub(super) struct Instance {
    /// Its id, the G value of its pixels.
    pub id: u8,
    /// Its Instance100 class, the R value of its pixels.
    pub class: u8,
    /// Its pixels.
    pub extent: Extent,
    /// Its pixels, as a mask of the image.
    pub mask: CroppedMask,
}

/// The instance map of one image.
pub(super) struct InstanceMap {
    /// Row-major instance ids (G), 0 = none.
    pub ids: Vec<u8>,
    /// The instances, in id order (id = position + 1).
    pub instances: Vec<Instance>,
}

impl InstanceMap {
    /// The instances of `item` over its semantic map `semantic` (values
    /// 1..=150, 0 = other). The level-0 objects of an Instance100 class are
    /// painted in annotation order from their visible masks (where two
    /// overlap, the later object wins, as in `_seg.png`), and each pixel is
    /// kept only where the semantic map holds the object's class, so the two
    /// maps never disagree. Objects left with no pixel get no id; beyond 255
    /// instances the smallest are left out. Ids follow annotation order.
    /// Each object left out pushes its reason to `left_out`.
    pub fn build(
        item: &Item,
        semantic: &[u8],
        classes: &Classes,
        left_out: &mut Vec<LeftOut>,
    ) -> Result<Self, Error> {
        let class_of: Vec<Option<u8>> = item
            .objects
            .iter()
            .map(|object| match object.part_level {
                0 => classes.instance_of(object.class),
                _ => None,
            })
            .collect();
        let mut map = ObjectMap::paint(item, 0, |index| class_of[index].is_some())?;
        let width = map.width.max(1) as usize;
        let mut extents = vec![Extent::default(); item.objects.len()];
        for (position, owner) in map.owners.iter_mut().enumerate() {
            let Some(index) = (*owner as usize).checked_sub(1) else {
                continue;
            };
            let class = class_of[index].expect("only instance objects are painted");
            if semantic[position] != classes.instance[usize::from(class) - 1].semantic {
                *owner = 0;
                continue;
            }
            extents[index].add((position % width) as u32, (position / width) as u32);
        }
        let mut kept: Vec<usize> = (0..item.objects.len())
            .filter(|&index| class_of[index].is_some())
            .filter(|&index| {
                let seen = extents[index].area > 0;
                if !seen {
                    left_out.push(LeftOut::NoClassPixel);
                }
                seen
            })
            .collect();
        if kept.len() > MAX_INSTANCES {
            // The largest keep their ids; ties go to the earlier object.
            kept.sort_by_key(|&index| (std::cmp::Reverse(extents[index].area), index));
            left_out.extend(std::iter::repeat_n(
                LeftOut::PastInstanceIds,
                kept.len() - MAX_INSTANCES,
            ));
            kept.truncate(MAX_INSTANCES);
            kept.sort_unstable();
        }
        let mut id_of = vec![0u8; item.objects.len() + 1];
        for (position, &index) in kept.iter().enumerate() {
            id_of[index + 1] = position as u8 + 1;
        }
        let ids: Vec<u8> = map
            .owners
            .iter()
            .map(|&owner| id_of[owner as usize])
            .collect();
        let instances = kept
            .iter()
            .enumerate()
            .map(|(position, &index)| {
                let id = position as u8 + 1;
                let extent = extents[index];
                Ok(Instance {
                    id,
                    class: class_of[index].expect("kept objects have a class"),
                    extent,
                    mask: window(item, &ids, width, id, extent.bbox())?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(InstanceMap { ids, instances })
    }

    /// The RGB pixels of the PNG: R the class, G the id, B 0.
    pub fn rgb(&self) -> Vec<u8> {
        let mut class_of = [0u8; MAX_INSTANCES + 1];
        for instance in &self.instances {
            class_of[usize::from(instance.id)] = instance.class;
        }
        self.ids
            .iter()
            .flat_map(|&id| [class_of[usize::from(id)], id, 0])
            .collect()
    }
}

/// The pixels of instance `id` in `ids` (rows of `width`), inside `bbox`.
fn window(item: &Item, ids: &[u8], width: usize, id: u8, bbox: BBox) -> Result<CroppedMask, Error> {
    let window = BinaryMask::from_fn(bbox.width, bbox.height, |x, y| {
        ids[(bbox.y + y) as usize * width + (bbox.x + x) as usize] == id
    });
    CroppedMask::new(item.image.width, item.image.height, bbox.x, bbox.y, window)
        .map_err(|problem| Error::new(&item.image.path, problem))
}
