use super::*;
use crate::gradcheck::check_layer;
use crate::testutil::random;
use ndarray::Array4;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

#[test]
fn from_parts_matches_the_naive_convolution_with_a_rectangular_kernel() {
    let w = random(&[3, 2, 2, 3], 5)
        .into_dimensionality::<ndarray::Ix4>()
        .unwrap();
    let b = [0.1, -0.2, 0.3];
    let x = random(&[2, 2, 5, 6], 6);
    let mut conv =
        Conv2d::from_parts(w.clone(), Some(ndarray::Array1::from(b.to_vec())), 2, 1).unwrap();
    assert_eq!(conv.config().kernel, (2, 3));
    let y = conv.forward(x.clone(), Mode::Eval).unwrap();
    let x4 = x.into_dimensionality::<ndarray::Ix4>().unwrap();
    let expected = conv_naive(&x4, &w, &b, 2, 1);
    assert!((&y - &expected.into_dyn()).iter().all(|d| d.abs() < 1e-12));
    let bad = Conv2d::from_parts(w, Some(ndarray::Array1::from(vec![0.0; 2])), 1, 0);
    assert!(matches!(bad, Err(LayerError::Config { .. })));
}

/// The reference: six nested loops over an explicitly padded input.
fn conv_naive(x: &Array4<f64>, w: &Array4<f64>, b: &[f64], s: usize, p: usize) -> Array4<f64> {
    let (n, c, h, wd) = x.dim();
    let (fnum, _, kh, kw) = w.dim();
    let xp = crate::testutil::padded(x, p, 0.0);
    let (oh, ow) = ((h + 2 * p - kh) / s + 1, (wd + 2 * p - kw) / s + 1);
    Array4::from_shape_fn((n, fnum, oh, ow), |(i, f, y, xx)| {
        let mut acc = b[f];
        for ch in 0..c {
            for ky in 0..kh {
                for kx in 0..kw {
                    acc += xp[[i, ch, y * s + ky, xx * s + kx]] * w[[f, ch, ky, kx]];
                }
            }
        }
        acc
    })
}

fn case() -> impl Strategy<Value = (Conv2dConfig, [usize; 4], u64)> {
    (
        1usize..3,
        1usize..4,
        1usize..4,
        1usize..4,
        1usize..4,
        1usize..3,
        0usize..3,
        1usize..7,
        1usize..7,
        any::<u64>(),
    )
        .prop_filter_map(
            "kernel must fit",
            |(n, c, fnum, kh, kw, s, p, h, w, seed)| {
                let mut config = Conv2dConfig::new(c, fnum, kh)
                    .with_stride(s)
                    .with_padding(p);
                config.kernel = (kh, kw);
                config
                    .geometry()
                    .out_hw(h, w)
                    .ok()
                    .map(|_| (config, [n, c, h, w], seed))
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn gradient_check((config, shape, seed) in case()) {
        let mut conv = Conv2d::<f64>::new(&config, &mut StdRng::seed_from_u64(seed)).unwrap();
        conv.visit_params(&mut |_, p| p.value.mapv_inplace(|v| v + 0.05));
        let report = check_layer(&mut conv, &random(&shape, seed), Mode::Train, seed).unwrap();
        prop_assert!(report.worst() < 1e-6, "{report:?}");
    }

    #[test]
    fn the_fast_path_computes_the_textbook_reference((config, shape, seed) in case()) {
        let mut conv = Conv2d::<f64>::new(&config, &mut StdRng::seed_from_u64(seed)).unwrap();
        conv.visit_params(&mut |_, p| p.value.mapv_inplace(|v| v + 0.05));
        let x: Array4<f64> = random(&shape, seed).into_dimensionality().unwrap();
        let y = conv.forward(x.clone().into_dyn(), Mode::Train).unwrap();
        let textbook = conv.forward_reference(&x).unwrap();
        let close = |a: &ArrayD<f64>, b: &ArrayD<f64>| {
            a.shape() == b.shape() && a.iter().zip(b).all(|(u, v)| (u - v).abs() <= 1e-12 * (1.0 + v.abs()))
        };
        prop_assert!(close(&y, &textbook.clone().into_dyn()));
        let dout: Array4<f64> = random(textbook.shape(), seed ^ 9).into_dimensionality().unwrap();
        let dx = conv.backward(dout.clone().into_dyn()).unwrap();
        let g = conv.backward_reference(&x, &dout).unwrap();
        prop_assert!(close(&dx, &g.dx.into_dyn()));
        prop_assert!(close(&conv.weight.grad, &g.dw.into_dyn()));
        let db = conv.bias.as_ref().map(|b| b.grad.clone()).unwrap();
        prop_assert!(close(&db, &g.db.into_dyn()));
    }

    /// In f32 (nabla's own GEMM kernels) and with the layer writing into buffers kept
    /// from the step before: two steps, each against the textbook route.
    #[test]
    fn same_convolutions_in_f32_match_the_reference_step_after_step(
        n in 1usize..4, c in 1usize..4, fnum in 1usize..6, k in prop::sample::select(vec![3usize, 5]),
        h in 1usize..9, w in 1usize..9, first_layer in any::<bool>(), seed in any::<u64>(),
    ) {
        let config = Conv2dConfig::new(c, fnum, k).with_padding(k / 2);
        let mut conv = Conv2d::<f32>::new(&config, &mut StdRng::seed_from_u64(seed)).unwrap();
        conv.set_input_gradient(!first_layer);
        let close = |a: &ArrayD<f32>, b: &ArrayD<f32>| {
            a.shape() == b.shape() && a.iter().zip(b).all(|(u, v)| (u - v).abs() <= 1e-5 * (1.0 + v.abs()))
        };
        for step in 0..2u64 {
            let x: Array4<f32> = random(&[n, c, h, w], seed ^ step).mapv(|v| v as f32).into_dimensionality().unwrap();
            let y = conv.forward(x.clone().into_dyn(), Mode::Train).unwrap();
            let textbook = conv.forward_reference(&x).unwrap();
            prop_assert!(close(&y, &textbook.clone().into_dyn()), "forward, step {step}");
            let dout: Array4<f32> = random(textbook.shape(), seed ^ 9 ^ step).mapv(|v| v as f32).into_dimensionality().unwrap();
            let dx = conv.backward(dout.clone().into_dyn()).unwrap();
            let g = conv.backward_reference(&x, &dout).unwrap();
            if first_layer {
                prop_assert!(dx.iter().all(|&v| v == 0.0));
            } else {
                prop_assert!(close(&dx, &g.dx.into_dyn()), "input gradient, step {step}");
            }
            prop_assert!(close(&conv.weight.grad, &g.dw.into_dyn()), "weight gradient, step {step}");
        }
    }

    #[test]
    fn forward_equals_naive_loops((config, shape, seed) in case()) {
        let mut conv = Conv2d::<f64>::new(&config, &mut StdRng::seed_from_u64(seed)).unwrap();
        let bias: Vec<f64> = (0..config.out_channels).map(|f| f as f64 * 0.25 - 0.1).collect();
        conv.visit_params(&mut |name, p| if name == "bias" { p.value.assign(&ndarray::arr1(&bias)) });
        let x = random(&shape, seed);
        let w = conv.weight.value.clone().into_dimensionality().unwrap();
        let y = conv.forward(x.clone(), Mode::Eval).unwrap();
        let reference = conv_naive(&x.into_dimensionality().unwrap(), &w, &bias, config.stride, config.padding);
        for (a, r) in y.iter().zip(reference.iter()) {
            prop_assert!((a - r).abs() < 1e-12);
        }
    }
}

#[test]
fn wrong_channels_is_an_error() {
    let mut conv =
        Conv2d::<f32>::new(&Conv2dConfig::new(3, 4, 3), &mut StdRng::seed_from_u64(0)).unwrap();
    let err = conv
        .forward(ArrayD::zeros(vec![1, 1, 8, 8]), Mode::Train)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Conv2d: expected input of shape [n, 3, h, w], got [1, 1, 8, 8]"
    );
    let err = conv
        .forward(ArrayD::zeros(vec![1, 3, 2, 2]), Mode::Train)
        .unwrap_err();
    assert!(
        err.to_string().contains("larger than the padded input"),
        "{err}"
    );
}
