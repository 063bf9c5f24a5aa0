//! CNN-1 and CNN-2: what im2col produces, and why col2im is the adjoint, not the inverse.
//!
//! The notebook unfolded two 4x4 images with a 6x4 kernel, stride 2, padding 1, after
//! commenting out im2col's transpose, then folded the result back with the library's
//! col2im and got something that is not the input. Two causes: the broken layout, and the
//! fact that col2im sums overlapping windows. With a consistent pair the round trip gives
//! `x ⊙ cover`, where `cover` counts the windows that see each pixel.

use nabla_tensor::{ConvGeometry, TensorError, col2im, im2col};

use crate::Result;
use ndarray::{Array2, Array4};

/// The notebook's recorded input, `np.random.rand(2, 1, 4, 4) * 100 // 1`.
pub fn recorded_input() -> Array4<f64> {
    let n0 = [
        25., 35., 68., 69., 2., 62., 20., 21., 13., 87., 61., 22., 8., 12., 84., 15.,
    ];
    let n1 = [
        46., 15., 93., 85., 31., 68., 82., 32., 81., 8., 6., 71., 16., 16., 93., 14.,
    ];
    Array4::from_shape_fn((2, 1, 4, 4), |(n, _, i, j)| {
        if n == 0 { n0[i * 4 + j] } else { n1[i * 4 + j] }
    })
}

/// The notebook's geometry: 6x4 kernel, stride 2, padding 1.
pub fn recorded_geometry() -> ConvGeometry {
    ConvGeometry::new((6, 4), 2, 1)
}

/// im2col with the transpose commented out, as the notebook ran it: the `(N, C, KH, KW, OH,
/// OW)` patch array reshaped straight to `(N·OH·OW, C·KH·KW)`.
pub fn im2col_without_transpose(
    x: &Array4<f64>,
    g: &ConvGeometry,
) -> std::result::Result<Array2<f64>, TensorError> {
    let (n, c, h, w) = x.dim();
    let (oh, ow) = g.out_hw(h, w)?;
    let (kh, kw, s, p) = (g.kernel_h, g.kernel_w, g.stride, g.padding);
    let mut flat = Vec::with_capacity(n * c * kh * kw * oh * ow);
    for img in 0..n {
        for ch in 0..c {
            for ky in 0..kh {
                for kx in 0..kw {
                    for i in 0..oh {
                        for j in 0..ow {
                            let (y, xx) = (
                                (i * s + ky) as isize - p as isize,
                                (j * s + kx) as isize - p as isize,
                            );
                            let inside = y >= 0 && xx >= 0 && (y as usize) < h && (xx as usize) < w;
                            flat.push(if inside {
                                x[[img, ch, y as usize, xx as usize]]
                            } else {
                                0.0
                            });
                        }
                    }
                }
            }
        }
    }
    Array2::from_shape_vec((n * oh * ow, c * kh * kw), flat)
        .map_err(|e| TensorError::Geometry(e.to_string()))
}

/// What the demo shows, computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Im2colDemo {
    /// The notebook's scrambled `col` (no transpose).
    pub scrambled_col: Array2<f64>,
    /// The library col2im applied to the scrambled `col`: the "inconsistent" output.
    pub inconsistent: Array4<f64>,
    /// The consistent pair's round trip, `col2im(im2col(x))`.
    pub round_trip: Array4<f64>,
    /// How many windows see each pixel, `col2im(im2col(ones))`.
    pub cover: Array4<f64>,
}

/// Runs CNN-1 and CNN-2 on the recorded input.
pub fn run() -> Result<Im2colDemo> {
    let x = recorded_input();
    let g = recorded_geometry();
    let shape = x.dim();
    let scrambled_col = im2col_without_transpose(&x, &g)?;
    let inconsistent = col2im(&scrambled_col.view(), shape, &g)?;
    let round_trip = col2im(&im2col(&x.view(), &g)?.view(), shape, &g)?;
    let ones = Array4::ones(shape);
    let cover = col2im(&im2col(&ones.view(), &g)?.view(), shape, &g)?;
    Ok(Im2colDemo {
        scrambled_col,
        inconsistent,
        round_trip,
        cover,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(a: &Array4<f64>, n: usize) -> Vec<f64> {
        a.index_axis(ndarray::Axis(0), n)
            .index_axis(ndarray::Axis(0), 0)
            .iter()
            .copied()
            .collect()
    }

    #[test]
    fn reproduces_the_recorded_printouts() {
        let demo = run().unwrap();
        // EXPERIMENTS.md §7.1: the recorded 4x24 col of the no-transpose im2col.
        let row0 = [
            0., 0., 0., 0., 0., 0., 0., 0., 0., 35., 25., 68., 35., 69., 68., 0., 0., 62., 2., 20.,
            62., 21., 20., 0.,
        ];
        let row3 = [
            0., 8., 81., 6., 8., 71., 6., 0., 0., 16., 16., 93., 16., 14., 93., 0., 0., 0., 0., 0.,
            0., 0., 0., 0.,
        ];
        assert_eq!(demo.scrambled_col.row(0).to_vec(), row0);
        assert_eq!(demo.scrambled_col.row(3).to_vec(), row3);
        // §7.2: the recorded "inconsistent" col2im output.
        assert_eq!(
            image(&demo.inconsistent, 0),
            [
                0., 87., 22., 61., 35., 25., 80., 8., 69., 80., 15., 84., 62., 2., 20., 0.
            ]
        );
        assert_eq!(
            image(&demo.inconsistent, 1),
            [
                0., 8., 71., 6., 15., 46., 109., 16., 85., 109., 14., 93., 68., 31., 82., 0.
            ]
        );
        // The consistent pair: x ⊙ cover, cover columns [1, 2, 2, 1].
        assert_eq!(
            image(&demo.round_trip, 0),
            [
                25., 70., 136., 69., 2., 124., 40., 21., 13., 174., 122., 22., 8., 24., 168., 15.
            ]
        );
        assert_eq!(demo.round_trip, &recorded_input() * &demo.cover);
        assert_eq!(image(&demo.cover, 0)[..4], [1., 2., 2., 1.]);
    }
}
