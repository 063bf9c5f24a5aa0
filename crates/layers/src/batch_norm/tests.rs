use super::*;
use crate::gradcheck::check_layer;
use crate::testutil::random;
use ndarray::Axis;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    // Batches of at least 4: with 2 samples x̂ = ±1 whatever x is, the gradient is ~0 and the
    // relative error measures only rounding.
    fn gradient_check_train_mode(n in 4usize..8, d in 1usize..5, image in any::<bool>(), hw in 1usize..4, seed in any::<u64>()) {
        let shape = if image { vec![n, d, hw, hw] } else { vec![n, d] };
        let mut bn = BatchNorm::<f64>::new(d).unwrap();
        bn.visit_params(&mut |name, p| match name {
            "gamma" => p.value.assign(&random(&[d], seed ^ 3).mapv(|v| v + 1.5)),
            "beta" => p.value.assign(&random(&[d], seed ^ 4)),
            _ => {}
        });
        let report = check_layer(&mut bn, &(random(&shape, seed) * 3.0), Mode::Train, seed).unwrap();
        prop_assert!(report.worst() < 1e-6, "{report:?}");
        prop_assert_eq!(report.params.len(), 2);
    }

    #[test]
    // The fast path over two steps (the second reusing the first's buffers) against the
    // textbook, bit for bit, in f32 and f64, rows and images, training and inference.
    fn the_fast_path_computes_the_textbook_reference(n in 1usize..7, d in 1usize..5, image in any::<bool>(), hw in 1usize..4, seed in any::<u64>()) {
        let shape = if image { vec![n, d, hw, hw] } else { vec![n, d] };
        fn both<F: Float>(shape: &[usize], d: usize, seed: u64) -> std::result::Result<(), TestCaseError> {
            let of = |a: ArrayD<f64>| a.mapv(F::of);
            let mut bn = BatchNorm::<F>::new(d).unwrap();
            bn.visit_params(&mut |name, p| match name {
                "gamma" => p.value.assign(&of(random(&[d], seed ^ 3).mapv(|v| v + 1.5))),
                "beta" => p.value.assign(&of(random(&[d], seed ^ 4))),
                _ => {}
            });
            for step in 0..2u64 {
                for mode in [Mode::Train, Mode::Eval] {
                    let x = of(random(shape, seed ^ step) * 3.0);
                    let dout = of(random(shape, seed ^ step ^ 7));
                    let textbook = bn.forward_reference(&x, mode).unwrap();
                    let grads = bn.backward_reference(&x, &dout, mode).unwrap();
                    let y = bn.forward(x, mode).unwrap();
                    prop_assert_eq!(&y, &textbook);
                    let dx = bn.backward(dout).unwrap();
                    prop_assert_eq!(&dx, &grads.dx);
                    prop_assert_eq!(&bn.gamma.grad, &grads.dgamma.into_dyn());
                    prop_assert_eq!(&bn.beta.grad, &grads.dbeta.into_dyn());
                }
            }
            Ok(())
        }
        both::<f32>(&shape, d, seed)?;
        both::<f64>(&shape, d, seed)?;
    }

    #[test]
    fn gradient_check_eval_mode(n in 1usize..5, d in 1usize..5, seed in any::<u64>()) {
        let mut bn = BatchNorm::<f64>::new(d).unwrap();
        bn.forward(random(&[8, d], seed ^ 5), Mode::Train).unwrap();
        let report = check_layer(&mut bn, &random(&[n, d], seed), Mode::Eval, seed).unwrap();
        prop_assert!(report.worst() < 1e-6, "{report:?}");
    }
}

#[test]
fn running_statistics_follow_the_classic_update() {
    let mut bn = BatchNorm::<f64>::new(1).unwrap();
    bn.forward(ndarray::array![[1.0], [3.0]].into_dyn(), Mode::Train)
        .unwrap();
    // mean 2, biased var 1: running = 0.9 * 0 + 0.1 * stat.
    assert!((bn.running_mean.value[0] - 0.2).abs() < 1e-15);
    assert!((bn.running_var.value[0] - 0.1).abs() < 1e-15);
    let y = bn
        .forward(ndarray::array![[0.2]].into_dyn(), Mode::Eval)
        .unwrap();
    assert!(y[[0, 0]].abs() < 1e-12);
}

#[test]
fn channels_share_statistics_in_image_mode() {
    let mut bn = BatchNorm::<f64>::new(2).unwrap();
    let x = ArrayD::from_shape_fn(vec![2, 2, 3, 3], |i| {
        (i[0] * 9 + i[2] * 3 + i[3]) as f64 + 100.0 * i[1] as f64
    });
    let y = bn.forward(x, Mode::Train).unwrap();
    for c in 0..2 {
        let ch = y.index_axis(Axis(1), c);
        assert!(ch.mean().unwrap().abs() < 1e-12);
        assert!((ch.mapv(|v| v * v).mean().unwrap() - 1.0).abs() < 1e-4);
    }
}
