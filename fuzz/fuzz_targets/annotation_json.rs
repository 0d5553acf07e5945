//! `decode::annotation` on arbitrary bytes: never panics, and what it accepts
//! forms a forest (unique ids, every parent an object of the file).
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(annotation) = ade20k_import::decode::annotation(data) else {
        return;
    };
    let mut ids = HashSet::with_capacity(annotation.objects.len());
    for object in &annotation.objects {
        assert!(ids.insert(object.ade_id), "id {} twice", object.ade_id);
    }
    for object in &annotation.objects {
        if let Some(parent) = object.parent {
            assert!(
                ids.contains(&parent),
                "object {}: parent {parent} missing",
                object.ade_id
            );
            assert_ne!(
                parent, object.ade_id,
                "object {} is its own parent",
                object.ade_id
            );
        }
    }
});
