//! IDX round trips for every type code, and hostile input: truncations, bit flips and forged
//! headers must give an error, never a panic or a huge allocation.

use nabla_datasets::idx::{self, IdxArray, IdxData, MAX_DATA_BYTES, decode, encode};
use proptest::prelude::*;

fn samples() -> Vec<IdxArray> {
    vec![
        IdxArray::new(vec![3, 2], IdxData::U8(vec![0, 1, 2, 253, 254, 255])).unwrap(),
        IdxArray::new(vec![4], IdxData::I8(vec![-128, -1, 0, 127])).unwrap(),
        IdxArray::new(vec![2, 1, 2], IdxData::I16(vec![i16::MIN, -1, 1, i16::MAX])).unwrap(),
        IdxArray::new(vec![3], IdxData::I32(vec![i32::MIN, 0, i32::MAX])).unwrap(),
        IdxArray::new(
            vec![2, 2],
            IdxData::F32(vec![-1.5, 0.0, f32::MAX, f32::MIN_POSITIVE]),
        )
        .unwrap(),
        IdxArray::new(
            vec![1, 1, 1, 2],
            IdxData::F64(vec![std::f64::consts::PI, -0.0]),
        )
        .unwrap(),
    ]
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn every_type_code_round_trips_raw_and_gzipped_through_files() {
    let dir = std::env::temp_dir().join(format!("nabla-idx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (k, array) in samples().into_iter().enumerate() {
        for gz in [false, true] {
            // The name says nothing about compression: detection is by content.
            let path = dir.join(format!("sample-{k}-{gz}.idx"));
            idx::write(&path, &array, gz).unwrap();
            assert_eq!(
                idx::read(&path).unwrap(),
                array,
                "type {} gzip {gz}",
                array.data().type_name()
            );
        }
    }
    assert!(std::fs::read_dir(&dir).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".partial")
    }));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn header_layout_is_big_endian() {
    let bytes = encode(&IdxArray::new(vec![2, 258], IdxData::I16(vec![1; 516])).unwrap());
    assert_eq!(&bytes[..12], &[0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 1, 2]);
    assert_eq!(&bytes[12..14], &[0, 1]);
}

#[test]
fn each_defect_is_named() {
    let good = encode(&samples()[0]);
    let msg = |bytes: &[u8]| decode(bytes, "f.idx").unwrap_err().to_string();
    assert_eq!(
        msg(&[1, 0, 8, 1, 0, 0, 0, 1, 5]),
        "f.idx: wrong magic 01 00 08 01: not an IDX file"
    );
    assert_eq!(
        msg(&[0, 0, 0x0A, 1, 0, 0, 0, 1, 5]),
        "f.idx: unknown IDX type code 0x0a"
    );
    assert_eq!(msg(&[0, 0, 8, 0]), "f.idx: zero dimensions");
    assert_eq!(
        msg(&[0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 1]),
        "f.idx: dimensions [0, 1] include a zero"
    );
    assert_eq!(msg(&good[..6]), "f.idx: truncated header");
    assert_eq!(
        msg(&good[..good.len() - 2]),
        "f.idx: truncated data: expected 6 bytes after the header, found 4"
    );
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(
        msg(&trailing),
        "f.idx: trailing bytes after the 6 bytes of data"
    );
    assert!(msg(&[]).contains("truncated header"));
}

#[test]
fn forged_header_claiming_billions_fails_before_allocating() {
    // 4 dims of 65535 f64: 1.4e20 bytes, beyond u64 products and any limit.
    let mut forged = vec![0, 0, 0x0E, 4];
    for _ in 0..4 {
        forged.extend_from_slice(&65535u32.to_be_bytes());
    }
    let err = decode(&forged[..], "forged").unwrap_err().to_string();
    assert!(err.contains("declare more than"), "{err}");
    // Just under the limit but with no data behind it: truncated, found 0 bytes.
    let count = (MAX_DATA_BYTES / 8) as u32;
    let mut forged = vec![0, 0, 0x0E, 1];
    forged.extend_from_slice(&count.to_be_bytes());
    let err = decode(&gzip(&forged)[..], "forged.gz")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("expected 1073741824 bytes after the header, found 0"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_truncation_is_an_error(k in 0usize..6, cut in any::<prop::sample::Index>(), gz in any::<bool>()) {
        let full = encode(&samples()[k]);
        let bytes = if gz { gzip(&full) } else { full };
        let cut = cut.index(bytes.len());
        prop_assert!(decode(&bytes[..cut], "t").is_err());
    }

    #[test]
    fn bit_flips_never_panic(k in 0usize..6, flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..4), gz in any::<bool>()) {
        let full = encode(&samples()[k]);
        let mut bytes = if gz { gzip(&full) } else { full.clone() };
        for (at, bit) in &flips {
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        // A flip in the data section may give another valid array; a flip in the header or the
        // gzip stream must be caught. Either way: no panic, and a success has consistent sizes.
        if let Ok(array) = decode(&bytes[..], "flipped") {
            prop_assert_eq!(array.dims().iter().product::<usize>(), array.data().len());
        }
    }

    #[test]
    fn forged_headers_fail_fast(code in prop::sample::select(vec![0x08u8, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]), dims in proptest::collection::vec(1u32..u32::MAX, 1..5), tail in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut bytes = vec![0, 0, code, dims.len() as u8];
        dims.iter().for_each(|d| bytes.extend_from_slice(&d.to_be_bytes()));
        bytes.extend_from_slice(&tail);
        let declared: u128 = dims.iter().map(|&d| d as u128).product();
        match decode(&bytes[..], "forged") {
            Ok(a) => prop_assert_eq!(a.data().len() as u128, declared),
            Err(e) => prop_assert!(e.to_string().starts_with("forged: ")),
        }
    }
}
