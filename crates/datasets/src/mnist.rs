//! MNIST: 60,000 training and 10,000 test images of 28x28 grey pixels, with digit labels.

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2, Array3, Array4, Axis};

use crate::idx::{self, IdxData};
use crate::{DatasetError, Result};

/// The four files, in the order train images, train labels, test images, test labels.
pub const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// A pixel type for the normalized views: `u8 / 255` as `f32` or `f64`.
pub trait Pixel: Copy + Default + 'static {
    /// `v / 255`.
    fn normalized(v: u8) -> Self;
    /// `0` or `1`, for one-hot labels.
    fn indicator(on: bool) -> Self;
}

impl Pixel for f32 {
    fn normalized(v: u8) -> Self {
        v as f32 / 255.0
    }
    fn indicator(on: bool) -> Self {
        if on { 1.0 } else { 0.0 }
    }
}

impl Pixel for f64 {
    fn normalized(v: u8) -> Self {
        // Through f32, as the classic code does (`astype(float32) / 255.0`), so f32 and f64
        // pipelines see the same inputs.
        (v as f32 / 255.0) as f64
    }
    fn indicator(on: bool) -> Self {
        if on { 1.0 } else { 0.0 }
    }
}

/// One split (train or test): images and labels as they are on disk.
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

    /// The first `k` samples (all of them if `k` is larger): the classic overfitting
    /// experiment trains on the first 300.
    pub fn first(&self, k: usize) -> MnistSplit {
        let k = k.min(self.len());
        MnistSplit {
            images: self.images.slice(ndarray::s![..k, .., ..]).to_owned(),
            labels: self.labels.slice(ndarray::s![..k]).to_owned(),
        }
    }

    /// All images as `(n, 784)` rows in `[0, 1]`.
    pub fn images_flat<P: Pixel>(&self) -> Array2<P> {
        let all: Vec<usize> = (0..self.len()).collect();
        self.gather_flat(&all)
    }

    /// All images as `(n, 1, 28, 28)` in `[0, 1]`.
    pub fn images_nchw<P: Pixel>(&self) -> Array4<P> {
        let (n, h, w) = self.images.dim();
        Array4::from_shape_fn((n, 1, h, w), |(i, _, y, x)| {
            P::normalized(self.images[[i, y, x]])
        })
    }

    /// All labels as one-hot `(n, 10)` rows.
    pub fn one_hot<P: Pixel>(&self) -> Array2<P> {
        Array2::from_shape_fn((self.len(), 10), |(i, c)| {
            P::indicator(self.labels[i] as usize == c)
        })
    }

    /// All labels as class indices.
    pub fn label_indices(&self) -> Vec<usize> {
        self.labels.iter().map(|&l| l as usize).collect()
    }

    /// The images at `indices` as `(len, 784)` rows in `[0, 1]`.
    ///
    /// # Panics
    /// If an index is out of range.
    #[track_caller]
    pub fn gather_flat<P: Pixel>(&self, indices: &[usize]) -> Array2<P> {
        let mut out = Array2::default((indices.len(), self.pixels()));
        self.gather_into(indices, out.as_slice_mut().unwrap_or(&mut []));
        out
    }

    /// The images at `indices` as `(len, 1, 28, 28)` in `[0, 1]`.
    ///
    /// # Panics
    /// If an index is out of range.
    #[track_caller]
    pub fn gather_nchw<P: Pixel>(&self, indices: &[usize]) -> Array4<P> {
        let (_, h, w) = self.images.dim();
        let mut out = Array4::default((indices.len(), 1, h, w));
        self.gather_into(indices, out.as_slice_mut().unwrap_or(&mut []));
        out
    }

    /// Writes the normalized images at `indices` into `out` (`indices.len() * 784` values),
    /// so a training loop can reuse one buffer.
    ///
    /// # Panics
    /// If an index is out of range or `out` has the wrong length.
    #[track_caller]
    pub fn gather_into<P: Pixel>(&self, indices: &[usize], out: &mut [P]) {
        let pixels = self.pixels();
        assert_eq!(
            out.len(),
            indices.len() * pixels,
            "gather_into: buffer of {} for {} images",
            out.len(),
            indices.len()
        );
        let Some(all) = self.images.as_slice() else {
            unreachable!("MNIST images are stored in standard layout")
        };
        for (dst, &i) in out.chunks_exact_mut(pixels.max(1)).zip(indices) {
            assert!(
                i < self.len(),
                "index {i} out of range for {} samples",
                self.len()
            );
            for (d, &s) in dst.iter_mut().zip(&all[i * pixels..(i + 1) * pixels]) {
                *d = P::normalized(s);
            }
        }
    }

    /// The labels at `indices` as class indices.
    ///
    /// # Panics
    /// If an index is out of range.
    #[track_caller]
    pub fn labels_at(&self, indices: &[usize]) -> Vec<usize> {
        indices.iter().map(|&i| self.labels[i] as usize).collect()
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
