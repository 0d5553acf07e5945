//! Polygons through the centres of a mask's boundary pixels: the polygons that
//! OpenCV's `cv2.fillPoly`, which Ultralytics' `polygon2mask` uses, fills back
//! into the mask; their simplification; and a model of that rasteriser.
//!
//! # Geometry
//!
//! Here a vertex `[x, y]` is pixel (x, y) itself, as `fillPoly` takes integer
//! vertices: the pixel whose centre is at (x + 0.5, y + 0.5) in the corner
//! coordinates of [`crate::encode::trace`]. `fillPoly` sets every pixel inside the
//! polygon under the even-odd rule and every pixel its edges pass through
//! (the boundary is drawn), which [`fill_closed`] models exactly for integer
//! vertices joined by horizontal, vertical and diagonal (45°) edges.
//!
//! # Tracing
//!
//! [`trace_centres`] walks the outlines of [`crate::encode::trace`] (one per
//! 8-connected component, holes spliced in by bridges up through set pixels)
//! and, for each crack between a set and an unset pixel, takes the set pixel
//! beside it. Consecutive pixels are 8-neighbours, so each edge is horizontal,
//! vertical or diagonal and passes through set pixels only: the outer outline
//! runs through the component's outermost pixels, a hole's through the set
//! pixels around it, and a bridge down one column of set pixels and back up
//! the next. Filled by `fillPoly`, the polygon is exactly the component: the
//! boundary is drawn, and a hole is inside both its own outline and the outer
//! one (even), so it stays empty. Only turns are kept: a vertex in the middle
//! of a straight stretch (horizontal, vertical or diagonal) is dropped, as
//! OpenCV's `findContours` does with `CHAIN_APPROX_SIMPLE`.
//!
//! # Simplification
//!
//! [`simplify`] keeps a subset of the vertices (Douglas–Peucker): every vertex
//! dropped lies within the tolerance, in pixels, of the edge that replaces it.
//! Vertices stay integer pixels.
//!
//! # Example
//!
//! ```
//! use ade20k_export::centre_trace::{fill_closed, simplify, trace_centres};
//! use ade20k_model::{BinaryMask, CroppedMask};
//!
//! // A 4×3 block with its pixel (1, 1) unset, at (2, 1) in a 10×6 image.
//! let block = BinaryMask::from_fn(4, 3, |x, y| (x, y) != (1, 1));
//! let mask = CroppedMask::new(10, 6, 2, 1, block).unwrap();
//! let polygons = trace_centres(&mask);
//! assert_eq!(
//!     polygons,
//!     [vec![
//!         [2, 1], [2, 2], // down the bridge, beside the hole
//!         [3, 3], [4, 2], [3, 1], // around the hole
//!         [5, 1], [5, 3], [2, 3], // and around the outside
//!     ]]
//! );
//! assert_eq!(fill_closed(&polygons[0], 10, 6), mask.to_full());
//! // A bump of one pixel on a flat edge is dropped at a tolerance of 1.
//! let bumpy = [[0, 0], [4, 0], [5, 1], [6, 0], [10, 0], [10, 5], [0, 5]];
//! assert_eq!(simplify(&bumpy, 1.0), [[0, 0], [10, 0], [10, 5], [0, 5]]);
//! ```

use ade20k_model::{BinaryMask, CroppedMask};

use crate::encode::trace::trace_cropped_corners;

/// A pixel `[x, y]`: column and row in the image.
pub type Pixel = [i64; 2];

/// One polygon per 8-connected component of the set pixels, through the
/// centres of its boundary pixels, holes joined by bridges through set pixels
/// (see the [module docs](self)). Components come in row-major order of their
/// first pixels; each polygon starts at that pixel. An empty mask gives none.
pub fn trace_centres(mask: &CroppedMask) -> Vec<Vec<Pixel>> {
    trace_cropped_corners(mask)
        .iter()
        .map(|corners| centres_along(corners))
        .collect()
}

/// The pixels beside the cracks of a closed outline of pixel corners (set
/// pixels on its right), turns only.
fn centres_along(corners: &[[i64; 2]]) -> Vec<Pixel> {
    let mut path = TurnPath::default();
    let ends = corners.iter().skip(1).chain(corners.first());
    for (&from, &to) in corners.iter().zip(ends) {
        let step = [(to[0] - from[0]).signum(), (to[1] - from[1]).signum()];
        path.push(pixel_right_of(from, step));
        path.push(pixel_right_of([to[0] - step[0], to[1] - step[1]], step));
    }
    path.finish()
}

/// The pixel on the right of the unit crack that leaves corner `[x, y]` by
/// `step` (x to the right, y down).
fn pixel_right_of([x, y]: [i64; 2], step: [i64; 2]) -> Pixel {
    match step {
        [1, 0] => [x, y],          // east: the pixel below
        [0, 1] => [x - 1, y],      // south: the pixel to the west
        [-1, 0] => [x - 1, y - 1], // west: the pixel above
        _ => [x, y - 1],           // north: the pixel to the east
    }
}

/// A closed path under construction that keeps only its turns.
#[derive(Default)]
struct TurnPath {
    points: Vec<Pixel>,
}

impl TurnPath {
    /// Appends a point, dropping repeats and merging straight continuations.
    fn push(&mut self, point: Pixel) {
        if self.points.last() == Some(&point) {
            return;
        }
        match self.points[..] {
            [.., before, last] if goes_straight_on(before, last, point) => {
                *self.points.last_mut().expect("two points") = point;
            }
            _ => self.points.push(point),
        }
    }

    /// Closes the ring: drops last points that repeat the first or lie on the
    /// straight way back to it.
    fn finish(mut self) -> Vec<Pixel> {
        while let [first, .., before, last] = self.points[..] {
            if last != first && !goes_straight_on(before, last, first) {
                break;
            }
            self.points.pop();
        }
        self.points
    }
}

/// Whether `b` lies strictly inside the straight path `a` → `b` → `c`.
fn goes_straight_on(a: Pixel, b: Pixel, c: Pixel) -> bool {
    let (first, second) = ([b[0] - a[0], b[1] - a[1]], [c[0] - b[0], c[1] - b[1]]);
    let cross = first[0] * second[1] - first[1] * second[0];
    let dot = first[0] * second[0] + first[1] * second[1];
    cross == 0 && dot > 0
}

/// The vertices of the closed `polygon` that Douglas–Peucker keeps with
/// `tolerance` pixels: the first vertex, the one farthest from it, and, on
/// each stretch between two kept vertices, the vertex farthest from the edge
/// joining them (measured to the edge, not to its line) while that is more
/// than `tolerance` away. A tolerance of 0 (or less) keeps every vertex.
pub fn simplify(polygon: &[Pixel], tolerance: f64) -> Vec<Pixel> {
    let n = polygon.len();
    if tolerance <= 0.0 || n <= 3 {
        return polygon.to_vec();
    }
    let farthest_from_first = (1..n)
        .max_by_key(|&i| {
            (
                squared_distance(polygon[0], polygon[i]),
                std::cmp::Reverse(i),
            )
        })
        .expect("more than 3 vertices");
    let mut kept = vec![false; n];
    kept[0] = true;
    kept[farthest_from_first] = true;
    let limit = tolerance * tolerance;
    // Stretches (first, end) between kept vertices; vertex n is vertex 0.
    let mut stretches = vec![(0, farthest_from_first), (farthest_from_first, n)];
    while let Some((first, end)) = stretches.pop() {
        let (a, b) = (polygon[first], polygon[end % n]);
        let worst = (first + 1..end)
            .map(|i| (squared_distance_to_segment(polygon[i], a, b), i))
            .max_by(|p, q| p.0.total_cmp(&q.0).then(q.1.cmp(&p.1)));
        if let Some((distance, i)) = worst.filter(|&(distance, _)| distance > limit) {
            debug_assert!(distance > 0.0);
            kept[i] = true;
            stretches.push((first, i));
            stretches.push((i, end));
        }
    }
    polygon
        .iter()
        .zip(kept)
        .filter_map(|(&point, kept)| kept.then_some(point))
        .collect()
}

fn squared_distance(a: Pixel, b: Pixel) -> i64 {
    (a[0] - b[0]).pow(2) + (a[1] - b[1]).pow(2)
}

/// The squared distance from `p` to the segment `a`–`b`.
fn squared_distance_to_segment(p: Pixel, a: Pixel, b: Pixel) -> f64 {
    let [px, py, ax, ay, bx, by] = [p[0], p[1], a[0], a[1], b[0], b[1]].map(|v| v as f64);
    let (dx, dy) = (bx - ax, by - ay);
    let length = dx * dx + dy * dy;
    let t = if length == 0.0 {
        0.0
    } else {
        (((px - ax) * dx + (py - ay) * dy) / length).clamp(0.0, 1.0)
    };
    (px - ax - t * dx).powi(2) + (py - ay - t * dy).powi(2)
}

/// The pixels `cv2.fillPoly` sets for `polygon` (closed implicitly) on a
/// `width × height` image: those inside it under the even-odd rule, and
/// those its edges pass through. For edges that are horizontal, vertical or
/// diagonal this is exactly what OpenCV draws; along edges of other slopes
/// OpenCV also sets some pixels next to the edge.
///
/// Crossings of each row are counted on the half-open span [top, bottom) of
/// every edge and computed in integers; the cost is a pass over the rows the
/// polygon spans and over the pixels its edges pass through.
pub fn fill_closed(polygon: &[Pixel], width: u32, height: u32) -> BinaryMask {
    let (w, h) = (i64::from(width), i64::from(height));
    let mut pixels = vec![0u8; width as usize * height as usize];
    let mut set_span = |y: i64, first: i64, last: i64| {
        let (first, last) = (first.max(0), last.min(w - 1));
        if (0..h).contains(&y) && first <= last {
            let row = (y * w) as usize;
            pixels[row + first as usize..=row + last as usize].fill(1);
        }
    };
    let ends = polygon.iter().skip(1).chain(polygon.first());
    let edges: Vec<(Pixel, Pixel)> = polygon.iter().copied().zip(ends.copied()).collect();
    for &(a, b) in &edges {
        // The pixels the edge passes through: its lattice points.
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let steps = gcd(dx.abs(), dy.abs());
        for k in 0..=steps {
            let [x, y] = if steps == 0 {
                a
            } else {
                [a[0] + k * dx / steps, a[1] + k * dy / steps]
            };
            set_span(y, x, x);
        }
    }
    let top = polygon.iter().map(|p| p[1]).min().unwrap_or(0).max(0);
    let bottom = polygon.iter().map(|p| p[1]).max().unwrap_or(-1).min(h - 1);
    // Crossings as fractions (numerator, positive denominator).
    let mut crossings: Vec<(i64, i64)> = Vec::new();
    for y in top..=bottom {
        crossings.clear();
        for &(a, b) in &edges {
            let (low, high) = if a[1] <= b[1] { (a, b) } else { (b, a) };
            if low[1] <= y && y < high[1] {
                let denominator = high[1] - low[1];
                let numerator = low[0] * denominator + (y - low[1]) * (high[0] - low[0]);
                crossings.push((numerator, denominator));
            }
        }
        crossings.sort_unstable_by(|p, q| {
            (i128::from(p.0) * i128::from(q.1)).cmp(&(i128::from(q.0) * i128::from(p.1)))
        });
        for pair in crossings.chunks_exact(2) {
            let first = -(-pair[0].0).div_euclid(pair[0].1);
            let last = pair[1].0.div_euclid(pair[1].1);
            set_span(y, first, last);
        }
    }
    BinaryMask::from_fn(width, height, |x, y| {
        pixels[y as usize * width as usize + x as usize] != 0
    })
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::trace::tests::{blobs_and_noise, mask_from_rows, XorShift};

    fn whole(mask: &BinaryMask) -> CroppedMask {
        CroppedMask::new(mask.width(), mask.height(), 0, 0, mask.clone()).unwrap()
    }

    /// Checks the documented properties of `trace_centres(mask)`: vertices
    /// are set pixels, consecutive ones 8-neighbours along straight
    /// stretches of set pixels, turns only; each polygon filled is one
    /// component, and together they are the mask. Returns the polygons.
    fn check(mask: &BinaryMask) -> Vec<Vec<Pixel>> {
        let polygons = trace_centres(&whole(mask));
        let (width, height) = (mask.width(), mask.height());
        let mut coverage = vec![0u8; mask.pixels().len()];
        for polygon in &polygons {
            let n = polygon.len();
            for i in 0..n {
                let [a, b, c] = [polygon[i], polygon[(i + 1) % n], polygon[(i + 2) % n]];
                assert!(mask.get(a[0] as u32, a[1] as u32), "{polygon:?}");
                let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
                assert!(dx == 0 || dy == 0 || dx.abs() == dy.abs(), "{polygon:?}");
                if n >= 3 {
                    assert!(a != b && !goes_straight_on(a, b, c), "{polygon:?}");
                }
            }
            let filled = fill_closed(polygon, width, height);
            for (total, &pixel) in coverage.iter_mut().zip(filled.pixels()) {
                *total += pixel;
            }
        }
        assert_eq!(&coverage[..], mask.pixels(), "{mask:?}\n{polygons:?}");
        polygons
    }

    #[test]
    fn a_rectangle_runs_through_its_corner_pixels() {
        let mask = mask_from_rows(&[".....", ".###.", ".###.", "....."]);
        assert_eq!(check(&mask), [vec![[1, 1], [3, 1], [3, 2], [1, 2]]]);
    }

    #[test]
    fn thin_shapes_collapse_to_their_pixels() {
        assert_eq!(
            check(&mask_from_rows(&["...", ".#.", "..."])),
            [vec![[1, 1]]]
        );
        assert_eq!(check(&mask_from_rows(&["####"])), [vec![[0, 0], [3, 0]]]);
        assert_eq!(
            check(&mask_from_rows(&["#..", ".#.", "..#"])),
            [vec![[0, 0], [2, 2]]]
        );
    }

    #[test]
    fn staircases_become_diagonals() {
        let mask = mask_from_rows(&[
            "#...", //
            "##..", //
            "###.", //
            "####", //
        ]);
        assert_eq!(check(&mask), [vec![[0, 0], [3, 3], [0, 3]]]);
    }

    #[test]
    fn a_hole_is_bridged_down_one_column_and_up_the_next() {
        let mask = mask_from_rows(&[
            "#####", //
            "#...#", //
            "#...#", //
            "#####", //
        ]);
        // Down column 0 (the bridge, then the hole's left side), around the
        // hole through the pixels beside it, then around the outside.
        assert_eq!(
            check(&mask),
            [vec![
                [0, 0],
                [0, 2],
                [1, 3],
                [3, 3],
                [4, 2],
                [4, 1],
                [3, 0],
                [1, 0],
                [4, 0],
                [4, 3],
                [0, 3]
            ]]
        );
    }

    #[test]
    fn islands_holes_and_saddles() {
        check(&mask_from_rows(&[
            "#####", //
            "#...#", //
            "#.#.#", //
            "#...#", //
            "#####", //
        ]));
        check(&mask_from_rows(&["#.", ".#"]));
        check(&mask_from_rows(&[".#", "#."]));
        check(&mask_from_rows(&[".####", "#...#", "#...#", "#####"]));
        check(&mask_from_rows(&[
            "###", "#.#", "###", "#.#", "###", "#.#", "###",
        ]));
        for (width, height) in [(2, 2), (5, 5), (8, 3), (9, 12)] {
            for phase in 0..2 {
                check(&BinaryMask::from_fn(width, height, |x, y| {
                    (x + y) % 2 == phase
                }));
            }
        }
    }

    #[test]
    fn pseudo_random_blobs_and_noise_fill_back_exactly() {
        for mask in blobs_and_noise() {
            check(&mask);
        }
    }

    #[test]
    fn coordinates_are_in_the_full_image() {
        let window = BinaryMask::from_fn(3, 2, |_, _| true);
        let mask = CroppedMask::new(50, 40, 30, 20, window).unwrap();
        assert_eq!(
            trace_centres(&mask),
            [vec![[30, 20], [32, 20], [32, 21], [30, 21]]]
        );
        assert!(trace_centres(&CroppedMask::empty(5, 5)).is_empty());
    }

    #[test]
    fn simplification_keeps_vertices_farther_than_the_tolerance() {
        // A flat roof with a bump of height 1 in the middle.
        let polygon = [[0, 0], [4, 0], [5, -1], [6, 0], [10, 0], [10, 5], [0, 5]];
        assert_eq!(simplify(&polygon, 0.0), polygon);
        assert_eq!(simplify(&polygon, 0.5), polygon);
        assert_eq!(simplify(&polygon, 1.0), [[0, 0], [10, 0], [10, 5], [0, 5]]);
        // Triangles are kept whole.
        let triangle = [[0, 0], [9, 0], [0, 9]];
        assert_eq!(simplify(&triangle, 100.0), triangle);
    }

    #[test]
    fn simplification_measures_to_the_edge_not_its_line() {
        // A spike out and back along one line: far from the edge's ends.
        let polygon = [[0, 0], [20, 0], [10, 0], [10, 1], [0, 1]];
        let simplified = simplify(&polygon, 2.0);
        assert!(simplified.contains(&[20, 0]), "{simplified:?}");
    }

    #[test]
    fn simplified_polygons_stay_within_the_tolerance() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200 {
            let (cx, cy, r) = (
                40 + rng.below(20) as i64,
                40 + rng.below(20) as i64,
                5 + rng.below(30) as i64,
            );
            let mask = BinaryMask::from_fn(100, 100, |x, y| {
                let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
                dx * dx + 2 * dy * dy <= r * r
            });
            let [polygon] = &trace_centres(&whole(&mask))[..] else {
                panic!("one component");
            };
            for tolerance in [0.5, 1.0, 2.5] {
                let simplified = simplify(polygon, tolerance);
                assert!(simplified.len() <= polygon.len());
                let ends: Vec<_> = simplified
                    .iter()
                    .skip(1)
                    .chain(simplified.first())
                    .collect();
                for &point in polygon {
                    let nearest = simplified
                        .iter()
                        .zip(&ends)
                        .map(|(&a, &&b)| squared_distance_to_segment(point, a, b))
                        .fold(f64::INFINITY, f64::min);
                    assert!(nearest <= tolerance * tolerance, "{point:?}");
                }
            }
        }
    }

    #[test]
    fn fill_closed_draws_edges_and_even_odd_inside() {
        // A diagonal triangle: the boundary pixels and the one inside.
        let triangle = fill_closed(&[[0, 0], [3, 0], [0, 3]], 4, 4);
        assert_eq!(triangle, mask_from_rows(&["####", "###.", "##..", "#..."]));
        // Two squares in one polygon, the inner one an even-odd hole: its
        // edges drawn, its inside empty; the way there and back drawn too.
        let nested = [
            [0, 0],
            [6, 0],
            [6, 6],
            [0, 6],
            [0, 0],
            [2, 2],
            [4, 2],
            [4, 4],
            [2, 4],
            [2, 2],
        ];
        assert_eq!(
            fill_closed(&nested, 7, 7),
            mask_from_rows(&[
                "#######", //
                "#######", //
                "#######", //
                "###.###", //
                "#######", //
                "#######", //
                "#######", //
            ])
        );
        // Clipped at the image's borders; a single point is one pixel.
        let clipped = fill_closed(&[[-2, -2], [9, -2], [9, 1], [-2, 1]], 3, 2);
        assert_eq!(clipped.pixels(), &[1, 1, 1, 1, 1, 1]);
        assert_eq!(fill_closed(&[[1, 0]], 2, 1).pixels(), &[0, 1]);
        assert!(fill_closed(&[], 2, 2).is_empty());
    }
}
