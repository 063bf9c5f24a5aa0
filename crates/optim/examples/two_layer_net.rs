//! A two-layer network trained with nabla-layers and nabla-optim alone (no nabla-nn): the
//! whole training loop is forward, loss, backward, and one `step` call.
//!
//! The task: tell points inside the unit circle from points outside it.
//!
//! ```text
//! cargo run -p nabla-optim --example two_layer_net
//! ```

use nabla_layers::ndarray::{Array2, ArrayD};
use nabla_layers::rand::rngs::StdRng;
use nabla_layers::rand::{RngExt, SeedableRng};
use nabla_layers::{
    Layer, Linear, LinearConfig, Loss, Mode, Relu, Sequential, SoftmaxCrossEntropy, Target,
};
use nabla_optim::{Adam, step};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = StdRng::seed_from_u64(7);
    let n = 256;
    let x = Array2::from_shape_simple_fn((n, 2), || rng.random_range(-1.5f64..1.5));
    let labels: Vec<usize> = x
        .rows()
        .into_iter()
        .map(|p| usize::from(p[0] * p[0] + p[1] * p[1] > 1.0))
        .collect();

    let mut net = Sequential::new();
    net.push("fc1", Linear::new(&LinearConfig::new(2, 32), &mut rng)?)
        .push("relu", Relu::new())
        .push("fc2", Linear::new(&LinearConfig::new(32, 2), &mut rng)?);
    let mut loss = SoftmaxCrossEntropy::new();
    let mut adam = Adam::new(0.01)?;

    let x: ArrayD<f64> = x.into_dyn();
    let mut first = None;
    let mut last = 0.0;
    for _ in 0..300 {
        let logits = net.forward(x.clone(), Mode::Train)?;
        last = loss.forward(&logits, Target::Indices(&labels))?;
        first.get_or_insert(last);
        net.backward(loss.backward()?)?;
        step(&mut adam, |visit| net.visit_params(visit))?;
    }
    let logits = net.forward(x, Mode::Eval)?;
    let correct = logits
        .rows()
        .into_iter()
        .zip(&labels)
        .filter(|(row, label)| usize::from(row[1] > row[0]) == **label)
        .count();
    let accuracy = correct as f64 / n as f64;
    println!(
        "loss {:.3} -> {last:.3}, training accuracy {:.1}%",
        first.unwrap_or(last),
        100.0 * accuracy
    );
    if accuracy < 0.9 {
        return Err(format!("expected the circle to be learnt, got {accuracy}").into());
    }
    Ok(())
}
