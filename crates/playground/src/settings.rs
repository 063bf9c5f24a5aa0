//! A playground run's knobs, as the page sends them, with the range each may take.

use serde::{Deserialize, Serialize};

/// What the network learns from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Data {
    /// Two interleaved spirals.
    Spiral,
    /// A disc inside a ring.
    Circles,
    /// Opposite quadrants.
    Xor,
    /// Two Gaussian clouds.
    Blobs,
    /// A subset of MNIST's training images (tested on 1,000 test images).
    Mnist,
}

/// The hidden layers' activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `1 / (1 + e^(−x))`.
    Sigmoid,
    /// `tanh(x)`.
    Tanh,
    /// `max(0, x)`.
    Relu,
    /// `max(0.01·x, x)`.
    LeakyRelu,
}

/// How the weights start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// `σ · randn`, with the settings' `sigma`.
    Normal,
    /// `randn / sqrt(n_in)`.
    Xavier,
    /// `randn · sqrt(2 / n_in)`.
    He,
}

/// Where BatchNorm goes in each hidden layer, if anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchNormAt {
    /// No BatchNorm.
    Off,
    /// Between the affine layer and the activation (the notes' place).
    Before,
    /// After the activation.
    After,
}

/// The optimizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Optimizer {
    /// Plain gradient descent.
    Sgd,
    /// With momentum 0.9.
    Momentum,
    /// Nesterov's momentum.
    Nesterov,
    /// AdaGrad.
    Adagrad,
    /// RMSProp.
    Rmsprop,
    /// Adam.
    Adam,
}

/// How the learning rate changes over steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// The same rate throughout.
    Constant,
    /// Halved every 500 steps.
    Step,
    /// Cosine down to a hundredth over 2,000 steps.
    Cosine,
}

/// Every knob of a playground run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The data set.
    pub data: Data,
    /// Points of a 2-D set, or MNIST training images.
    pub points: usize,
    /// Jitter of a 2-D set's points, in `[0, 1]`.
    pub noise: f64,
    /// Hidden layer widths, input side first.
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Weight initialization.
    pub init: Init,
    /// `σ` of [`Init::Normal`].
    pub sigma: f64,
    /// BatchNorm's place.
    pub batchnorm: BatchNormAt,
    /// Dropout probability after each hidden activation (0: none).
    pub dropout: f64,
    /// L1 penalty strength.
    pub l1: f64,
    /// L2 penalty strength.
    pub l2: f64,
    /// The optimizer.
    pub optimizer: Optimizer,
    /// Its learning rate.
    pub lr: f64,
    /// The learning-rate schedule.
    pub schedule: Schedule,
    /// Samples per step.
    pub batch: usize,
    /// Seed of the data, the weights, the batches and the dropout masks.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data: Data::Spiral,
            points: 400,
            noise: 0.1,
            hidden: vec![16, 16],
            activation: Activation::Relu,
            init: Init::He,
            sigma: 0.01,
            batchnorm: BatchNormAt::Off,
            dropout: 0.0,
            l1: 0.0,
            l2: 0.0,
            optimizer: Optimizer::Adam,
            lr: 0.01,
            schedule: Schedule::Constant,
            batch: 16,
            seed: 0,
        }
    }
}

/// The ranges the server accepts: a page cannot ask for more than the machine should give.
pub mod limits {
    /// Points of a 2-D set.
    pub const POINTS_2D: (usize, usize) = (20, 2000);
    /// MNIST training images.
    pub const POINTS_MNIST: (usize, usize) = (100, 10_000);
    /// Hidden layers.
    pub const LAYERS: usize = 6;
    /// Units per hidden layer.
    pub const WIDTH: (usize, usize) = (1, 256);
    /// Learning rate.
    pub const LR: (f64, f64) = (1e-5, 10.0);
    /// `σ` of a normal initialization.
    pub const SIGMA: (f64, f64) = (1e-4, 10.0);
    /// Dropout probability.
    pub const DROPOUT: (f64, f64) = (0.0, 0.9);
    /// L1 and L2 strengths.
    pub const PENALTY: (f64, f64) = (0.0, 1.0);
    /// Samples per step.
    pub const BATCH: (usize, usize) = (1, 512);
}

impl Settings {
    /// Parses the page's JSON, naming an unknown knob or a value of the wrong kind.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let settings: Settings =
            serde_json::from_str(text).map_err(|e| format!("bad settings: {e}"))?;
        settings.check()?;
        Ok(settings)
    }

    /// Every knob within its range, or the first that is not, with the range allowed.
    pub fn check(&self) -> Result<(), String> {
        use limits::*;
        let (lo, hi) = if self.data == Data::Mnist {
            POINTS_MNIST
        } else {
            POINTS_2D
        };
        within("points", self.points as f64, (lo as f64, hi as f64))?;
        within("noise", self.noise, (0.0, 1.0))?;
        if self.hidden.len() > LAYERS {
            return Err(format!(
                "{} hidden layers: at most {LAYERS} are allowed",
                self.hidden.len()
            ));
        }
        for (k, &w) in self.hidden.iter().enumerate() {
            within(
                &format!("the width of hidden layer {}", k + 1),
                w as f64,
                (WIDTH.0 as f64, WIDTH.1 as f64),
            )?;
        }
        within("the learning rate", self.lr, LR)?;
        if self.init == Init::Normal {
            within("σ", self.sigma, SIGMA)?;
        }
        within("the dropout rate", self.dropout, DROPOUT)?;
        within("the L1 strength", self.l1, PENALTY)?;
        within("the L2 strength", self.l2, PENALTY)?;
        within(
            "the batch size",
            self.batch as f64,
            (BATCH.0 as f64, BATCH.1 as f64),
        )?;
        Ok(())
    }

    /// The run in words: `spiral, 400 points, noise 0.1 · 16-16 ReLU, He init · Adam, lr 0.01`.
    pub fn words(&self) -> String {
        let data = match self.data {
            Data::Mnist => format!("MNIST, {} training images", self.points),
            d => format!("{d:?}, {} points, noise {}", self.points, self.noise).to_lowercase(),
        };
        let widths = if self.hidden.is_empty() {
            "no hidden layer".to_string()
        } else {
            self.hidden
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("-")
        };
        let activation = match self.activation {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "ReLU",
            Activation::LeakyRelu => "LeakyReLU",
        };
        let init = match self.init {
            Init::Normal => format!("N(0, {}²) init", self.sigma),
            Init::Xavier => "Xavier init".into(),
            Init::He => "He init".into(),
        };
        let mut extras = Vec::new();
        match self.batchnorm {
            BatchNormAt::Off => {}
            BatchNormAt::Before => extras.push("BatchNorm before the activation".to_string()),
            BatchNormAt::After => extras.push("BatchNorm after the activation".to_string()),
        }
        if self.dropout > 0.0 {
            extras.push(format!("dropout {}", self.dropout));
        }
        if self.l1 > 0.0 {
            extras.push(format!("L1 {}", self.l1));
        }
        if self.l2 > 0.0 {
            extras.push(format!("L2 {}", self.l2));
        }
        let extras = if extras.is_empty() {
            String::new()
        } else {
            format!(", {}", extras.join(", "))
        };
        let schedule = match self.schedule {
            Schedule::Constant => "",
            Schedule::Step => ", halved every 500 steps",
            Schedule::Cosine => ", cosine decay",
        };
        let optimizer = match self.optimizer {
            Optimizer::Sgd => "SGD",
            Optimizer::Momentum => "Momentum",
            Optimizer::Nesterov => "Nesterov",
            Optimizer::Adagrad => "AdaGrad",
            Optimizer::Rmsprop => "RMSProp",
            Optimizer::Adam => "Adam",
        };
        format!(
            "{data} · {widths} {activation}, {init}{extras} · {optimizer}, lr {}{schedule}, batch {} · seed {}",
            self.lr, self.batch, self.seed
        )
    }
}

/// `value` within `[lo, hi]`, or the message naming `what` and the range.
fn within(what: &str, value: f64, (lo, hi): (f64, f64)) -> Result<(), String> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{what} {value} is outside the allowed range [{lo}, {hi}]"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_name_the_knob_and_the_range() {
        let bad = |json: &str| Settings::from_json(json).unwrap_err();
        assert_eq!(
            bad(r#"{"lr": 1e9}"#),
            "the learning rate 1000000000 is outside the allowed range [0.00001, 10]"
        );
        assert!(bad(r#"{"lr": 0}"#).contains("[0.00001, 10]"));
        assert!(bad(r#"{"hidden": [8, 0]}"#).contains("hidden layer 2"));
        assert!(bad(r#"{"hidden": [1,1,1,1,1,1,1]}"#).contains("at most 6"));
        assert!(bad(r#"{"points": 100000}"#).contains("points"));
        assert!(bad(r#"{"speed": 3}"#).contains("unknown field `speed`"));
        assert!(bad(r#"{"activation": "swish"}"#).contains("unknown variant `swish`"));
        assert!(Settings::from_json("{}").is_ok());
    }

    #[test]
    fn words_say_what_differs() {
        let s = Settings {
            activation: Activation::Sigmoid,
            init: Init::Normal,
            ..Settings::default()
        };
        assert!(
            s.words().contains("16-16 sigmoid, N(0, 0.01²) init"),
            "{}",
            s.words()
        );
    }
}
