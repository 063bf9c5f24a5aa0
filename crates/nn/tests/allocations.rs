//! Heap allocations in a training step, counted by a global allocator that wraps the
//! system's: none for each of the three models once the model is warm. Layers write into
//! buffers they keep (a layer's output into the gradient it received last step, its input's
//! gradient into the input it kept), the GEMM and the convolutions use buffers each thread
//! keeps, the trainer gathers each batch into the buffer the last step's input left.
#![deny(clippy::undocumented_unsafe_blocks)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use nabla_nn::{
    Activation, Architecture, Classifier, DeepConvConfig, Flow, Hook, MlpConfig, Network, Pooling,
    SimpleConvConfig, Split, StepView, TrainConfig, Trainer,
};
use nabla_optim::{OptimizerConfig, Regularizer};
use ndarray::ArrayD;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator; the counters have no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: the caller's layout, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The allocation counters after every step.
struct AfterEachStep(Vec<(u64, u64)>);

impl Hook<f32> for AfterEachStep {
    fn after_update(
        &mut self,
        _view: &StepView<'_, f32>,
        _model: &mut dyn Classifier<f32>,
    ) -> Flow {
        // Capacity reserved up front: the hook's own bookkeeping allocates nothing.
        self.0.push((
            ALLOCATIONS.load(Ordering::Relaxed),
            BYTES.load(Ordering::Relaxed),
        ));
        Flow::Continue
    }
}

/// A split of `n` samples of shape `sample`, ten classes.
fn data(n: usize, sample: &[usize]) -> Split<f32> {
    let mut shape = vec![n];
    shape.extend_from_slice(sample);
    let len: usize = shape.iter().product();
    let values = (0..len)
        .map(|i| ((i * 7919) % 255) as f32 / 255.0)
        .collect();
    Split::new(
        ArrayD::from_shape_vec(shape, values).unwrap(),
        (0..n).map(|i| i % 10).collect(),
    )
    .unwrap()
}

/// Allocations of an evaluation of a trained model in batches of 100, over 10 batches and
/// over 20 (each measured after a first evaluation has warmed the buffers), on one thread
/// (see [`check_threaded`] for what two threads may add once).
fn evaluation(arch: &Architecture, sample: &[usize]) -> (u64, u64) {
    let (small, large) = (data(1000, sample), data(2000, sample));
    let mut model = Network::<f32>::new(arch, 3).unwrap();
    let mut config = TrainConfig::iterations(2, 50);
    config.eval_every = None;
    nabla_tensor::parallel::with_threads(1, || {
        let mut run = Trainer::new(&mut model, &OptimizerConfig::adam(1e-3), config).unwrap();
        run.fit(&small, &small, &mut []).unwrap();
        let mut count = |split: &Split<f32>| {
            nabla_nn::evaluate(&mut model, split, 100, 0).unwrap();
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            nabla_nn::evaluate(&mut model, split, 100, 0).unwrap();
            ALLOCATIONS.load(Ordering::Relaxed) - before
        };
        (count(&small), count(&large))
    })
}

/// Allocations and bytes of each of steps 4 to 8 (the first three warm the buffers a step
/// keeps), batch 50, Adam, one thread.
fn per_step(arch: &Architecture, sample: &[usize]) -> Vec<(u64, u64)> {
    per_step_with(
        arch,
        sample,
        &OptimizerConfig::adam(1e-3),
        Regularizer::none(),
    )
}

/// [`per_step`] on `threads` threads.
fn per_step_on(arch: &Architecture, sample: &[usize], threads: usize) -> Vec<(u64, u64)> {
    steps_on(
        arch,
        sample,
        &OptimizerConfig::adam(1e-3),
        Regularizer::none(),
        threads,
    )
}

/// [`per_step`] with any optimizer, on one thread: every part of every step runs on the
/// calling thread, so whatever a step keeps is warm after the first steps.
fn per_step_with(
    arch: &Architecture,
    sample: &[usize],
    optimizer: &OptimizerConfig,
    regularizer: Regularizer,
) -> Vec<(u64, u64)> {
    steps_on(arch, sample, optimizer, regularizer, 1)
}

fn steps_on(
    arch: &Architecture,
    sample: &[usize],
    optimizer: &OptimizerConfig,
    regularizer: Regularizer,
    threads: usize,
) -> Vec<(u64, u64)> {
    let data = data(200, sample);
    let mut model = Network::<f32>::new(arch, 3).unwrap();
    let mut config = TrainConfig::iterations(8, 50);
    config.eval_every = None;
    config.regularizer = regularizer;
    let mut counts = AfterEachStep(Vec::with_capacity(16));
    nabla_tensor::parallel::with_threads(threads, || {
        let mut run = Trainer::new(&mut model, optimizer, config).unwrap();
        run.fit(&data, &data, &mut [&mut counts]).unwrap();
    });
    counts
        .0
        .windows(2)
        .skip(2)
        .map(|w| (w[1].0 - w[0].0, w[1].1 - w[0].1))
        .collect()
}

/// On two threads the worker pool hands parts of a step to whichever thread is free, and a
/// thread keeps its own scratch (unfolded windows, GEMM packing). A worker that won no part of
/// some kind during the first steps (seen on a loaded machine: the caller took them all)
/// allocates its scratch the first time it does, once, at any later step. So two threads may
/// allocate at most once per per-thread buffer over the measured steps, never every step.
fn check_threaded(name: &str, steps: &[(u64, u64)]) {
    assert_eq!(steps.len(), 5);
    let total: u64 = steps.iter().map(|s| s.0).sum();
    assert!(
        total <= 2,
        "{name} on 2 threads: {total} allocations over 5 warm steps ({steps:?})"
    );
}

fn check(name: &str, steps: &[(u64, u64)]) {
    assert_eq!(steps.len(), 5);
    for &(count, bytes) in steps {
        assert_eq!(
            count, 0,
            "{name}: {count} allocations ({bytes} bytes) in one step"
        );
    }
}

/// The three built-in models with their sample shapes.
fn models() -> [(&'static str, Architecture, &'static [usize]); 3] {
    [
        (
            "MLP",
            Architecture::Mlp(MlpConfig::new(784, vec![100, 100], 10)),
            &[784],
        ),
        (
            "SimpleConvNet",
            Architecture::SimpleConv(SimpleConvConfig::default()),
            &[1, 28, 28],
        ),
        (
            "DeepConvNet",
            Architecture::DeepConv(DeepConvConfig::default()),
            &[1, 28, 28],
        ),
    ]
}

/// One test for the three models: the counters are process-wide, so nothing else may
/// train beside them.
#[test]
fn a_warm_training_step_allocates_nothing() {
    let mlp = per_step(
        &Architecture::Mlp(MlpConfig::new(784, vec![100, 100], 10)),
        &[784],
    );
    let simple = per_step(
        &Architecture::SimpleConv(SimpleConvConfig::default()),
        &[1, 28, 28],
    );
    let deep = per_step(
        &Architecture::DeepConv(DeepConvConfig::default()),
        &[1, 28, 28],
    );
    check("MLP", &mlp);
    check("SimpleConvNet", &simple);
    check("DeepConvNet", &deep);
    for (name, arch, sample) in models() {
        check_threaded(name, &per_step_on(&arch, sample, 2));
    }
    // Every optimizer updates in place.
    let mlp_arch = Architecture::Mlp(MlpConfig::new(784, vec![100, 100], 10));
    for optimizer in [
        OptimizerConfig::sgd(0.01),
        OptimizerConfig::momentum(0.01),
        OptimizerConfig::nesterov(0.01),
        OptimizerConfig::adagrad(0.01),
        OptimizerConfig::rmsprop(0.01),
    ] {
        let steps = per_step_with(&mlp_arch, &[784], &optimizer, Regularizer::none());
        check(&format!("MLP with {optimizer:?}"), &steps);
    }
    // The curriculum's other activations, BatchNorm and dropout keep their buffers too.
    for activation in [Activation::Sigmoid, Activation::Tanh] {
        for (batchnorm, dropout) in [(false, None), (true, None), (false, Some(0.2))] {
            let mut config = MlpConfig::new(784, vec![100, 100], 10);
            config.activation = activation;
            config.batchnorm = batchnorm;
            config.dropout = dropout;
            let steps = per_step(&Architecture::Mlp(config), &[784]);
            check(
                &format!("MLP, {activation:?}, BatchNorm {batchnorm}, dropout {dropout:?}"),
                &steps,
            );
        }
    }
    // And so do the L1 and L2 penalties.
    let penalty = Regularizer::new(1e-4, 1e-3).unwrap();
    let steps = per_step_with(&mlp_arch, &[784], &OptimizerConfig::sgd(0.01), penalty);
    check("MLP with L1 and L2 penalties", &steps);
    // Average pooling keeps its buffers as max pooling does.
    let mut average = SimpleConvConfig::default();
    average.pooling = Pooling::Average;
    let steps = per_step(&Architecture::SimpleConv(average), &[1, 28, 28]);
    check("SimpleConvNet with average pooling", &steps);
    // Evaluation: a fixed few for its results (logits, predictions, confusion matrix),
    // nothing per batch.
    for (name, arch, sample) in models() {
        let (ten, twenty) = evaluation(&arch, sample);
        assert_eq!(
            ten, twenty,
            "{name}: evaluating 20 batches allocates more than 10"
        );
        assert!(
            ten < 20,
            "{name}: {ten} allocations for an evaluation's results"
        );
    }
}
