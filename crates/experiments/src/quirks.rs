//! The original notebooks' deviations from the textbook math, as named building blocks that
//! an experiment opts into. The libraries stay correct; these live here, next to the runs
//! that reproduce them.

use nabla_layers::{Float, Layer, LayerError, Mode};
use nabla_nn::{Classifier, Flow, Hook, NnError, Split, StepView, predict};
use nabla_optim::{OptimError, Optimizer, OptimizerState};
use nabla_tensor::argmax_rows;
use ndarray::{ArrayD, Ix2, Zip};

use crate::spec::TrainAccuracy;

/// A sigmoid whose backward pass evaluates the derivative at its *output*: `σ'(σ(u))`
/// instead of `σ'(u)`, as the hand-written vanishing-gradient notebook does. The factor is
/// stuck in `[0.197, 0.25]` however saturated the unit is.
#[derive(Debug, Default)]
pub struct SigmoidGradOnOutput<F: Float> {
    out: Option<ArrayD<F>>,
}

impl<F: Float> SigmoidGradOnOutput<F> {
    /// A new layer.
    pub fn new() -> Self {
        SigmoidGradOnOutput { out: None }
    }
}

fn sigmoid<F: Float>(v: F) -> F {
    F::one() / (F::one() + (-v).exp())
}

impl<F: Float> Layer<F> for SigmoidGradOnOutput<F> {
    fn kind(&self) -> &'static str {
        "SigmoidGradOnOutput"
    }

    fn forward(&mut self, mut x: ArrayD<F>, _mode: Mode) -> nabla_layers::Result<ArrayD<F>> {
        x.mapv_inplace(sigmoid);
        self.out = Some(x.clone());
        Ok(x)
    }

    fn backward(&mut self, mut dout: ArrayD<F>) -> nabla_layers::Result<ArrayD<F>> {
        let z = self
            .out
            .as_ref()
            .ok_or(LayerError::NoForward("SigmoidGradOnOutput"))?;
        if z.shape() != dout.shape() {
            return Err(LayerError::Shape {
                layer: "SigmoidGradOnOutput",
                expected: format!("{:?}", z.shape()),
                got: dout.shape().to_vec(),
            });
        }
        Zip::from(&mut dout).and(z).for_each(|d, &z| {
            let s = sigmoid(z);
            *d *= s * (F::one() - s);
        });
        Ok(dout)
    }

    fn output_shape(&self, input: &[usize]) -> nabla_layers::Result<Vec<usize>> {
        Ok(input.to_vec())
    }
}

/// The optimizer notebook's hand-written AdaGrad: `h` starts at θ = 1e-4 and the first step
/// does not add `g²`, then `h += g²`; `p −= lr·g/√h` with no ε. The first step is therefore
/// `100·lr·g`, a kick the library's AdaGrad (h₀ = 0, ε outside the root) does not give.
#[derive(Debug, Clone)]
pub struct AdaGradTheta<F: Float> {
    lr: f64,
    state: OptimizerState<F>,
}

impl<F: Float> AdaGradTheta<F> {
    /// θ = 1e-4, learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        AdaGradTheta {
            lr,
            state: OptimizerState::new("AdaGradTheta"),
        }
    }
}

impl<F: Float> Optimizer<F> for AdaGradTheta<F> {
    fn kind(&self) -> &'static str {
        "AdaGradTheta"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) -> nabla_optim::Result<()> {
        self.lr = lr;
        Ok(())
    }

    fn begin_step(&mut self) {
        self.state.step += 1;
    }

    fn update(
        &mut self,
        name: &str,
        value: &mut ArrayD<F>,
        grad: &ArrayD<F>,
    ) -> nabla_optim::Result<()> {
        let first = self.state.step <= 1;
        let lr = F::of(self.lr);
        let h = &mut self
            .state
            .slots_for("AdaGradTheta", name, value, 1, F::of(1e-4))?[0];
        if grad.shape() != value.shape() {
            return Err(OptimError::Shape {
                optimizer: "AdaGradTheta",
                param: name.to_string(),
                what: "gradient",
                value: value.shape().to_vec(),
                other: grad.shape().to_vec(),
            });
        }
        Zip::from(value).and(grad).and(h).for_each(|p, &g, h| {
            if !first {
                *h += g * g;
            }
            *p -= lr * g / h.sqrt();
        });
        Ok(())
    }

    fn state(&self) -> OptimizerState<F> {
        self.state.clone()
    }

    fn load_state(&mut self, state: OptimizerState<F>) -> nabla_optim::Result<()> {
        self.state = state;
        Ok(())
    }
}

/// The notebooks' training accuracy measured on the current mini-batch instead of the
/// training split (see [`TrainAccuracy`]), as a hook: it records `(step, accuracy)` at every
/// step an evaluation follows. With [`TrainAccuracy::Split`] it records nothing.
pub struct BatchTrainAccuracy<'a> {
    mode: TrainAccuracy,
    train: &'a Split<f32>,
    eval_batch: usize,
    measured: Vec<(u64, f64)>,
    failed: Option<NnError>,
}

impl<'a> BatchTrainAccuracy<'a> {
    /// Measures in `mode`, re-reading batches from `train` when the model must see them again.
    pub fn new(mode: TrainAccuracy, train: &'a Split<f32>, eval_batch: usize) -> Self {
        BatchTrainAccuracy {
            mode,
            train,
            eval_batch,
            measured: Vec::new(),
            failed: None,
        }
    }

    /// The accuracies measured, or the error that stopped the run.
    pub fn into_measured(self) -> Result<Vec<(u64, f64)>, NnError> {
        match self.failed {
            Some(e) => Err(e),
            None => Ok(self.measured),
        }
    }

    fn record(&mut self, step: u64, accuracy: Result<f64, NnError>) -> Flow {
        match accuracy {
            Ok(a) => {
                self.measured.push((step, a));
                Flow::Continue
            }
            Err(e) => {
                self.failed = Some(e);
                Flow::Stop
            }
        }
    }
}

/// The fraction of rows of `logits` whose largest entry is the label.
fn batch_accuracy(logits: &ArrayD<f32>, labels: &[usize]) -> Result<f64, NnError> {
    let logits = logits
        .view()
        .into_dimensionality::<Ix2>()
        .map_err(|e| NnError::Data(format!("a classifier's output must be (n, classes): {e}")))?;
    let predicted = argmax_rows(&logits);
    let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    Ok(correct as f64 / labels.len().max(1) as f64)
}

impl Hook<f32> for BatchTrainAccuracy<'_> {
    fn after_forward(&mut self, view: &StepView<'_, f32>) -> Flow {
        if self.mode != TrainAccuracy::BatchBeforeUpdate || !view.evaluates {
            return Flow::Continue;
        }
        self.record(view.step, batch_accuracy(view.logits, view.labels))
    }

    fn after_update(&mut self, view: &StepView<'_, f32>, model: &mut dyn Classifier<f32>) -> Flow {
        if self.mode != TrainAccuracy::BatchAfterUpdate || !view.evaluates {
            return Flow::Continue;
        }
        let (x, labels) = self.train.gather(view.batch);
        let accuracy = predict(model, &x, self.eval_batch)
            .and_then(|logits| batch_accuracy(&logits.into_dyn(), &labels));
        self.record(view.step, accuracy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nabla_nn::{Architecture, MlpConfig, Network, TrainConfig, TrainEval, Trainer};
    use nabla_optim::OptimizerConfig;
    use ndarray::{Array2, array};

    #[test]
    fn batch_train_accuracy_is_measured_on_the_batch_at_each_evaluation() {
        let labels: Vec<usize> = (0..96).map(|i| i % 3).collect();
        let x = Array2::from_shape_fn((96, 6), |(i, j)| {
            f32::from(j % 3 == labels[i]) + ((i * 7 + j) % 5) as f32 / 10.0
        });
        let data = Split::new(x.into_dyn(), labels).unwrap();
        for mode in [
            TrainAccuracy::Split,
            TrainAccuracy::BatchBeforeUpdate,
            TrainAccuracy::BatchAfterUpdate,
        ] {
            let net = Network::new(&Architecture::Mlp(MlpConfig::new(6, vec![8], 3)), 1).unwrap();
            let mut config = TrainConfig::iterations(30, 16);
            config.eval_every = Some(10);
            config.eval_train = TrainEval::Skip;
            let mut run = Trainer::new(net, &OptimizerConfig::sgd(0.1), config).unwrap();
            let mut hook = BatchTrainAccuracy::new(mode, &data, 100);
            let history = run.fit(&data, &data, &mut [&mut hook]).unwrap();
            let measured = hook.into_measured().unwrap();
            assert!(history.evals.iter().all(|e| e.train_accuracy.is_none()));
            if mode == TrainAccuracy::Split {
                assert!(measured.is_empty());
                continue;
            }
            let steps: Vec<u64> = measured.iter().map(|&(s, _)| s).collect();
            assert_eq!(steps, [10, 20, 30], "{mode:?}");
            for (_, a) in measured {
                let k = a * 16.0;
                assert!(
                    (k - k.round()).abs() < 1e-9,
                    "{mode:?}: {a} is not a count out of 16"
                );
            }
        }
    }

    #[test]
    fn adagrad_theta_follows_the_notebook_formula() {
        let mut opt = AdaGradTheta::<f64>::new(0.01);
        let mut p = array![1.0].into_dyn();
        opt.begin_step();
        opt.update("w", &mut p, &array![0.5].into_dyn()).unwrap();
        // First step: h = 1e-4, p = 1 − 0.01·0.5/0.01 = 0.5.
        assert!((p[0] - 0.5).abs() < 1e-12);
        opt.begin_step();
        opt.update("w", &mut p, &array![0.5].into_dyn()).unwrap();
        // Second: h = 1e-4 + 0.25, p = 0.5 − 0.01·0.5/√0.2501.
        assert!((p[0] - (0.5 - 0.005 / 0.2501f64.sqrt())).abs() < 1e-12);
    }

    #[test]
    fn the_sigmoid_quirk_takes_the_derivative_at_the_output() {
        let mut layer = SigmoidGradOnOutput::<f64>::new();
        let y = layer
            .forward(array![0.0, 10.0].into_dyn(), Mode::Train)
            .unwrap();
        let d = layer.backward(array![1.0, 1.0].into_dyn()).unwrap();
        for (&z, &g) in y.iter().zip(d.iter()) {
            let s = 1.0 / (1.0 + (-z).exp());
            assert!((g - s * (1.0 - s)).abs() < 1e-15);
        }
        // The correct derivative at u = 10 is 4.5e-5; the quirk gives about 0.197.
        assert!(d[1] > 0.19);
    }
}
