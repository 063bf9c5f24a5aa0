//! What the CPU running this process offers the kernels, detected at run time.

/// The vector extensions detected on this CPU that nabla's kernels (and the GEMM under them)
/// choose between at run time, best first, e.g. `"avx512f avx2 fma"`; `"scalar"` when none.
///
/// ```
/// let features = nabla_tensor::cpu_features();
/// assert!(!features.is_empty());
/// ```
pub fn cpu_features() -> String {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        let found: Vec<&str> = [
            ("avx512f", std::arch::is_x86_feature_detected!("avx512f")),
            ("avx2", std::arch::is_x86_feature_detected!("avx2")),
            ("fma", std::arch::is_x86_feature_detected!("fma")),
        ]
        .into_iter()
        .filter_map(|(name, on)| on.then_some(name))
        .collect();
        if !found.is_empty() {
            return found.join(" ");
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        return "neon".to_string();
    }
    #[allow(unreachable_code)]
    "scalar".to_string()
}
