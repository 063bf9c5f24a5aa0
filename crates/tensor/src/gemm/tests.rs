use super::plan::Part;
use super::*;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, ShapeBuilder};
use proptest::prelude::*;

/// The instruction sets this CPU can run: every one is held to the contract.
fn isas() -> Vec<Isa> {
    let mut found = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            found.push(Isa::Avx512);
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            found.push(Isa::Avx2);
        }
    }
    found
}

fn run(
    isa: Isa,
    alpha: f32,
    a: &ArrayView2<'_, f32>,
    b: &ArrayView2<'_, f32>,
    beta: f32,
    c: &mut ArrayViewMut2<'_, f32>,
) {
    let ((m, k), n) = (a.dim(), b.ncols());
    let op = |v: &ArrayView2<'_, f32>| Operand {
        ptr: v.as_ptr(),
        rs: v.strides()[0],
        cs: v.strides()[1],
    };
    let c_op = Operand {
        ptr: c.as_mut_ptr(),
        rs: c.strides()[0],
        cs: c.strides()[1],
    };
    // SAFETY: views of the right shapes; the CPU supports isa (from `isas`).
    unsafe { sgemm(isa, m, k, n, alpha, op(a), op(b), beta, c_op) };
}

fn filled(rows: usize, cols: usize, column_major: bool, seed: u64) -> Array2<f32> {
    let mut s = seed;
    let shape = if column_major {
        (rows, cols).f()
    } else {
        (rows, cols).set_f(false)
    };
    Array2::from_shape_simple_fn(shape, move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any shape (edges of every tile, more than one block of k), operand layout, alpha and
    /// beta: every kernel gives the reference's bits.
    #[test]
    fn every_kernel_gives_the_references_bits(
        m in 1usize..70, k in prop::sample::select(vec![1usize, 2, 7, 64, 255, 256, 257, 600]),
        n in 1usize..120, seed in 0u64..1000,
        a_col_major in any::<bool>(), b_col_major in any::<bool>(),
        alpha in prop::sample::select(vec![1.0f32, -0.5, 2.0]),
        beta in prop::sample::select(vec![0.0f32, 1.0, 0.25]),
    ) {
        let a = filled(m, k, a_col_major, seed);
        let b = filled(k, n, b_col_major, seed + 1);
        let c0 = filled(m, n, false, seed + 2);
        let mut expect = c0.clone();
        reference(alpha, &a.view(), &b.view(), beta, &mut expect.view_mut());
        for isa in isas() {
            let mut c = c0.clone();
            run(isa, alpha, &a.view(), &b.view(), beta, &mut c.view_mut());
            prop_assert!(
                c.iter().zip(expect.iter()).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{isa:?} {m}x{k}x{n} differs from the reference"
            );
        }
    }
}

#[test]
fn reference_is_the_product() {
    let a = filled(5, 300, false, 1);
    let b = filled(300, 3, false, 2);
    let mut c = Array2::zeros((5, 3));
    reference(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
    let exact = a.mapv(f64::from).dot(&b.mapv(f64::from));
    for (x, y) in c.iter().zip(exact.iter()) {
        assert!((f64::from(*x) - y).abs() < 1e-4, "{x} vs {y}");
    }
}

#[test]
fn beta_zero_never_reads_c() {
    let a = filled(9, 20, false, 3);
    let b = filled(20, 33, false, 4);
    for isa in isas() {
        let mut c = Array2::from_elem((9, 33), f32::NAN);
        run(isa, 1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
        assert!(c.iter().all(|x| x.is_finite()), "{isa:?} let a NaN through");
    }
}

#[test]
fn writes_only_inside_c() {
    // c is a window of a larger matrix: the elements around it must stay untouched.
    let a = filled(13, 40, false, 5);
    let b = filled(40, 37, false, 6);
    for isa in isas() {
        let mut big = Array2::from_elem((15, 50), 7.0f32);
        let mut window = big.slice_mut(ndarray::s![1..14, 2..39]);
        run(isa, 1.0, &a.view(), &b.view(), 0.0, &mut window);
        let mut expect = Array2::zeros((13, 37));
        reference(1.0, &a.view(), &b.view(), 0.0, &mut expect.view_mut());
        assert_eq!(big.slice(ndarray::s![1..14, 2..39]), expect);
        big.slice_mut(ndarray::s![1..14, 2..39]).fill(7.0);
        assert!(big.iter().all(|&x| x == 7.0), "{isa:?} wrote outside c");
    }
}

#[test]
fn plans_follow_the_tiles_speed_on_the_models_shapes() {
    let one = |n, tile| {
        (
            [Part {
                from: 0,
                to: n,
                tile,
            }; 2],
            1,
        )
    };
    // DeepConvNet's 16 filters: 8-row tiles, not 12 (which would compute 24 rows).
    assert_eq!(plan(Isa::Avx512, 16, 784, true), one(784, (8, 3)));
    // The MLP's 100 units, 64 rows: 96 columns with the fast tile, 4 with the tall one.
    let (parts, count) = plan(Isa::Avx512, 64, 100, true);
    assert_eq!(
        (count, parts[0].tile, parts[0].to, parts[1].tile),
        (2, (8, 3), 96, (24, 1))
    );
    // ... but a copied a would be copied twice: one pass, with an 8x16 last tile.
    assert_eq!(plan(Isa::Avx512, 128, 100, false), one(100, (8, 3)));
    // One column left, or few rows: narrow last tiles in the one pass.
    assert_eq!(plan(Isa::Avx512, 64, 49, true).1, 1);
    assert_eq!(plan(Isa::Avx512, 32, 196, true), one(196, (8, 3)));
    // 64 columns: 12x32 tiles fit exactly.
    assert_eq!(plan(Isa::Avx512, 576, 64, true), one(64, (12, 2)));
    // A 16-wide output: one vector wide, 24 rows.
    assert_eq!(plan(Isa::Avx512, 1600, 16, true), one(16, (24, 1)));
    assert_eq!(plan(Isa::Avx2, 1600, 16, true), one(16, (6, 2)));
    // Every plan covers the columns once, in order.
    for isa in isas() {
        for (m, n) in [
            (1, 1),
            (7, 47),
            (100, 100),
            (30, 576),
            (64, 49),
            (1000, 10),
            (200, 50),
        ] {
            for contiguous in [true, false] {
                let (parts, count) = plan(isa, m, n, contiguous);
                let parts = &parts[..count];
                assert_eq!(
                    (parts[0].from, parts[count - 1].to),
                    (0, n),
                    "{isa:?} {m}x{n}"
                );
                assert!(
                    parts
                        .windows(2)
                        .all(|w| w[0].to == w[1].from && w[0].from < w[0].to)
                );
            }
        }
    }
}

/// Enough rows that `b` is copied into strips even when its rows are contiguous, on both
/// sides of the threshold.
#[test]
fn tall_products_give_the_references_bits() {
    for (m, k, n) in [
        (8 * PACK_B_STRIPS - 1, 300, 100),
        (24 * PACK_B_STRIPS + 5, 40, 16),
        (8 * PACK_B_STRIPS + 3, 257, 64),
        (400, 30, 53),
    ] {
        let a = filled(m, k, false, m as u64);
        let b = filled(k, n, false, k as u64);
        let mut expect = filled(m, n, false, 9);
        let c0 = expect.clone();
        reference(0.5, &a.view(), &b.view(), 1.0, &mut expect.view_mut());
        for isa in isas() {
            let mut c = c0.clone();
            run(isa, 0.5, &a.view(), &b.view(), 1.0, &mut c.view_mut());
            assert!(c == expect, "{isa:?} {m}x{k}x{n}");
        }
    }
}
