//! The real MNIST files from `../shared/datasets/mnist` (relative to the workspace root).
//!
//! Skipped with a message where that folder is absent, except under CI (`CI` set), where a
//! missing folder is a failure.

use std::path::Path;

use nabla_datasets::{DatasetError, Layout, Mnist, Split};

fn counts_histogram_and_pixel_range(dir: &Path) {
    let mnist = Mnist::load(dir).unwrap();
    assert_eq!((mnist.train.len(), mnist.test.len()), (60_000, 10_000));
    assert_eq!(
        mnist.train.histogram(),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    assert_eq!(
        mnist.test.histogram(),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
    assert_eq!(mnist.train.images.iter().min(), Some(&0));
    assert_eq!(mnist.train.images.iter().max(), Some(&255));
    let x = Split::<f32>::mnist(&mnist.test, Layout::Rows).to_array();
    assert_eq!(x.shape(), &[10_000, 784]);
    assert!(x.iter().all(|&v| (0.0..=1.0).contains(&v)));
    // The classic overfitting subset.
    let train = Split::<f32>::mnist(&mnist.train, Layout::Images).first(300);
    assert_eq!(train.shape(), &[300, 1, 28, 28]);
    assert_eq!(train.labels()[0], usize::from(mnist.train.labels[0]));
}

fn missing_directory_says_how_to_fetch() {
    let err = Mnist::load("/nonexistent/mnist").unwrap_err();
    assert!(matches!(err, DatasetError::Missing { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("cargo xtask fetch-mnist") && msg.contains("train-images-idx3-ubyte"),
        "{msg}"
    );
}

fn mismatched_counts_are_rejected(dir: &Path) {
    let tmp = std::env::temp_dir().join(format!("nabla-mnist-mismatch-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for name in nabla_datasets::MNIST_FILES {
        std::fs::copy(
            dir.join(format!("{name}.gz")),
            tmp.join(format!("{name}.gz")),
        )
        .unwrap();
    }
    // Replace the test labels with the training labels: 60,000 labels for 10,000 images.
    std::fs::copy(
        dir.join("train-labels-idx1-ubyte.gz"),
        tmp.join("t10k-labels-idx1-ubyte.gz"),
    )
    .unwrap();
    let msg = Mnist::load(&tmp).unwrap_err().to_string();
    assert!(msg.contains("60000 labels for 10000 images"), "{msg}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

nabla_testdata::main!(
    mnist counts_histogram_and_pixel_range,
    test missing_directory_says_how_to_fetch,
    mnist mismatched_counts_are_rejected,
);
