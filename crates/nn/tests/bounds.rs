//! The thread-safety bounds users rely on: models and data move to worker threads (the
//! experiments run several trainings at once), configurations and datasets are shared.

use nabla_datasets::Mnist;
use nabla_layers::{BatchNorm, Conv2d, Linear, Sequential};
use nabla_nn::{Architecture, History, Network, SequentialClassifier, Split, TrainConfig};
use nabla_optim::{Optimizer, OptimizerConfig};

fn send<T: Send>() {}
fn send_sync<T: Send + Sync>() {}

#[test]
fn models_and_optimizers_can_move_to_another_thread() {
    send::<Network<f32>>();
    send::<SequentialClassifier<f32>>();
    send::<Sequential<f32>>();
    send::<Conv2d<f32>>();
    send::<Linear<f32>>();
    send::<BatchNorm<f32>>();
    send::<Box<dyn Optimizer<f32>>>();
    send::<Box<dyn nabla_nn::Classifier<f32>>>();
}

#[test]
fn data_and_settings_can_be_shared_between_threads() {
    send_sync::<Split<f32>>();
    send_sync::<Mnist>();
    send_sync::<TrainConfig>();
    send_sync::<OptimizerConfig>();
    send_sync::<Architecture>();
    send_sync::<History>();
}
