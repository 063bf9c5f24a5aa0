//! Uses each nabla crate the way another project would, from given weights, and checks
//! the numbers against ones worked out by hand. Exits non-zero on any mismatch.

use nabla_layers::ndarray::{Array1, Array2, Array4, ArrayD, IxDyn, array};
use nabla_layers::rand::SeedableRng;
use nabla_layers::rand::rngs::StdRng;
use nabla_layers::{
    BatchNorm, Conv2d, Layer, Linear, LocalResponseNorm, Mode, Sequential, SoftmaxCrossEntropy,
};
use nabla_optim::{Optimizer, Sgd, step};

type Error = Box<dyn std::error::Error>;

fn check(what: &str, ok: bool) -> Result<(), Error> {
    if ok {
        println!("ok   {what}");
        Ok(())
    } else {
        Err(format!("FAIL {what}").into())
    }
}

fn main() -> Result<(), Error> {
    // A convolution from given weights: one 2x2 filter that sums its window, plus 1.
    let mut conv = Conv2d::<f64>::from_parts(Array4::ones((1, 1, 2, 2)), Some(array![1.0]), 1, 0)?;
    let x = ArrayD::from_shape_vec(IxDyn(&[1, 1, 2, 3]), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])?;
    let y = conv.forward(x, Mode::Train)?;
    check("Conv2d::from_parts forward", y.iter().copied().eq([13.0, 17.0]))?;

    // A linear layer from given weights, its gradient, and one SGD step on it.
    let mut fc = Linear::<f64>::from_parts(array![[1.0, 2.0], [3.0, 4.0]], Some(array![0.5, -0.5]))?;
    let y = fc.forward(array![[1.0, 1.0]].into_dyn(), Mode::Train)?;
    check("Linear::from_parts forward", y.iter().copied().eq([4.5, 5.5]))?;
    fc.backward(array![[1.0, 0.0]].into_dyn())?;
    let mut sgd = Sgd::new(0.1)?;
    step(&mut sgd, |visit| fc.visit_params(visit))?;
    check("SGD step", fc.weight().value.iter().copied().eq([0.9, 2.0, 2.9, 4.0]))?;
    check("optimizer name", Optimizer::<f64>::kind(&sgd) == "Sgd")?;

    // Batch norm from given statistics, in inference mode: (5 − 3) / √4 · 2 + 1 = 3.
    let mut bn = BatchNorm::<f64>::from_parts(
        Array1::from(vec![2.0]),
        Array1::from(vec![1.0]),
        Array1::from(vec![3.0]),
        Array1::from(vec![4.0]),
        0.9,
        1e-12,
    )?;
    let y = bn.forward(array![[5.0]].into_dyn(), Mode::Eval)?;
    check("BatchNorm::from_parts inference", (y[[0, 0]] - 3.0).abs() < 1e-9)?;

    // PyTorch's form of LRN divides α by the window size.
    let x = ArrayD::from_elem(IxDyn(&[1, 1, 1, 1]), 2.0);
    let y = LocalResponseNorm::<f64>::pytorch(1, 1.0, 1.0, 1.0)?.forward(x, Mode::Eval)?;
    check("LocalResponseNorm::pytorch", (y[[0, 0, 0, 0]] - 2.0 / 5.0).abs() < 1e-12)?;

    // A small network, a loss, and the read-only parameter view.
    let mut rng = StdRng::seed_from_u64(1);
    let mut net = Sequential::<f32>::new();
    net.push(
        "fc",
        Linear::new(&nabla_layers::LinearConfig::new(4, 3), &mut rng)?,
    );
    let mut count = 0;
    net.params(&mut |_, p| count += p.value.len());
    check("read-only parameter visitor", count == 4 * 3 + 3)?;
    let mut loss = SoftmaxCrossEntropy::<f32>::new();
    let logits = net.forward(Array2::<f32>::zeros((2, 4)).into_dyn(), Mode::Train)?;
    let value = nabla_layers::Loss::forward(&mut loss, &logits, nabla_layers::Target::Indices(&[0, 2]))?;
    check("cross-entropy of equal logits is ln 3", (value - 3f32.ln()).abs() < 1e-5)?;

    // The datasets crate alone: an IDX file round trip in memory.
    use nabla_datasets::idx::{IdxArray, IdxData, decode, encode};
    let array = IdxArray::new(vec![2, 2], IdxData::U8(vec![1, 2, 3, 4]))?;
    check("IDX round trip", decode(&encode(&array)[..], "memory")? == array)?;

    // The networks crate: a named architecture, built and summarized without &mut.
    let arch = nabla_nn::Architecture::SimpleConv(nabla_nn::SimpleConvConfig::default());
    let net = nabla_nn::Network::<f32>::new(&arch, 0)?;
    check("SimpleConvNet parameter count", net.param_count() == 30 * 25 + 30 + 4320 * 100 + 100 + 100 * 10 + 10)?;
    println!("all checks passed");
    Ok(())
}
