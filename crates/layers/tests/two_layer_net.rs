//! A two-layer network assembled from the layers: a whole-network gradient check and one SGD
//! step on a fixed example checked by hand.

use nabla_layers::gradcheck::check_network;
use nabla_layers::{
    Layer, Linear, LinearConfig, Loss, Mode, Relu, Sequential, SoftmaxCrossEntropy, Target,
};
use ndarray::{Array2, ArrayD, IxDyn, array};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

#[test]
fn network_784_50_10_passes_a_whole_network_gradient_check() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut net = Sequential::<f64>::new();
    net.push(
        "fc1",
        Linear::new(&LinearConfig::new(784, 50), &mut rng).unwrap(),
    );
    net.push("relu1", Relu::new());
    net.push(
        "fc2",
        Linear::new(&LinearConfig::new(50, 10), &mut rng).unwrap(),
    );
    net.visit_params(&mut |_, p| p.value.mapv_inplace(|v| v + 0.01));
    let x = ArrayD::from_shape_simple_fn(IxDyn(&[3, 784]), || rng.random_range(0.0..1.0));
    let labels = [3, 7, 0];
    let report = check_network(
        &mut net,
        &mut SoftmaxCrossEntropy::new(),
        &x,
        Target::Indices(&labels),
        300,
        5,
    )
    .unwrap();
    assert!(report.worst() < 1e-6, "{report:?}");
    assert_eq!(report.params.len(), 4);
}

#[test]
fn one_sgd_step_on_the_fixed_example() {
    let mut net = Sequential::<f64>::new();
    let w1 = array![[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]];
    let w2 = array![[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]];
    net.push(
        "fc1",
        Linear::from_parts(w1, Some(array![0.1, 0.2, 0.3])).unwrap(),
    );
    net.push("relu1", Relu::new());
    net.push(
        "fc2",
        Linear::from_parts(w2, Some(array![0.1, 0.2])).unwrap(),
    );
    let x = array![[1.0, 5.0]].into_dyn();
    let t: Array2<f64> = array![[0.0, 1.0]];
    let mut loss = SoftmaxCrossEntropy::new();

    let y = net.forward(x, Mode::Train).unwrap();
    let value = loss.forward(&y, Target::OneHot(t.view())).unwrap();
    net.backward(loss.backward().unwrap()).unwrap();
    let lr = 0.01;
    net.visit_params(&mut |_, p| {
        let g = p.grad.clone();
        p.value.scaled_add(-lr, &g)
    });

    // Computed by hand in plain Python (no NumPy):
    //   a1 = x·W1 + b1 = [1.2, 2.5, 3.8]; z1 = relu(a1); a2 = z1·W2 + b2 = [1.86, 4.21]
    //   y = softmax(a2); loss = -ln y[1]; d2 = y - t; dW2 = z1ᵀ·d2; dz1 = d2·W2ᵀ; dW1 = xᵀ·dz1
    assert!((value - 0.09109144089484172).abs() < 1e-14, "{value}");
    let expected = [
        (
            "fc1.weight",
            vec![
                0.10026119731732082,
                0.3002611973173208,
                0.5002611973173208,
                0.2013059865866041,
                0.4013059865866041,
                0.6013059865866041,
            ],
        ),
        (
            "fc1.bias",
            vec![0.10026119731732082, 0.20026119731732084, 0.3002611973173208],
        ),
        (
            "fc2.weight",
            vec![
                0.09895521073071675,
                0.4010447892692833,
                0.19782335568899323,
                0.5021766443110068,
                0.2966915006472697,
                0.6033084993527303,
            ],
        ),
        ("fc2.bias", vec![0.09912934227559729, 0.2008706577244027]),
    ];
    let mut seen = 0;
    net.visit_params(&mut |name, p| {
        let (_, want) = expected
            .iter()
            .find(|(n, _)| *n == name)
            .expect("known parameter");
        for (got, want) in p.value.iter().zip(want) {
            assert!((got - want).abs() < 1e-15, "{name}: {got} vs {want}");
        }
        seen += 1;
    });
    assert_eq!(seen, 4);
}
