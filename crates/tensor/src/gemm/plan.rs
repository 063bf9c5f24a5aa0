//! Which register tile computes which columns of an output: the tiles' measured speeds and
//! the choice made from them. It decides the time a product takes, never its bits.

use super::Isa;

impl Isa {
    /// Speed of this instruction set's tile `NV` vectors wide relative to its 3-vector tile,
    /// indexed by `NV`, measured on the models' shapes on a 2-core Intel Xeon (AVX2 with
    /// `NABLA_NO_AVX512`). With AVX-512's 32 registers the tall narrow tiles broadcast a
    /// value of `a` per multiply-add row and the load ports set their pace; with AVX2's 16,
    /// 6x16 beats 4x24 on most shapes.
    fn speed_by_width(self) -> [f64; 7] {
        match self {
            Isa::Avx512 => [0.0, 0.6, 0.85, 1.0, 0.7, 0.7, 0.7],
            Isa::Avx2 => [0.0, 0.92, 1.1, 1.0, 0.65, 0.65, 0.65],
        }
    }
}

/// The speed of a row's narrower last tile, indexed by its vectors, relative to the widest
/// tile (AVX-512 measured; AVX2 assumed the same): as tall as the row's other tiles, so
/// fewer accumulators share each loaded vector than in a tile made that narrow.
const RAGGED_SPEED_BY_WIDTH: [f64; 7] = [0.0, 0.45, 0.8, 1.0, 0.7, 0.7, 0.7];

/// When a remainder of columns after the widest tile's goes to a pass of its own with the
/// tall one-vector tile rather than to narrow last tiles: from this many rows and columns
/// left. Measured on one thread: 64x784x100 at 162 GFLOP/s against 143, but 64x576x49 (one
/// column left) at 113 against 151 and 32x288x196 at 142 against 172.
pub(super) const SPLIT_FROM: (usize, usize) = (64, 4);

/// Columns `from..to` of `c` computed with one register tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Part {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) tile: (usize, usize),
}

/// How an `m x n` output is cut into column ranges, each with its tile. Usually one range
/// and the tile of [`tile_for`]. When that is the widest tile, `a`'s rows are contiguous
/// (so a second pass reads it in place rather than copying it again) and a few columns of
/// one vector are left after the widest tile's, those get a pass of their own with the tall
/// one-vector tile (`n = 100` on AVX-512: 96 columns with the 8x48 tile, 4 with 24x16; see
/// [`SPLIT_FROM`]). Columns are independent, so the plan changes the time, never the bits.
pub(super) fn plan(isa: Isa, m: usize, n: usize, a_rows_contiguous: bool) -> ([Part; 2], usize) {
    let lanes = isa.lanes();
    let tiles = isa.tiles();
    let (main, narrow) = (tiles[0], tiles[2]);
    let full = n / (main.1 * lanes) * (main.1 * lanes);
    let tile = tile_for(isa, m, n);
    let rest = n - full;
    if tile == main
        && a_rows_contiguous
        && full > 0
        && m >= SPLIT_FROM.0
        && (SPLIT_FROM.1..=lanes).contains(&rest)
    {
        let first = Part {
            from: 0,
            to: full,
            tile: main,
        };
        return (
            [
                first,
                Part {
                    from: full,
                    to: n,
                    tile: narrow,
                },
            ],
            2,
        );
    }
    let only = Part {
        from: 0,
        to: n,
        tile,
    };
    ([only, only], 1)
}

/// The register tile for an `m x n` output: the one with the least expected time, counting
/// the rows it pads and the columns it computes. A row's last tile computes only the vectors
/// it needs (`n = 196` on AVX-512: four 8x48 tiles, then an 8x16 one), so a wide tile wastes
/// little on a ragged edge. The tile changes the time, never the bits.
pub(super) fn tile_for(isa: Isa, m: usize, n: usize) -> (usize, usize) {
    let lanes = isa.lanes();
    let cost = |(mr, nv): (usize, usize)| {
        let nr = nv * lanes;
        let (full, ragged) = (n / nr, (n % nr).div_ceil(lanes));
        let last = if ragged == 0 {
            0.0
        } else {
            (ragged * lanes) as f64 / RAGGED_SPEED_BY_WIDTH[ragged]
        };
        let work = (full * nr) as f64 / isa.speed_by_width()[nv] + last;
        m.div_ceil(mr) as f64 * mr as f64 * work
    };
    let tiles = isa.tiles();
    tiles.into_iter().fold(
        tiles[0],
        |best, tile| {
            if cost(tile) < cost(best) { tile } else { best }
        },
    )
}
