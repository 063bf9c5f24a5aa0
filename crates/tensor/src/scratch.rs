//! Scratch buffers each thread keeps, so that per-image work inside a parallel loop (an
//! image's unfolded windows, its gradient) allocates nothing after the first step.

use std::any::TypeId;
use std::cell::RefCell;

use crate::Float;

thread_local! {
    static F32: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    static F64: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with a buffer of `len` elements that the calling thread keeps for the next
/// call. Its contents are whatever the last user left: `f` must write before it reads. A
/// nested call (from inside `f`) gets a buffer of its own.
///
/// ```
/// let total = nabla_tensor::with_scratch::<f32, _>(4, |buf| {
///     buf.copy_from_slice(&[1.0, 2.0, 3.0, 4.0]);
///     buf.iter().sum::<f32>()
/// });
/// assert_eq!(total, 10.0);
/// ```
pub fn with_scratch<F: Float, R>(len: usize, f: impl FnOnce(&mut [F]) -> R) -> R {
    if TypeId::of::<F>() == TypeId::of::<f32>() {
        F32.with(|cell| lend(cell, len, f))
    } else if TypeId::of::<F>() == TypeId::of::<f64>() {
        F64.with(|cell| lend(cell, len, f))
    } else {
        f(&mut vec![F::zero(); len])
    }
}

/// Lends the thread's buffer of `T`s as `F`s; `F` is `T` (checked by the caller).
fn lend<T: Copy + Default + 'static, F: 'static, R>(
    cell: &RefCell<Vec<T>>,
    len: usize,
    f: impl FnOnce(&mut [F]) -> R,
) -> R {
    assert_eq!(TypeId::of::<T>(), TypeId::of::<F>());
    // Taken out while lent, so a nested call finds an empty one and makes its own.
    let mut buf = cell.take();
    buf.resize(len, T::default());
    // SAFETY: T and F are the same type (asserted above); the slice covers `buf`.
    let out = f(unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<F>(), len) });
    let mut kept = cell.borrow_mut();
    if kept.capacity() < buf.capacity() {
        *kept = buf;
    }
    out
}
