//! What the trainer needs of a model, and a model made of any layers and any loss.

use nabla_layers::{Float, Layer, Loss, Mode, Param, ParamKind, RandomStream, Sequential, Target};
use ndarray::{Array2, ArrayD};

use crate::{NnError, Result};

/// A classifier the trainer can train: a forward pass to logits, a loss on class indices,
/// a backward pass that fills parameter gradients, and named parameters.
///
/// [`Network`](crate::Network) implements it for the built-in architectures and
/// [`SequentialClassifier`] for any [`Sequential`] with any [`Loss`]; implement it yourself for
/// anything else (a hand-written network, a model with two inputs, …).
pub trait Classifier<F: Float>: Send {
    /// Logits `(n, classes)` for a batch; `observe(layer, output)` sees every layer's output.
    fn forward_observed(
        &mut self,
        x: ArrayD<F>,
        mode: Mode,
        observe: &mut dyn FnMut(&str, &ArrayD<F>),
    ) -> Result<ArrayD<F>>;

    /// Logits `(n, classes)` for a batch.
    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        self.forward_observed(x, mode, &mut |_, _| {})
    }

    /// The mean loss of `logits` (from the last training-mode forward) against `labels`;
    /// [`Classifier::backward`] follows.
    fn loss_of(&mut self, logits: &ArrayD<F>, labels: &[usize]) -> Result<F>;

    /// Backpropagates the last [`Classifier::loss_of`], overwriting every parameter's gradient.
    fn backward(&mut self) -> Result<()>;

    /// Calls `f` with every parameter under its dotted name.
    fn visit_params(&mut self, f: &mut dyn FnMut(&str, &mut Param<F>));

    /// The same parameters under the same names, read-only (counting, saving, inspecting).
    fn params(&self, f: &mut dyn FnMut(&str, &Param<F>));

    /// Calls `f` with the position of every random stream the model draws from (its dropout
    /// masks), under dotted names: saved in checkpoints so that a resumed run draws what an
    /// uninterrupted one would have. The default has none.
    fn random_streams(&self, _f: &mut dyn FnMut(&str, RandomStream)) {}

    /// Moves the stream `name` (from [`Classifier::random_streams`]) to `position`; false
    /// when the model has no such stream.
    fn set_random_stream(&mut self, _name: &str, _stream: RandomStream) -> bool {
        false
    }

    /// Checks the shape `(n, ...)` of a data split before training on it; the default
    /// accepts any and leaves the check to the first layer.
    fn check_input(&self, _shape: &[usize]) -> Result<()> {
        Ok(())
    }

    /// The built-in architecture this model was built from, if any: a checkpoint stores it
    /// so that the model can be rebuilt from the file alone.
    fn architecture(&self) -> Option<&crate::Architecture> {
        None
    }

    /// Gives back the output of the last training forward once the caller is done with it,
    /// so that the model can write its next gradient into it instead of allocating one (the
    /// trainer does this after every step). The default drops it.
    fn recycle_output(&mut self, _logits: ArrayD<F>) {}

    /// After `backward`: an array of the last input's shape that the model no longer needs,
    /// for the caller to write the next batch into (the trainer does). The default has none.
    fn take_input_buffer(&mut self) -> Option<ArrayD<F>> {
        None
    }
}

/// Forwards every method of [`Classifier`] to the model behind a pointer: a borrowed model
/// trains in place (`Trainer::new(&mut net, …)` leaves `net` with the caller), a boxed one
/// lets a run hold any model.
macro_rules! forward_classifier {
    ($($pointer:ty),*) => {$(
        impl<F: Float, M: Classifier<F> + ?Sized> Classifier<F> for $pointer {
            fn forward_observed(
                &mut self,
                x: ArrayD<F>,
                mode: Mode,
                observe: &mut dyn FnMut(&str, &ArrayD<F>),
            ) -> Result<ArrayD<F>> {
                (**self).forward_observed(x, mode, observe)
            }
            fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
                (**self).forward(x, mode)
            }
            fn loss_of(&mut self, logits: &ArrayD<F>, labels: &[usize]) -> Result<F> {
                (**self).loss_of(logits, labels)
            }
            fn backward(&mut self) -> Result<()> {
                (**self).backward()
            }
            fn visit_params(&mut self, f: &mut dyn FnMut(&str, &mut Param<F>)) {
                (**self).visit_params(f)
            }
            fn params(&self, f: &mut dyn FnMut(&str, &Param<F>)) {
                (**self).params(f)
            }
            fn random_streams(&self, f: &mut dyn FnMut(&str, RandomStream)) {
                (**self).random_streams(f)
            }
            fn set_random_stream(&mut self, name: &str, stream: RandomStream) -> bool {
                (**self).set_random_stream(name, stream)
            }
            fn check_input(&self, shape: &[usize]) -> Result<()> {
                (**self).check_input(shape)
            }
            fn architecture(&self) -> Option<&crate::Architecture> {
                (**self).architecture()
            }
            fn recycle_output(&mut self, logits: ArrayD<F>) {
                (**self).recycle_output(logits)
            }
            fn take_input_buffer(&mut self) -> Option<ArrayD<F>> {
                (**self).take_input_buffer()
            }
        }
    )*};
}

forward_classifier!(&mut M, Box<M>);

/// Any layers followed by any loss: the general [`Classifier`].
///
/// ```
/// use nabla_layers::{Linear, LinearConfig, MeanSquaredError, Relu, Sequential};
/// use nabla_nn::{SequentialClassifier, Split, TrainConfig, Trainer};
/// use nabla_optim::OptimizerConfig;
/// use ndarray::Array2;
/// use rand::SeedableRng;
///
/// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
/// let mut body = Sequential::<f32>::new();
/// body.push("fc1", Linear::new(&LinearConfig::new(2, 8), &mut rng)?)
///     .push("relu", Relu::new())
///     .push("fc2", Linear::new(&LinearConfig::new(8, 2), &mut rng)?);
/// // A squared-error loss on one-hot targets instead of the usual cross-entropy.
/// let model = SequentialClassifier::new(body, MeanSquaredError::new(), 2);
///
/// let x = Array2::from_shape_fn((40, 2), |(i, j)| if j == 0 { i as f32 / 20.0 - 1.0 } else { 0.5 });
/// let labels: Vec<usize> = (0..40).map(|i| usize::from(i >= 20)).collect();
/// let data = Split::new(x.into_dyn(), labels)?;
/// let mut run = Trainer::new(model, &OptimizerConfig::sgd(0.2), TrainConfig::iterations(300, 10))?;
/// let history = run.fit(&data, &data, &mut [])?;
/// assert!(history.final_test_accuracy() > Some(0.9));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SequentialClassifier<F: Float> {
    body: Sequential<F>,
    loss: Box<dyn Loss<F>>,
    classes: usize,
}

impl<F: Float> std::fmt::Debug for SequentialClassifier<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SequentialClassifier")
            .field("body", &self.body)
            .field("classes", &self.classes)
            .finish_non_exhaustive()
    }
}

impl<F: Float> SequentialClassifier<F> {
    /// `body` trained against `loss`, for `classes` classes (the width of the logits). Losses
    /// that compare with a one-hot target (such as mean squared error) get one.
    pub fn new(mut body: Sequential<F>, loss: impl Loss<F> + 'static, classes: usize) -> Self {
        // The input is data: nothing uses its gradient.
        body.set_input_gradient(false);
        SequentialClassifier {
            body,
            loss: Box::new(loss),
            classes,
        }
    }

    /// The layers.
    pub fn layers(&mut self) -> &mut Sequential<F> {
        &mut self.body
    }
}

impl<F: Float> Classifier<F> for SequentialClassifier<F> {
    fn forward_observed(
        &mut self,
        x: ArrayD<F>,
        mode: Mode,
        observe: &mut dyn FnMut(&str, &ArrayD<F>),
    ) -> Result<ArrayD<F>> {
        Ok(self.body.forward_observed(x, mode, observe)?)
    }

    fn loss_of(&mut self, logits: &ArrayD<F>, labels: &[usize]) -> Result<F> {
        if let Some(&bad) = labels.iter().find(|&&l| l >= self.classes) {
            return Err(NnError::Data(format!(
                "label {bad} is outside the {} classes",
                self.classes
            )));
        }
        // A one-hot matrix serves every loss; index targets are the cheaper form.
        let mut one_hot = Array2::zeros((labels.len(), self.classes));
        for (i, &l) in labels.iter().enumerate() {
            one_hot[[i, l]] = F::one();
        }
        Ok(self.loss.forward(logits, Target::OneHot(one_hot.view()))?)
    }

    fn backward(&mut self) -> Result<()> {
        let d = self.loss.backward()?;
        self.body.backward(d)?;
        Ok(())
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(&str, &mut Param<F>)) {
        self.body.visit_params(f)
    }

    fn params(&self, f: &mut dyn FnMut(&str, &Param<F>)) {
        self.body.params(f)
    }

    fn random_streams(&self, f: &mut dyn FnMut(&str, RandomStream)) {
        self.body.random_streams(f)
    }

    fn set_random_stream(&mut self, name: &str, stream: RandomStream) -> bool {
        self.body.set_random_stream(name, stream)
    }
}

/// The number of trainable values `model` has (buffers excluded).
pub fn trainable_count<F: Float>(model: &dyn Classifier<F>) -> usize {
    let mut n = 0;
    model.params(&mut |_, p| {
        if p.kind != ParamKind::Buffer {
            n += p.value.len()
        }
    });
    n
}

/// Freezes (or unfreezes) every parameter whose dotted name starts with `prefix`; returns how
/// many matched, so that a misspelled prefix can be caught.
pub fn set_frozen<F: Float>(model: &mut dyn Classifier<F>, prefix: &str, frozen: bool) -> usize {
    let mut n = 0;
    model.visit_params(&mut |name, p| {
        if name.starts_with(prefix) {
            p.frozen = frozen;
            n += 1;
        }
    });
    n
}
