//! `decode::class_map` on arbitrary bytes: never panics, and a decoded map has
//! one class and one instance code per pixel.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Small enough that a header claiming a huge image is refused, not allocated.
const MAX_PIXELS: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Ok(map) = ade20k_import::decode::class_map(data, MAX_PIXELS) else {
        return;
    };
    let pixels = map.width() as usize * map.height() as usize;
    assert!(pixels as u64 <= MAX_PIXELS);
    assert_eq!(map.classes().len(), pixels);
    assert_eq!(map.instances().len(), pixels);
    for (&class, &instance) in map.classes().iter().zip(map.instances()) {
        // (R / 10) * 256 + G with R ≤ 255: at most 25 * 256 + 255.
        assert!(
            class.0 <= 25 * 256 + 255,
            "class {class} (instance {instance})"
        );
    }
    if pixels > 0 {
        let (x, y) = (map.width() - 1, map.height() - 1);
        assert_eq!(map.class_at(x, y), map.classes()[pixels - 1]);
    }
});
