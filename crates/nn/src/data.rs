//! A labelled data split held in memory.

use nabla_datasets::{MnistSplit, Pixel};
use nabla_layers::Float;
use ndarray::{ArrayD, Axis, IxDyn};

use crate::{NnError, Result};

/// Samples `(N, ...)` and their class labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Split<F: Float> {
    x: ArrayD<F>,
    labels: Vec<usize>,
}

impl<F: Float> Split<F> {
    /// A split; checks that there is one label per sample.
    pub fn new(x: ArrayD<F>, labels: Vec<usize>) -> Result<Self> {
        if x.ndim() < 2 || x.len_of(Axis(0)) != labels.len() {
            return Err(NnError::Data(format!(
                "{} labels for samples of shape {:?}",
                labels.len(),
                x.shape()
            )));
        }
        let x = if x.is_standard_layout() {
            x
        } else {
            x.as_standard_layout().into_owned()
        };
        Ok(Split { x, labels })
    }

    /// An MNIST split as `(N, 784)` rows (`image: false`) or `(N, 1, 28, 28)` images.
    pub fn from_mnist(split: &MnistSplit, image: bool) -> Self
    where
        F: Pixel,
    {
        let x = if image {
            split.images_nchw::<F>().into_dyn()
        } else {
            split.images_flat::<F>().into_dyn()
        };
        Split {
            x,
            labels: split.label_indices(),
        }
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The shape of one sample.
    pub fn sample_shape(&self) -> &[usize] {
        &self.x.shape()[1..]
    }

    /// All samples.
    pub fn x(&self) -> &ArrayD<F> {
        &self.x
    }

    /// All labels.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The first `k` samples.
    pub fn first(&self, k: usize) -> Self {
        let k = k.min(self.len());
        Split {
            x: self.x.slice_axis(Axis(0), (..k).into()).to_owned(),
            labels: self.labels[..k].to_vec(),
        }
    }

    /// The samples at `indices` as one batch, with their labels.
    ///
    /// # Panics
    /// If an index is out of range (the trainer only draws indices below `len()`).
    #[track_caller]
    pub fn gather(&self, indices: &[usize]) -> (ArrayD<F>, Vec<usize>) {
        let per: usize = self.sample_shape().iter().product();
        let Some(all) = self.x.as_slice() else {
            unreachable!("kept in standard layout")
        };
        let mut data = Vec::with_capacity(indices.len() * per);
        for &i in indices {
            data.extend_from_slice(&all[i * per..(i + 1) * per]);
        }
        let mut shape = self.x.shape().to_vec();
        shape[0] = indices.len();
        let x = ArrayD::from_shape_vec(IxDyn(&shape), data)
            .unwrap_or_else(|_| unreachable!("sizes match"));
        (x, indices.iter().map(|&i| self.labels[i]).collect())
    }
}
