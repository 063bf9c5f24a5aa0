//! Test support for the nabla workspace, used only as a dev-dependency.
#![deny(unsafe_code)]

use std::path::{Path, PathBuf};

/// The folder of the real MNIST files for a test, looked for where a developer, a user and CI
/// keep them, in this order: `$NABLA_DATA`, `datasets/mnist` in the checkout (where
/// `cargo xtask fetch-mnist` puts them), and `shared/datasets/mnist` beside the checkout.
///
/// `None` where none has the four files: the calling test then returns early, and this says
/// which test skipped and where it looked. Under CI (`CI` set) a miss panics instead, so CI
/// can never skip these tests.
pub fn mnist_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates: Vec<PathBuf> = std::env::var_os("NABLA_DATA")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .chain([
            root.join("datasets/mnist"),
            root.join("../shared/datasets/mnist"),
        ])
        .collect();
    if let Some(dir) = candidates.iter().find(|d| has_mnist(d)) {
        return Some(dir.clone());
    }
    let looked = candidates
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have the real MNIST files; looked in {looked}"
    );
    // The test harness names each test's thread after the test.
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    eprintln!(
        "skipped {test}: no MNIST files in {looked} (run `cargo xtask fetch-mnist` or set NABLA_DATA)"
    );
    None
}

fn has_mnist(dir: &Path) -> bool {
    [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ]
    .iter()
    .all(|name| dir.join(format!("{name}.gz")).is_file() || dir.join(name).is_file())
}
