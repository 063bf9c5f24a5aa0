//! Copying operands into the strips the kernels read: zero-padded, one term's slots
//! contiguous.

/// Copies `len` lines (rows) of a block, `width` slots per term, `kc` terms, into
/// `strip[p * width + i]`, zeros in the slots past `len`. Walks the source along its
/// smaller stride.
///
/// # Safety
/// `block.offset(i * line_stride + p * term_stride)` must be a valid `f32` for every line
/// `i < len` and term `p < kc`; `strip` holds at least `kc * width` values and `len <= width`.
pub(super) unsafe fn pack_strip(
    strip: &mut [f32],
    block: *const f32,
    line_stride: isize,
    term_stride: isize,
    len: usize,
    width: usize,
    kc: usize,
) {
    let strip = &mut strip[..kc * width];
    if len < width {
        strip.fill(0.0);
    }
    let at = |i: usize, p: usize| i as isize * line_stride + p as isize * term_stride;
    if line_stride == 1 {
        // A column-major a (or row-major b^T): every term's slots are one contiguous copy.
        for (p, slots) in strip.chunks_exact_mut(width).enumerate() {
            // SAFETY: lines 0..len of term p are contiguous (line stride 1) and valid.
            let term = unsafe { std::slice::from_raw_parts(block.offset(at(0, p)), len) };
            slots[..len].copy_from_slice(term);
        }
    } else if line_stride.unsigned_abs() <= term_stride.unsigned_abs() {
        for (p, slots) in strip.chunks_exact_mut(width).enumerate() {
            for (i, slot) in slots[..len].iter_mut().enumerate() {
                // SAFETY: line i < len, term p < kc: valid by the contract.
                *slot = unsafe { *block.offset(at(i, p)) };
            }
        }
    } else if term_stride == 1 {
        // SAFETY: the same contract, with contiguous terms.
        unsafe { transpose_lines(strip, block, line_stride, len, width, kc) };
    } else {
        for i in 0..len {
            for p in 0..kc {
                // SAFETY: line i < len, term p < kc: valid by the contract.
                strip[p * width + i] = unsafe { *block.offset(at(i, p)) };
            }
        }
    }
}

/// [`pack_strip`] of lines contiguous along their terms (a row-major `a`): an 8x8 block
/// at a time, eight loads of eight values and eight stores of eight, which the compiler
/// turns into register shuffles; one value at a time at the edges.
///
/// # Safety
/// As [`pack_strip`] with a term stride of 1: `block.offset(i * line_stride + p)` is a
/// valid `f32` for every line `i < len` and term `p < kc`.
unsafe fn transpose_lines(
    strip: &mut [f32],
    block: *const f32,
    line_stride: isize,
    len: usize,
    width: usize,
    kc: usize,
) {
    const B: usize = 8;
    // Only formed for lines i < len (every call below), so inside the block.
    let line = |i: usize| block.wrapping_offset(i as isize * line_stride);
    let full_lines = len / B * B;
    let full_terms = kc / B * B;
    for i0 in (0..full_lines).step_by(B) {
        for p0 in (0..full_terms).step_by(B) {
            let mut tile = [[0.0f32; B]; B];
            for (a, row) in tile.iter_mut().enumerate() {
                // SAFETY: terms p0..p0+8 <= kc of line i0+a < len are valid and contiguous.
                *row = unsafe { line(i0 + a).add(p0).cast::<[f32; B]>().read_unaligned() };
            }
            for b in 0..B {
                let out = &mut strip[(p0 + b) * width + i0..][..B];
                for a in 0..B {
                    out[a] = tile[a][b];
                }
            }
        }
        for p in full_terms..kc {
            for a in 0..B {
                // SAFETY: term p < kc of line i0+a < len.
                strip[p * width + i0 + a] = unsafe { *line(i0 + a).add(p) };
            }
        }
    }
    for i in full_lines..len {
        for p in 0..kc {
            // SAFETY: term p < kc of line i < len.
            strip[p * width + i] = unsafe { *line(i).add(p) };
        }
    }
}
