//! A labelled data split held in memory.

use std::ops::Range;

use nabla_datasets::{MnistSplit, Pixel};
use nabla_layers::Float;
use ndarray::{ArrayD, Axis, IxDyn};

use crate::{NnError, Result};

/// Samples `(N, ...)` and their class labels.
///
/// A split made from MNIST keeps the bytes as they are on disk and converts each batch as
/// it is drawn (a quarter of the memory of holding `f32` values, and nothing to convert up
/// front); one made from an array keeps the array. Both give the same batches.
#[derive(Debug, Clone, PartialEq)]
pub struct Split<F: Float> {
    samples: Samples<F>,
    /// `(N, ...)`.
    shape: Vec<usize>,
    labels: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Samples<F> {
    /// In standard layout.
    Values(ArrayD<F>),
    /// Raw bytes, converted through `table` (the value of each byte) when gathered.
    /// `divide` says that `byte as f32 / 255` gives the table's values: a lookup per value
    /// does not vectorize, the division does.
    Bytes {
        bytes: Vec<u8>,
        table: Box<[F; 256]>,
        divide: bool,
    },
}

impl<F: Float> Split<F> {
    /// A split; checks that there is one label per sample.
    ///
    /// ```
    /// use nabla_nn::Split;
    /// use nabla_nn::ndarray::ArrayD;
    /// let split = Split::new(ArrayD::<f32>::zeros(vec![3, 4]), vec![0, 1, 2])?;
    /// assert_eq!(split.shape(), &[3, 4]);
    /// assert!(Split::new(ArrayD::<f32>::zeros(vec![3, 4]), vec![0]).is_err());
    /// # Ok::<(), nabla_nn::NnError>(())
    /// ```
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
        Ok(Split {
            shape: x.shape().to_vec(),
            samples: Samples::Values(x),
            labels,
        })
    }

    /// An MNIST split as `(N, 784)` rows (`image: false`) or `(N, 1, 28, 28)` images, with
    /// pixels `u8 / 255` (see [`Pixel::normalized`]) converted batch by batch.
    pub fn from_mnist(split: &MnistSplit, image: bool) -> Self
    where
        F: Pixel,
    {
        let (n, h, w) = split.images.dim();
        let shape = if image {
            vec![n, 1, h, w]
        } else {
            vec![n, h * w]
        };
        let bytes = split
            .images
            .as_slice()
            .map_or_else(|| split.images.iter().copied().collect(), <[u8]>::to_vec);
        let table: Box<[F; 256]> = Box::new(std::array::from_fn(|b| F::normalized(b as u8)));
        let divide = (0..=255u8).all(|b| by_division::<F>(b) == table[b as usize]);
        Split {
            samples: Samples::Bytes {
                bytes,
                table,
                divide,
            },
            shape,
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

    /// The shape of all samples, `(N, ...)`.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The shape of one sample.
    pub fn sample_shape(&self) -> &[usize] {
        &self.shape[1..]
    }

    /// All samples as one array (a copy; [`Split::range`] and [`Split::gather`] convert
    /// only what a batch needs).
    pub fn to_array(&self) -> ArrayD<F> {
        self.range(0..self.len())
    }

    /// All labels.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The first `k` samples.
    pub fn first(&self, k: usize) -> Self {
        let k = k.min(self.len());
        let per = self.per_sample();
        let samples = match &self.samples {
            Samples::Values(x) => Samples::Values(x.slice_axis(Axis(0), (..k).into()).to_owned()),
            Samples::Bytes {
                bytes,
                table,
                divide,
            } => Samples::Bytes {
                bytes: bytes[..k * per].to_vec(),
                table: table.clone(),
                divide: *divide,
            },
        };
        let mut shape = self.shape.clone();
        shape[0] = k;
        Split {
            samples,
            shape,
            labels: self.labels[..k].to_vec(),
        }
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

    /// The samples at `indices` as one batch, with their labels.
    ///
    /// # Panics
    /// If an index is out of range (the trainer only draws indices below `len()`).
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

    fn per_sample(&self) -> usize {
        self.sample_shape().iter().product()
    }

    /// Appends the values at flat positions `span` to `out`.
    fn append(&self, span: Range<usize>, out: &mut Vec<F>) {
        match &self.samples {
            Samples::Values(x) => {
                let Some(all) = x.as_slice() else {
                    unreachable!("kept in standard layout")
                };
                out.extend_from_slice(&all[span]);
            }
            Samples::Bytes {
                bytes,
                divide: true,
                ..
            } => out.extend(bytes[span].iter().map(|&b| by_division::<F>(b))),
            Samples::Bytes { bytes, table, .. } => {
                out.extend(bytes[span].iter().map(|&b| table[b as usize]));
            }
        }
    }

    fn batch(&self, n: usize, data: Vec<F>) -> ArrayD<F> {
        let mut shape = self.shape.clone();
        shape[0] = n;
        ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap_or_else(|_| unreachable!("sizes match"))
    }
}

/// `b / 255` computed in f32, as the classic code does, then widened if `F` is wider.
#[inline(always)]
fn by_division<F: Float>(b: u8) -> F {
    F::of(f64::from(f32::from(b) / 255.0))
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
        for image in [false, true] {
            let bytes = Split::<f32>::from_mnist(&mnist, image);
            // f32 and f64 both take the vectorized path (and the values below prove it exact).
            assert!(matches!(bytes.samples, Samples::Bytes { divide: true, .. }));
            let wide = Split::<f64>::from_mnist(&mnist, image);
            assert!(matches!(wide.samples, Samples::Bytes { divide: true, .. }));
            assert_eq!(
                wide.to_array(),
                if image {
                    mnist.images_nchw::<f64>().into_dyn()
                } else {
                    mnist.images_flat::<f64>().into_dyn()
                }
            );
            let converted = if image {
                mnist.images_nchw::<f32>().into_dyn()
            } else {
                mnist.images_flat::<f32>().into_dyn()
            };
            let values = Split::new(converted.clone(), mnist.label_indices()).unwrap();
            assert_eq!(bytes.shape(), converted.shape());
            assert_eq!(bytes.to_array(), converted);
            assert_eq!(bytes.gather(&[4, 0, 4]), values.gather(&[4, 0, 4]));
            assert_eq!(bytes.range(1..3), values.range(1..3));
            assert_eq!(bytes.first(2).to_array(), values.first(2).to_array());
            assert_eq!(bytes.first(2).labels(), &[0, 1]);
        }
    }
}
