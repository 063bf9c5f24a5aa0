//! TensorBoard's event files, written directly: the format is small, and the crates that
//! write it bring a protobuf toolchain along.
//!
//! A file is a sequence of records, each `length (u64 LE) · masked CRC-32C of the length
//! (u32 LE) · data · masked CRC-32C of the data (u32 LE)`; each record's data is an `Event`
//! protobuf: `wall_time` (field 1, double), `step` (2, int64), and either `file_version`
//! (3, string: the first record says `brain.Event:2`) or a `Summary` (5) of `Value`s, each a
//! `tag` (1, string) with a `simple_value` (2, float).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use nabla_layers::Float;

use super::{Flow, Hook};
use crate::{Classifier, EvalPoint, NnError, Result};

/// The CRC-32C (Castagnoli) of `bytes`, the checksum TensorBoard's records carry.
fn crc32c(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0x82F6_3B78 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    !bytes.iter().fold(!0u32, |crc, &b| {
        TABLE[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8)
    })
}

/// TensorFlow's masking of a stored CRC, so that a CRC of data holding CRCs stays strong.
fn masked(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(0xA282_EAD8)
}

/// One framed record.
fn record(data: &[u8]) -> Vec<u8> {
    let len = (data.len() as u64).to_le_bytes();
    let mut out = Vec::with_capacity(data.len() + 16);
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked(crc32c(&len)).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked(crc32c(data)).to_le_bytes());
    out
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A length-delimited field.
fn bytes_field(field: u32, bytes: &[u8], out: &mut Vec<u8>) {
    varint(u64::from(field << 3 | 2), out);
    varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// An `Event` with `wall_time` and `step`, and the `rest` of its fields already encoded.
fn event(wall_time: f64, step: u64, rest: &[u8]) -> Vec<u8> {
    let mut e = vec![1 << 3 | 1];
    e.extend_from_slice(&wall_time.to_le_bytes());
    varint(2 << 3, &mut e);
    varint(step, &mut e);
    e.extend_from_slice(rest);
    e
}

/// The `summary` field of an event holding `scalars`.
fn summary(scalars: &[(&str, f32)]) -> Vec<u8> {
    let mut summary = Vec::new();
    for (tag, value) in scalars {
        let mut v = Vec::new();
        bytes_field(1, tag.as_bytes(), &mut v);
        v.push(2 << 3 | 5);
        v.extend_from_slice(&value.to_le_bytes());
        bytes_field(1, &v, &mut summary);
    }
    let mut field = Vec::new();
    bytes_field(5, &summary, &mut field);
    field
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Writes every evaluation's loss, train and test accuracy and learning rate as TensorBoard
/// scalars (`loss`, `accuracy/train`, `accuracy/test`, `lr`) into a new event file in a
/// folder (`tensorboard --logdir` that folder).
#[derive(Debug)]
pub struct TensorBoardLog {
    path: PathBuf,
    file: File,
    /// The tag of the evaluation accuracy: `accuracy/test`, or `accuracy/val`.
    eval_tag: String,
    failed: Option<std::io::Error>,
}

impl TensorBoardLog {
    /// A new event file in `dir` (created if missing).
    pub fn create(dir: impl AsRef<Path>) -> Result<Self> {
        TensorBoardLog::for_split(dir, "test")
    }

    /// As [`TensorBoardLog::create`], for evaluations measured on the split called `split`
    /// (tagged `accuracy/{split}`).
    pub fn for_split(dir: impl AsRef<Path>, split: &str) -> Result<Self> {
        let dir = dir.as_ref();
        let bad = |e: std::io::Error| {
            NnError::Config(format!("TensorBoard folder {}: {e}", dir.display()))
        };
        std::fs::create_dir_all(dir).map_err(bad)?;
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "nabla".into());
        let wall = now();
        let path = dir.join(format!(
            "events.out.tfevents.{}.{host}.{}",
            wall as u64,
            std::process::id()
        ));
        let mut file = File::create(&path).map_err(bad)?;
        let mut version = Vec::new();
        bytes_field(3, b"brain.Event:2", &mut version);
        file.write_all(&record(&event(wall, 0, &version)))
            .and_then(|()| file.flush())
            .map_err(bad)?;
        Ok(TensorBoardLog {
            path,
            file,
            eval_tag: format!("accuracy/{split}"),
            failed: None,
        })
    }

    /// The event file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The write error that stopped the run, if one did.
    pub fn error(&self) -> Option<&std::io::Error> {
        self.failed.as_ref()
    }
}

impl<F: Float> Hook<F> for TensorBoardLog {
    fn after_eval(&mut self, p: &EvalPoint, _model: &mut dyn Classifier<F>) -> Flow {
        let mut scalars = vec![
            ("loss", p.train_loss as f32),
            (self.eval_tag.as_str(), p.test_accuracy as f32),
            ("lr", p.lr as f32),
        ];
        if let Some(train) = p.train_accuracy {
            scalars.push(("accuracy/train", train as f32));
        }
        let bytes = record(&event(now(), p.step, &summary(&scalars)));
        match self.file.write_all(&bytes).and_then(|()| self.file.flush()) {
            Ok(()) => Flow::Continue,
            Err(e) => {
                self.failed = Some(e);
                Flow::Stop
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_framed_with_masked_crcs() {
        let r = record(b"abc");
        assert_eq!(r.len(), 8 + 4 + 3 + 4);
        assert_eq!(u64::from_le_bytes(r[..8].try_into().unwrap()), 3);
        let len_crc = u32::from_le_bytes(r[8..12].try_into().unwrap());
        assert_eq!(len_crc, masked(crc32c(&3u64.to_le_bytes())));
        assert_eq!(&r[12..15], b"abc");
        let data_crc = u32::from_le_bytes(r[15..19].try_into().unwrap());
        // Unmasking gives back the CRC of the data.
        assert_eq!(
            data_crc.wrapping_sub(0xA282_EAD8).rotate_left(15),
            crc32c(b"abc")
        );
    }

    #[test]
    fn crc32c_matches_published_vectors() {
        // RFC 3720, B.4: 32 bytes of zeros, and of 0xFF.
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xFFu8; 32]), 0x62A8_AB43);
        assert_eq!(crc32c(b""), 0);
        // The standard check value of CRC-32C.
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn a_scalar_event_encodes_tag_and_value() {
        let e = event(1.5, 300, &summary(&[("loss", 0.25)]));
        // wall_time, then step 300 as a varint (0xAC 0x02).
        assert_eq!(e[0], 0x09);
        assert_eq!(f64::from_le_bytes(e[1..9].try_into().unwrap()), 1.5);
        assert_eq!(&e[9..12], &[0x10, 0xAC, 0x02]);
        // summary (field 5) > value (field 1) > tag "loss", simple_value 0.25.
        let tail = &e[12..];
        assert_eq!(tail[0], 0x2A);
        let value = [&[0x0A, 4][..], b"loss", &[0x15], &0.25f32.to_le_bytes()].concat();
        assert!(tail.windows(value.len()).any(|w| w == value.as_slice()));
    }
}
