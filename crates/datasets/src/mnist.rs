//! MNIST: 60,000 training and 10,000 test images of 28x28 grey pixels, with digit labels.

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array3, Axis};

use crate::idx::{self, IdxData};
use crate::{DatasetError, Result};

/// The four files, in the order train images, train labels, test images, test labels.
pub const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// The element type of a batch: `f32` or `f64`, with the one formula that turns a pixel byte
/// into a number.
pub trait Pixel: Copy + Default + Send + Sync + 'static {
    /// `v / 255`, computed in `f32` as the classic code does (`astype(float32) / 255.0`), so
    /// f32 and f64 pipelines see the same inputs.
    fn normalized(v: u8) -> Self;
}

impl Pixel for f32 {
    #[inline(always)]
    fn normalized(v: u8) -> Self {
        f32::from(v) / 255.0
    }
}

impl Pixel for f64 {
    #[inline(always)]
    fn normalized(v: u8) -> Self {
        f64::from(f32::normalized(v))
    }
}

/// One split (train or test): images and labels as they are on disk. Training reads it
/// through [`Split::mnist`](crate::Split::mnist), which converts one batch at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct MnistSplit {
    /// `(n, 28, 28)` pixels, 0 (background) to 255.
    pub images: Array3<u8>,
    /// `(n)` digits 0-9.
    pub labels: Array1<u8>,
}

impl MnistSplit {
    /// A split from images and labels; checks that counts agree and labels are digits.
    pub fn new(images: Array3<u8>, labels: Array1<u8>) -> Result<Self> {
        if images.len_of(Axis(0)) != labels.len() {
            return Err(DatasetError::format(
                "MNIST split",
                format!(
                    "{} images but {} labels",
                    images.len_of(Axis(0)),
                    labels.len()
                ),
            ));
        }
        if let Some((i, &l)) = labels.iter().enumerate().find(|(_, l)| **l > 9) {
            return Err(DatasetError::format(
                "MNIST split",
                format!("label {l} at index {i} is not a digit 0-9"),
            ));
        }
        Ok(MnistSplit { images, labels })
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels per image (784).
    pub fn pixels(&self) -> usize {
        self.images.len_of(Axis(1)) * self.images.len_of(Axis(2))
    }

    /// How many samples of each digit.
    pub fn histogram(&self) -> [usize; 10] {
        let mut counts = [0; 10];
        self.labels.iter().for_each(|&l| counts[l as usize] += 1);
        counts
    }
}

/// The MNIST training and test sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Mnist {
    /// 60,000 training samples.
    pub train: MnistSplit,
    /// 10,000 test samples.
    pub test: MnistSplit,
}

impl Mnist {
    /// Loads the four files from `dir`, each either gzip'ed (`NAME.gz`) or raw (`NAME`).
    ///
    /// Every file is validated (magic, type, rank, sizes, 28x28 images, labels 0-9, matching
    /// counts); a missing file is a [`DatasetError::Missing`] that says how to get it.
    pub fn load(dir: impl AsRef<Path>) -> Result<Mnist> {
        let dir = dir.as_ref();
        let found: Vec<Option<PathBuf>> = MNIST_FILES
            .iter()
            .map(|name| {
                [format!("{name}.gz"), name.to_string()]
                    .into_iter()
                    .map(|n| dir.join(n))
                    .find(|p| p.is_file())
            })
            .collect();
        let missing: Vec<&str> = MNIST_FILES
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(DatasetError::Missing {
                dir: dir.to_path_buf(),
                missing: missing.join(", "),
            });
        }
        let paths: Vec<PathBuf> = found.into_iter().flatten().collect();
        Ok(Mnist {
            train: load_split(&paths[0], &paths[1])?,
            test: load_split(&paths[2], &paths[3])?,
        })
    }
}

/// Where to look for MNIST: `explicit` (a `--data` flag) if given, else `$NABLA_DATA`, else
/// `datasets/mnist` under `project_root`.
pub fn resolve_data_dir(explicit: Option<&Path>, project_root: &Path) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| {
            std::env::var_os("NABLA_DATA")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| project_root.join("datasets").join("mnist"))
}

fn load_split(images_path: &Path, labels_path: &Path) -> Result<MnistSplit> {
    let name = |p: &Path| p.display().to_string();
    let images = idx::read(images_path)?;
    let labels = idx::read(labels_path)?;
    let (idims, ldims) = (images.dims().to_vec(), labels.dims().to_vec());
    let IdxData::U8(pixels) = images.into_data() else {
        return Err(DatasetError::format(
            name(images_path),
            "MNIST images must be u8 (type 0x08)",
        ));
    };
    let IdxData::U8(digits) = labels.into_data() else {
        return Err(DatasetError::format(
            name(labels_path),
            "MNIST labels must be u8 (type 0x08)",
        ));
    };
    if idims.len() != 3 || idims[1] != 28 || idims[2] != 28 {
        return Err(DatasetError::format(
            name(images_path),
            format!("dimensions {idims:?}, expected [n, 28, 28]"),
        ));
    }
    if ldims.len() != 1 {
        return Err(DatasetError::format(
            name(labels_path),
            format!("dimensions {ldims:?}, expected [n]"),
        ));
    }
    if idims[0] != ldims[0] {
        return Err(DatasetError::format(
            name(labels_path),
            format!(
                "{} labels for {} images in {}",
                ldims[0],
                idims[0],
                name(images_path)
            ),
        ));
    }
    if let Some((i, &l)) = digits.iter().enumerate().find(|(_, l)| **l > 9) {
        return Err(DatasetError::format(
            name(labels_path),
            format!("label {l} at index {i} is not a digit 0-9"),
        ));
    }
    let images = Array3::from_shape_vec((idims[0], 28, 28), pixels)
        .map_err(|e| DatasetError::format(name(images_path), e.to_string()))?;
    MnistSplit::new(images, Array1::from(digits))
}
