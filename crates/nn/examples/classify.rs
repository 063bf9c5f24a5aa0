//! Load a checkpoint with nabla-nn and classify an image.
//!
//! Without arguments it trains a small MLP for a few steps on synthetic digits, saves it,
//! loads it back and checks that the loaded network predicts what the saved one did. With a
//! checkpoint (from `nabla train --save F`) it classifies a synthetic "1" with that model.
//!
//! ```text
//! cargo run -p nabla-nn --example classify [CHECKPOINT]
//! ```

use nabla_nn::ndarray::{Array2, ArrayD, IxDyn};
use nabla_nn::{Architecture, MlpConfig, Network, Split, TrainConfig, Trainer, checkpoint};
use nabla_optim::OptimizerConfig;

/// A 28x28 image with a vertical stroke: a crude "1", pixels in [0, 1].
fn one_stroke() -> ArrayD<f32> {
    ArrayD::from_shape_fn(IxDyn(&[1, 1, 28, 28]), |i| {
        if (12..16).contains(&i[3]) && (4..24).contains(&i[2]) {
            1.0
        } else {
            0.0
        }
    })
}

fn classify(net: &mut Network<f32>, image: ArrayD<f32>) -> Result<usize, nabla_nn::NnError> {
    let shape: Vec<usize> = std::iter::once(1)
        .chain(net.architecture().input_shape())
        .collect();
    let x = image.into_shape_with_order(IxDyn(&shape)).map_err(|e| {
        nabla_nn::NnError::Data(format!("the image does not fit the model's input: {e}"))
    })?;
    let logits = net.predict(&x, 1)?;
    Ok(nabla_tensor::argmax_rows(&logits.view())[0])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Some(path) = std::env::args().nth(1) {
        let (mut net, _) = checkpoint::load::<f32>(&path)?;
        println!(
            "{path}: this looks like a {}",
            classify(&mut net, one_stroke())?
        );
        return Ok(());
    }
    // Synthetic digits: class k lights up the k-th band of rows.
    let n = 200;
    let x = Array2::from_shape_fn((n, 784), |(i, p)| f32::from(p / 28 / 3 == i % 10));
    let labels: Vec<usize> = (0..n).map(|i| i % 10).collect();
    let data = Split::new(x.into_dyn(), labels)?;
    let arch = Architecture::Mlp(MlpConfig::new(784, vec![32], 10));
    let net = Network::<f32>::new(&arch, 1)?;
    let config = TrainConfig::iterations(50, 20);
    let mut run = Trainer::new(net, &OptimizerConfig::adam(0.001), config)?;
    run.fit(&data, &data, &mut [])?;
    let mut net = run.into_model();

    let path = std::env::temp_dir().join(format!("nabla-classify-{}.ckpt", std::process::id()));
    checkpoint::save(&path, &net, None)?;
    let (mut loaded, _) = checkpoint::load::<f32>(&path)?;
    std::fs::remove_file(&path)?;

    let image = one_stroke();
    let (before, after) = (
        classify(&mut net, image.clone())?,
        classify(&mut loaded, image)?,
    );
    println!("saved network says {before}, loaded network says {after}");
    if before != after {
        return Err("the loaded network disagrees with the one saved".into());
    }
    Ok(())
}
