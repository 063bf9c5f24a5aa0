//! A layer of your own, proven by the same gradient check the built-in layers pass.
//!
//! `Swish(x) = x · sigmoid(x)`: implement `forward` (keeping what `backward` needs) and
//! `backward`, then compare the backward pass with central differences in f64.
//!
//! ```text
//! cargo run -p nabla-layers --example custom_layer
//! ```

use nabla_layers::ndarray::{ArrayD, IxDyn, Zip};
use nabla_layers::{Float, Layer, LayerError, Mode, gradcheck};

/// `x · sigmoid(x)`, element-wise.
#[derive(Debug, Default)]
struct Swish<F: Float> {
    x: Option<ArrayD<F>>,
}

fn sigmoid<F: Float>(v: F) -> F {
    F::one() / (F::one() + (-v).exp())
}

impl<F: Float> Layer<F> for Swish<F> {
    fn kind(&self) -> &'static str {
        "Swish"
    }

    fn forward(&mut self, x: ArrayD<F>, _mode: Mode) -> Result<ArrayD<F>, LayerError> {
        let y = x.mapv(|v| v * sigmoid(v));
        self.x = Some(x);
        Ok(y)
    }

    fn backward(&mut self, mut dout: ArrayD<F>) -> Result<ArrayD<F>, LayerError> {
        let x = self.x.as_ref().ok_or(LayerError::NoForward("Swish"))?;
        // d/dx x·σ(x) = σ(x) + x·σ(x)·(1 − σ(x))
        Zip::from(&mut dout).and(x).for_each(|d, &v| {
            let s = sigmoid(v);
            *d *= s + v * s * (F::one() - s);
        });
        Ok(dout)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, LayerError> {
        Ok(input.to_vec())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let x = ArrayD::from_shape_fn(IxDyn(&[4, 5]), |i| {
        (i[0] as f64 - 1.5) * (i[1] as f64 - 2.2)
    });
    let report = gradcheck::check_layer(&mut Swish::default(), &x, Mode::Train, 3)?;
    println!("Swish: worst relative error {:.2e}", report.worst());
    if report.worst() > 1e-7 {
        return Err(
            format!("the backward pass disagrees with central differences: {report:?}").into(),
        );
    }
    Ok(())
}
