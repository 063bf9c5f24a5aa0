//! The IDX file format: a big-endian header and a dense array.
//!
//! Layout: two zero bytes, a type code, the number of dimensions `r`, then `r` big-endian
//! `u32` sizes, then the data in C order, big-endian. Type codes: `0x08` u8, `0x09` i8, `0x0B`
//! i16, `0x0C` i32, `0x0D` f32, `0x0E` f64.
//!
//! ```
//! use nabla_datasets::idx::{IdxArray, IdxData, decode, encode};
//! let array = IdxArray::new(vec![2, 3], IdxData::I16(vec![1, -2, 3, -4, 5, -6]))?;
//! let bytes = encode(&array);
//! assert_eq!(&bytes[..4], &[0, 0, 0x0B, 2]);
//! assert_eq!(decode(&bytes[..], "example")?, array);
//! // A truncated file is an error that names the file and the problem.
//! let err = decode(&bytes[..bytes.len() - 1], "example").unwrap_err();
//! assert_eq!(err.to_string(), "example: truncated data: expected 12 bytes after the header, found 11");
//! # Ok::<(), nabla_datasets::DatasetError>(())
//! ```

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::{DatasetError, Result};

/// The largest data section accepted, 1 GiB: far above any real IDX file, far below what a
/// forged header could ask for.
pub const MAX_DATA_BYTES: u64 = 1 << 30;

/// The elements of an IDX array, by type.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum IdxData {
    U8(Vec<u8>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl IdxData {
    /// The IDX type code.
    pub fn type_code(&self) -> u8 {
        match self {
            IdxData::U8(_) => 0x08,
            IdxData::I8(_) => 0x09,
            IdxData::I16(_) => 0x0B,
            IdxData::I32(_) => 0x0C,
            IdxData::F32(_) => 0x0D,
            IdxData::F64(_) => 0x0E,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            IdxData::U8(v) => v.len(),
            IdxData::I8(v) => v.len(),
            IdxData::I16(v) => v.len(),
            IdxData::I32(v) => v.len(),
            IdxData::F32(v) => v.len(),
            IdxData::F64(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The type's name, such as `"u8"`.
    pub fn type_name(&self) -> &'static str {
        type_name(self.type_code()).unwrap_or("?")
    }
}

fn element_size(code: u8) -> Option<usize> {
    match code {
        0x08 | 0x09 => Some(1),
        0x0B => Some(2),
        0x0C | 0x0D => Some(4),
        0x0E => Some(8),
        _ => None,
    }
}

fn type_name(code: u8) -> Option<&'static str> {
    match code {
        0x08 => Some("u8"),
        0x09 => Some("i8"),
        0x0B => Some("i16"),
        0x0C => Some("i32"),
        0x0D => Some("f32"),
        0x0E => Some("f64"),
        _ => None,
    }
}

/// A dense array read from or written to an IDX file.
#[derive(Debug, Clone, PartialEq)]
pub struct IdxArray {
    dims: Vec<usize>,
    data: IdxData,
}

impl IdxArray {
    /// An array of the given dimensions; checks that they are non-zero, at most 255 of them,
    /// each fits in `u32`, and their product is the number of elements.
    pub fn new(dims: Vec<usize>, data: IdxData) -> Result<Self> {
        let bad = |p: String| Err(DatasetError::format("IDX array", p));
        if dims.is_empty() || dims.len() > 255 {
            return bad(format!("{} dimensions; IDX needs 1 to 255", dims.len()));
        }
        if dims.iter().any(|&d| d == 0 || d > u32::MAX as usize) {
            return bad(format!(
                "dimensions {dims:?} must each be in 1..=4294967295"
            ));
        }
        let count = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        if count != Some(data.len()) {
            return bad(format!(
                "dimensions {dims:?} do not match {} elements",
                data.len()
            ));
        }
        Ok(IdxArray { dims, data })
    }

    /// The dimensions, outermost first.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The elements in C order.
    pub fn data(&self) -> &IdxData {
        &self.data
    }

    /// The elements, consuming the array.
    pub fn into_data(self) -> IdxData {
        self.data
    }
}

/// The IDX bytes (uncompressed) of `array`.
pub fn encode(array: &IdxArray) -> Vec<u8> {
    let mut out = vec![0, 0, array.data.type_code(), array.dims.len() as u8];
    for &d in &array.dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    match &array.data {
        IdxData::U8(v) => out.extend_from_slice(v),
        IdxData::I8(v) => out.extend(v.iter().map(|&x| x as u8)),
        IdxData::I16(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
        IdxData::I32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
        IdxData::F32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
        IdxData::F64(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
    }
    out
}

/// Reads one IDX array from `reader`, raw or gzip'ed (recognized by the gzip magic bytes).
///
/// `name` is used in error messages. The header is validated, and the declared size checked
/// against [`MAX_DATA_BYTES`], before any data is read; the data buffer then grows only as
/// bytes actually arrive, so a forged header cannot make it allocate gigabytes.
pub fn decode(reader: impl Read, name: &str) -> Result<IdxArray> {
    let mut reader = BufReader::new(reader);
    let peek = {
        use std::io::BufRead;
        reader
            .fill_buf()
            .map_err(|e| DatasetError::format(name, format!("cannot read: {e}")))?
            .to_vec()
    };
    if peek.starts_with(&[0x1f, 0x8b]) {
        decode_raw(MultiGzDecoder::new(reader), name)
    } else {
        decode_raw(reader, name)
    }
}

fn read_exact_or(reader: &mut impl Read, buf: &mut [u8], name: &str, what: &str) -> Result<()> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            DatasetError::format(name, format!("truncated {what}"))
        }
        _ => DatasetError::format(name, format!("cannot read {what}: {e}")),
    })
}

fn decode_raw(mut reader: impl Read, name: &str) -> Result<IdxArray> {
    let mut magic = [0u8; 4];
    read_exact_or(&mut reader, &mut magic, name, "header")?;
    if magic[0] != 0 || magic[1] != 0 {
        return Err(DatasetError::format(
            name,
            format!(
                "wrong magic {:02x} {:02x} {:02x} {:02x}: not an IDX file",
                magic[0], magic[1], magic[2], magic[3]
            ),
        ));
    }
    let code = magic[2];
    let size = element_size(code)
        .ok_or_else(|| DatasetError::format(name, format!("unknown IDX type code 0x{code:02x}")))?;
    let rank = magic[3] as usize;
    if rank == 0 {
        return Err(DatasetError::format(name, "zero dimensions"));
    }
    let mut raw_dims = vec![0u8; 4 * rank];
    read_exact_or(&mut reader, &mut raw_dims, name, "header")?;
    let dims: Vec<usize> = raw_dims
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    if dims.contains(&0) {
        return Err(DatasetError::format(
            name,
            format!("dimensions {dims:?} include a zero"),
        ));
    }
    let bytes = dims
        .iter()
        .try_fold(size as u64, |acc, &d| acc.checked_mul(d as u64))
        .filter(|&b| b <= MAX_DATA_BYTES)
        .ok_or_else(|| {
            DatasetError::format(
                name,
                format!(
                    "dimensions {dims:?} of {} declare more than {MAX_DATA_BYTES} bytes",
                    type_name(code).unwrap_or("?")
                ),
            )
        })?;
    // The declared size is trusted only as far as the data bears it out: the first 16 MiB
    // are read into a buffer of at most that, and only once they are all there is the rest
    // of the declared size reserved, in one step. Growing by doubling instead copied MNIST's
    // 47 MB of training images three times and faulted in twice the memory.
    const FIRST: u64 = 1 << 24;
    let mut data = Vec::with_capacity(bytes.min(FIRST) as usize);
    let cannot = |e: std::io::Error| DatasetError::format(name, format!("cannot read data: {e}"));
    (&mut reader)
        .take(bytes.min(FIRST))
        .read_to_end(&mut data)
        .map_err(cannot)?;
    if data.len() as u64 == bytes.min(FIRST) {
        data.reserve_exact((bytes + 1 - data.len() as u64) as usize);
        (&mut reader)
            .take(bytes + 1 - data.len() as u64)
            .read_to_end(&mut data)
            .map_err(cannot)?;
    }
    if (data.len() as u64) < bytes {
        return Err(DatasetError::format(
            name,
            format!(
                "truncated data: expected {bytes} bytes after the header, found {}",
                data.len()
            ),
        ));
    }
    if data.len() as u64 > bytes {
        return Err(DatasetError::format(
            name,
            format!("trailing bytes after the {bytes} bytes of data"),
        ));
    }
    let be = |n: usize| data.chunks_exact(n);
    let values = match code {
        0x08 => IdxData::U8(data),
        0x09 => IdxData::I8(data.iter().map(|&b| b as i8).collect()),
        0x0B => IdxData::I16(be(2).map(|c| i16::from_be_bytes([c[0], c[1]])).collect()),
        0x0C => IdxData::I32(
            be(4)
                .map(|c| i32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        0x0D => IdxData::F32(
            be(4)
                .map(|c| f32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        _ => IdxData::F64(
            be(8)
                .map(|c| f64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
        ),
    };
    IdxArray::new(dims, values).map_err(|e| DatasetError::format(name, e.to_string()))
}

/// Reads an IDX file, raw or gzip'ed.
pub fn read(path: impl AsRef<Path>) -> Result<IdxArray> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode(file, &path.display().to_string())
}

/// Writes an IDX file, gzip'ed if `gzip`. The bytes go to a temporary file beside `path`
/// that is renamed over it only when complete, so a crash never leaves half a file.
pub fn write(path: impl AsRef<Path>, array: &IdxArray, gzip: bool) -> Result<()> {
    let path = path.as_ref();
    let io = |source| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bytes = encode(array);
    let bytes = if gzip {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&bytes).map_err(io)?;
        gz.finish().map_err(io)?
    } else {
        bytes
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = std::path::PathBuf::from(tmp);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}
