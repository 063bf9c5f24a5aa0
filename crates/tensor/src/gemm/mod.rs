//! nabla's own single-threaded `f32` GEMM: register-tiled FMA kernels for AVX-512 and
//! AVX2, chosen at run time.
//!
//! # The numerics contract
//! Every element of `c = alpha * a · b + beta * c` is computed the same way whatever the
//! kernel, tile or machine: its dot product is one chain of fused multiply-adds in order of
//! `k`, restarted from zero every [`KC`] terms; the first block gives
//! `alpha * acc + beta * c` (or `alpha * acc` when `beta` is zero: `c` is not read, so stale
//! NaNs in an output buffer do not leak) and every later block adds `alpha * acc`. Tiles
//! only decide which elements are computed together. So the AVX-512 and AVX2 paths give the
//! same bits as [`reference()`], the scalar statement of the contract the tests hold them to,
//! and a model trains to the same numbers on either kind of machine.
//!
//! # Layout
//! A tile of `MR` rows of `c` by `NV` vectors of columns keeps its sums in registers; a
//! row's last tile has only the vectors its columns need, its last one masked. `a` is
//! copied into zero-padded strips of `MR` rows (so the kernel reads it sequentially and
//! never needs a row count), or read in place when few tiles use a strip. `b` is read in
//! place when its rows are contiguous (the usual case: im2col windows, activations) and few
//! strips of `a` read it, and copied into strips otherwise. Copies go to buffers each
//! thread keeps, so a product allocates nothing after the first call of its size.

mod kernels;
mod pack;
mod plan;

use pack::pack_strip;
use plan::plan;

use std::cell::RefCell;
use std::sync::OnceLock;

/// Terms of a dot product summed in one register chain before they are added to `c`; part
/// of the numerics contract above, so it is the same for every kernel.
pub const KC: usize = 256;
/// Columns of `c` per outer block: the rows of `b` one block reads stay in L2.
const NC: usize = 1024;

/// The instruction sets the kernels are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// 512-bit vectors, 32 registers, masked loads.
    Avx512,
    /// 256-bit vectors with FMA, 16 registers.
    Avx2,
}

impl Isa {
    /// The best kernel set this CPU runs, or `None` (products then go to `matrixmultiply`).
    /// `NABLA_NO_AVX512` in the environment skips AVX-512, to compare the two on one machine
    /// (the numbers are the same; only the time changes).
    pub fn detect() -> Option<Isa> {
        static FOUND: OnceLock<Option<Isa>> = OnceLock::new();
        *FOUND.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            {
                if std::env::var_os("NABLA_NO_AVX512").is_none()
                    && std::arch::is_x86_feature_detected!("avx512f")
                {
                    return Some(Isa::Avx512);
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    return Some(Isa::Avx2);
                }
            }
            None
        })
    }

    /// Lanes per vector register.
    fn lanes(self) -> usize {
        match self {
            Isa::Avx512 => 16,
            Isa::Avx2 => 8,
        }
    }

    /// The register tiles `(MR, NV)` of this instruction set, all with the same number of
    /// accumulators, the fastest first; [`plan::tile_for`] picks among them for a shape.
    fn tiles(self) -> [(usize, usize); 4] {
        match self {
            Isa::Avx512 => [(8, 3), (12, 2), (24, 1), (4, 6)],
            Isa::Avx2 => [(4, 3), (6, 2), (12, 1), (3, 4)],
        }
    }
}

/// Strips of `a` above which `b` is copied into contiguous strips even when its rows are
/// contiguous: the copy is paid once and read by every strip, and it spares the kernel a
/// stride of one `b` row per term, which at power-of-two widths maps every row to the same
/// L1 set.
const PACK_B_STRIPS: usize = 16;

/// The GEMM path products take on this machine, for benchmark headers.
pub fn gemm_path() -> &'static str {
    match Isa::detect() {
        Some(Isa::Avx512) => "nabla AVX-512 kernels",
        Some(Isa::Avx2) => "nabla AVX2+FMA kernels",
        None => "matrixmultiply",
    }
}

/// A matrix operand: a pointer and element strides (rows, columns).
#[derive(Clone, Copy)]
pub(crate) struct Operand<P> {
    /// The element at row 0, column 0.
    pub ptr: P,
    /// Elements from one row to the next.
    pub rs: isize,
    /// Elements from one column to the next.
    pub cs: isize,
}

thread_local! {
    /// Each thread's copies of `a` strips and `b` strips, kept between calls.
    static PACKS: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// `c = alpha * a · b + beta * c` for `a: m x k`, `b: k x n`, `c: m x n` on one thread.
///
/// # Safety
/// Every operand must address `m x k`, `k x n` and `m x n` valid elements through its
/// strides, `c` must not overlap `a` or `b`, and `c.cs` must be 1. The CPU must support
/// `isa`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn sgemm(
    isa: Isa,
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: Operand<*const f32>,
    b: Operand<*const f32>,
    beta: f32,
    c: Operand<*mut f32>,
) {
    debug_assert_eq!(c.cs, 1);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // An empty sum: c = beta * c (alpha * 0 adds nothing).
        for i in 0..m {
            for j in 0..n {
                // SAFETY: (i, j) is inside c.
                unsafe {
                    let p = c.ptr.offset(i as isize * c.rs + j as isize);
                    *p = if beta == 0.0 { 0.0 } else { beta * *p };
                }
            }
        }
        return;
    }
    let (parts, count) = plan(isa, m, n, a.cs == 1);
    for part in &parts[..count] {
        let cols = part.to - part.from;
        // SAFETY: columns from..to of b and c are inside them (the caller's contract).
        let (b, c) = unsafe {
            (
                Operand {
                    ptr: b.ptr.offset(part.from as isize * b.cs),
                    ..b
                },
                Operand {
                    ptr: c.ptr.add(part.from),
                    ..c
                },
            )
        };
        // SAFETY: the caller's contract, on a range of columns.
        unsafe { sgemm_tiled(isa, part.tile, m, k, cols, alpha, a, b, beta, c) };
    }
}

/// [`sgemm`] with one register tile (a narrower one, same rows, for a row's last columns).
///
/// # Safety
/// As [`sgemm`], with `m, n, k > 0`; `tile` is one of `isa`'s tiles.
#[allow(clippy::too_many_arguments)]
unsafe fn sgemm_tiled(
    isa: Isa,
    (mr, nv): (usize, usize),
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: Operand<*const f32>,
    b: Operand<*const f32>,
    beta: f32,
    c: Operand<*mut f32>,
) {
    let nr = nv * isa.lanes();
    PACKS.with(|packs| {
        let mut packs = packs.borrow_mut();
        let (a_pack, b_pack) = &mut *packs;
        let b_in_place = b.cs == 1 && m.div_ceil(mr) < PACK_B_STRIPS;
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                let first = pc == 0;
                // SAFETY: the block lies inside a and b (caller's contract).
                let b_block = unsafe { b.ptr.offset(pc as isize * b.rs + jc as isize * b.cs) };
                if !b_in_place {
                    let strips = nc.div_ceil(nr);
                    b_pack.resize(strips * kc * nr, 0.0);
                    for s in 0..strips {
                        let cols = nr.min(nc - s * nr);
                        // SAFETY: column jc + s*nr of the block is inside b.
                        let first = unsafe { b_block.offset((s * nr) as isize * b.cs) };
                        let strip = &mut b_pack[s * kc * nr..(s + 1) * kc * nr];
                        // The strip of b^T is a strip of rows, like a's.
                        // SAFETY: from `first`, `cols` columns of `kc` rows are inside b.
                        unsafe { pack_strip(strip, first, b.cs, b.rs, cols, nr, kc) };
                    }
                }
                for ic in (0..m).step_by(mr) {
                    let rows = mr.min(m - ic);
                    // A full strip of a row-major `a` is read in place when few tiles use
                    // it: copying it would cost as much as the products. Packed, it is one
                    // stream instead of MR, which pays off over more tiles.
                    let (a_ptr, a_rs, a_cs) = if a.cs == 1 && rows == mr && nc <= 2 * nr {
                        // SAFETY: (ic, pc) is inside a.
                        let ptr = unsafe { a.ptr.offset(ic as isize * a.rs + pc as isize) };
                        (ptr, a.rs, 1)
                    } else {
                        a_pack.resize(kc * mr, 0.0);
                        // SAFETY: (ic, pc) is inside a.
                        let block =
                            unsafe { a.ptr.offset(ic as isize * a.rs + pc as isize * a.cs) };
                        // SAFETY: from `block`, `rows` rows of `kc` terms are inside a.
                        unsafe { pack_strip(a_pack, block, a.rs, a.cs, rows, mr, kc) };
                        (a_pack.as_ptr(), 1, mr as isize)
                    };
                    for (s, jr) in (0..nc).step_by(nr).enumerate() {
                        let cols = nr.min(nc - jr);
                        let (b_ptr, b_rs) = if b_in_place {
                            // SAFETY: column jc + jr of the block is inside b.
                            (unsafe { b_block.add(jr) }, b.rs)
                        } else {
                            (b_pack[s * kc * nr..].as_ptr(), nr as isize)
                        };
                        let tile = kernels::Tile {
                            kc,
                            a: a_ptr,
                            a_rs,
                            a_cs,
                            b: b_ptr,
                            b_rs,
                            // SAFETY: (ic, jc + jr) is inside c.
                            c: unsafe { c.ptr.offset(ic as isize * c.rs + (jc + jr) as isize) },
                            c_rs: c.rs,
                            rows,
                            cols,
                            alpha,
                            beta: if first { Some(beta) } else { None },
                        };
                        // Only the vectors the columns need: same rows, so the same strip of a.
                        let vectors = cols.div_ceil(isa.lanes());
                        // SAFETY: the tile addresses valid memory (above); isa is supported.
                        unsafe { kernels::run(isa, mr, vectors, &tile) };
                    }
                }
            }
        }
    });
}

/// The numerics contract as plain scalar code: what every kernel must equal bit for bit.
pub fn reference(
    alpha: f32,
    a: &ndarray::ArrayView2<'_, f32>,
    b: &ndarray::ArrayView2<'_, f32>,
    beta: f32,
    c: &mut ndarray::ArrayViewMut2<'_, f32>,
) {
    let k = a.ncols();
    for ((i, j), out) in c.indexed_iter_mut() {
        let mut total = *out;
        for pc in (0..k).step_by(KC) {
            let mut acc = 0.0f32;
            for p in pc..k.min(pc + KC) {
                acc = a[[i, p]].mul_add(b[[p, j]], acc);
            }
            total = match (pc, beta) {
                (0, 0.0) => alpha * acc,
                (0, _) => alpha * acc + beta * total,
                _ => total + alpha * acc,
            };
        }
        *out = if k == 0 {
            if beta == 0.0 { 0.0 } else { beta * total }
        } else {
            total
        };
    }
}

#[cfg(test)]
mod tests;
