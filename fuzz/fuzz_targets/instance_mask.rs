//! `decode::instance_mask` on arbitrary bytes: never panics; a decoded mask
//! holds only 0, 128 and 255, and its binary masks agree with their area and box.
#![no_main]

use ade20k_model::{BinaryMask, InstanceMask, MaskKind};
use libfuzzer_sys::fuzz_target;

/// Small enough that a header claiming a huge image is refused, not allocated.
const MAX_PIXELS: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Ok(mask) = ade20k_import::decode::instance_mask(data, MAX_PIXELS) else {
        return;
    };
    let pixels = mask.width() as usize * mask.height() as usize;
    assert!(pixels as u64 <= MAX_PIXELS);
    assert_eq!(mask.pixels().len(), pixels);
    for &value in mask.pixels() {
        assert!(
            matches!(
                value,
                InstanceMask::ABSENT | InstanceMask::HIDDEN | InstanceMask::VISIBLE
            ),
            "value {value}"
        );
    }
    let visible = mask.binary(MaskKind::Visible);
    let amodal = mask.binary(MaskKind::Amodal);
    for (&value, (&seen, &present)) in mask
        .pixels()
        .iter()
        .zip(visible.pixels().iter().zip(amodal.pixels()))
    {
        assert_eq!(seen, u8::from(value == InstanceMask::VISIBLE));
        assert_eq!(present, u8::from(value != InstanceMask::ABSENT));
    }
    check_binary(&mask, &visible);
    check_binary(&mask, &amodal);
    assert!(visible.area() <= amodal.area());
});

/// Area and bounding box of `binary` against a plain scan of its pixels.
fn check_binary(mask: &InstanceMask, binary: &BinaryMask) {
    assert_eq!(
        (binary.width(), binary.height()),
        (mask.width(), mask.height())
    );
    assert_eq!(binary.pixels().len(), mask.pixels().len());
    let mut area = 0;
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    for y in 0..binary.height() {
        for x in 0..binary.width() {
            let value = binary.pixels()[y as usize * binary.width() as usize + x as usize];
            assert!(value <= 1);
            assert_eq!(binary.get(x, y), value == 1);
            if value == 1 {
                area += 1;
                bounds = Some(match bounds {
                    None => (x, y, x, y),
                    Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
                });
            }
        }
    }
    assert_eq!(binary.area(), area);
    assert_eq!(binary.is_empty(), area == 0);
    let bbox = binary.bbox();
    match bounds {
        None => assert_eq!(bbox, None),
        Some((x0, y0, x1, y1)) => {
            let bbox = bbox.expect("a box around a non-empty mask");
            assert_eq!(
                (bbox.x, bbox.y, bbox.width, bbox.height),
                (x0, y0, x1 - x0 + 1, y1 - y0 + 1)
            );
        }
    }
}
