//! Element-wise loops on the widest vectors the CPU has, chosen at run time.

/// Runs `f` compiled for the widest vector instructions this CPU has (AVX-512, else
/// AVX2+FMA, else the baseline), as far as the compiler inlines it: an element-wise loop in
/// `f` then works on 16 or 8 `f32` lanes instead of the baseline's 4 (SSE2).
///
/// The results do not change: Rust neither fuses a multiply and an add nor reorders
/// floating-point operations unless the code asks for it, so vectorizing a loop only
/// changes how many elements one instruction handles, and division and square root are
/// correctly rounded at any width. The parallel helpers of [`crate::parallel`] run every
/// task through it, so the layers' and optimizers' element-wise passes get it for free.
///
/// ```
/// use nabla_tensor::widest;
/// let x: Vec<f32> = (0..100).map(|i| i as f32).collect();
/// let roots = widest(|| x.iter().map(|v| v.sqrt()).collect::<Vec<f32>>());
/// assert_eq!(roots[49], 7.0);
/// ```
#[inline(always)]
pub fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    match crate::gemm::Isa::detect() {
        // SAFETY: the CPU has the features the callee is compiled for (detected at run time).
        Some(crate::gemm::Isa::Avx512) => return unsafe { on_avx512(f) },
        // SAFETY: as above.
        Some(crate::gemm::Isa::Avx2) => return unsafe { on_avx2(f) },
        None => {}
    }
    f()
}

/// # Safety
/// The CPU supports AVX-512F, VL, DQ and BW.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
unsafe fn on_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// # Safety
/// The CPU supports AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn on_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::widest;

    /// An optimizer-like update (products, sums, a square root, a division, a comparison)
    /// on awkward values: the widest build gives the baseline build's bits.
    #[test]
    fn widest_gives_the_baseline_bits() {
        let mut s = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            f32::from_bits((s >> 32) as u32)
        };
        let values: Vec<[f32; 3]> = (0..4099).map(|_| [next(), next(), next()]).collect();
        let update = |v: &[[f32; 3]]| -> Vec<u32> {
            v.iter()
                .map(|&[p, g, m]| {
                    let m = 0.9 * m + 0.1 * g;
                    let v = 0.999 * m.abs() + 0.001 * g * g;
                    let step = m / (v.sqrt() + 1e-7);
                    let x = if step.abs() < f32::MIN_POSITIVE {
                        0.0
                    } else {
                        p - 0.001 * step
                    };
                    x.to_bits()
                })
                .collect()
        };
        let baseline = update(std::hint::black_box(&values));
        let wide = widest(|| update(std::hint::black_box(&values)));
        assert_eq!(baseline, wide);
    }
}
