//! What the vanishing gradient looks like: gradient norms and activation histograms per layer.

use nabla_layers::{Float, ParamKind};
use ndarray::ArrayD;

use super::{Flow, Hook, StepView};
use crate::Classifier;

/// The L2 norm of every weight's gradient, every `every` steps: the vanishing gradient made
/// visible (the layers nearest the input get the smallest norms).
///
/// ```
/// use nabla_nn::{GradientNorms, Hook};
/// let hook = GradientNorms::new(10);
/// assert!(hook.rows.is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct GradientNorms {
    every: u64,
    /// `(step, [(parameter name, norm)])`, in step order.
    pub rows: Vec<(u64, Vec<(String, f64)>)>,
}

impl GradientNorms {
    /// Records at steps `every`, `2·every`, … (and step 1).
    pub fn new(every: u64) -> Self {
        GradientNorms {
            every: every.max(1),
            rows: Vec::new(),
        }
    }
}

impl<F: Float> Hook<F> for GradientNorms {
    fn after_backward(&mut self, view: &StepView<'_, F>, model: &mut dyn Classifier<F>) -> Flow {
        if view.step == 1 || view.step.is_multiple_of(self.every) {
            self.rows.push((view.step, weight_gradient_norms(model)));
        }
        Flow::Continue
    }
}

/// `(name, ‖∂L/∂W‖₂)` of every weight of `model` (not biases, scales or shifts), from the
/// input to the output, summed in f64: what [`GradientNorms`] records and the live page draws.
///
/// ```
/// use nabla_nn::{Architecture, MlpConfig, Network, weight_gradient_norms};
/// let net = Network::<f32>::new(&Architecture::Mlp(MlpConfig::new(4, vec![3], 2)), 0)?;
/// let norms = weight_gradient_norms(&net);
/// assert_eq!(norms.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["affine1.weight", "affine2.weight"]);
/// assert!(norms.iter().all(|&(_, g)| g == 0.0), "no backward pass yet");
/// # Ok::<(), nabla_nn::NnError>(())
/// ```
pub fn weight_gradient_norms<F: Float>(model: &dyn Classifier<F>) -> Vec<(String, f64)> {
    let mut norms = Vec::new();
    model.params(&mut |name, p| {
        if p.kind == ParamKind::Weight {
            let sq: f64 = p.grad.iter().map(|g| g.as_f64() * g.as_f64()).sum();
            norms.push((name.to_string(), sq.sqrt()));
        }
    });
    norms
}

/// A histogram of values in `[lo, hi]` with equal-width bins; values outside are clamped
/// into the end bins so that nothing is lost from the counts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Histogram {
    /// Lower edge of the first bin.
    pub lo: f64,
    /// Upper edge of the last bin.
    pub hi: f64,
    /// Counts per bin.
    pub counts: Vec<u64>,
}

impl Histogram {
    /// The histogram of `values` over `[lo, hi]` in `bins` bins.
    ///
    /// ```
    /// use nabla_nn::Histogram;
    /// let h = Histogram::of([0.1, 0.2, 0.9, 5.0].into_iter(), 0.0, 1.0, 2);
    /// assert_eq!(h.counts, [2, 2]);
    /// ```
    pub fn of(values: impl Iterator<Item = f64>, lo: f64, hi: f64, bins: usize) -> Self {
        let bins = bins.max(1);
        let mut counts = vec![0; bins];
        let width = (hi - lo) / bins as f64;
        for v in values.filter(|v| v.is_finite()) {
            let k = ((v - lo) / width).floor();
            counts[(k.max(0.0) as usize).min(bins - 1)] += 1;
        }
        Histogram { lo, hi, counts }
    }
}

/// Per-layer histograms of the outputs of the layers whose names contain `filter`, at the
/// steps listed: how activations spread (or collapse) through depth.
#[derive(Debug, Clone)]
pub struct ActivationHistograms {
    steps: Vec<u64>,
    filter: String,
    lo: f64,
    hi: f64,
    bins: usize,
    /// `(step, layer, histogram)`, in the order seen.
    pub rows: Vec<(u64, String, Histogram)>,
}

impl ActivationHistograms {
    /// Histograms over `[lo, hi]` in `bins` bins of layers whose name contains `filter`
    /// (`""` for all), at `steps`.
    pub fn new(steps: Vec<u64>, filter: &str, lo: f64, hi: f64, bins: usize) -> Self {
        ActivationHistograms {
            steps,
            filter: filter.to_string(),
            lo,
            hi,
            bins,
            rows: Vec::new(),
        }
    }
}

impl<F: Float> Hook<F> for ActivationHistograms {
    fn wants_outputs(&self, step: u64) -> bool {
        self.steps.contains(&step)
    }

    fn on_output(&mut self, step: u64, layer: &str, output: &ArrayD<F>) {
        if layer.contains(&self.filter) {
            let h = Histogram::of(
                output.iter().map(|v| v.as_f64()),
                self.lo,
                self.hi,
                self.bins,
            );
            self.rows.push((step, layer.to_string(), h));
        }
    }
}
