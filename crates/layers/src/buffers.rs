//! The arrays a layer keeps between steps, so that a warm training step allocates nothing.
//!
//! Two ideas, one type each:
//! - [`Spare`]: storage kept only to be written over. The gradient a layer receives in
//!   backward has the shape of its output, so it becomes the next forward's output; the
//!   input a layer kept becomes the input's gradient; an input an inference pass no longer
//!   needs is handed back to the layer before it (`Layer::release_input`, `Layer::recycle`).
//! - [`Saved`]: values a training forward saves for its backward (an output, a mask), written
//!   into last step's array when the shape is the same. An inference pass marks them stale
//!   rather than dropping them, and backward then refuses to run.

use ndarray::{Array, ArrayD, Dimension};

use crate::Float;

/// An array kept only for its storage: [`Spare::array`] hands it out reshaped when it holds
/// as many values as asked for, else a new one. Its values are whatever it held; the caller
/// overwrites every one.
#[derive(Debug)]
pub(crate) struct Spare<F>(Option<ArrayD<F>>);

impl<F> Default for Spare<F> {
    fn default() -> Self {
        Spare(None)
    }
}

impl<F: Float> Spare<F> {
    /// Keeps `array`, dropping what was kept.
    pub(crate) fn put(&mut self, array: ArrayD<F>) {
        self.0 = Some(array);
    }

    /// The kept array, leaving nothing kept.
    pub(crate) fn take(&mut self) -> Option<ArrayD<F>> {
        self.0.take()
    }

    /// Keeps `spent` when nothing is kept, else gives it back (for [`crate::Layer::recycle`]:
    /// the caller offers it to the next layer).
    pub(crate) fn offer(&mut self, spent: ArrayD<F>) -> Option<ArrayD<F>> {
        match self.0 {
            Some(_) => Some(spent),
            None => {
                self.0 = Some(spent);
                None
            }
        }
    }

    /// A standard-layout array of `shape` to write into, made from the kept one when it fits.
    pub(crate) fn array(&mut self, shape: &[usize]) -> ArrayD<F> {
        reuse(self.0.take(), shape)
    }

    /// [`Spare::array`] of a fixed dimensionality (`Ix2(n, d)`, `Ix4(n, c, h, w)`).
    pub(crate) fn array_of<D: Dimension>(&mut self, shape: D) -> Array<F, D> {
        match self.array(shape.slice()).into_dimensionality::<D>() {
            Ok(a) => a,
            Err(_) => unreachable!("made with the rank of D"),
        }
    }
}

/// `spare` reshaped to `shape` when it is a standard array of as many values, else a new
/// zeroed array: the one place a layer's buffer is made.
pub(crate) fn reuse<F: Float>(spare: Option<ArrayD<F>>, shape: &[usize]) -> ArrayD<F> {
    match spare {
        Some(b) if b.is_standard_layout() && b.len() == shape.iter().product::<usize>() => {
            match b.into_shape_with_order(shape) {
                Ok(b) => b,
                Err(_) => ArrayD::zeros(shape),
            }
        }
        _ => ArrayD::zeros(shape),
    }
}

/// Values a training forward saves for its backward pass; see the module's doc.
#[derive(Debug)]
pub(crate) struct Saved<T> {
    array: Option<ArrayD<T>>,
    current: bool,
}

impl<T> Default for Saved<T> {
    fn default() -> Self {
        Saved {
            array: None,
            current: false,
        }
    }
}

impl<T: Clone> Saved<T> {
    /// Saves `f` of each of `x`'s values (in logical order) for a backward pass.
    pub(crate) fn save<U>(&mut self, x: &ArrayD<U>, f: impl Fn(&U) -> T) {
        match &mut self.array {
            Some(kept) if kept.shape() == x.shape() => {
                ndarray::Zip::from(kept).and(x).for_each(|k, v| *k = f(v));
            }
            _ => self.array = Some(x.map(f)),
        }
        self.current = true;
    }

    /// The array to save into for a forward over `shape`, marked current: last step's
    /// when its shape is the same, else a new one filled with `fill`.
    pub(crate) fn array_mut(&mut self, shape: &[usize], fill: T) -> &mut ArrayD<T> {
        self.current = true;
        if self
            .array
            .as_ref()
            .is_some_and(|kept| kept.shape() != shape)
        {
            self.array = None;
        }
        self.array
            .get_or_insert_with(|| ArrayD::from_elem(shape, fill))
    }

    /// Saves `array` as the values of this forward.
    pub(crate) fn put(&mut self, array: ArrayD<T>) {
        self.array = Some(array);
        self.current = true;
    }

    /// The array last saved, current or stale, for its storage; nothing stays saved.
    pub(crate) fn take(&mut self) -> Option<ArrayD<T>> {
        self.current = false;
        self.array.take()
    }

    /// Marks the saved values stale (an inference pass): nothing to backpropagate.
    pub(crate) fn forget(&mut self) {
        self.current = false;
    }

    /// The values of the last training forward, if the last forward was one.
    pub(crate) fn get(&self) -> Option<&ArrayD<T>> {
        self.array.as_ref().filter(|_| self.current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spare_of_as_many_values_is_reused_in_place() {
        let mut spare = Spare::<f32>::default();
        spare.put(ArrayD::from_elem(vec![2, 6], 7.0));
        let before = spare.0.as_ref().map(|a| a.as_ptr());
        let a = spare.array(&[3, 4]);
        assert_eq!(a.shape(), &[3, 4]);
        assert_eq!(Some(a.as_ptr()), before, "no new allocation");
        assert!(spare.take().is_none());
    }

    #[test]
    fn a_spare_of_another_size_is_replaced_by_zeros() {
        let mut spare = Spare::<f64>::default();
        spare.put(ArrayD::from_elem(vec![5], 1.0));
        assert_eq!(spare.array(&[2, 2]), ArrayD::zeros(vec![2, 2]));
    }

    #[test]
    fn offer_keeps_only_into_an_empty_spare() {
        let mut spare = Spare::<f32>::default();
        assert!(spare.offer(ArrayD::zeros(vec![1])).is_none());
        assert!(spare.offer(ArrayD::zeros(vec![2])).is_some());
        assert_eq!(spare.take().map(|a| a.len()), Some(1));
    }

    #[test]
    fn saved_values_go_stale_after_forget() {
        let mut saved = Saved::<bool>::default();
        assert!(saved.get().is_none());
        saved.save(&ArrayD::from_elem(vec![3], 1.0f32), |&v| v > 0.0);
        assert_eq!(saved.get().map(|a| a.len()), Some(3));
        saved.forget();
        assert!(saved.get().is_none());
        let storage = saved.array_mut(&[3], true).as_ptr();
        assert_eq!(
            saved.get().map(|a| a.as_ptr()),
            Some(storage),
            "reused, current"
        );
        assert_eq!(saved.take().map(|a| a.len()), Some(3));
        assert!(saved.get().is_none());
    }
}
