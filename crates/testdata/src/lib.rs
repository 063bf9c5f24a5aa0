//! Test support for the nabla workspace, used only as a dev-dependency.

use std::path::PathBuf;

/// The real MNIST files in `shared/datasets/mnist` beside the checkout (`manifest_dir` is
/// the calling crate's `CARGO_MANIFEST_DIR`, `depth` how many folders below the checkout's
/// parent it is). `None`, with a message, where they are absent; under CI (`CI` set) a
/// missing folder panics, so CI can never skip these tests.
pub fn shared_mnist(manifest_dir: &str, depth: usize) -> Option<PathBuf> {
    let mut dir = PathBuf::from(manifest_dir);
    for _ in 0..depth {
        dir.push("..");
    }
    let dir = dir.join("shared/datasets/mnist");
    if dir.join("train-images-idx3-ubyte.gz").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have the real MNIST files at {}",
        dir.display()
    );
    eprintln!("skipped: no MNIST files at {}", dir.display());
    None
}
