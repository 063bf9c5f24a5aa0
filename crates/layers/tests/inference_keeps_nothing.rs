//! One rule for every layer: an inference-mode forward keeps nothing for a backward pass, so
//! a backward after it is an error (never gradients from a stale training batch), and a
//! training-mode forward makes the backward possible again. The one exception is BatchNorm,
//! whose inference-mode backward (statistics fixed: an affine map) is a gradient-checked
//! feature; it is checked here to come from the inference pass, not the training batch.

use nabla_layers::{
    AvgPool2d, BatchNorm, Conv2d, Conv2dConfig, Dropout, DropoutKind, Flatten, Layer, LayerError,
    LeakyRelu, Linear, LinearConfig, LocalResponseNorm, MaxPool2d, Mode, Relu, Sequential, Sigmoid,
    Tanh,
};
use ndarray::{ArrayD, IxDyn};
use rand::SeedableRng;

fn every_layer() -> Vec<(Box<dyn Layer<f64>>, Vec<usize>)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    let image = vec![2, 3, 6, 6];
    let rows = vec![2, 5];
    let mut seq = Sequential::new();
    seq.push(
        "fc",
        Linear::new(&LinearConfig::new(5, 4), &mut rng).unwrap(),
    )
    .push("relu", Relu::new());
    vec![
        (
            Box::new(Linear::new(&LinearConfig::new(5, 4), &mut rng).unwrap()),
            rows.clone(),
        ),
        (
            Box::new(Conv2d::new(&Conv2dConfig::new(3, 2, 3), &mut rng).unwrap()),
            image.clone(),
        ),
        (Box::new(Relu::new()), rows.clone()),
        (Box::new(LeakyRelu::new(0.1)), rows.clone()),
        (Box::new(Sigmoid::new()), rows.clone()),
        (Box::new(Tanh::new()), rows.clone()),
        (
            Box::new(Dropout::new(0.5, DropoutKind::Inverted, 1).unwrap()),
            rows.clone(),
        ),
        (
            Box::new(MaxPool2d::new((2, 2), 2, 0).unwrap()),
            image.clone(),
        ),
        (
            Box::new(AvgPool2d::new((2, 2), 2, 0).unwrap()),
            image.clone(),
        ),
        (Box::new(Flatten::new()), image.clone()),
        (
            Box::new(LocalResponseNorm::new(3, 1e-4, 0.75, 2.0).unwrap()),
            image.clone(),
        ),
        (Box::new(seq), rows),
    ]
}

#[test]
fn a_backward_after_inference_is_an_error_for_every_layer() {
    for (mut layer, shape) in every_layer() {
        let n: usize = shape.iter().product();
        let x = ArrayD::from_shape_vec(
            IxDyn(&shape),
            (0..n).map(|k| (k % 7) as f64 - 3.0).collect(),
        )
        .unwrap();
        // Train, then infer: the inference must drop what the training pass kept.
        let y = layer.forward(x.clone(), Mode::Train).unwrap();
        layer.backward(ArrayD::ones(y.raw_dim())).unwrap();
        let y = layer.forward(x.clone(), Mode::Eval).unwrap();
        match layer.backward(ArrayD::ones(y.raw_dim())) {
            Err(e) => assert!(
                matches!(e, LayerError::NoForward(_)) || e.to_string().contains("forward"),
                "{}: {e}",
                layer.kind()
            ),
            Ok(_) => panic!(
                "{}: backward after an inference pass succeeded",
                layer.kind()
            ),
        }
        let y = layer.forward(x, Mode::Train).unwrap();
        assert!(
            layer.backward(ArrayD::ones(y.raw_dim())).is_ok(),
            "{}",
            layer.kind()
        );
    }
}

#[test]
fn batch_norm_backward_after_inference_uses_the_inference_pass() {
    let mut bn = BatchNorm::<f64>::new(2).unwrap();
    let train = ArrayD::from_shape_vec(
        IxDyn(&[4, 2]),
        vec![1.0, 2.0, 3.0, 5.0, -1.0, 0.0, 2.0, 1.0],
    )
    .unwrap();
    bn.forward(train, Mode::Train).unwrap();
    // Inference on a batch of a different size: the gradient has its shape, and is the affine
    // map's, γ / √(running var + ε) per feature, the same for every row (a training-mode
    // backward would mix the rows through the batch statistics).
    let x = ArrayD::from_shape_vec(IxDyn(&[3, 2]), vec![0.5, 1.0, 2.0, -1.0, 0.0, 3.0]).unwrap();
    bn.forward(x, Mode::Eval).unwrap();
    let dx = bn.backward(ArrayD::ones(IxDyn(&[3, 2]))).unwrap();
    assert_eq!(dx.shape(), &[3, 2]);
    for j in 0..2 {
        assert!(dx[[0, j]] > 0.0);
        assert!((0..3).all(|i| dx[[i, j]] == dx[[0, j]]), "{dx}");
    }
    assert_ne!(
        dx[[0, 0]],
        dx[[0, 1]],
        "the two features have different running variances"
    );
}
