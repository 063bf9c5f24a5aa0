//! The networks' shapes, parameter counts and a forward/backward pass of each.

use nabla_nn::{AlexNetConfig, Architecture, DeepConvConfig, MlpConfig, Network, SimpleConvConfig};
use ndarray::{ArrayD, IxDyn};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

fn random_batch(shape: &[usize], seed: u64) -> ArrayD<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(0.0..1.0))
}

fn forward_backward(net: &mut Network<f32>, shape: &[usize]) {
    let labels: Vec<usize> = (0..shape[0])
        .map(|i| i % net.architecture().classes())
        .collect();
    let loss = net.loss(random_batch(shape, 1), &labels).unwrap();
    assert!(loss.is_finite() && loss > 0.0);
    net.backward().unwrap();
    let mut grads = 0;
    net.visit_params(&mut |name, p| {
        assert!(p.grad.iter().all(|g| g.is_finite()), "{name}");
        if p.grad.iter().any(|&g| g != 0.0) {
            grads += 1;
        }
    });
    assert!(grads > 0);
}

#[test]
fn alexnet_matches_the_published_parameter_count() {
    let net = Network::<f32>::new(&Architecture::AlexNet(AlexNetConfig::default()), 0).unwrap();
    let summary = net.summary().unwrap();
    let params: usize = summary.iter().map(|l| l.params).sum();
    // One device, no grouped convolutions: 62,378,344 (torchvision's "alexnet" differs: 61.1M,
    // it uses 64/192 filters).
    assert_eq!(params, 62_378_344);
    // The paper splits conv2, conv4 and conv5 into two groups, halving their weights:
    let grouped_savings = (256 * 96 * 25 + 384 * 384 * 9 + 256 * 384 * 9) / 2;
    assert_eq!(
        params - grouped_savings,
        60_965_224,
        "Krizhevsky et al. 2012's count"
    );
    let shapes: Vec<_> = summary
        .iter()
        .filter(|l| l.name.starts_with("pool"))
        .map(|l| l.output_shape.clone())
        .collect();
    assert_eq!(
        shapes,
        vec![
            vec![1, 96, 27, 27],
            vec![1, 256, 13, 13],
            vec![1, 256, 6, 6]
        ]
    );
    assert_eq!(
        summary.iter().find(|l| l.name == "fc6").unwrap().params,
        9216 * 4096 + 4096
    );
}

#[test]
fn alexnet_trains_on_a_small_input() {
    let mut config = AlexNetConfig::default();
    (config.input, config.classes) = ((3, 67, 67), 10);
    let arch = Architecture::AlexNet(config.clone());
    let mut net = Network::<f32>::new(&arch, 0).unwrap();
    forward_backward(&mut net, &[2, 3, 67, 67]);
    config.input = (3, 40, 40);
    let too_small = Architecture::AlexNet(config);
    let err = Network::<f32>::new(&too_small, 0)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("too small for AlexNet"), "{err}");
}

#[test]
fn deep_conv_net_has_the_classic_shapes() {
    let mut net =
        Network::<f32>::new(&Architecture::DeepConv(DeepConvConfig::default()), 0).unwrap();
    let summary = net.summary().unwrap();
    let affine1 = summary.iter().find(|l| l.name == "affine1").unwrap();
    assert_eq!(affine1.params, 1024 * 50 + 50, "W7 is (1024, 50)");
    let conv4 = summary.iter().find(|l| l.name == "conv4").unwrap();
    assert_eq!(conv4.output_shape, vec![1, 32, 16, 16]);
    assert_eq!(summary.last().unwrap().name, "dropout2");
    forward_backward(&mut net, &[3, 1, 28, 28]);
}

#[test]
fn simple_conv_net_has_the_classic_shapes() {
    let mut net =
        Network::<f32>::new(&Architecture::SimpleConv(SimpleConvConfig::default()), 0).unwrap();
    let names: Vec<_> = net
        .summary()
        .unwrap()
        .iter()
        .map(|l| format!("{}:{}", l.name, l.kind))
        .collect();
    assert_eq!(
        names,
        [
            "conv1:Conv2d",
            "relu1:Relu",
            "pool1:MaxPool2d",
            "affine1:Linear",
            "relu2:Relu",
            "affine2:Linear"
        ]
    );
    assert_eq!(
        net.param_count(),
        30 * 25 + 30 + 4320 * 100 + 100 + 100 * 10 + 10
    );
    forward_backward(&mut net, &[4, 1, 28, 28]);
}

#[test]
fn mlp_layer_order_is_affine_batchnorm_activation_dropout() {
    let mut config = MlpConfig::new(784, vec![100, 50], 10);
    config.batchnorm = true;
    config.dropout = Some(0.2);
    let mut net = Network::<f32>::new(&Architecture::Mlp(config), 0).unwrap();
    let names: Vec<_> = net
        .summary()
        .unwrap()
        .iter()
        .map(|l| l.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "affine1",
            "batchnorm1",
            "activation1",
            "dropout1",
            "affine2",
            "batchnorm2",
            "activation2",
            "dropout2",
            "affine3"
        ]
    );
    forward_backward(&mut net, &[5, 784]);
    let err = net
        .loss(random_batch(&[5, 1, 28, 28], 0), &[0; 5])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid data: mlp expects input of shape [n, 784], got [5, 1, 28, 28]"
    );
}

#[test]
fn same_seed_same_weights() {
    let weights = |seed| {
        let mut net =
            Network::<f32>::new(&Architecture::SimpleConv(SimpleConvConfig::default()), seed)
                .unwrap();
        let mut all = Vec::new();
        net.visit_params(&mut |_, p| all.extend(p.value.iter().copied()));
        all
    };
    assert_eq!(weights(5), weights(5));
    assert_ne!(weights(5), weights(6));
}
