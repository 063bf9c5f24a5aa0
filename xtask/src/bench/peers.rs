//! The Python peers in `bench/`: found, run with the same data and thread count, and their
//! JSON read back. The bench works without them; it then says how to install them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// A peer implementation of the workloads.
pub struct Peer {
    /// Column title.
    pub name: &'static str,
    /// The Python module it needs.
    pub module: &'static str,
    /// Its script under `bench/`.
    pub script: &'static str,
}

/// PyTorch and the book-style NumPy code.
pub const PEERS: [Peer; 2] = [
    Peer {
        name: "pytorch",
        module: "torch",
        script: "torch_bench.py",
    },
    Peer {
        name: "numpy",
        module: "numpy",
        script: "numpy_bench.py",
    },
];

/// What a peer script printed: its name with version, and its rows.
#[derive(serde::Deserialize)]
pub struct PeerRows {
    /// For example `pytorch 2.15.0`.
    pub peer: String,
    /// Row id to value, in the units of `rows::all`.
    pub rows: BTreeMap<String, f64>,
}

/// The Python interpreter: `$NABLA_PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("NABLA_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether `python` can import the peer's module.
pub fn available(peer: &Peer) -> bool {
    Command::new(python())
        .args(["-c", &format!("import {}", peer.module)])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs a peer script with `extra` arguments and reads its JSON line.
pub fn run(
    root: &Path,
    peer: &Peer,
    data: &Path,
    threads: usize,
    extra: &[&str],
) -> Result<PeerRows> {
    let script = root.join("bench").join(peer.script);
    let output = Command::new(python())
        .arg(&script)
        .arg("--data")
        .arg(data)
        .args(["--threads", &threads.to_string()])
        .args(extra)
        .output()
        .with_context(|| format!("cannot start {} {}", python(), script.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed ({}):\n{}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .with_context(|| format!("{} printed no JSON line", script.display()))?;
    serde_json::from_str(line).with_context(|| format!("reading {}'s output", script.display()))
}
