//! Finding and loading MNIST for the commands.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use nabla_datasets::{Mnist, resolve_data_dir};

/// Loads MNIST from `--data`, `$NABLA_DATA` or `./datasets/mnist`.
pub fn load_mnist(explicit: Option<&Path>) -> Result<Mnist> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let dir = resolve_data_dir(explicit, &cwd);
    Mnist::load(&dir).with_context(|| format!("cannot load MNIST from {}", dir.display()))
}
