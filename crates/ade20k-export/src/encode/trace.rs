//! Polygons that outline the set pixels of a binary mask, one per connected
//! component, holes included: the segmentation polygons of COCO and YOLO.
//!
//! # Geometry
//!
//! Pixel (x, y) is the unit square [x, x+1] × [y, y+1]. Outlines run along the
//! cracks between set and unset pixels, so every vertex is a pixel corner with
//! integer coordinates, and every edge is horizontal or vertical. Only corners
//! are kept: no vertex lies in the middle of a straight stretch.
//!
//! # Components and saddles
//!
//! Set pixels are 8-connected: pixels that touch only at a corner belong to the
//! same component, and its outline passes through that corner twice, touching
//! itself there. Unset pixels are consequently 4-connected, and a hole is a
//! 4-connected region of unset pixels enclosed by one component. A component
//! inside a hole (an island) gets a polygon of its own.
//!
//! # Holes and bridges
//!
//! Each hole's outline is spliced into its component's polygon through a
//! zero-width bridge: from the hole's top-left corner straight up the grid line,
//! through set pixels only, to the first corner that lies on an outline (the
//! component's outer outline or an outline of a hole joined before it, as holes
//! are joined in row-major order of their first pixel). The polygon walks down
//! the bridge, around the hole, and back up. Crossing a bridge twice cancels out
//! under the even-odd rule, so the polygon, filled even-odd and sampled at pixel
//! centers (x + 0.5, y + 0.5), covers exactly the component's pixels. A hole that
//! touches an outline at its top-left corner is joined there, with a bridge of
//! length zero. Bridges never overlap, so finding them all costs at most one
//! pass over the mask, and usually far less.
//!
//! # Order and orientation
//!
//! Polygons come in row-major order of their components' first pixels. Each
//! starts at the top-left corner of that pixel and goes clockwise as seen on
//! screen (x to the right, y down): along the top edge first, with the set
//! pixels on its right. Holes are walked the other way, so the shoelace area of a
//! polygon, Σ (xᵢ·yᵢ₊₁ − xᵢ₊₁·yᵢ) / 2 in image coordinates, equals its pixel count.
//!
//! # Cost
//!
//! One pass finds the bounding box of the set pixels and copies it with a
//! one-pixel margin; one pass compares adjacent rows 32 pixels at a time to find
//! each outline's first crack. Tracing then costs a few operations per boundary
//! crack, and placing the bridges a sort of the outlines' eastward segments.
//! Scratch space: the copy (one byte per pixel of the box), one bit per
//! horizontal crack, and a few words per outline corner.
//!
//! # Example
//!
//! ```
//! use ade20k_export::trace::{rasterize_even_odd, trace_polygons};
//! use ade20k_model::{BinaryMask, CroppedMask};
//!
//! // A 3×3 square with its center unset: one polygon, its hole bridged to the
//! // top edge at (1, 0).
//! let ring = BinaryMask::from_fn(3, 3, |x, y| (x, y) != (1, 1));
//! let polygons = trace_polygons(&ring);
//! assert_eq!(
//!     polygons,
//!     [vec![
//!         [0.0, 0.0], [1.0, 0.0], // along the top edge to the bridge
//!         [1.0, 2.0], [2.0, 2.0], [2.0, 1.0], [1.0, 1.0], // down and around the hole
//!         [1.0, 0.0], [3.0, 0.0], [3.0, 3.0], [0.0, 3.0], // back up, then the rest
//!     ]]
//! );
//! assert_eq!(rasterize_even_odd(&polygons[0], 3, 3), ring);
//! // Flattened as x1 y1 x2 y2 … for COCO's "segmentation".
//! let flat: Vec<f64> = polygons[0].iter().flatten().copied().collect();
//! assert_eq!(flat.len(), 20);
//! ```

use ade20k_model::{BinaryMask, CroppedMask};

use crate::encode::rle::for_each_difference;

/// Traces one polygon per 8-connected component of the set pixels, holes joined
/// by zero-width bridges (see the [module docs](self) for the conventions).
///
/// Each polygon is a closed ring of `[x, y]` pixel corners, the last vertex
/// implicitly joined to the first; an empty mask gives no polygon.
pub fn trace_polygons(mask: &BinaryMask) -> Vec<Vec<[f64; 2]>> {
    trace_window(mask, (0, 0))
}

/// Traces a cropped mask as [`trace_polygons`] traces the same mask over the
/// whole image, reading only the window.
pub fn trace_cropped(mask: &CroppedMask) -> Vec<Vec<[f64; 2]>> {
    trace_window(mask.window(), mask.origin())
}

/// Traces a cropped mask as [`trace_cropped`] does, with the corners as
/// integers: `[x, y]` of the pixel corner in the image.
pub(crate) fn trace_cropped_corners(mask: &CroppedMask) -> Vec<Vec<[i64; 2]>> {
    let (x, y) = mask.origin();
    trace_corners(mask.window(), [i64::from(x), i64::from(y)])
}

/// Traces `window`, whose top-left pixel is at `origin` in the image.
fn trace_window(window: &BinaryMask, (x, y): (u32, u32)) -> Vec<Vec<[f64; 2]>> {
    trace_corners(window, [i64::from(x), i64::from(y)])
        .into_iter()
        .map(|polygon| {
            polygon
                .into_iter()
                .map(|[x, y]| [x as f64, y as f64])
                .collect()
        })
        .collect()
}

/// Traces `window`, whose top-left pixel is at `[x, y]` in the image, into
/// integer corners.
fn trace_corners(window: &BinaryMask, [x, y]: [i64; 2]) -> Vec<Vec<[i64; 2]>> {
    let Some(bounds) = SetBounds::of(window) else {
        return Vec::new();
    };
    let grid = PaddedGrid::crop(window, &bounds);
    let mut outlines = Outlines::new(&grid);
    outlines.find_all(&grid);
    outlines.assemble([x + bounds.x0 as i64, y + bounds.y0 as i64])
}

/// Fills `polygon` with the even-odd rule on a `width × height` grid: a pixel
/// is set when its center (x + 0.5, y + 0.5) is inside.
///
/// Each edge counts on the half-open span of rows [top, bottom), so a center on
/// a vertex is not counted twice; the polygon is closed implicitly. Edges with
/// non-finite coordinates are ignored.
pub fn rasterize_even_odd(polygon: &[[f64; 2]], width: u32, height: u32) -> BinaryMask {
    // Where each edge crosses the horizontal line through a row of pixel centers.
    let mut crossings: Vec<(u32, f64)> = Vec::new();
    let ends = polygon.iter().skip(1).chain(polygon.first());
    for (&[x0, y0], &[x1, y1]) in polygon.iter().zip(ends) {
        if ![x0, y0, x1, y1].iter().all(|v| v.is_finite()) || y0 == y1 {
            continue;
        }
        let (top, bottom) = (y0.min(y1), y0.max(y1));
        let first_row = (top - 0.5).ceil().max(0.0) as u32;
        let end_row = (bottom - 0.5).ceil().min(f64::from(height)) as u32;
        for row in first_row..end_row {
            let center = f64::from(row) + 0.5;
            crossings.push((row, x0 + (center - y0) * (x1 - x0) / (y1 - y0)));
        }
    }
    crossings.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let row_len = width as usize;
    let mut pixels = vec![0u8; row_len * height as usize];
    for row_crossings in crossings.chunk_by(|a, b| a.0 == b.0) {
        let row = row_crossings[0].0 as usize;
        for span in row_crossings.chunks_exact(2) {
            // Centers x + 0.5 in [enter, leave).
            let first = (span[0].1 - 0.5).ceil().max(0.0) as usize;
            let end = ((span[1].1 - 0.5).ceil().max(0.0) as usize).min(row_len);
            if first < end {
                pixels[row * row_len + first..row * row_len + end].fill(1);
            }
        }
    }
    BinaryMask::from_fn(width, height, |x, y| {
        pixels[y as usize * row_len + x as usize] != 0
    })
}

/// A pixel corner `[x, y]`, relative to the cropped grid.
type Corner = [usize; 2];

/// The direction of a step along an outline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Heading {
    East,
    South,
    West,
    North,
}

impl Heading {
    fn turned_right(self) -> Heading {
        match self {
            Heading::East => Heading::South,
            Heading::South => Heading::West,
            Heading::West => Heading::North,
            Heading::North => Heading::East,
        }
    }

    fn turned_left(self) -> Heading {
        match self {
            Heading::East => Heading::North,
            Heading::North => Heading::West,
            Heading::West => Heading::South,
            Heading::South => Heading::East,
        }
    }
}

/// The smallest box holding every set pixel: columns `x0..x_end`, rows `y0..y_end`.
struct SetBounds {
    x0: usize,
    y0: usize,
    x_end: usize,
    y_end: usize,
}

impl SetBounds {
    /// Scans the mask once, looking in each row only left of the box found so
    /// far, right of it, and (when neither has a set pixel) inside it.
    fn of(mask: &BinaryMask) -> Option<SetBounds> {
        let width = mask.width() as usize;
        if width == 0 {
            return None;
        }
        let (mut x0, mut x_end) = (width, 0);
        let mut rows_set: Option<(usize, usize)> = None;
        for (y, row) in mask.pixels().chunks_exact(width).enumerate() {
            let mut row_set = false;
            if let Some(first) = first_set(&row[..x0]) {
                x0 = first;
                row_set = true;
            }
            let right_start = x_end.max(x0);
            if let Some(last) = last_set(&row[right_start..]) {
                x_end = right_start + last + 1;
                row_set = true;
            }
            if row_set || (x0 < x_end && first_set(&row[x0..x_end]).is_some()) {
                rows_set = Some((rows_set.map_or(y, |(y0, _)| y0), y + 1));
            }
        }
        rows_set.map(|(y0, y_end)| SetBounds {
            x0,
            y0,
            x_end,
            y_end,
        })
    }
}

/// Bytes tested at once when looking for a set pixel.
const SCAN_CHUNK: usize = 32;

/// Index of the first non-zero byte.
fn first_set(bytes: &[u8]) -> Option<usize> {
    let mut start = 0;
    for chunk in bytes.chunks(SCAN_CHUNK) {
        if chunk.iter().fold(0, |any, &b| any | b) != 0 {
            return chunk.iter().position(|&b| b != 0).map(|i| start + i);
        }
        start += chunk.len();
    }
    None
}

/// Index of the last non-zero byte.
fn last_set(bytes: &[u8]) -> Option<usize> {
    let mut end = bytes.len();
    for chunk in bytes.rchunks(SCAN_CHUNK) {
        end -= chunk.len();
        if chunk.iter().fold(0, |any, &b| any | b) != 0 {
            return chunk.iter().rposition(|&b| b != 0).map(|i| end + i);
        }
    }
    None
}

/// The set pixels' bounding box with a one-pixel unset margin, so that the
/// four pixels around every corner of the box can be read without bounds tests.
struct PaddedGrid {
    /// Width of the cropped box, in pixels.
    width: usize,
    /// Height of the cropped box, in pixels.
    height: usize,
    /// Row length of `cells`: `width + 2`.
    stride: usize,
    /// Pixel (x, y) of the box is at `(y + 1) * stride + x + 1`, so the pixel
    /// to the upper left of corner (x, y) is at `y * stride + x`.
    cells: Vec<u8>,
}

impl PaddedGrid {
    fn crop(mask: &BinaryMask, bounds: &SetBounds) -> PaddedGrid {
        let width = bounds.x_end - bounds.x0;
        let height = bounds.y_end - bounds.y0;
        let stride = width + 2;
        let len = stride * (height + 2);
        let mut cells = Vec::with_capacity(len);
        // The top margin row and the left margin of the first row.
        cells.resize(stride + 1, 0);
        let mask_width = mask.width() as usize;
        for y in bounds.y0..bounds.y_end {
            let start = y * mask_width + bounds.x0;
            cells.extend_from_slice(&mask.pixels()[start..start + width]);
            // This row's right margin and the next row's left margin.
            cells.extend([0, 0]);
        }
        cells.resize(len, 0);
        PaddedGrid {
            width,
            height,
            stride,
            cells,
        }
    }

    /// Whether the pixels to the upper left and upper right of `corner` are set.
    fn above(&self, [x, y]: Corner) -> (bool, bool) {
        let upper_left = y * self.stride + x;
        (self.cells[upper_left] != 0, self.cells[upper_left + 1] != 0)
    }

    /// Where an outline that reaches `corner` going `heading`, set pixels on its
    /// right, goes next. Pixels that touch only at this corner are kept in one
    /// component (8-connectivity): whenever the pixel ahead on the left is set,
    /// the outline turns left, around it.
    fn next_heading(&self, [x, y]: Corner, heading: Heading) -> Heading {
        let upper_left = y * self.stride + x;
        let upper_right = upper_left + 1;
        let lower_left = upper_left + self.stride;
        let lower_right = lower_left + 1;
        let (ahead_left, ahead_right) = match heading {
            Heading::East => (upper_right, lower_right),
            Heading::South => (lower_right, lower_left),
            Heading::West => (lower_left, upper_left),
            Heading::North => (upper_left, upper_right),
        };
        if self.cells[ahead_left] != 0 {
            heading.turned_left()
        } else if self.cells[ahead_right] != 0 {
            heading
        } else {
            heading.turned_right()
        }
    }
}

/// One closed outline: the corners `vertices[start..end]` in walking order.
struct Ring {
    start: usize,
    end: usize,
}

/// A straight eastward stretch of an outline (set pixels below it), which
/// bridges land on.
struct EastwardSegment {
    /// Corner row.
    y: usize,
    /// Column of the corner it starts at.
    x: usize,
    /// Index of that corner in `Outlines::vertices`.
    vertex: usize,
}

/// Where a hole's outline is to be spliced into another outline.
struct Bridge {
    /// The vertex that starts the outline segment on which the bridge lands.
    segment: usize,
    /// The corner where the bridge meets that segment, at or after its start.
    landing: Corner,
    /// The hole's ring, which starts at the bridge's lower end.
    hole: usize,
}

/// A bridge whose landing segment is not looked up yet.
struct PendingBridge {
    /// The eastward crack of the landing outline at the landing corner: its
    /// left end, which is the landing corner itself or the corner before it.
    crack: Corner,
    landing: Corner,
    hole: usize,
}

/// Every outline of a mask, found in one raster scan.
struct Outlines {
    /// Corners of all rings, ring after ring.
    vertices: Vec<Corner>,
    /// Rings in the order found: each outer ring before its holes.
    rings: Vec<Ring>,
    /// The outer ring of each component, in component order.
    outer_rings: Vec<usize>,
    eastward_segments: Vec<EastwardSegment>,
    pending_bridges: Vec<PendingBridge>,
    /// One bit per horizontal crack (row-major over the corner rows
    /// 0..=height): whether an outline has been traced along it.
    traced: Vec<u64>,
}

impl Outlines {
    fn new(grid: &PaddedGrid) -> Outlines {
        let cracks = grid.width * (grid.height + 1);
        Outlines {
            vertices: Vec::new(),
            rings: Vec::new(),
            outer_rings: Vec::new(),
            eastward_segments: Vec::new(),
            pending_bridges: Vec::new(),
            traced: vec![0; cracks.div_ceil(64)],
        }
    }

    fn is_traced(&self, crack: usize) -> bool {
        self.traced[crack / 64] & (1 << (crack % 64)) != 0
    }

    /// Finds each outline at its first crack in row-major order, traces it and,
    /// for a hole, plans its bridge. An untraced crack with a set pixel below is
    /// the top edge of a new component's first pixel; one with an unset pixel
    /// below is the top edge of a new hole's first pixel.
    fn find_all(&mut self, grid: &PaddedGrid) {
        // Columns of the cracks in one corner row whose two pixels differ.
        let mut row_cracks = Vec::with_capacity(grid.width);
        for y in 0..=grid.height {
            let above = &grid.cells[y * grid.stride + 1..][..grid.width];
            let below = &grid.cells[(y + 1) * grid.stride + 1..][..grid.width];
            row_cracks.clear();
            for_each_difference(above, below, |x| row_cracks.push(x));
            for &x in &row_cracks {
                if self.is_traced(y * grid.width + x) {
                    continue;
                }
                if below[x] != 0 {
                    let ring = self.trace(grid, [x, y], Heading::North);
                    self.outer_rings.push(ring);
                } else {
                    let hole = self.trace(grid, [x, y], Heading::West);
                    self.plan_bridge(grid, hole, [x, y]);
                }
            }
        }
    }

    /// Walks one outline from `start`, where it arrives going `arrival`, back to
    /// the same state; records its corners, eastward segments and horizontal cracks.
    fn trace(&mut self, grid: &PaddedGrid, start: Corner, arrival: Heading) -> usize {
        let ring_start = self.vertices.len();
        let [mut x, mut y] = start;
        let mut heading = arrival;
        loop {
            let next = grid.next_heading([x, y], heading);
            if next != heading {
                if next == Heading::East {
                    self.eastward_segments.push(EastwardSegment {
                        y,
                        x,
                        vertex: self.vertices.len(),
                    });
                }
                self.vertices.push([x, y]);
                heading = next;
            }
            match heading {
                Heading::East => {
                    self.mark_traced(y * grid.width + x);
                    x += 1;
                }
                Heading::West => {
                    x -= 1;
                    self.mark_traced(y * grid.width + x);
                }
                Heading::South => y += 1,
                Heading::North => y -= 1,
            }
            if [x, y] == start && heading == arrival {
                break;
            }
        }
        self.rings.push(Ring {
            start: ring_start,
            end: self.vertices.len(),
        });
        self.rings.len() - 1
    }

    fn mark_traced(&mut self, crack: usize) {
        self.traced[crack / 64] |= 1 << (crack % 64);
    }

    /// Plans the bridge of a hole whose first pixel has `top_left` as its
    /// upper-left corner: straight up to the first outline above that corner.
    ///
    /// Going up, the grid line has set pixels on both sides until it reaches a
    /// corner with an unset pixel above it: an outline passes there, and it is
    /// the component's outer outline or a hole's that came earlier in row-major
    /// order, so it is already traced. The outline crosses that corner along an
    /// eastward crack (set pixel below): the one leaving it when the pixel above
    /// on the right is unset, else the one arriving at it, after which the
    /// outline turns north. At the hole's own corner the pixel above on the right
    /// is set; if the one above on the left is not, that is a saddle where the
    /// hole touches the earlier outline, joined with a bridge of length zero.
    fn plan_bridge(&mut self, grid: &PaddedGrid, hole: usize, top_left: Corner) {
        let [x, mut y] = top_left;
        // Row 0 has the unset margin above it, so the walk stops there at the latest.
        let (mut upper_left_set, mut upper_right_set) = grid.above([x, y]);
        while upper_left_set && upper_right_set {
            y -= 1;
            (upper_left_set, upper_right_set) = grid.above([x, y]);
        }
        // The hole's left neighbour is set, so x ≥ 1 when the crack arrives.
        let crack_x = if upper_right_set { x - 1 } else { x };
        self.pending_bridges.push(PendingBridge {
            crack: [crack_x, y],
            landing: [x, y],
            hole,
        });
    }

    /// Finds the landing segment of every bridge: the eastward segment that
    /// contains its crack, or, when the crack arrives at the landing corner, the
    /// segment after it (never past the ring's end, as rings close going north
    /// or west). Returns the bridges sorted by segment and position on it.
    fn resolve_bridges(&mut self) -> Vec<Bridge> {
        self.eastward_segments
            .sort_unstable_by_key(|segment| (segment.y, segment.x));
        let mut bridges: Vec<Bridge> = self
            .pending_bridges
            .iter()
            .map(|pending| {
                let [crack_x, y] = pending.crack;
                let containing = self
                    .eastward_segments
                    .partition_point(|segment| (segment.y, segment.x) <= (y, crack_x))
                    - 1;
                let mut segment = self.eastward_segments[containing].vertex;
                if crack_x < pending.landing[0] {
                    segment += 1;
                }
                debug_assert!(self.vertices[segment][1] == y);
                Bridge {
                    segment,
                    landing: pending.landing,
                    hole: pending.hole,
                }
            })
            .collect();
        bridges.sort_unstable_by_key(|bridge| (bridge.segment, bridge.landing[0]));
        bridges
    }

    /// Builds one polygon per component: its outer ring with every hole spliced
    /// in at its bridge, depth first (a hole may be bridged to another hole),
    /// shifted by the crop origin.
    fn assemble(mut self, origin: [i64; 2]) -> Vec<Vec<[i64; 2]>> {
        let bridges = self.resolve_bridges();
        // The first bridge of each ring: rings and bridges both go by vertex.
        let mut first_bridges = Vec::with_capacity(self.rings.len());
        let mut next = 0;
        for ring in &self.rings {
            while next < bridges.len() && bridges[next].segment < ring.start {
                next += 1;
            }
            first_bridges.push(next);
        }
        let walk = |ring: usize, return_to: Option<Corner>| Walk {
            ring,
            vertex: self.rings[ring].start,
            next_bridge: first_bridges[ring],
            return_to,
        };
        let mut stack: Vec<Walk> = Vec::new();
        let mut polygons = Vec::with_capacity(self.outer_rings.len());
        for &outer in &self.outer_rings {
            let mut polygon = Polygon::default();
            polygon.push(self.vertices[self.rings[outer].start]);
            stack.push(walk(outer, None));
            while let Some(current) = stack.last_mut() {
                let next_bridge = bridges.get(current.next_bridge);
                if let Some(bridge) = next_bridge.filter(|b| b.segment == current.vertex) {
                    current.next_bridge += 1;
                    polygon.push(bridge.landing);
                    polygon.push(self.vertices[self.rings[bridge.hole].start]);
                    stack.push(walk(bridge.hole, Some(bridge.landing)));
                    continue;
                }
                let ring = &self.rings[current.ring];
                current.vertex += 1;
                if current.vertex < ring.end {
                    polygon.push(self.vertices[current.vertex]);
                    continue;
                }
                if let Some(landing) = current.return_to {
                    polygon.push(self.vertices[ring.start]);
                    polygon.push(landing);
                }
                stack.pop();
            }
            polygons.push(polygon.finish(origin));
        }
        polygons
    }
}

/// Progress along one ring while a polygon is assembled.
struct Walk {
    ring: usize,
    /// The last vertex emitted; its segment is being walked.
    vertex: usize,
    /// The first bridge (in sorted order) not yet taken.
    next_bridge: usize,
    /// For a hole, the bridge's upper end, to climb back to when the ring is done.
    return_to: Option<Corner>,
}

/// A polygon under construction that keeps only corners.
#[derive(Default)]
struct Polygon {
    points: Vec<[i64; 2]>,
}

impl Polygon {
    /// Appends a point, dropping repeats and merging straight continuations.
    fn push(&mut self, [x, y]: Corner) {
        let point = [x as i64, y as i64];
        let n = self.points.len();
        if n >= 1 && self.points[n - 1] == point {
            return;
        }
        if n >= 2 && goes_straight_on(self.points[n - 2], self.points[n - 1], point) {
            self.points[n - 1] = point;
        } else {
            self.points.push(point);
        }
    }

    /// Closes the ring (dropping a last point that repeats the first or lies on
    /// the closing edge; the first point is a corner of the component, never
    /// straight) and shifts it to image coordinates.
    fn finish(mut self, [origin_x, origin_y]: [i64; 2]) -> Vec<[i64; 2]> {
        while let [first, .., before, last] = self.points[..] {
            if last != first && !goes_straight_on(before, last, first) {
                break;
            }
            self.points.pop();
        }
        self.points
            .iter()
            .map(|&[x, y]| [origin_x + x, origin_y + y])
            .collect()
    }
}

/// Whether `b` lies inside the straight path `a` → `b` → `c` (axis-parallel steps).
fn goes_straight_on(a: [i64; 2], b: [i64; 2], c: [i64; 2]) -> bool {
    let (first, second) = ([b[0] - a[0], b[1] - a[1]], [c[0] - b[0], c[1] - b[1]]);
    let cross = first[0] * second[1] - first[1] * second[0];
    let dot = first[0] * second[0] + first[1] * second[1];
    cross == 0 && dot > 0
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Deterministic xorshift64 generator for test data.
    pub(crate) struct XorShift(pub(crate) u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        pub(crate) fn below(&mut self, bound: u64) -> u64 {
            self.next() % bound
        }
    }

    /// `#` is a set pixel, anything else unset.
    pub(crate) fn mask_from_rows(rows: &[&str]) -> BinaryMask {
        let height = rows.len() as u32;
        let width = rows.first().map_or(0, |r| r.len()) as u32;
        BinaryMask::from_fn(width, height, |x, y| {
            rows[y as usize].as_bytes()[x as usize] == b'#'
        })
    }

    fn points(coordinates: &[(u32, u32)]) -> Vec<[f64; 2]> {
        coordinates
            .iter()
            .map(|&(x, y)| [f64::from(x), f64::from(y)])
            .collect()
    }

    /// Labels the 8-connected components in row-major order of first pixels.
    fn components(mask: &BinaryMask) -> Vec<Vec<(u32, u32)>> {
        let (width, height) = (mask.width(), mask.height());
        let mut seen = vec![false; (width * height) as usize];
        let mut result = Vec::new();
        for start_y in 0..height {
            for start_x in 0..width {
                if !mask.get(start_x, start_y) || seen[(start_y * width + start_x) as usize] {
                    continue;
                }
                let mut pixels = Vec::new();
                let mut stack = vec![(start_x, start_y)];
                seen[(start_y * width + start_x) as usize] = true;
                while let Some((x, y)) = stack.pop() {
                    pixels.push((x, y));
                    for (dx, dy) in [
                        (-1, -1),
                        (0, -1),
                        (1, -1),
                        (-1, 0),
                        (1, 0),
                        (-1, 1),
                        (0, 1),
                        (1, 1),
                    ] {
                        let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                        if nx < 0 || ny < 0 || !mask.get(nx as u32, ny as u32) {
                            continue;
                        }
                        let index = (ny as u32 * width + nx as u32) as usize;
                        if !seen[index] {
                            seen[index] = true;
                            stack.push((nx as u32, ny as u32));
                        }
                    }
                }
                result.push(pixels);
            }
        }
        result
    }

    fn shoelace(polygon: &[[f64; 2]]) -> f64 {
        let ends = polygon.iter().skip(1).chain(polygon.first());
        polygon
            .iter()
            .zip(ends)
            .map(|(a, b)| a[0] * b[1] - b[0] * a[1])
            .sum::<f64>()
            / 2.0
    }

    /// Checks every documented property of `trace_polygons(mask)`, and that
    /// `trace_cropped` agrees, and returns the polygons.
    fn check(mask: &BinaryMask) -> Vec<Vec<[f64; 2]>> {
        let polygons = trace_polygons(mask);
        let components = components(mask);
        assert_eq!(polygons.len(), components.len(), "{mask:?}");
        let (width, height) = (mask.width(), mask.height());
        let mut coverage = vec![0u8; (width * height) as usize];
        for (polygon, component) in polygons.iter().zip(&components) {
            // Corners only, integer, axis-parallel, no repeats, no straight vertices.
            let n = polygon.len();
            assert!(n >= 4, "{polygon:?}");
            for i in 0..n {
                let [a, b, c] = [polygon[i], polygon[(i + 1) % n], polygon[(i + 2) % n]];
                assert!(a.iter().all(|v| v.fract() == 0.0), "{polygon:?}");
                assert!(a != b && (a[0] == b[0] || a[1] == b[1]), "{polygon:?}");
                let to_int = |p: [f64; 2]| [p[0] as i64, p[1] as i64];
                assert!(
                    !goes_straight_on(to_int(a), to_int(b), to_int(c)),
                    "{polygon:?}"
                );
            }
            // Starts at the top-left corner of the component's first pixel.
            let (first_x, first_y) = component[0];
            assert_eq!(polygon[0], [f64::from(first_x), f64::from(first_y)]);
            assert_eq!(shoelace(polygon), component.len() as f64, "{polygon:?}");
            // Fills exactly the component.
            let filled = rasterize_even_odd(polygon, width, height);
            let mut expected = vec![0u8; (width * height) as usize];
            for &(x, y) in component {
                expected[(y * width + x) as usize] = 1;
            }
            assert_eq!(filled.pixels(), &expected[..], "{mask:?}\n{polygon:?}");
            for (total, &pixel) in coverage.iter_mut().zip(filled.pixels()) {
                *total += pixel;
            }
        }
        assert_eq!(&coverage[..], mask.pixels(), "union differs from the mask");
        // Tracing only the box around the set pixels gives the same polygons.
        if let Some(bbox) = mask.bbox() {
            let window = BinaryMask::from_fn(bbox.width, bbox.height, |x, y| {
                mask.get(x + bbox.x, y + bbox.y)
            });
            let cropped = CroppedMask::new(width, height, bbox.x, bbox.y, window).unwrap();
            assert_eq!(trace_cropped(&cropped), polygons, "{mask:?}");
        }
        polygons
    }

    #[test]
    fn solid_rectangle_has_four_corners() {
        let mask = mask_from_rows(&[".....", ".###.", ".###.", "....."]);
        assert_eq!(check(&mask), [points(&[(1, 1), (4, 1), (4, 3), (1, 3)])]);
    }

    #[test]
    fn single_pixel_and_full_image() {
        let mask = mask_from_rows(&["...", ".#.", "..."]);
        assert_eq!(check(&mask), [points(&[(1, 1), (2, 1), (2, 2), (1, 2)])]);
        let mask = BinaryMask::from_fn(1, 1, |_, _| true);
        assert_eq!(check(&mask), [points(&[(0, 0), (1, 0), (1, 1), (0, 1)])]);
        let mask = BinaryMask::from_fn(7, 5, |_, _| true);
        assert_eq!(check(&mask), [points(&[(0, 0), (7, 0), (7, 5), (0, 5)])]);
    }

    #[test]
    fn empty_and_zero_sized_masks_have_no_polygon() {
        assert!(trace_polygons(&BinaryMask::from_fn(4, 3, |_, _| false)).is_empty());
        assert!(trace_polygons(&BinaryMask::from_fn(0, 0, |_, _| true)).is_empty());
        assert!(trace_polygons(&BinaryMask::from_fn(0, 3, |_, _| true)).is_empty());
    }

    #[test]
    fn ring_bridges_its_hole_to_the_top_edge() {
        let mask = mask_from_rows(&["####", "#..#", "#..#", "####"]);
        let expected = points(&[
            (0, 0),
            (1, 0),
            (1, 3),
            (3, 3),
            (3, 1),
            (1, 1),
            (1, 0),
            (4, 0),
            (4, 4),
            (0, 4),
        ]);
        assert_eq!(check(&mask), [expected]);
    }

    #[test]
    fn ring_with_two_holes() {
        let mask = mask_from_rows(&[
            "#######", //
            "#..#..#", //
            "#..#..#", //
            "#######", //
        ]);
        let expected = points(&[
            (0, 0),
            (1, 0),
            (1, 3),
            (3, 3),
            (3, 1),
            (1, 1),
            (1, 0),
            (4, 0),
            (4, 3),
            (6, 3),
            (6, 1),
            (4, 1),
            (4, 0),
            (7, 0),
            (7, 4),
            (0, 4),
        ]);
        assert_eq!(check(&mask), [expected]);
    }

    #[test]
    fn hole_below_a_hole_is_bridged_to_its_bottom_edge() {
        let mask = mask_from_rows(&[
            "#######", //
            "#..#..#", //
            "#..####", //
            "####..#", //
            "#######", //
        ]);
        // The third hole's bridge climbs from (4, 3) to the second hole's
        // bottom-left corner (4, 2); with the second hole's own bridge from
        // (4, 0), the polygon runs straight down from (4, 0) to (4, 4).
        let expected = points(&[
            (0, 0),
            (1, 0),
            (1, 3),
            (3, 3),
            (3, 1),
            (1, 1),
            (1, 0),
            (4, 0),
            (4, 4),
            (6, 4),
            (6, 3),
            (4, 3),
            (4, 2),
            (6, 2),
            (6, 1),
            (4, 1),
            (4, 0),
            (7, 0),
            (7, 5),
            (0, 5),
        ]);
        assert_eq!(check(&mask), [expected]);
    }

    #[test]
    fn stacked_holes_bridge_to_each_other() {
        let mask = mask_from_rows(&["###", "#.#", "###", "#.#", "###", "#.#", "###"]);
        // Down the three bridges in one stretch, then around the lowest hole,
        // up to the middle one, around it, up to the top one, around it, and out.
        let expected = points(&[
            (0, 0),
            (1, 0),
            (1, 6),
            (2, 6),
            (2, 5),
            (1, 5),
            (1, 4),
            (2, 4),
            (2, 3),
            (1, 3),
            (1, 2),
            (2, 2),
            (2, 1),
            (1, 1),
            (1, 0),
            (3, 0),
            (3, 7),
            (0, 7),
        ]);
        assert_eq!(check(&mask), [expected]);
    }

    #[test]
    fn island_inside_a_hole_is_a_separate_polygon() {
        let mask = mask_from_rows(&[
            "#####", //
            "#...#", //
            "#.#.#", //
            "#...#", //
            "#####", //
        ]);
        let polygons = check(&mask);
        assert_eq!(polygons.len(), 2);
        assert_eq!(
            polygons[0],
            points(&[
                (0, 0),
                (1, 0),
                (1, 4),
                (4, 4),
                (4, 1),
                (1, 1),
                (1, 0),
                (5, 0),
                (5, 5),
                (0, 5)
            ])
        );
        assert_eq!(polygons[1], points(&[(2, 2), (3, 2), (3, 3), (2, 3)]));
    }

    #[test]
    fn diagonal_neighbours_are_one_component_pinched_at_the_corner() {
        let mask = mask_from_rows(&["#.", ".#"]);
        let expected = points(&[
            (0, 0),
            (1, 0),
            (1, 1),
            (2, 1),
            (2, 2),
            (1, 2),
            (1, 1),
            (0, 1),
        ]);
        assert_eq!(check(&mask), [expected]);
        let mask = mask_from_rows(&[".#", "#."]);
        let expected = points(&[
            (1, 0),
            (2, 0),
            (2, 1),
            (1, 1),
            (1, 2),
            (0, 2),
            (0, 1),
            (1, 1),
        ]);
        assert_eq!(check(&mask), [expected]);
    }

    #[test]
    fn hole_touching_the_outline_at_a_corner_joins_it_there() {
        let mask = mask_from_rows(&[
            ".####", //
            "#...#", //
            "#...#", //
            "#####", //
        ]);
        let expected = points(&[
            (1, 0),
            (5, 0),
            (5, 4),
            (0, 4),
            (0, 1),
            (1, 1),
            (1, 3),
            (4, 3),
            (4, 1),
            (1, 1),
        ]);
        assert_eq!(check(&mask), [expected]);
    }

    #[test]
    fn checkerboard_is_one_component_with_a_hole_per_inner_gap() {
        for (width, height) in [(2, 2), (5, 5), (8, 3), (9, 12)] {
            for phase in 0..2 {
                let mask = BinaryMask::from_fn(width, height, |x, y| (x + y) % 2 == phase);
                check(&mask);
            }
        }
    }

    #[test]
    fn masks_touching_every_border() {
        let mask = mask_from_rows(&[
            "#..##", //
            "#....", //
            "...#.", //
            "##..#", //
        ]);
        check(&mask);
        let frame = BinaryMask::from_fn(6, 4, |x, y| x == 0 || y == 0 || x == 5 || y == 3);
        let polygons = check(&frame);
        assert_eq!(polygons.len(), 1);
        assert_eq!(polygons[0].len(), 10);
        // Thin shapes.
        check(&BinaryMask::from_fn(9, 1, |x, _| x % 3 != 1));
        check(&BinaryMask::from_fn(1, 9, |_, y| y % 3 != 1));
    }

    /// 400 pseudo-random masks of up to 36 × 36 pixels: discs of set and
    /// unset pixels drawn in turn, every fourth with some noise on top.
    pub(crate) fn blobs_and_noise() -> Vec<BinaryMask> {
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        (0..400)
            .map(|round| {
                let width = 1 + rng.below(36) as u32;
                let height = 1 + rng.below(36) as u32;
                let discs: Vec<(i64, i64, i64, bool)> = (0..1 + rng.below(8))
                    .map(|i| {
                        let cx = rng.below(u64::from(width)) as i64;
                        let cy = rng.below(u64::from(height)) as i64;
                        (cx, cy, rng.below(10) as i64, i % 3 != 2)
                    })
                    .collect();
                let noise = if round % 4 == 0 { rng.below(9) } else { 0 };
                BinaryMask::from_fn(width, height, |x, y| {
                    let mut set = false;
                    for &(cx, cy, r, value) in &discs {
                        let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
                        if dx * dx + dy * dy <= r * r {
                            set = value;
                        }
                    }
                    set ^ (rng.below(16) < noise)
                })
            })
            .collect()
    }

    #[test]
    fn pseudo_random_blobs_and_noise() {
        for mask in blobs_and_noise() {
            check(&mask);
        }
    }

    #[test]
    fn coordinates_are_in_the_full_image_not_the_crop() {
        let mask = BinaryMask::from_fn(50, 40, |x, y| {
            (30..33).contains(&x) && (20..22).contains(&y)
        });
        assert_eq!(
            check(&mask),
            [points(&[(30, 20), (33, 20), (33, 22), (30, 22)])]
        );
    }

    #[test]
    fn rasterizer_samples_pixel_centers_of_any_polygon() {
        // A triangle whose edges pass between centers.
        let triangle = [[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]];
        let filled = rasterize_even_odd(&triangle, 4, 4);
        let expected = mask_from_rows(&["###.", "##..", "#...", "...."]);
        assert_eq!(filled, expected);
        // Clipped at the borders; non-finite vertices are ignored.
        let clipped =
            rasterize_even_odd(&[[-2.0, -2.0], [9.0, -2.0], [9.0, 1.0], [-2.0, 1.0]], 3, 2);
        assert_eq!(clipped.pixels(), &[1, 1, 1, 0, 0, 0]);
        assert!(rasterize_even_odd(&[[f64::NAN, 0.0], [1.0, 1.0]], 2, 2).is_empty());
        assert!(rasterize_even_odd(&[], 2, 2).is_empty());
    }
}
