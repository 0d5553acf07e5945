//! `ade20k_panoptic_<split>/<name>.png` and its `segments_info`, made from
//! the semantic and instance maps by the rules of Mask2Former's
//! `datasets/prepare_ade20k_pan_seg.py`:
//!
//! - stuff first: one segment per stuff class of the semantic map, in class
//!   order, coloured with the class's colour;
//! - then things: one segment per instance, in id order, coloured with its
//!   class's colour unless the image has used it already (by a stuff class
//!   or an earlier instance), else with that colour moved by up to 30 per
//!   channel until unused (panopticapi's `IdGenerator`);
//! - a segment's id is its colour as `R + 256·G + 256²·B`; its `area` and
//!   `bbox` are those of its pixels; `category_id` is the class value − 1.
//!
//! Where panopticapi draws the moves at random, they are drawn here from a
//! generator seeded by the image's name, so the output is the same on every
//! run. Thing pixels of the semantic map without an instance are void (0),
//! as in the script.

use serde::Serialize;

use super::classes::Classes;
use super::instances::InstanceMap;
use crate::encode::composite::Extent;

/// The furthest panopticapi moves a channel of a thing's colour.
const MAX_COLOUR_MOVE: i32 = 30;

/// One entry of `segments_info`.
#[derive(Serialize)]
pub(super) struct SegmentInfo {
    /// The segment's colour as `R + 256·G + 256²·B`.
    pub id: u32,
    /// The class value − 1 (0..=149).
    pub category_id: u32,
    /// Its pixels.
    pub area: u64,
    /// `[x, y, width, height]`.
    pub bbox: [u32; 4],
    /// Always 0.
    pub iscrowd: u8,
}

/// The panoptic PNG of one image and its segments.
pub(super) struct PanopticImage {
    /// RGB pixels.
    pub rgb: Vec<u8>,
    /// Stuff segments in class order, then thing segments in instance order.
    pub segments: Vec<SegmentInfo>,
}

impl PanopticImage {
    /// The panoptic image of `name` (which seeds the colour moves) from its
    /// semantic map (`width` pixels a row) and instance map.
    pub fn build(
        name: &str,
        width: u32,
        semantic: &[u8],
        instances: &InstanceMap,
        classes: &Classes,
    ) -> Self {
        let width = width.max(1) as usize;
        let mut stuff = vec![Extent::default(); 151];
        for (position, &value) in semantic.iter().enumerate() {
            if value != 0 && !classes.semantic[usize::from(value) - 1].is_thing {
                stuff[usize::from(value)].add((position % width) as u32, (position / width) as u32);
            }
        }
        let mut colors = Colors::new(name, classes);
        let mut color_of_value = [[0u8; 3]; 151];
        let mut segments = Vec::new();
        for (value, extent) in stuff.iter().enumerate().filter(|(_, e)| e.area > 0) {
            let color = classes.semantic[value - 1].mask2former_color;
            color_of_value[value] = color;
            segments.push(segment(color, value as u8, extent));
        }
        let mut color_of_id = [[0u8; 3]; 256];
        for instance in &instances.instances {
            let value = classes.instance[usize::from(instance.class) - 1].semantic;
            let color = colors.thing(classes.semantic[usize::from(value) - 1].mask2former_color);
            color_of_id[usize::from(instance.id)] = color;
            segments.push(segment(color, value, &instance.extent));
        }
        let rgb = semantic
            .iter()
            .zip(&instances.ids)
            .flat_map(|(&value, &id)| match id {
                0 if value != 0 && !classes.semantic[usize::from(value) - 1].is_thing => {
                    color_of_value[usize::from(value)]
                }
                0 => [0, 0, 0],
                id => color_of_id[usize::from(id)],
            })
            .collect();
        PanopticImage { rgb, segments }
    }
}

/// The segment of `color`, semantic value `value` and pixels `extent`.
fn segment(color: [u8; 3], value: u8, extent: &Extent) -> SegmentInfo {
    let bbox = extent.bbox();
    SegmentInfo {
        id: u32::from(color[0]) + 256 * u32::from(color[1]) + 65536 * u32::from(color[2]),
        category_id: u32::from(value) - 1,
        area: extent.area,
        bbox: [bbox.x, bbox.y, bbox.width, bbox.height],
        iscrowd: 0,
    }
}

/// The colours used in one image, and the generator of colour moves.
struct Colors {
    taken: std::collections::HashSet<[u8; 3]>,
    state: u64,
}

impl Colors {
    /// Black (void) and every stuff class's colour are taken from the start.
    fn new(name: &str, classes: &Classes) -> Self {
        let mut taken: std::collections::HashSet<[u8; 3]> = classes
            .semantic
            .iter()
            .filter(|class| !class.is_thing)
            .map(|class| class.mask2former_color)
            .collect();
        taken.insert([0, 0, 0]);
        // FNV-1a of the name.
        let state = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        Colors { taken, state }
    }

    /// The colour of a new thing segment whose class colour is `base`.
    fn thing(&mut self, base: [u8; 3]) -> [u8; 3] {
        let mut color = base;
        while !self.taken.insert(color) {
            color = base.map(|channel| {
                let moved = i32::from(channel) + self.next_move();
                moved.clamp(0, 255) as u8
            });
        }
        color
    }

    /// A move in `-30..=30` (splitmix64).
    fn next_move(&mut self) -> i32 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z % (2 * MAX_COLOUR_MOVE as u64 + 1)) as i32 - MAX_COLOUR_MOVE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_instance_of_a_class_gets_a_nearby_unused_colour() {
        let classes = Classes::new();
        let mut colors = Colors::new("ADE_train_00000001", &classes);
        let bed = classes.semantic[7].mask2former_color;
        assert_eq!(colors.thing(bed), bed);
        let second = colors.thing(bed);
        assert_ne!(second, bed);
        for (moved, base) in second.iter().zip(bed) {
            assert!((i32::from(*moved) - i32::from(base)).abs() <= MAX_COLOUR_MOVE);
        }
        // A stuff colour is never given to a thing.
        let wall = classes.semantic[0].mask2former_color;
        assert_ne!(colors.thing(wall), wall);
        // The same name draws the same moves.
        let mut again = Colors::new("ADE_train_00000001", &classes);
        again.thing(bed);
        assert_eq!(again.thing(bed), second);
    }
}
