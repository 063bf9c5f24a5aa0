//! A shard on disk: a folder `shard-K-of-N` holding `shard.bin` (everything, exactly),
//! `manifest.json` (the same manifest, for people) and one CSV per run.
//!
//! `shard.bin` is bincode, not JSON, because the merge must give back every float bit for
//! bit and bincode writes an `f64` as its eight bytes. Its layout: the magic
//! `nabla-shard\n`, the format version (`u32`), the payload's length (`u64`), the payload,
//! and the payload's CRC-32 (`u32`), all little-endian. The folder is written under a
//! temporary name and renamed when complete, so a folder named `shard-K-of-N` is never half
//! written; a damaged or cut file is refused with what is wrong with it.

use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Path, PathBuf};

use super::Shard;
use crate::{ExperimentError, Result};

const MAGIC: &[u8; 12] = b"nabla-shard\n";
const VERSION: u32 = 1;
/// The largest payload read: a 1,000-seed full sweep is about 200 MB.
const MAX_PAYLOAD: u64 = 1 << 32;
const BIN: &str = "shard.bin";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExperimentError + '_ {
    move |source| ExperimentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn bad(path: &Path, what: impl fmt::Display) -> ExperimentError {
    ExperimentError::Shard(format!("{}: {what}", path.display()))
}

/// Writes `shard` into `parent/shard-K-of-N` (replacing a previous one only once the new
/// one is complete) and returns that folder.
pub fn write(shard: &Shard, parent: &Path) -> Result<PathBuf> {
    fs::create_dir_all(parent).map_err(io(parent))?;
    let name = shard.manifest.slice.folder_name();
    let out = parent.join(&name);
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    if let Err(e) = write_into(shard, &staging) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        fs::rename(&out, &old).map_err(io(&out))?;
    }
    fs::rename(&staging, &out).map_err(io(&out))?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(out)
}

fn write_into(shard: &Shard, dir: &Path) -> Result<()> {
    let runs = dir.join("runs");
    fs::create_dir_all(&runs).map_err(io(&runs))?;
    let payload = bincode::serde::encode_to_vec(shard, bincode::config::standard())
        .map_err(|e| ExperimentError::Shard(format!("encoding the shard: {e}")))?;
    let mut bytes = Vec::with_capacity(payload.len() + 28);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&payload);
    let mut crc = flate2::Crc::new();
    crc.update(&payload);
    bytes.extend_from_slice(&crc.sum().to_le_bytes());
    let bin = dir.join(BIN);
    fs::write(&bin, bytes).map_err(io(&bin))?;

    let manifest = serde_json::to_string_pretty(&shard.manifest)
        .map_err(|e| ExperimentError::Shard(format!("encoding the manifest: {e}")))?;
    let path = dir.join("manifest.json");
    fs::write(&path, manifest).map_err(io(&path))?;
    for (seed, id, result) in &shard.runs {
        let mut csv = String::from("iteration,train_accuracy,test_accuracy,loss\n");
        for p in &result.curve {
            let _ = writeln!(csv, "{},{},{},{}", p.iteration, p.train, p.test, p.loss);
        }
        let path = runs.join(format!("{}-seed-{seed}.csv", crate::report::file_id(id)));
        fs::write(&path, csv).map_err(io(&path))?;
    }
    Ok(())
}

/// Reads the shard in folder `dir`.
pub fn read(dir: &Path) -> Result<Shard> {
    let bin = dir.join(BIN);
    if !bin.exists() {
        return Err(bad(
            dir,
            format!(
                "not a shard folder (no {BIN}): a shard is written by `experiments --shard K/N`"
            ),
        ));
    }
    let bytes = fs::read(&bin).map_err(io(&bin))?;
    decode(&bytes).map_err(|what| bad(&bin, what))
}

fn decode(bytes: &[u8]) -> std::result::Result<Shard, String> {
    let header = MAGIC.len() + 12;
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err("not a nabla shard (wrong magic bytes)".into());
    }
    if bytes.len() < header {
        return Err(format!(
            "cut short: {} bytes, its header is {header}",
            bytes.len()
        ));
    }
    let word = |at: usize, n: usize| {
        bytes[at..at + n]
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    };
    let version = word(MAGIC.len(), 4);
    if version != u64::from(VERSION) {
        return Err(format!(
            "format version {version}, this build reads version {VERSION}: merge with the binary that wrote it"
        ));
    }
    let len = word(MAGIC.len() + 4, 8);
    if len > MAX_PAYLOAD {
        return Err(format!(
            "claims a payload of {len} bytes, more than any sweep writes"
        ));
    }
    let expected = header as u64 + len + 4;
    if (bytes.len() as u64) != expected {
        return Err(format!(
            "{} bytes where its header promises {expected}: the file was cut or added to",
            bytes.len()
        ));
    }
    let payload = &bytes[header..header + len as usize];
    let stored = word(header + len as usize, 4);
    let mut crc = flate2::Crc::new();
    crc.update(payload);
    if u64::from(crc.sum()) != stored {
        return Err("damaged: its checksum does not match its content".into());
    }
    let config = bincode::config::standard().with_limit::<{ MAX_PAYLOAD as usize }>();
    let (shard, used): (Shard, usize) = bincode::serde::decode_from_slice(payload, config)
        .map_err(|e| format!("cannot be decoded ({e})"))?;
    if used != payload.len() {
        return Err(format!(
            "{} bytes left over after the shard: written by another format",
            payload.len() - used
        ));
    }
    Ok(shard)
}

/// The shard folders among `paths`: a path that holds `shard.bin` is a shard; any other
/// folder stands for the `shard-*` folders inside it (a sweep's `--out`). Folders being
/// written (their names start with a dot) are left out.
pub fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        if path.join(BIN).exists() {
            found.push(path.clone());
            continue;
        }
        if !path.is_dir() {
            return Err(bad(path, "no such folder"));
        }
        let mut inside: Vec<PathBuf> = fs::read_dir(path)
            .map_err(io(path))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_dir()
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("shard-"))
            })
            .collect();
        if inside.is_empty() {
            return Err(bad(
                path,
                "neither a shard (no shard.bin) nor a folder of shards (no shard-* folder inside)",
            ));
        }
        inside.sort();
        found.extend(inside);
    }
    Ok(found)
}

#[cfg(test)]
pub(super) fn encode_for_test(shard: &Shard) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("nabla-shard-enc-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    write_into(shard, &dir).expect("write");
    let bytes = fs::read(dir.join(BIN)).expect("read");
    let _ = fs::remove_dir_all(&dir);
    bytes
}

#[cfg(test)]
pub(super) fn decode_for_test(bytes: &[u8]) -> std::result::Result<Shard, String> {
    decode(bytes)
}
