//! One-file checkpoints of any model: its parameters by name, the built-in architecture when
//! it has one, and optionally the training state ([`Trainer::save`](crate::Trainer::save)
//! writes them, [`Trainer::resume`](crate::Trainer::resume) reads them).
//!
//! Layout (little-endian): `b"NABLAckp"`, format version (`u32`), element size in bytes (`u8`:
//! 4 for f32, 8 for f64), what the payload holds (`u8`: 0 for a model with its
//! [`Architecture`], 1 for a model without one), two zero bytes, payload length (`u64`), the
//! payload, and the CRC-32 of the payload (`u32`). The payload is bincode of the architecture
//! (kind 0 only), then of the parameters, then of the optional [`TrainingState`], then (from
//! version 2) of the position of every random stream the model draws from, then (from version
//! 3) of the run's plan ([`TrainConfig`](crate::TrainConfig)), if saved. The length must
//! match the file's, so a forged length cannot make the reader allocate; the CRC catches
//! corruption before decoding. Files are written to a temporary name and renamed into place.
//!
//! Resuming continues with the same optimizer state, the same batch order and, for dropout,
//! the same place in each layer's random stream, so a resumed run is bit-identical to an
//! uninterrupted one (tested, with and without dropout), with the same plan (budget, batch
//! size, schedule, penalty, evaluations). Version 1 files, which saved no stream positions,
//! still read: their dropout layers start their streams afresh; version 1 and 2 files saved
//! no plan.
//!
//! ```
//! use nabla_nn::{Architecture, MlpConfig, Network, checkpoint};
//! let path = std::env::temp_dir().join(format!("doc-{}.ckpt", std::process::id()));
//! let net = Network::<f32>::new(&Architecture::Mlp(MlpConfig::new(4, vec![3], 2)), 7)?;
//! checkpoint::save(&path, &net, None)?;
//! let (mut loaded, training) = checkpoint::load::<f32>(&path)?;
//! assert!(training.is_none());
//! assert_eq!(loaded.param_count(), net.param_count());
//! # std::fs::remove_file(&path).ok();
//! # Ok::<(), nabla_nn::NnError>(())
//! ```

use std::io::Write;
use std::path::Path;

use nabla_layers::{Float, RandomStream};
use nabla_optim::{OptimizerConfig, OptimizerState};

use crate::{Architecture, Classifier, Network, NnError, Result};

/// The first eight bytes of every checkpoint.
pub const MAGIC: &[u8; 8] = b"NABLAckp";
/// The format version this build writes (it reads this one and every earlier one).
pub const VERSION: u32 = 3;
/// The first version that saves the random streams' positions.
const STREAMS_SINCE: u32 = 2;
/// The first version that saves the run's plan.
const PLAN_SINCE: u32 = 3;
/// The largest payload accepted (4 GiB; AlexNet in f32 is 250 MB).
pub const MAX_PAYLOAD: u64 = 4 << 30;
const HEADER: usize = 24;
/// The kind byte of a model saved with its architecture.
const WITH_ARCHITECTURE: u8 = 0;
/// The kind byte of a model saved without one (parameters and training state only).
const WITHOUT_ARCHITECTURE: u8 = 1;

/// A named tensor.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(bound = "")]
pub struct SavedTensor<F: Float> {
    /// Dotted parameter name.
    pub name: String,
    /// Its shape, checked against the model's parameter of the same name on load.
    pub shape: Vec<usize>,
    /// Values in C order.
    pub values: Vec<F>,
}

/// What is needed to resume training exactly where it stopped.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(bound = "")]
pub struct TrainingState<F: Float> {
    /// The optimizer and its hyperparameters.
    pub optimizer: OptimizerConfig,
    /// Its per-parameter state.
    pub state: OptimizerState<F>,
    /// Steps done.
    pub step: u64,
    /// The seed of the batch order.
    pub seed: u64,
    /// The run's plan: budget, batch size, schedule, penalty, evaluations (`None` in files
    /// of versions 1 and 2). Stored in its own section after the random streams, so that
    /// this struct's encoding is the same in every version.
    #[serde(skip)]
    pub plan: Option<crate::TrainConfig>,
}

/// The contents of a checkpoint file.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint<F: Float> {
    /// How to rebuild the network, for a model built from a built-in architecture.
    pub architecture: Option<Architecture>,
    /// Every parameter and buffer.
    pub params: Vec<SavedTensor<F>>,
    /// Optimizer state, if saved for resuming.
    pub training: Option<TrainingState<F>>,
    /// Where each random stream of the model stood, `(dotted name, position)` (empty in a
    /// version 1 file).
    pub random_streams: Vec<(String, RandomStream)>,
}

fn bad(path: &Path, problem: impl Into<String>) -> NnError {
    NnError::Checkpoint {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

/// The checkpoint of `model` (and `training`, if given) as bytes.
pub fn encode<F: Float>(
    model: &dyn Classifier<F>,
    training: Option<TrainingState<F>>,
) -> Result<Vec<u8>> {
    let mut params = Vec::new();
    model.params(&mut |name, p| {
        params.push(SavedTensor {
            name: name.to_string(),
            shape: p.value.shape().to_vec(),
            values: p.value.iter().copied().collect(),
        })
    });
    let mut payload = Vec::new();
    let kind = match model.architecture() {
        Some(architecture) => {
            append(architecture, &mut payload)?;
            WITH_ARCHITECTURE
        }
        None => WITHOUT_ARCHITECTURE,
    };
    append(&params, &mut payload)?;
    append(&training, &mut payload)?;
    let mut streams: Vec<(String, RandomStream)> = Vec::new();
    model.random_streams(&mut |name, stream| streams.push((name.to_string(), stream)));
    append(&streams, &mut payload)?;
    append(
        &training.as_ref().and_then(|t| t.plan.as_ref()),
        &mut payload,
    )?;
    let mut crc = flate2::Crc::new();
    crc.update(&payload);
    let mut out = Vec::with_capacity(HEADER + payload.len() + 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&[size_of::<F>() as u8, kind, 0, 0]);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    Ok(out)
}

/// Appends the bincode of `value` to `out`: values one after the other, as bincode lays out
/// the fields of a struct.
fn append<T: serde::Serialize>(value: &T, out: &mut Vec<u8>) -> Result<()> {
    let bytes = bincode::serde::encode_to_vec(value, bincode::config::standard())
        .map_err(|e| NnError::Config(format!("cannot encode checkpoint: {e}")))?;
    out.extend(bytes);
    Ok(())
}

/// Parses checkpoint bytes; `path` names the source in errors.
pub fn decode<F: Float>(bytes: &[u8], path: &Path) -> Result<Checkpoint<F>> {
    if bytes.len() < HEADER + 4 || &bytes[..8] != MAGIC {
        return Err(bad(path, "not a nabla checkpoint (no NABLAckp header)"));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if !(1..=VERSION).contains(&version) {
        return Err(bad(
            path,
            format!("format version {version}; this build reads versions 1 to {VERSION}"),
        ));
    }
    let size = bytes[12] as usize;
    if size != size_of::<F>() {
        let name = |s| match s {
            4 => "f32".to_string(),
            8 => "f64".to_string(),
            other => format!("{other}-byte"),
        };
        return Err(bad(
            path,
            format!("holds {} parameters, expected {}", name(size), F::NAME),
        ));
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[16..24]);
    let len = u64::from_le_bytes(len);
    let actual = (bytes.len() - HEADER - 4) as u64;
    if len > MAX_PAYLOAD || len != actual {
        return Err(bad(
            path,
            format!("truncated or padded: header says {len} payload bytes, file has {actual}"),
        ));
    }
    let payload = &bytes[HEADER..HEADER + len as usize];
    let mut crc = flate2::Crc::new();
    crc.update(payload);
    let stored = u32::from_le_bytes([
        bytes[bytes.len() - 4],
        bytes[bytes.len() - 3],
        bytes[bytes.len() - 2],
        bytes[bytes.len() - 1],
    ]);
    if crc.sum() != stored {
        return Err(bad(path, "corrupted: checksum mismatch"));
    }
    let mut rest = payload;
    let architecture = match bytes[13] {
        WITH_ARCHITECTURE => Some(next(&mut rest, path)?),
        WITHOUT_ARCHITECTURE => None,
        other => return Err(bad(path, format!("unknown payload kind {other}"))),
    };
    let params = next(&mut rest, path)?;
    let mut training: Option<TrainingState<F>> = next(&mut rest, path)?;
    let random_streams = if version >= STREAMS_SINCE {
        next(&mut rest, path)?
    } else {
        Vec::new()
    };
    if version >= PLAN_SINCE {
        let plan: Option<crate::TrainConfig> = next(&mut rest, path)?;
        match (&mut training, plan) {
            (Some(training), plan) => training.plan = plan,
            (None, Some(_)) => return Err(bad(path, "a plan saved without a training state")),
            (None, None) => {}
        }
    }
    let checkpoint = Checkpoint {
        architecture,
        params,
        training,
        random_streams,
    };
    if !rest.is_empty() {
        return Err(bad(path, "trailing bytes after the checkpoint"));
    }
    Ok(checkpoint)
}

/// Decodes the next value of the payload and moves past it.
fn next<T: serde::de::DeserializeOwned>(rest: &mut &[u8], path: &Path) -> Result<T> {
    let config = bincode::config::standard().with_limit::<{ MAX_PAYLOAD as usize }>();
    let (value, used) = bincode::serde::decode_from_slice(rest, config)
        .map_err(|e| bad(path, format!("cannot decode: {e}")))?;
    *rest = &rest[used..];
    Ok(value)
}

/// Writes `model` (and `training`) to `path` atomically: a temporary file, then a rename.
pub fn save<F: Float>(
    path: impl AsRef<Path>,
    model: &dyn Classifier<F>,
    training: Option<TrainingState<F>>,
) -> Result<()> {
    let path = path.as_ref();
    let bytes = encode(model, training)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = std::path::PathBuf::from(tmp);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(bad(path, format!("cannot write: {e}")));
    }
    Ok(())
}

/// Reads the checkpoint at `path`.
pub fn read<F: Float>(path: impl AsRef<Path>) -> Result<Checkpoint<F>> {
    let path = path.as_ref();
    let len = std::fs::metadata(path)
        .map_err(|e| bad(path, e.to_string()))?
        .len();
    if len > MAX_PAYLOAD + (HEADER as u64) + 4 {
        return Err(bad(
            path,
            format!("{len} bytes is larger than any checkpoint"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(path, e.to_string()))?;
    decode(&bytes, path)
}

/// Rebuilds the network saved at `path` and returns it with its training state, if saved.
pub fn load<F: Float>(path: impl AsRef<Path>) -> Result<(Network<F>, Option<TrainingState<F>>)> {
    let path = path.as_ref();
    let checkpoint = read::<F>(path)?;
    let Some(architecture) = checkpoint.architecture else {
        return Err(bad(
            path,
            "holds a model without a built-in architecture: build that model and load the file into it (Trainer::resume or checkpoint::restore_into)",
        ));
    };
    let mut net = Network::new(&architecture, 0)?;
    restore_into(&mut net, &checkpoint.params, path)?;
    restore_streams(&mut net, &checkpoint.random_streams, path)?;
    Ok((net, checkpoint.training))
}

/// Copies `params` into `model`, checking names and shapes both ways; `path` names the
/// source in errors.
pub fn restore_into<F: Float>(
    model: &mut dyn Classifier<F>,
    params: &[SavedTensor<F>],
    path: &Path,
) -> Result<()> {
    let what = model.architecture().map_or_else(
        || "the model".to_string(),
        |a| format!("the {} architecture", a.name()),
    );
    let mut problem = None;
    let mut used = 0;
    model.visit_params(&mut |name, p| {
        if problem.is_some() {
            return;
        }
        match params.iter().find(|s| s.name == name) {
            None => problem = Some(format!("parameter `{name}` of {what} is missing")),
            Some(s) if s.shape != p.value.shape() || s.values.len() != p.value.len() => {
                problem = Some(format!(
                    "parameter `{name}` has shape {:?}, {what} needs {:?}",
                    s.shape,
                    p.value.shape()
                ))
            }
            Some(s) => {
                p.value.iter_mut().zip(&s.values).for_each(|(d, &v)| *d = v);
                used += 1;
            }
        }
    });
    if let Some(problem) = problem {
        return Err(bad(path, problem));
    }
    if used != params.len() {
        return Err(bad(
            path,
            format!(
                "{} saved tensors do not belong to {what}",
                params.len() - used
            ),
        ));
    }
    Ok(())
}

/// Moves each random stream of `model` to its saved position; `path` names the source in
/// errors. A stream the model does not have is an error, as a parameter it does not have is.
pub fn restore_streams<F: Float>(
    model: &mut dyn Classifier<F>,
    streams: &[(String, RandomStream)],
    path: &Path,
) -> Result<()> {
    for (name, stream) in streams {
        if !model.set_random_stream(name, *stream) {
            return Err(bad(
                path,
                format!("the saved random stream `{name}` belongs to no layer of the model"),
            ));
        }
    }
    Ok(())
}
