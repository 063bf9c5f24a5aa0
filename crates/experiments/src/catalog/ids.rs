//! The ids of the runs that claims, figures and the report read, as typed constants: a claim
//! names its runs through these, and a test holds every one to the catalog, so a renamed run
//! fails the build's tests instead of leaving a claim silently undecided.

use serde::Serialize;

/// The id of a run of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RunId(&'static str);

impl RunId {
    /// The id as the catalog spells it.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Run `VG-1`.
pub const VG_1: RunId = RunId("VG-1");
/// Run `VG-2`.
pub const VG_2: RunId = RunId("VG-2");
/// Run `VG-3`.
pub const VG_3: RunId = RunId("VG-3");
/// Run `VG-4`.
pub const VG_4: RunId = RunId("VG-4");
/// Run `VG-5`.
pub const VG_5: RunId = RunId("VG-5");
/// Run `VG-6`.
pub const VG_6: RunId = RunId("VG-6");
/// Run `VG-7`.
pub const VG_7: RunId = RunId("VG-7");
/// Run `VG-1c`.
pub const VG_1C: RunId = RunId("VG-1c");
/// Run `VG-3c`.
pub const VG_3C: RunId = RunId("VG-3c");
/// Run `VG-5c`.
pub const VG_5C: RunId = RunId("VG-5c");
/// Run `VG-SAME`.
pub const VG_SAME: RunId = RunId("VG-SAME");
/// Run `VG-1-BN`.
pub const VG_1_BN: RunId = RunId("VG-1-BN");
/// Run `VG-4-BN`.
pub const VG_4_BN: RunId = RunId("VG-4-BN");
/// Run `VG-1-BNA`.
pub const VG_1_BNA: RunId = RunId("VG-1-BNA");
/// Run `VG-4-BNA`.
pub const VG_4_BNA: RunId = RunId("VG-4-BNA");
/// Run `OPT-A1`.
pub const OPT_A1: RunId = RunId("OPT-A1");
/// Run `OPT-A2`.
pub const OPT_A2: RunId = RunId("OPT-A2");
/// Run `OPT-A3`.
pub const OPT_A3: RunId = RunId("OPT-A3");
/// Run `OPT-A4`.
pub const OPT_A4: RunId = RunId("OPT-A4");
/// Run `OPT-A5`.
pub const OPT_A5: RunId = RunId("OPT-A5");
/// Run `OPT-C2`.
pub const OPT_C2: RunId = RunId("OPT-C2");
/// Run `OPT-C3`.
pub const OPT_C3: RunId = RunId("OPT-C3");
/// Run `OPT-C4`.
pub const OPT_C4: RunId = RunId("OPT-C4");
/// Run `OPT-E1`.
pub const OPT_E1: RunId = RunId("OPT-E1");
/// Run `OPT-E2`.
pub const OPT_E2: RunId = RunId("OPT-E2");
/// Run `OPT-E3`.
pub const OPT_E3: RunId = RunId("OPT-E3");
/// Run `OF-0`.
pub const OF_0: RunId = RunId("OF-0");
/// Run `OF-L2`.
pub const OF_L2: RunId = RunId("OF-L2");
/// Run `OF-L2c`.
pub const OF_L2C: RunId = RunId("OF-L2c");
/// Run `OF-T1b`.
pub const OF_T1B: RunId = RunId("OF-T1b");
/// Run `OF-T2b`.
pub const OF_T2B: RunId = RunId("OF-T2b");
/// Run `OF-D1`.
pub const OF_D1: RunId = RunId("OF-D1");
/// Run `OF-D2`.
pub const OF_D2: RunId = RunId("OF-D2");
/// Run `OF-D3`.
pub const OF_D3: RunId = RunId("OF-D3");
/// Run `OF-D4`.
pub const OF_D4: RunId = RunId("OF-D4");
/// Run `OF-D5`.
pub const OF_D5: RunId = RunId("OF-D5");
/// Run `OF-D6`.
pub const OF_D6: RunId = RunId("OF-D6");
/// Run `OF-D1c`.
pub const OF_D1C: RunId = RunId("OF-D1c");
/// Run `OF-L2-0.01`.
pub const OF_L2_0_01: RunId = RunId("OF-L2-0.01");
/// Run `OF-L2-0.1`.
pub const OF_L2_0_1: RunId = RunId("OF-L2-0.1");
/// Run `OF-L2-1`.
pub const OF_L2_1: RunId = RunId("OF-L2-1");
/// Run `OF-L2-10`.
pub const OF_L2_10: RunId = RunId("OF-L2-10");
/// Run `OF-L1-0.001`.
pub const OF_L1_0_001: RunId = RunId("OF-L1-0.001");
/// Run `OF-L1-0.003`.
pub const OF_L1_0_003: RunId = RunId("OF-L1-0.003");
/// Run `OF-L1-0.01`.
pub const OF_L1_0_01: RunId = RunId("OF-L1-0.01");
/// Run `CNN-3`.
pub const CNN_3: RunId = RunId("CNN-3");
/// Run `REF-2_8`.
pub const REF_2_8: RunId = RunId("REF-2_8");
/// Run `CNN-PERM`.
pub const CNN_PERM: RunId = RunId("CNN-PERM");
/// Run `CNN-PAD`.
pub const CNN_PAD: RunId = RunId("CNN-PAD");
/// Run `CNN-MLP`.
pub const CNN_MLP: RunId = RunId("CNN-MLP");
/// Run `CNN-MLP-PERM`.
pub const CNN_MLP_PERM: RunId = RunId("CNN-MLP-PERM");
/// Run `X-BN-SGD`.
pub const X_BN_SGD: RunId = RunId("X-BN-SGD");
/// Run `X-NOBN-SGD`.
pub const X_NOBN_SGD: RunId = RunId("X-NOBN-SGD");
/// Run `X-LR-CONST`.
pub const X_LR_CONST: RunId = RunId("X-LR-CONST");
/// Run `X-LR-DECAY`.
pub const X_LR_DECAY: RunId = RunId("X-LR-DECAY");
/// Run `X-POOL-MAX`.
pub const X_POOL_MAX: RunId = RunId("X-POOL-MAX");
/// Run `X-POOL-AVG`.
pub const X_POOL_AVG: RunId = RunId("X-POOL-AVG");
/// Run `X-DROP-CLASSIC`.
pub const X_DROP_CLASSIC: RunId = RunId("X-DROP-CLASSIC");
/// Run `X-DROP-INVERTED`.
pub const X_DROP_INVERTED: RunId = RunId("X-DROP-INVERTED");

/// The learning-rate sweep: one row per optimizer of
/// [`SWEEP_OPTIMIZERS`](super::notes::SWEEP_OPTIMIZERS), one column per rate of
/// [`SWEEP_RATES`](super::notes::SWEEP_RATES).
pub const SWEEP: [[RunId; 9]; 5] = [
    [
        RunId("OPT-LR-SGD-0"),
        RunId("OPT-LR-SGD-1"),
        RunId("OPT-LR-SGD-2"),
        RunId("OPT-LR-SGD-3"),
        RunId("OPT-LR-SGD-4"),
        RunId("OPT-LR-SGD-5"),
        RunId("OPT-LR-SGD-6"),
        RunId("OPT-LR-SGD-7"),
        RunId("OPT-LR-SGD-8"),
    ],
    [
        RunId("OPT-LR-Momentum-0"),
        RunId("OPT-LR-Momentum-1"),
        RunId("OPT-LR-Momentum-2"),
        RunId("OPT-LR-Momentum-3"),
        RunId("OPT-LR-Momentum-4"),
        RunId("OPT-LR-Momentum-5"),
        RunId("OPT-LR-Momentum-6"),
        RunId("OPT-LR-Momentum-7"),
        RunId("OPT-LR-Momentum-8"),
    ],
    [
        RunId("OPT-LR-AdaGrad-0"),
        RunId("OPT-LR-AdaGrad-1"),
        RunId("OPT-LR-AdaGrad-2"),
        RunId("OPT-LR-AdaGrad-3"),
        RunId("OPT-LR-AdaGrad-4"),
        RunId("OPT-LR-AdaGrad-5"),
        RunId("OPT-LR-AdaGrad-6"),
        RunId("OPT-LR-AdaGrad-7"),
        RunId("OPT-LR-AdaGrad-8"),
    ],
    [
        RunId("OPT-LR-RMSProp-0"),
        RunId("OPT-LR-RMSProp-1"),
        RunId("OPT-LR-RMSProp-2"),
        RunId("OPT-LR-RMSProp-3"),
        RunId("OPT-LR-RMSProp-4"),
        RunId("OPT-LR-RMSProp-5"),
        RunId("OPT-LR-RMSProp-6"),
        RunId("OPT-LR-RMSProp-7"),
        RunId("OPT-LR-RMSProp-8"),
    ],
    [
        RunId("OPT-LR-Adam-0"),
        RunId("OPT-LR-Adam-1"),
        RunId("OPT-LR-Adam-2"),
        RunId("OPT-LR-Adam-3"),
        RunId("OPT-LR-Adam-4"),
        RunId("OPT-LR-Adam-5"),
        RunId("OPT-LR-Adam-6"),
        RunId("OPT-LR-Adam-7"),
        RunId("OPT-LR-Adam-8"),
    ],
];

/// Every constant above, for the test that holds them to the catalog.
pub const NAMED: &[RunId] = &[
    VG_1,
    VG_2,
    VG_3,
    VG_4,
    VG_5,
    VG_6,
    VG_7,
    VG_1C,
    VG_3C,
    VG_5C,
    VG_SAME,
    VG_1_BN,
    VG_4_BN,
    VG_1_BNA,
    VG_4_BNA,
    OPT_A1,
    OPT_A2,
    OPT_A3,
    OPT_A4,
    OPT_A5,
    OPT_C2,
    OPT_C3,
    OPT_C4,
    OPT_E1,
    OPT_E2,
    OPT_E3,
    OF_0,
    OF_L2,
    OF_L2C,
    OF_T1B,
    OF_T2B,
    OF_D1,
    OF_D2,
    OF_D3,
    OF_D4,
    OF_D5,
    OF_D6,
    OF_D1C,
    OF_L2_0_01,
    OF_L2_0_1,
    OF_L2_1,
    OF_L2_10,
    OF_L1_0_001,
    OF_L1_0_003,
    OF_L1_0_01,
    CNN_3,
    REF_2_8,
    CNN_PERM,
    CNN_PAD,
    CNN_MLP,
    CNN_MLP_PERM,
    X_BN_SGD,
    X_NOBN_SGD,
    X_LR_CONST,
    X_LR_DECAY,
    X_POOL_MAX,
    X_POOL_AVG,
    X_DROP_CLASSIC,
    X_DROP_INVERTED,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_run_is_in_the_full_catalog() {
        let catalog = super::super::full();
        let known = |id: RunId| catalog.iter().any(|s| s.id == id.as_str());
        for id in NAMED.iter().chain(SWEEP.iter().flatten()) {
            assert!(known(*id), "{id} is not a run of the catalog");
        }
    }

    #[test]
    fn the_sweep_follows_the_notes_module_order() {
        use super::super::notes::{SWEEP_OPTIMIZERS, SWEEP_RATES, sweep_id};
        for (o, row) in SWEEP_OPTIMIZERS.iter().zip(SWEEP) {
            for (k, id) in row.iter().enumerate().take(SWEEP_RATES.len()) {
                assert_eq!(id.as_str(), sweep_id(o, k));
            }
        }
    }
}
