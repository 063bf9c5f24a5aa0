//! A run's network: the architecture its spec names, with the original code's quirks the
//! spec asks for applied to it, each proven to have changed something.

use nabla_layers::{Sequential, SoftmaxCrossEntropy};
use nabla_nn::{Architecture, Classifier, Network, SequentialClassifier, set_frozen};

use crate::quirks::SigmoidGradOnOutput;
use crate::spec::{ModelSpec, RunSpec};
use crate::{ExperimentError, Result};

/// Builds the network of a run, with weights drawn from `seed`.
pub fn build_model(spec: &RunSpec, seed: u64) -> Result<Box<dyn Classifier<f32>>> {
    let mut model: Box<dyn Classifier<f32>> = match &spec.model {
        ModelSpec::Net(arch) => {
            let mut layers = arch.layers::<f32>(seed)?;
            if spec.batchnorm_after_activation {
                layers = batchnorm_after_activation(layers)?;
            }
            if spec.sigmoid_grad_on_output {
                let mut replaced = 0;
                for (name, layer) in layers.layers_mut() {
                    if name.starts_with("activation") {
                        *layer = Box::new(SigmoidGradOnOutput::new());
                        replaced += 1;
                    }
                }
                // A renamed activation layer would otherwise leave the quirk silently off.
                if replaced == 0 {
                    return Err(ExperimentError::Setup(format!(
                        "{}: no activation layer to give the sigmoid quirk",
                        spec.id
                    )));
                }
            }
            if spec.one_hot_targets {
                Box::new(SequentialClassifier::new(
                    layers,
                    SoftmaxCrossEntropy::new(),
                    arch.classes(),
                ))
            } else {
                Box::new(Network::from_layers(arch, layers))
            }
        }
    };
    if spec.frozen_output {
        let output = match &spec.model {
            ModelSpec::Net(Architecture::Mlp(c)) => format!("affine{}.", c.hidden.len() + 1),
            _ => String::new(),
        };
        if output.is_empty() || set_frozen(model.as_mut(), &output, true) == 0 {
            return Err(ExperimentError::Setup(format!(
                "{}: no output layer to freeze",
                spec.id
            )));
        }
    }
    if spec.frozen_bn_affine && set_frozen(model.as_mut(), "batchnorm", true) == 0 {
        return Err(ExperimentError::Setup(format!(
            "{}: no BatchNorm scale and shift to freeze",
            spec.id
        )));
    }
    Ok(model)
}

/// The same layers with each `batchnormK` moved after its `activationK`.
fn batchnorm_after_activation(layers: Sequential<f32>) -> Result<Sequential<f32>> {
    let mut parts = layers.into_layers();
    let mut moved = 0;
    for k in 1..parts.len() {
        if parts[k - 1].0.starts_with("batchnorm") && parts[k].0.starts_with("activation") {
            parts.swap(k - 1, k);
            moved += 1;
        }
    }
    if moved == 0 {
        return Err(ExperimentError::Setup(
            "BatchNorm after the activation asks for a network with BatchNorm".into(),
        ));
    }
    let mut out = Sequential::new();
    for (name, layer) in parts {
        out.push_boxed(name, layer);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_builds_and_a_quirk_with_nothing_to_change_is_refused() {
        let catalog = crate::catalog::full();
        for spec in &catalog {
            build_model(spec, 0).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
        }
        let of = |id: &str| catalog.iter().find(|s| s.id == id).unwrap().clone();
        // BatchNorm's γ and β frozen in a network without BatchNorm.
        let mut no_bn = of("OPT-A1");
        no_bn.frozen_bn_affine = true;
        let err = build_model(&no_bn, 0).err().unwrap().to_string();
        assert!(err.contains("no BatchNorm"), "{err}");
        // The sigmoid quirk on a network with no activation layer of that name.
        let mut conv = of("REF-2_7");
        conv.sigmoid_grad_on_output = true;
        let err = build_model(&conv, 0).err().unwrap().to_string();
        assert!(err.contains("no activation layer"), "{err}");
    }
}
