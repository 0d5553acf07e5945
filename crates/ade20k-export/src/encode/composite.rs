//! Per-pixel maps of which object is where, built from instance masks.

use ade20k_model::{BBox, ClassMap, CroppedMask, Error, InstanceMask, Item, MaskKind, Object};

/// For each pixel of an item, the object seen there at one part level:
/// `0` for none, `i + 1` for `item.objects[i]`.
pub(crate) struct ObjectMap {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Row-major owners, `0` = no object.
    pub owners: Vec<u32>,
}

impl ObjectMap {
    /// Paints the visible mask of every object of part level `level` for
    /// which `keep(index)` is true, in object order. Visible masks of one
    /// level do not overlap in ADE20K; where they would, the later object wins.
    pub fn paint(
        item: &Item,
        level: u32,
        mut keep: impl FnMut(usize) -> bool,
    ) -> Result<Self, Error> {
        let mut map = ObjectMap::empty(item);
        for (index, object) in item.objects.iter().enumerate() {
            if object.part_level == level && keep(index) {
                map.add(item, index, &item.cropped_mask(index, MaskKind::Visible)?)?;
            }
        }
        Ok(map)
    }

    /// A map of `item`'s size with no object on it.
    pub fn empty(item: &Item) -> Self {
        let (width, height) = (item.image.width, item.image.height);
        ObjectMap {
            width,
            height,
            owners: vec![0; width as usize * height as usize],
        }
    }

    /// Paints `mask`, the visible mask of `item.objects[index]`, over what is
    /// there; fails when the mask is not of the map's size.
    pub fn add(&mut self, item: &Item, index: usize, mask: &CroppedMask) -> Result<(), Error> {
        let (width, height) = (self.width, self.height);
        if (mask.frame_width(), mask.frame_height()) != (width, height) {
            return Err(Error::invalid(
                &item.image.path,
                format!(
                    "the instance mask of object {} is {}×{} pixels but the image is \
                     {width}×{height}",
                    item.objects[index].ade_id,
                    mask.frame_width(),
                    mask.frame_height()
                ),
            ));
        }
        // Only the rows and columns of the mask's window can be set.
        let window = mask.window();
        let (x, y) = mask.origin();
        let owner_rows = self
            .owners
            .chunks_exact_mut((width as usize).max(1))
            .skip(y as usize);
        let window_rows = window
            .pixels()
            .chunks_exact((window.width() as usize).max(1));
        for (owner_row, window_row) in owner_rows.zip(window_rows) {
            let owner_row = &mut owner_row[x as usize..][..window_row.len()];
            for (owner, &set) in owner_row.iter_mut().zip(window_row) {
                if set != 0 {
                    *owner = index as u32 + 1;
                }
            }
        }
        Ok(())
    }
}

/// Pixel count and bounding box of a set of pixels, grown pixel by pixel.
#[derive(Clone, Copy, Default)]
pub(crate) struct Extent {
    /// Pixels added.
    pub area: u64,
    min: [u32; 2],
    max: [u32; 2],
}

impl Extent {
    /// Counts pixel (`x`, `y`).
    pub fn add(&mut self, x: u32, y: u32) {
        if self.area == 0 {
            self.min = [x, y];
            self.max = [x, y];
        } else {
            self.min = [self.min[0].min(x), self.min[1].min(y)];
            self.max = [self.max[0].max(x), self.max[1].max(y)];
        }
        self.area += 1;
    }

    /// The tight box of the pixels added (at least one).
    pub fn bbox(&self) -> BBox {
        BBox {
            x: self.min[0],
            y: self.min[1],
            width: self.max[0] - self.min[0] + 1,
            height: self.max[1] - self.min[1] + 1,
        }
    }
}

/// The instance mask of `object`, one of `item`'s objects, which must have
/// the size of `map`, the item's class map of part level `level`.
pub(crate) fn instance_mask_like(
    item: &Item,
    object: &Object,
    map: &ClassMap,
    level: u32,
) -> Result<InstanceMask, Error> {
    let mask = item.masks.instance_mask(item, object)?;
    if (mask.width(), mask.height()) != (map.width(), map.height()) {
        return Err(Error::invalid(
            &item.image.path,
            format!(
                "the instance mask of object {} is {}×{} pixels but the class map \
                 of level {level} is {}×{}",
                object.ade_id,
                mask.width(),
                mask.height(),
                map.width(),
                map.height()
            ),
        ));
    }
    Ok(mask)
}
