//! `Rle::from_coco_string` on arbitrary text: never panics; what it accepts
//! decodes, agrees with its own area and box, and writes back the same counts.
//!
//! Input: one byte each for the height and the width, then the text (invalid
//! UTF-8 is replaced).
#![no_main]

use ade20k_export::rle::Rle;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [height, width, text @ ..] = data else {
        return;
    };
    let (height, width) = (u32::from(*height), u32::from(*width));
    let text = String::from_utf8_lossy(text);
    let Ok(rle) = Rle::from_coco_string(height, width, &text) else {
        return;
    };
    let mask = rle.decode().expect("a string that reads decodes");
    assert_eq!((mask.width(), mask.height()), (width, height));
    assert_eq!(rle.area(), mask.area());
    assert_eq!(rle.bbox(), mask.bbox());
    let again = Rle::from_coco_string(height, width, &rle.to_coco_string())
        .expect("written counts read back");
    assert_eq!(again, rle);
    // Encoding the mask gives the canonical runs, which decode to the same mask.
    let canonical = Rle::encode(&mask);
    assert_eq!(canonical.decode().as_ref(), Ok(&mask));
    assert_eq!(canonical.area(), rle.area());
});
