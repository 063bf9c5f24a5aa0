//! Each claim of the notes, decided from the numbers this suite measured.

use serde::Serialize;

use crate::RunResult;
use crate::suite::SuiteResult;

/// What the measurements say of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The numbers agree with the claim.
    Supported,
    /// The numbers contradict it.
    Contradicted,
    /// The runs that decide it did not run (quick mode, `--only`).
    Undecided,
}

/// One claim and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Short id (`relu-fixes-vanishing`).
    pub id: &'static str,
    /// The claim, as the notes make it.
    pub claim: &'static str,
    /// What the measurements say.
    pub outcome: Outcome,
    /// What we expect them to say (the original data contradicts one claim of the notes).
    pub expected: Outcome,
    /// The numbers behind the verdict.
    pub evidence: String,
}

impl Verdict {
    /// Whether a decided verdict differs from the expected one.
    pub fn is_unexpected(&self) -> bool {
        self.outcome != Outcome::Undecided && self.outcome != self.expected
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

struct Ctx<'a>(&'a SuiteResult);

impl Ctx<'_> {
    fn all<const N: usize>(&self, ids: [&str; N]) -> Option<[&RunResult; N]> {
        let mut out = Vec::with_capacity(N);
        for id in ids {
            out.push(self.0.get(id)?);
        }
        out.try_into().ok()
    }
}

fn decide(ok: bool) -> Outcome {
    if ok {
        Outcome::Supported
    } else {
        Outcome::Contradicted
    }
}

/// Every claim, decided where its runs are present. `im2col` is the outcome of the
/// im2col/col2im demonstrations (shape of the matrix, and whether the round trip returned
/// the input), which need no training.
pub fn all(suite: &SuiteResult, im2col: Option<(bool, bool)>) -> Vec<Verdict> {
    let c = Ctx(suite);
    let mut out = Vec::new();
    let mut push = |id, claim, expected, decided: Option<(bool, String)>| {
        let (outcome, evidence) = match decided {
            Some((ok, ev)) => (decide(ok), ev),
            None => (Outcome::Undecided, "not run in this suite".to_string()),
        };
        out.push(Verdict {
            id,
            claim,
            outcome,
            expected,
            evidence,
        });
    };
    use Outcome::{Contradicted, Supported};

    push(
        "relu-fixes-vanishing",
        "Replacing sigmoid with ReLU fixes the vanishing gradient",
        Supported,
        c.all(["VG-1", "VG-2"])
            .map(|[s, r]| {
                (
                    s.final_test() < 0.2 && r.final_test() > 0.85,
                    format!(
                        "N(0, 0.01²) init: sigmoid ends at {} (one class), ReLU at {}",
                        pct(s.final_test()),
                        pct(r.final_test())
                    ),
                )
            })
            .or_else(|| {
                // Quick mode: sigmoid/0.01 against ReLU/He.
                c.all(["VG-1", "VG-4"]).map(|[s, r]| {
                    (
                        s.final_test() < 0.2 && r.final_test() > 0.9,
                        format!(
                            "sigmoid with N(0, 0.01²) ends at {}, ReLU with He at {}",
                            pct(s.final_test()),
                            pct(r.final_test())
                        ),
                    )
                })
            }),
    );
    push(
        "xavier-helps-both",
        "Xavier initialization improves both sigmoid and ReLU networks",
        Supported,
        c.all(["VG-1", "VG-3", "VG-2", "VG-6"])
            .map(|[s01, sx, r01, rx]| {
                let rx90 = rx.first_above(0.9).unwrap_or(u64::MAX);
                let r0190 = r01.first_above(0.9).unwrap_or(u64::MAX);
                (
                    sx.final_test() > s01.final_test() + 0.3
                        && rx.final_test() >= r01.final_test() - 0.005
                        && rx90 < r0190,
                    format!(
                        "sigmoid {} → {}; ReLU {} → {}, above 90% from iteration {} instead of {}",
                        pct(s01.final_test()),
                        pct(sx.final_test()),
                        pct(r01.final_test()),
                        pct(rx.final_test()),
                        rx.first_above(0.9)
                            .map_or("never".into(), |i| i.to_string()),
                        r01.first_above(0.9)
                            .map_or("never".into(), |i| i.to_string()),
                    ),
                )
            }),
    );
    push(
        "he-only-relu",
        "He initialization improves only ReLU networks",
        Contradicted,
        c.all(["VG-1", "VG-3", "VG-5"]).map(|[s01, sx, sh]| {
            (
                sh.final_test() < s01.final_test() + 0.1,
                format!(
                    "sigmoid with He ends at {} against {} with N(0, 0.01²) and {} with Xavier: He helps sigmoid too",
                    pct(sh.final_test()),
                    pct(s01.final_test()),
                    pct(sx.final_test())
                ),
            )
        }),
    );
    push(
        "lr-speed-and-accuracy",
        "The learning rate changes both the speed of learning and the accuracy reached",
        Supported,
        c.all(["OPT-A2", "OPT-C2", "OPT-A3", "OPT-C3", "OPT-A4", "OPT-C4"]).map(
            |[mom01, mom1, ada01, ada1, rms01, rms1]| {
                let settled = |r: &RunResult| r.tail_median(10, |p| p.test);
                (
                    settled(ada1) > settled(ada01) + 0.3 && settled(rms1) < settled(rms01) - 0.3,
                    format!(
                        "from lr 0.01 to 0.1 (median of the last 10 evaluations): AdaGrad {} → {} and Momentum {} → {} start learning, RMSProp {} → {} breaks",
                        pct(settled(ada01)),
                        pct(settled(ada1)),
                        pct(settled(mom01)),
                        pct(settled(mom1)),
                        pct(settled(rms01)),
                        pct(settled(rms1))
                    ),
                )
            },
        ),
    );
    push(
        "adaptive-beats-stalled-sgd",
        "Adaptive optimizers (RMSProp, Adam) learn where SGD stalls",
        Supported,
        c.all(["OPT-A1", "OPT-A4", "OPT-A5"])
            .map(|[sgd, rms, adam]| {
                (
                    sgd.final_test() < 0.2 && rms.final_test() > 0.85 && adam.final_test() > 0.85,
                    format!(
                        "sigmoid, N(0, 0.01²), lr 0.01: SGD {}, RMSProp {}, Adam {}",
                        pct(sgd.final_test()),
                        pct(rms.final_test()),
                        pct(adam.final_test())
                    ),
                )
            })
            .or_else(|| {
                c.all(["OPT-A1", "OPT-A4"]).map(|[sgd, rms]| {
                    (
                        sgd.final_test() < 0.2 && rms.final_test() > 0.85,
                        format!(
                            "sigmoid, N(0, 0.01²), lr 0.01: SGD {}, RMSProp {}",
                            pct(sgd.final_test()),
                            pct(rms.final_test())
                        ),
                    )
                })
            }),
    );
    push(
        "batchnorm-rescues",
        "Batch normalization lets the stalled optimizers learn",
        Supported,
        c.all(["OPT-A1", "OPT-A2", "OPT-A3", "OPT-E1", "OPT-E2", "OPT-E3"])
            .map(|[a1, a2, a3, e1, e2, e3]| {
                (
                    e1.final_test() > a1.final_test() + 0.3
                        && e2.final_test() > a2.final_test() + 0.3
                        && e3.final_test() > a3.final_test() + 0.3,
                    format!(
                        "without → with BatchNorm: SGD {} → {}, Momentum {} → {}, AdaGrad {} → {}",
                        pct(a1.final_test()),
                        pct(e1.final_test()),
                        pct(a2.final_test()),
                        pct(e2.final_test()),
                        pct(a3.final_test()),
                        pct(e3.final_test())
                    ),
                )
            }),
    );
    push(
        "lr-decay",
        "Starting with a large learning rate and decreasing it ends better than keeping it large",
        Supported,
        c.all(["X-LR-CONST", "X-LR-DECAY"]).map(|[constant, decayed]| {
            let tail = |r: &RunResult| {
                let k = r.curve.len().clamp(1, 5);
                r.curve.iter().rev().take(k).map(|p| p.test).sum::<f64>() / k as f64
            };
            let loss = |r: &RunResult| r.curve.last().map_or(f64::NAN, |p| p.loss);
            (
                tail(decayed) > tail(constant) && loss(decayed) < loss(constant),
                format!(
                    "Adam from lr 0.01: test {} on average over the last 5 evaluations with decay, {} without; training loss {:.3} against {:.3}",
                    pct(tail(decayed)),
                    pct(tail(constant)),
                    loss(decayed),
                    loss(constant)
                ),
            )
        }),
    );
    push(
        "regularization-strength",
        "Too strong a penalty stops accuracy rising; too weak a one does not stop overfitting",
        Supported,
        c.all(["OF-0", "OF-T1b", "OF-T2b"]).map(|[base, strong, weak]| {
            // Medians of the last 10 evaluations: lr 0.1 makes single evaluations spike.
            let train = |r: &RunResult| r.tail_median(10, |p| p.train);
            let test = |r: &RunResult| r.tail_median(10, |p| p.test);
            let gap = |r: &RunResult| train(r) - test(r);
            (
                train(strong) < 0.95 && train(weak) > 0.97 && gap(weak) > 0.15,
                format!(
                    "median of the last 10 evaluations: L1 λ 0.01 holds training accuracy at {}; λ 0.001 reaches train {}, test {} (gap {}, baseline gap {})",
                    pct(train(strong)),
                    pct(train(weak)),
                    pct(test(weak)),
                    pct(gap(weak)),
                    pct(gap(base))
                ),
            )
        }),
    );
    push(
        "dropout-suppresses-overfitting",
        "Dropout suppresses overfitting",
        Supported,
        c.all(["OF-0", "OF-D1", "OF-D2", "OF-D3", "OF-D4", "OF-D6"]).map(|[base, d1, d2, d3, d4, d6]| {
            let sgd_train = (d1.final_train() + d2.final_train() + d3.final_train()) / 3.0;
            let gap = |r: &RunResult| r.final_train() - r.final_test();
            let sgd_gap = (gap(d1) + gap(d2) + gap(d3)) / 3.0;
            (
                sgd_train < 0.99 && sgd_gap < gap(base) && d4.final_test() > base.final_test() && d6.final_test() > base.final_test(),
                format!(
                    "SGD: train {} instead of {}, gap {} instead of {}; with Momentum and Adam test reaches {} and {} against {}",
                    pct(sgd_train),
                    pct(base.final_train()),
                    pct(sgd_gap),
                    pct(gap(base)),
                    pct(d4.final_test()),
                    pct(d6.final_test()),
                    pct(base.final_test())
                ),
            )
        }),
    );
    push(
        "im2col-matrix",
        "im2col turns a batch of images into one matrix, a row per output position",
        Supported,
        im2col.map(|(shape_ok, _)| {
            (
                shape_ok,
                "a (2, 1, 4, 4) batch with a 6x4 kernel, stride 2, padding 1 becomes a (4, 24) matrix: N·OH·OW rows, C·KH·KW columns".into(),
            )
        }),
    );
    push(
        "col2im-not-inverse",
        "col2im is not the inverse of im2col",
        Supported,
        im2col.map(|(_, returns_input)| {
            (
                !returns_input,
                "col2im(im2col(x)) returns x multiplied by how many windows cover each pixel (columns [1, 2, 2, 1]); it is the adjoint, which is what backpropagation needs".into(),
            )
        }),
    );
    push(
        "cnn-learns-images",
        "A convolutional network learns images well",
        Supported,
        c.all(["CNN-3"]).map(|[cnn]| {
            let deep = c.0.get("REF-2_8");
            let full = cnn.curve.last().is_some_and(|p| p.iteration >= 1000);
            let bar = if full { 0.94 } else { 0.85 };
            (
                cnn.final_test() > bar && deep.is_none_or(|d| d.final_test() > 0.96),
                format!(
                    "SimpleConvNet: {} test accuracy after {} iterations{}",
                    pct(cnn.final_test()),
                    cnn.curve.last().map_or(0, |p| p.iteration),
                    deep.map_or(String::new(), |d| format!(
                        "; DeepConvNet: {}",
                        pct(d.final_test())
                    ))
                ),
            )
        }),
    );
    out
}
