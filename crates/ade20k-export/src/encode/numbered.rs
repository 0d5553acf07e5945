//! Whole objects painted by their visible masks and numbered per class, for
//! the formats whose images hold a label and an instance per pixel (KITTI,
//! MOTS).

use std::collections::HashMap;

use ade20k_model::{Error, Item};

use crate::encode::composite::ObjectMap;
use crate::labels::selection::LabelPlan;
use crate::labels::LabelId;
use crate::LeftOut;

/// The level-0 objects of kept classes of one item, where they are seen.
pub(crate) struct NumberedObjects {
    /// Who is seen at each pixel.
    pub map: ObjectMap,
    /// Per owner of the map (0 = none): label id (0 = unlabeled) and
    /// instance (0 = none: stuff, or past the class's last number).
    pub values: Vec<(u32, u32)>,
    /// Objects with visible pixels, numbered or not.
    pub objects: u64,
}

impl NumberedObjects {
    /// Paints the level-0 objects of `item` whose class `plan` keeps and
    /// numbers them in annotation order from 1 per label, up to
    /// `last_instance(label)` (0 for a label that is not numbered: stuff).
    /// Objects of classes not kept, with no visible pixel, or past their
    /// label's last number (written with instance 0) go to `left_out`.
    pub fn of(
        item: &Item,
        plan: &LabelPlan,
        last_instance: impl Fn(u32) -> u32,
        left_out: &mut Vec<LeftOut>,
    ) -> Result<Self, Error> {
        let mut label_ids = vec![None; item.objects.len()];
        for (index, object) in item.objects.iter().enumerate() {
            if object.is_part() {
                continue;
            }
            label_ids[index] = plan.label_of(object);
            if label_ids[index].is_none() {
                left_out.push(LeftOut::NotSelected);
            }
        }
        let map = ObjectMap::paint(item, 0, |index| label_ids[index].is_some())?;
        let mut seen = vec![false; item.objects.len() + 1];
        for &owner in &map.owners {
            seen[owner as usize] = true;
        }
        let mut values = vec![(0, 0); item.objects.len() + 1];
        let mut numbered: HashMap<LabelId, u32> = HashMap::new();
        let mut objects = 0;
        for (index, label_id) in label_ids.iter().enumerate() {
            let Some(label_id) = *label_id else { continue };
            if !seen[index + 1] {
                left_out.push(LeftOut::NoPixels);
                continue;
            }
            objects += 1;
            let last = last_instance(label_id.0);
            let mut instance = 0;
            if last > 0 {
                let count = numbered.entry(label_id).or_default();
                if *count < last {
                    *count += 1;
                    instance = *count;
                } else {
                    left_out.push(LeftOut::Grouped);
                }
            }
            values[index + 1] = (label_id.0, instance);
        }
        Ok(NumberedObjects {
            map,
            values,
            objects,
        })
    }

    /// `value(label, instance)` at every pixel, row-major.
    pub fn pixels<T: Copy>(&self, value: impl Fn(u32, u32) -> T) -> Vec<T> {
        let values: Vec<T> = self.values.iter().map(|&(l, i)| value(l, i)).collect();
        self.map
            .owners
            .iter()
            .map(|&owner| values[owner as usize])
            .collect()
    }
}
