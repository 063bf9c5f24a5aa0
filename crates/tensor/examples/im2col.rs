//! im2col on a small image: every 2x2 window becomes one row, so a convolution is one matrix
//! product, and col2im folds the rows back, adding where windows overlap.
//!
//! ```text
//! cargo run -p nabla-tensor --example im2col
//! ```

use nabla_tensor::ndarray::{Array4, s};
use nabla_tensor::{ConvGeometry, col2im, im2col};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let x = Array4::from_shape_fn((1, 1, 3, 3), |(_, _, h, w)| (h * 3 + w) as f64);
    let geometry = ConvGeometry::new((2, 2), 1, 0);
    let col = im2col(&x.view(), &geometry)?;
    let plane = |a: &Array4<f64>| a.slice(s![0, 0, .., ..]).to_owned();
    println!("image 3x3:\n{}\nwindows (one per row):\n{col}", plane(&x));
    // Folding ones back counts how many windows cover each pixel: the centre is in all four.
    let counts = col2im(&col.mapv(|_| 1.0).view(), (1, 1, 3, 3), &geometry)?;
    println!("windows covering each pixel:\n{}", plane(&counts));
    if counts[[0, 0, 1, 1]] != 4.0 || counts[[0, 0, 0, 0]] != 1.0 {
        return Err("col2im should count 4 windows at the centre and 1 at a corner".into());
    }
    Ok(())
}
