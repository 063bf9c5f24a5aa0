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

/// A one-line description of this machine for reports and benchmark headers: CPU model,
/// cores, OS and [`cpu_features`], e.g. `"AMD EPYC 7B13, 2 cores, linux, avx2 fma"`.
///
/// ```
/// assert!(nabla_tensor::machine().contains("cores"));
/// ```
pub fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "{model}, {cores} cores, {}, {}",
        std::env::consts::OS,
        cpu_features()
    )
}
