//! COCO RLE round trip of arbitrary small masks: `Rle::encode`, `decode`,
//! the compressed string form, `area` and `bbox` all agree with the mask, and
//! `Rle::encode_cropped` of the mask cropped to its box gives the same counts.
//!
//! Input: one byte each for the width and the height (0 to 64), then the
//! pixels, one bit each, row-major, least significant bit first; missing
//! pixels are 0.
#![no_main]

use ade20k_export::rle::Rle;
use ade20k_model::{BinaryMask, CroppedMask};
use libfuzzer_sys::fuzz_target;

const MAX_SIDE: u32 = 64;

fuzz_target!(|data: &[u8]| {
    let [width, height, bits @ ..] = data else {
        return;
    };
    let width = u32::from(*width) % (MAX_SIDE + 1);
    let height = u32::from(*height) % (MAX_SIDE + 1);
    let pixels = (0..width as usize * height as usize)
        .map(|index| {
            bits.get(index / 8)
                .map_or(0, |&byte| (byte >> (index % 8)) & 1)
        })
        .collect();
    let mask =
        BinaryMask::from_pixels(width, height, pixels).expect("0/1 pixels of the right count");

    let rle = Rle::encode(&mask);
    assert_eq!((rle.width, rle.height), (width, height));
    assert_eq!(
        rle.counts.iter().map(|&c| u64::from(c)).sum::<u64>(),
        u64::from(width) * u64::from(height)
    );
    // Every run but the first (0s, empty when the first pixel is set) is non-empty.
    assert!(
        rle.counts.iter().skip(1).all(|&c| c > 0),
        "{:?}",
        rle.counts
    );
    assert_eq!(rle.decode().as_ref(), Ok(&mask));
    assert_eq!(rle.area(), mask.area());
    assert_eq!(rle.bbox(), mask.bbox());

    let cropped = match mask.bbox() {
        Some(bbox) => {
            let window = BinaryMask::from_fn(bbox.width, bbox.height, |x, y| {
                mask.get(x + bbox.x, y + bbox.y)
            });
            CroppedMask::new(width, height, bbox.x, bbox.y, window).expect("box inside the mask")
        }
        None => CroppedMask::empty(width, height),
    };
    assert_eq!(Rle::encode_cropped(&cropped), rle);

    let text = rle.to_coco_string();
    assert!(text.bytes().all(|b| (b'0'..=b'o').contains(&b)), "{text:?}");
    let parsed = Rle::from_coco_string(height, width, &text).expect("own string reads back");
    assert_eq!(parsed.counts, rle.counts, "{text:?}");
    assert_eq!(parsed.decode().as_ref(), Ok(&mask));
});
