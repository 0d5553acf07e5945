//! `annotations/<subset>/<name>.png` and `annotations_detectron2/…`: the
//! semantic maps, 8-bit grey.

use ade20k_model::{ClassIndex, ClassMap};

use super::classes::Classes;

/// The semantic map of `_seg.png`'s classes as the benchmark's converter
/// (`convertFromADE.m`) makes it: each pixel the SceneParsing150 value
/// (1..=150) of its full-release class, 0 for every other class and for
/// unlabeled pixels. Pixels are mapped by class alone, whichever object
/// they belong to.
pub(super) fn semantic_values(map: &ClassMap, classes: &Classes) -> Vec<u8> {
    let mut last = (ClassIndex::UNLABELED, 0);
    map.classes()
        .iter()
        .map(|&class| {
            if class != last.0 {
                last = (class, classes.semantic_of(class));
            }
            last.1
        })
        .collect()
}

/// The map Mask2Former's `prepare_ade20k_sem_seg.py` makes of a semantic
/// map: every value minus 1 in 8 bits, so 0 (other) becomes 255, its ignore
/// value.
pub(super) fn detectron2_values(semantic: &[u8]) -> Vec<u8> {
    semantic.iter().map(|value| value.wrapping_sub(1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_the_benchmark_and_detectron2_shifts_them() {
        let classes = Classes::new();
        // wall, door, double door, a class outside the 150, unlabeled.
        let map = ClassMap::from_pixels(
            5,
            1,
            [2978, 774, 783, 3, 0].map(ClassIndex).into(),
            vec![0; 5],
        )
        .unwrap();
        let semantic = semantic_values(&map, &classes);
        assert_eq!(semantic, [1, 15, 15, 0, 0]);
        assert_eq!(detectron2_values(&semantic), [0, 14, 14, 255, 255]);
    }
}
