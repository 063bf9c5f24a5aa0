//! im2col/col2im against their definitions: the adjoint identity, a naive six-loop convolution,
//! and the coverage identity, over random shapes.

use nabla_tensor::{ConvGeometry, col2im, col2im_t_add, im2col, im2col_t_into};
use ndarray::{Array1, Array2, Array4};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

fn random4(shape: (usize, usize, usize, usize), seed: u64) -> Array4<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    Array4::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
}

/// The reference: a convolution written as six nested loops over an explicitly padded input.
fn conv_naive(x: &Array4<f64>, w: &Array4<f64>, b: &Array1<f64>, g: &ConvGeometry) -> Array4<f64> {
    let (n, c, h, wd) = x.dim();
    let (fnum, _, kh, kw) = w.dim();
    let p = g.padding;
    let mut xp = Array4::zeros((n, c, h + 2 * p, wd + 2 * p));
    xp.slice_mut(ndarray::s![.., .., p..p + h, p..p + wd])
        .assign(x);
    let (oh, ow) = g.out_hw(h, wd).unwrap();
    let mut out = Array4::zeros((n, fnum, oh, ow));
    for i in 0..n {
        for f in 0..fnum {
            for y in 0..oh {
                for xx in 0..ow {
                    let mut acc = b[f];
                    for ch in 0..c {
                        for ky in 0..kh {
                            for kx in 0..kw {
                                acc += xp[[i, ch, y * g.stride + ky, xx * g.stride + kx]]
                                    * w[[f, ch, ky, kx]];
                            }
                        }
                    }
                    out[[i, f, y, xx]] = acc;
                }
            }
        }
    }
    out
}

/// Random shapes whose geometry fits: kernel at most the padded input.
fn geometry_and_shape() -> impl Strategy<Value = ((usize, usize, usize, usize), ConvGeometry, u64)>
{
    (
        1usize..3,
        1usize..4,
        1usize..8,
        1usize..8,
        1usize..4,
        1usize..4,
        1usize..4,
        0usize..3,
        any::<u64>(),
    )
        .prop_filter_map(
            "kernel must fit the padded input",
            |(n, c, h, w, kh, kw, s, p, seed)| {
                let g = ConvGeometry::new((kh, kw), s, p);
                g.out_hw(h, w).ok().map(|_| ((n, c, h, w), g, seed))
            },
        )
}

/// "Same" convolutions (stride 1, output as wide as the input), which im2col_t_into copies
/// by whole runs of the input plane.
fn same_geometry_and_shape()
-> impl Strategy<Value = ((usize, usize, usize, usize), ConvGeometry, u64)> {
    (
        1usize..3,
        1usize..4,
        1usize..9,
        1usize..9,
        1usize..4,
        0usize..3,
        any::<u64>(),
    )
        .prop_filter_map(
            "kernel must fit the padded input",
            |(n, c, h, w, kh, p, seed)| {
                let g = ConvGeometry::new((kh, 2 * p + 1), 1, p);
                g.out_hw(h, w).ok().map(|_| ((n, c, h, w), g, seed))
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn same_convolutions_unfold_like_the_classic_im2col((shape, g, seed) in same_geometry_and_shape()) {
        let (n, c, h, w) = shape;
        let x = random4(shape, seed);
        let col = im2col(&x.view(), &g).unwrap();
        let (oh, ow) = g.out_hw(h, w).unwrap();
        prop_assert_eq!(ow, w);
        let (plane, k) = (oh * ow, c * g.kernel_h * g.kernel_w);
        let xs = x.as_slice().unwrap();
        for img in 0..n {
            let mut t = vec![f64::NAN; k * plane];
            im2col_t_into(&xs[img * c * h * w..(img + 1) * c * h * w], (c, h, w), &g, &mut t).unwrap();
            let block = col.slice(ndarray::s![img * plane..(img + 1) * plane, ..]);
            prop_assert_eq!(&Array2::from_shape_vec((k, plane), t).unwrap(), &block.t());
        }
    }

    #[test]
    fn the_transposed_pair_is_the_classic_pair_transposed((shape, g, seed) in geometry_and_shape()) {
        let (n, c, h, w) = shape;
        let x = random4(shape, seed);
        let col = im2col(&x.view(), &g).unwrap();
        let (oh, ow) = g.out_hw(h, w).unwrap();
        let (plane, k) = (oh * ow, c * g.kernel_h * g.kernel_w);
        let xs = x.as_slice().unwrap();
        let mut rng = StdRng::seed_from_u64(seed ^ 3);
        let y = Array2::from_shape_simple_fn(col.raw_dim(), || rng.random_range(-1.0..1.0));
        let folded = col2im(&y.view(), shape, &g).unwrap();
        for img in 0..n {
            // Garbage in the buffers must not leak into the result.
            let mut t = vec![f64::NAN; k * plane];
            im2col_t_into(&xs[img * c * h * w..(img + 1) * c * h * w], (c, h, w), &g, &mut t).unwrap();
            let block = col.slice(ndarray::s![img * plane..(img + 1) * plane, ..]);
            let t = Array2::from_shape_vec((k, plane), t).unwrap();
            prop_assert_eq!(&t, &block.t());
            let yt = y.slice(ndarray::s![img * plane..(img + 1) * plane, ..]).t().as_standard_layout().into_owned();
            let mut dx = vec![0.0; c * h * w];
            col2im_t_add(yt.as_slice().unwrap(), (c, h, w), &g, &mut dx).unwrap();
            let expected: Vec<f64> = folded.slice(ndarray::s![img, .., .., ..]).iter().copied().collect();
            for (a, b) in dx.iter().zip(&expected) {
                prop_assert!((a - b).abs() <= 1e-12, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col((shape, g, seed) in geometry_and_shape()) {
        let x = random4(shape, seed);
        let col = im2col(&x.view(), &g).unwrap();
        let mut rng = StdRng::seed_from_u64(seed ^ 1);
        let y = Array2::from_shape_simple_fn(col.raw_dim(), || rng.random_range(-1.0..1.0));
        let lhs = (&col * &y).sum();
        let rhs = (&x * &col2im(&y.view(), shape, &g).unwrap()).sum();
        prop_assert!((lhs - rhs).abs() <= 1e-10 * (1.0 + lhs.abs()), "{lhs} vs {rhs}");
    }

    #[test]
    fn convolution_through_im2col_equals_naive_loops(
        (shape, g, seed) in geometry_and_shape(),
        filters in 1usize..4,
    ) {
        let x = random4(shape, seed);
        let w = random4((filters, shape.1, g.kernel_h, g.kernel_w), seed ^ 2);
        let b = Array1::from_shape_fn(filters, |f| f as f64 * 0.5 - 0.3);
        let (oh, ow) = g.out_hw(shape.2, shape.3).unwrap();
        let col = im2col(&x.view(), &g).unwrap();
        let wmat = w.to_shape((filters, shape.1 * g.kernel_h * g.kernel_w)).unwrap();
        let out = col.dot(&wmat.t()) + &b;
        let out = out.as_standard_layout().into_owned().into_shape_with_order((shape.0, oh, ow, filters)).unwrap().permuted_axes([0, 3, 1, 2]);
        let reference = conv_naive(&x, &w, &b, &g);
        for (a, r) in out.iter().zip(reference.iter()) {
            prop_assert!((a - r).abs() < 1e-12, "{a} vs {r}");
        }
    }

    #[test]
    fn col2im_of_im2col_is_x_times_cover((shape, g, seed) in geometry_and_shape()) {
        let x = random4(shape, seed);
        let back = col2im(&im2col(&x.view(), &g).unwrap().view(), shape, &g).unwrap();
        let ones = Array4::<f64>::ones(shape);
        let cover = col2im(&im2col(&ones.view(), &g).unwrap().view(), shape, &g).unwrap();
        for ((b, xv), c) in back.iter().zip(x.iter()).zip(cover.iter()) {
            prop_assert!((b - xv * c).abs() < 1e-12);
        }
    }
}

#[test]
fn layout_matches_the_classic_code() {
    // x = np.arange(36).reshape(2, 2, 3, 3); im2col(x, 2, 2, 1, 0)[0] == [0, 1, 3, 4, 9, 10, 12, 13]
    let x = Array4::from_shape_vec((2, 2, 3, 3), (0..36).map(|v| v as f64).collect()).unwrap();
    let col = im2col(&x.view(), &ConvGeometry::new((2, 2), 1, 0)).unwrap();
    assert_eq!(col.dim(), (8, 8));
    assert_eq!(
        col.row(0).to_vec(),
        vec![0.0, 1.0, 3.0, 4.0, 9.0, 10.0, 12.0, 13.0]
    );
    assert_eq!(
        col.row(4).to_vec(),
        vec![18.0, 19.0, 21.0, 22.0, 27.0, 28.0, 30.0, 31.0]
    );
}

#[test]
fn cover_of_three_by_three_pad_one_on_six_by_six() {
    // Corners are in 4 windows, edges in 6, the inside in 9.
    let g = ConvGeometry::new((3, 3), 1, 1);
    let ones = Array4::<f64>::ones((1, 1, 6, 6));
    let cover = col2im(&im2col(&ones.view(), &g).unwrap().view(), (1, 1, 6, 6), &g).unwrap();
    assert_eq!(cover[[0, 0, 0, 0]], 4.0);
    assert_eq!(cover[[0, 0, 0, 3]], 6.0);
    assert_eq!(cover[[0, 0, 2, 3]], 9.0);
}

#[test]
fn notebook_demo_round_trip_gives_x_times_cover() {
    // The recorded input of the im2col notebook and its 6x4, stride 2, pad 1 geometry: the
    // consistent pair returns n0 = [[25,70,136,69],[2,124,40,21],[13,174,122,22],[8,24,168,15]].
    let n0 = [
        25., 35., 68., 69., 2., 62., 20., 21., 13., 87., 61., 22., 8., 12., 84., 15.,
    ];
    let n1 = [
        46., 15., 93., 85., 31., 68., 82., 32., 81., 8., 6., 71., 16., 16., 93., 14.,
    ];
    let x = Array4::from_shape_vec((2, 1, 4, 4), n0.iter().chain(&n1).copied().collect()).unwrap();
    let g = ConvGeometry::new((6, 4), 2, 1);
    let col = im2col(&x.view(), &g).unwrap();
    assert_eq!(col.dim(), (4, 24));
    let back = col2im(&col.view(), (2, 1, 4, 4), &g).unwrap();
    let expected = [
        25., 70., 136., 69., 2., 124., 40., 21., 13., 174., 122., 22., 8., 24., 168., 15.,
    ];
    assert_eq!(
        back.slice(ndarray::s![0, 0, .., ..])
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        expected
    );
}

#[test]
fn wrong_col_shape_is_an_error() {
    let g = ConvGeometry::new((2, 2), 1, 0);
    let col = Array2::<f64>::zeros((3, 4));
    let err = col2im(&col.view(), (1, 1, 3, 3), &g).unwrap_err();
    assert!(err.to_string().contains("col2im"), "{err}");
}
