//! A labelled split held in memory: the one data type that training, evaluation and
//! prediction read from.

use std::ops::Range;

use ndarray::{ArrayD, Axis, IxDyn};

use crate::mnist::MnistSplit;
use crate::{DatasetError, Pixel, Result};

/// How MNIST images are laid out in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `(N, 784)`: one row of pixels per image, for fully connected networks.
    Rows,
    /// `(N, 1, 28, 28)`: one channel per image, for convolutional networks.
    Images,
}

/// Samples `(N, ...)` and their class labels, converted to `F` one batch at a time.
///
/// A split made from MNIST keeps the pixels as the bytes they are on disk (a quarter of the
/// memory of `f32` values, nothing to convert up front) and converts each batch with
/// [`Pixel::normalized`]; one made from an array keeps the array. Both give the same batches.
///
/// ```
/// use nabla_datasets::Split;
/// use nabla_datasets::ndarray::ArrayD;
/// let split = Split::new(ArrayD::<f32>::zeros(vec![3, 4]), vec![0, 1, 2])?;
/// assert_eq!(split.shape(), &[3, 4]);
/// let (x, labels) = split.gather(&[2, 0]);
/// assert_eq!((x.shape(), labels.as_slice()), (&[2, 4][..], &[2, 0][..]));
/// assert!(Split::new(ArrayD::<f32>::zeros(vec![3, 4]), vec![0]).is_err());
/// # Ok::<(), nabla_datasets::DatasetError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Split<F> {
    samples: Samples<F>,
    /// `(N, ...)`.
    shape: Vec<usize>,
    labels: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Samples<F> {
    /// Values in standard layout.
    Values(ArrayD<F>),
    /// Pixels, converted by [`Pixel::normalized`] when a batch is drawn.
    Bytes(Vec<u8>),
}

impl<F: Pixel> Split<F> {
    /// A split of the samples `x` (`(N, ...)`, at least two dimensions) with one label each.
    pub fn new(x: ArrayD<F>, labels: Vec<usize>) -> Result<Self> {
        if x.ndim() < 2 || x.len_of(Axis(0)) != labels.len() {
            return Err(DatasetError::format(
                "split",
                format!(
                    "{} labels for samples of shape {:?}",
                    labels.len(),
                    x.shape()
                ),
            ));
        }
        let x = if x.is_standard_layout() {
            x
        } else {
            x.as_standard_layout().into_owned()
        };
        Ok(Split {
            shape: x.shape().to_vec(),
            samples: Samples::Values(x),
            labels,
        })
    }

    /// An MNIST split in `layout`, its pixels kept as bytes.
    pub fn mnist(split: &MnistSplit, layout: Layout) -> Self {
        let (n, h, w) = split.images.dim();
        let shape = match layout {
            Layout::Rows => vec![n, h * w],
            Layout::Images => vec![n, 1, h, w],
        };
        let bytes = split
            .images
            .as_slice()
            .map_or_else(|| split.images.iter().copied().collect(), <[u8]>::to_vec);
        Split {
            samples: Samples::Bytes(bytes),
            shape,
            labels: split.labels.iter().map(|&l| usize::from(l)).collect(),
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

    /// The shape of all samples, `(N, ...)`.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The shape of one sample.
    pub fn sample_shape(&self) -> &[usize] {
        &self.shape[1..]
    }

    /// All labels, as class indices.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// All samples as one array (a copy; [`Split::range`] and [`Split::gather`] convert
    /// only what a batch needs).
    pub fn to_array(&self) -> ArrayD<F> {
        self.range(0..self.len())
    }

    /// The first `k` samples (all of them if `k` is larger): the classic overfitting
    /// experiment trains on the first 300.
    pub fn first(&self, k: usize) -> Self {
        let k = k.min(self.len());
        let samples = match &self.samples {
            Samples::Values(x) => Samples::Values(x.slice_axis(Axis(0), (..k).into()).to_owned()),
            Samples::Bytes(bytes) => Samples::Bytes(bytes[..k * self.per_sample()].to_vec()),
        };
        let mut shape = self.shape.clone();
        shape[0] = k;
        Split {
            samples,
            shape,
            labels: self.labels[..k].to_vec(),
        }
    }

    /// The first `at` samples and the rest, as two splits: a validation split held out from
    /// the end of a training split, say.
    ///
    /// ```
    /// use nabla_datasets::Split;
    /// use nabla_datasets::ndarray::ArrayD;
    /// let split = Split::new(ArrayD::<f32>::zeros(vec![5, 2]), vec![0, 1, 2, 3, 4])?;
    /// let (train, held_out) = split.split_at(3);
    /// assert_eq!((train.labels(), held_out.labels()), (&[0, 1, 2][..], &[3, 4][..]));
    /// # Ok::<(), nabla_datasets::DatasetError>(())
    /// ```
    pub fn split_at(&self, at: usize) -> (Self, Self) {
        let at = at.min(self.len());
        let per = self.per_sample();
        let rest = match &self.samples {
            Samples::Values(x) => Samples::Values(x.slice_axis(Axis(0), (at..).into()).to_owned()),
            Samples::Bytes(bytes) => Samples::Bytes(bytes[at * per..].to_vec()),
        };
        let mut shape = self.shape.clone();
        shape[0] = self.len() - at;
        let rest = Split {
            samples: rest,
            shape,
            labels: self.labels[at..].to_vec(),
        };
        (self.first(at), rest)
    }

    /// The samples in `range` as one batch.
    ///
    /// # Panics
    /// If the range goes past the end.
    #[track_caller]
    pub fn range(&self, range: Range<usize>) -> ArrayD<F> {
        let per = self.per_sample();
        let mut data = Vec::with_capacity(range.len() * per);
        self.append(range.start * per..range.end * per, &mut data);
        self.batch(range.len(), data)
    }

    /// [`Split::range`] into `spare` when it holds as many values (reshaped to the batch's
    /// shape), else into a new array: an evaluation loop then converts every batch into
    /// the same buffer.
    pub fn range_into(&self, range: Range<usize>, spare: Option<ArrayD<F>>) -> ArrayD<F> {
        let per = self.per_sample();
        let mut shape = [0usize; 8];
        let rank = self.shape.len();
        if rank > shape.len() {
            return self.range(range);
        }
        shape[..rank].copy_from_slice(&self.shape);
        shape[0] = range.len();
        let reshaped = spare
            .filter(|x| x.is_standard_layout() && x.len() == range.len() * per)
            .and_then(|x| x.into_shape_with_order(&shape[..rank]).ok());
        match reshaped {
            Some(mut x) => {
                let Some(out) = x.as_slice_mut() else {
                    unreachable!("standard layout")
                };
                self.write(range.start * per..range.end * per, out);
                x
            }
            None => self.range(range),
        }
    }

    /// The samples at `indices` as one batch, with their labels.
    ///
    /// # Panics
    /// If an index is out of range (samplers only draw indices below `len()`).
    #[track_caller]
    pub fn gather(&self, indices: &[usize]) -> (ArrayD<F>, Vec<usize>) {
        let per = self.per_sample();
        let mut data = Vec::with_capacity(indices.len() * per);
        for &i in indices {
            self.append(i * per..(i + 1) * per, &mut data);
        }
        let labels = indices.iter().map(|&i| self.labels[i]).collect();
        (self.batch(indices.len(), data), labels)
    }

    /// [`Split::gather`] into buffers from the last batch: `spare` when it has the batch's
    /// shape (else a new array), `labels` cleared and refilled. The same values as `gather`.
    ///
    /// ```
    /// use nabla_datasets::Split;
    /// use ndarray::array;
    /// let split = Split::new(array![[1.0f32, 2.0], [3.0, 4.0]].into_dyn(), vec![0, 1])?;
    /// let mut labels = Vec::new();
    /// let x = split.gather_into(&[1], None, &mut labels);
    /// let again = split.gather_into(&[0], Some(x), &mut labels);
    /// assert_eq!(again, array![[1.0f32, 2.0]].into_dyn());
    /// assert_eq!(labels, [0]);
    /// # Ok::<(), nabla_datasets::DatasetError>(())
    /// ```
    #[track_caller]
    pub fn gather_into(
        &self,
        indices: &[usize],
        spare: Option<ArrayD<F>>,
        labels: &mut Vec<usize>,
    ) -> ArrayD<F> {
        let per = self.per_sample();
        let fits = |x: &ArrayD<F>| {
            x.is_standard_layout()
                && x.ndim() == self.shape.len()
                && x.shape()[0] == indices.len()
                && x.shape()[1..] == self.shape[1..]
        };
        labels.clear();
        labels.extend(indices.iter().map(|&i| self.labels[i]));
        match spare {
            Some(mut x) if fits(&x) => {
                let Some(out) = x.as_slice_mut() else {
                    unreachable!("standard layout")
                };
                for (&i, out) in indices.iter().zip(out.chunks_exact_mut(per.max(1))) {
                    self.write(i * per..(i + 1) * per, out);
                }
                x
            }
            _ => self.gather(indices).0,
        }
    }

    /// Writes the values at flat positions `span` into `out`, as [`Split::append`] would.
    fn write(&self, span: Range<usize>, out: &mut [F]) {
        match &self.samples {
            Samples::Values(x) => {
                let Some(all) = x.as_slice() else {
                    unreachable!("kept in standard layout")
                };
                out.copy_from_slice(&all[span]);
            }
            Samples::Bytes(bytes) => out
                .iter_mut()
                .zip(&bytes[span])
                .for_each(|(o, &b)| *o = F::normalized(b)),
        }
    }

    fn per_sample(&self) -> usize {
        self.sample_shape().iter().product()
    }

    /// Appends the values at flat positions `span` to `out`: the one place pixels become
    /// numbers.
    fn append(&self, span: Range<usize>, out: &mut Vec<F>) {
        match &self.samples {
            Samples::Values(x) => {
                let Some(all) = x.as_slice() else {
                    unreachable!("kept in standard layout")
                };
                out.extend_from_slice(&all[span]);
            }
            Samples::Bytes(bytes) => out.extend(bytes[span].iter().map(|&b| F::normalized(b))),
        }
    }

    fn batch(&self, n: usize, data: Vec<F>) -> ArrayD<F> {
        let mut shape = self.shape.clone();
        shape[0] = n;
        ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap_or_else(|_| unreachable!("sizes match"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array3};

    fn tiny_mnist() -> MnistSplit {
        let images = Array3::from_shape_fn((5, 2, 3), |(i, y, x)| (i * 50 + y * 3 + x) as u8);
        MnistSplit::new(images, Array1::from(vec![0, 1, 2, 3, 4])).unwrap()
    }

    #[test]
    fn bytes_converted_per_batch_equal_the_converted_array() {
        let mnist = tiny_mnist();
        for layout in [Layout::Rows, Layout::Images] {
            let bytes = Split::<f32>::mnist(&mnist, layout);
            let converted = bytes.to_array();
            assert_eq!(
                converted.shape(),
                match layout {
                    Layout::Rows => &[5, 6][..],
                    Layout::Images => &[5, 1, 2, 3][..],
                }
            );
            for (v, &b) in converted.iter().zip(mnist.images.iter()) {
                assert_eq!(*v, f32::from(b) / 255.0);
            }
            let values = Split::new(converted.clone(), bytes.labels().to_vec()).unwrap();
            assert_eq!(bytes.gather(&[4, 0, 4]), values.gather(&[4, 0, 4]));
            assert_eq!(bytes.range(1..3), values.range(1..3));
            assert_eq!(bytes.first(2).to_array(), values.first(2).to_array());
            assert_eq!(bytes.first(2).labels(), &[0, 1]);
            // f64 sees the f32 quotient widened, as the classic `astype(float32) / 255`.
            let wide = Split::<f64>::mnist(&mnist, layout).to_array();
            assert_eq!(wide, converted.mapv(f64::from));
        }
    }
}
