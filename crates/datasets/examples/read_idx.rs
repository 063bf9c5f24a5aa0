//! Reading IDX files with nabla-datasets alone: write one, read it back, and, when a folder
//! with MNIST is given, load the four files and count the digits.
//!
//! ```text
//! cargo run -p nabla-datasets --example read_idx [MNIST_DIR]
//! ```

use nabla_datasets::Mnist;
use nabla_datasets::idx::{self, IdxArray, IdxData};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("nabla-read-idx-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("tiny-images-idx3-ubyte.gz");
    let pixels: Vec<u8> = (0..2 * 3 * 4).map(|v| v as u8 * 10).collect();
    idx::write(
        &path,
        &IdxArray::new(vec![2, 3, 4], IdxData::U8(pixels.clone()))?,
        true,
    )?;

    let back = idx::read(&path)?;
    println!(
        "{}: {} with dims {:?}",
        path.display(),
        back.data().type_name(),
        back.dims()
    );
    let same = matches!(back.data(), IdxData::U8(p) if *p == pixels);
    std::fs::remove_dir_all(&dir)?;
    if !same {
        return Err("the values read back differ from those written".into());
    }

    // A cut-short file is an error that says what is missing, never a panic.
    let bytes = idx::encode(&back);
    let err = idx::decode(&bytes[..bytes.len() - 3], "cut.idx").unwrap_err();
    println!("truncated copy: {err}");

    if let Some(mnist_dir) = std::env::args().nth(1) {
        let mnist = Mnist::load(&mnist_dir)?;
        println!(
            "MNIST: {} training and {} test images; training digits {:?}",
            mnist.train.len(),
            mnist.test.len(),
            mnist.train.histogram()
        );
    }
    Ok(())
}
