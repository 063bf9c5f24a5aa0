//! The register tiles: `MR` rows by `NV` vectors of `c`, summed in registers over one block
//! of `k`, then written to `c` as the numerics contract in the parent module says.

use super::Isa;

/// Rows of `b` ahead of the one being multiplied that the kernel asks the cache for: the
/// strip is read once per strip of `a`, from L2, and a stride of one row per term is one
/// the hardware prefetchers follow late.
const PREFETCH_ROWS: isize = 8;

/// One kernel call: a strip of packed `a`, a strip of `b`, the tile of `c` they make.
pub struct Tile {
    /// Terms of the dot products (at most [`super::KC`]).
    pub kc: usize,
    /// Row `i`, term `p` of `a` is at `a + i * a_rs + p * a_cs`: a packed strip has
    /// `a_rs = 1, a_cs = MR` and zeros past `rows`; `a` read in place has `MR` real rows.
    pub a: *const f32,
    /// See [`Tile::a`].
    pub a_rs: isize,
    /// See [`Tile::a`].
    pub a_cs: isize,
    /// Row `p` of the strip starts at `b + p * b_rs`; columns past `cols` are never read.
    pub b: *const f32,
    /// Elements from one row of `b` to the next.
    pub b_rs: isize,
    /// The tile's first element; columns are contiguous.
    pub c: *mut f32,
    /// Elements from one row of `c` to the next.
    pub c_rs: isize,
    /// Rows of `c` to write (at most `MR`).
    pub rows: usize,
    /// Columns of `c` to write (at most `NV` vectors).
    pub cols: usize,
    /// Scale of the product.
    pub alpha: f32,
    /// The first block of `k`: `c = alpha * acc + beta * c`; later blocks: `c += alpha * acc`.
    pub beta: Option<f32>,
}

/// Runs the `(mr, nv)` tile of `isa`.
///
/// # Safety
/// `tile` addresses valid memory as its fields say; the CPU supports `isa`; `mr` is the
/// height of one of `isa`'s tiles and `nv` at most that tile's width.
pub unsafe fn run(isa: Isa, mr: usize, nv: usize, tile: &Tile) {
    let packed = tile.a_rs == 1 && tile.a_cs == mr as isize;
    /// The arms for every tile of a height, at every width up to its own.
    macro_rules! dispatch {
        ($($isa:ident $module:ident $mr:literal: $($nv:literal)+;)+) => {
            match (isa, mr, nv, packed) {
                $($(
                    (Isa::$isa, $mr, $nv, true) => return $module::tile::<$mr, $nv, true>(tile),
                    (Isa::$isa, $mr, $nv, false) => return $module::tile::<$mr, $nv, false>(tile),
                )+)+
                _ => {}
            }
        };
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: forwarded from the caller.
    unsafe {
        dispatch! {
            Avx512 avx512 8: 1 2 3;
            Avx512 avx512 12: 1 2;
            Avx512 avx512 24: 1;
            Avx512 avx512 4: 1 2 3 4 5 6;
            Avx2 avx2 4: 1 2 3;
            Avx2 avx2 6: 1 2;
            Avx2 avx2 12: 1;
            Avx2 avx2 3: 1 2 3 4;
        }
    }
    unreachable!("no {isa:?} tile {mr}x{nv}");
}

/// `x`, through an empty `asm!` block: the optimizer cannot see how it was computed, so it
/// cannot rewrite row addresses built from it into a chain of additions.
#[inline(always)]
fn opaque(mut x: isize) -> isize {
    // SAFETY: an empty instruction string; it reads and writes only the register holding x.
    unsafe { std::arch::asm!("/* {0} */", inout(reg) x, options(pure, nomem, nostack)) };
    x
}

/// One kernel body for both instruction sets: `$vec` registers of `$lanes` floats, a mask
/// type and the intrinsics that differ.
macro_rules! tile_kernel {
    ($feature:literal, $vec:ty, $mask:ty, $lanes:expr,
     zero: $zero:ident, splat: $splat:ident, fma: $fma:ident, mul: $mul:ident, add: $add:ident,
     mask_for: $mask_for:expr, load: $load:expr, load_all: $load_all:expr, store: $store:expr) => {
        /// # Safety
        /// See [`super::run`].
        #[target_feature(enable = $feature)]
        pub unsafe fn tile<const MR: usize, const NV: usize, const PACKED: bool>(t: &Tile) {
            // Packed strides are constants, so row offsets fold into the loads' addresses.
            let (a_rs, a_cs) = if PACKED {
                (1, MR as isize)
            } else {
                (t.a_rs, t.a_cs)
            };
            let mut masks = [$mask_for(0, 0); NV];
            for (v, mask) in masks.iter_mut().enumerate() {
                *mask = $mask_for(t.cols, v * $lanes);
            }
            // Whole tiles load without masks: measured faster on an Intel Xeon (1024³ from
            // 171 to 183 GFLOP/s on one core), probably because a masked load also takes a
            // vector ALU slot on the FMA ports. A branch per term that always goes one way.
            let whole = t.cols == NV * $lanes;
            // Rows read in place are addressed from multiples of the row stride computed
            // here, out of the optimizer's sight: left to it, row i's address became row
            // i-1's plus the stride, a chain of dependent additions in every term (23 in the
            // 24-row tile) that held the tile near one FMA per cycle.
            let strides = [0, 1, 2, 3, 4, 5, 6, 7].map(|j| super::opaque(j * a_rs));
            let mut acc = [[$zero(); NV]; MR];
            let (mut a, mut b) = (t.a, t.b);
            for _ in 0..t.kc {
                let mut bv = [$zero(); NV];
                for v in 0..NV {
                    // A prefetch never faults, so the address may lie past the strip.
                    std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                        b.wrapping_offset(super::PREFETCH_ROWS * t.b_rs)
                            .wrapping_add(v * $lanes)
                            .cast::<i8>(),
                    );
                    // The address of a vector whose lanes are all masked off may lie past
                    // `b`'s allocation: formed with wrapping arithmetic, never dereferenced.
                    let at = b.wrapping_add(v * $lanes);
                    // SAFETY: lanes past `cols` are masked off and not read; the lanes below
                    // `cols` are columns of this strip's row of `b` (all of them when whole).
                    bv[v] = unsafe {
                        if whole {
                            $load_all(at)
                        } else {
                            $load(masks[v], at)
                        }
                    };
                }
                for (i, row) in acc.iter_mut().enumerate() {
                    let at = if PACKED {
                        a.wrapping_offset(i as isize)
                    } else {
                        a.wrapping_offset((i / 8) as isize * 8 * a_rs)
                            .wrapping_offset(strides[i % 8])
                    };
                    // SAFETY: `a` points at this term of the strip (the loop has run fewer
                    // than kc times), which holds MR rows, packed or in place.
                    let ai = $splat(unsafe { *at });
                    for v in 0..NV {
                        row[v] = $fma(ai, bv[v], row[v]);
                    }
                }
                // After the last term these point past the strip, possibly past the end of
                // the matrix read in place: wrapping arithmetic, and never read there.
                a = a.wrapping_offset(a_cs);
                b = b.wrapping_offset(t.b_rs);
            }
            let alpha = $splat(t.alpha);
            for (i, row) in acc.iter().enumerate().take(t.rows) {
                // SAFETY: row i < rows of the tile is inside c.
                let c = unsafe { t.c.offset(i as isize * t.c_rs) };
                for v in 0..NV {
                    if v * $lanes >= t.cols {
                        break;
                    }
                    // SAFETY: v * lanes < cols (checked above), so `p` is a column of this
                    // row of the tile, inside c; lanes past `cols` are masked off.
                    unsafe {
                        let p = c.add(v * $lanes);
                        let product = $mul(alpha, row[v]);
                        let out = match t.beta {
                            Some(beta) if beta == 0.0 => product,
                            Some(beta) => $add(product, $mul($splat(beta), $load(masks[v], p))),
                            None => $add($load(masks[v], p), product),
                        };
                        $store(masks[v], p, out);
                    }
                }
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::Tile;
    use std::arch::x86_64::*;

    /// Lanes `from..from+16` that are below `cols`.
    #[inline(always)]
    fn mask_for(cols: usize, from: usize) -> __mmask16 {
        match cols.saturating_sub(from) {
            0 => 0,
            left if left >= 16 => 0xffff,
            left => (1u16 << left) - 1,
        }
    }

    #[inline(always)]
    unsafe fn load(mask: __mmask16, p: *const f32) -> __m512 {
        // SAFETY: forwarded; masked lanes are not read.
        unsafe { _mm512_maskz_loadu_ps(mask, p) }
    }

    #[inline(always)]
    unsafe fn store(mask: __mmask16, p: *mut f32, v: __m512) {
        // SAFETY: forwarded; masked lanes are not written.
        unsafe { _mm512_mask_storeu_ps(p, mask, v) }
    }

    tile_kernel!("avx512f", __m512, __mmask16, 16,
        zero: _mm512_setzero_ps, splat: _mm512_set1_ps, fma: _mm512_fmadd_ps,
        mul: _mm512_mul_ps, add: _mm512_add_ps,
        mask_for: mask_for, load: load, load_all: _mm512_loadu_ps, store: store);
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::Tile;
    use std::arch::x86_64::*;

    /// Lanes `from..from+8` that are below `cols`, as AVX2's sign-bit masks.
    #[inline(always)]
    fn mask_for(cols: usize, from: usize) -> [i32; 8] {
        let left = cols.saturating_sub(from);
        let mut mask = [0; 8];
        for (lane, m) in mask.iter_mut().enumerate() {
            *m = if lane < left { -1 } else { 0 };
        }
        mask
    }

    #[inline(always)]
    unsafe fn load(mask: [i32; 8], p: *const f32) -> __m256 {
        // SAFETY: forwarded; masked lanes are not read. The mask is 8 i32s.
        unsafe { _mm256_maskload_ps(p, _mm256_loadu_si256(mask.as_ptr().cast())) }
    }

    #[inline(always)]
    unsafe fn store(mask: [i32; 8], p: *mut f32, v: __m256) {
        // SAFETY: forwarded; masked lanes are not written.
        unsafe { _mm256_maskstore_ps(p, _mm256_loadu_si256(mask.as_ptr().cast()), v) }
    }

    tile_kernel!("avx2,fma", __m256, [i32; 8], 8,
        zero: _mm256_setzero_ps, splat: _mm256_set1_ps, fma: _mm256_fmadd_ps,
        mul: _mm256_mul_ps, add: _mm256_add_ps,
        mask_for: mask_for, load: load, load_all: _mm256_loadu_ps, store: store);
}
