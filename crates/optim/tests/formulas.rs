//! Each optimizer's first three steps on a fixed tensor against its formula, computed
//! independently in plain Python (f64). The generating script:
//!
//! ```text
//! import math
//! p0=[1.0,-2.0,3.0]; G=[[0.1,-0.2,0.3],[0.5,0.0,-0.4],[-0.3,0.2,0.1]]
//! def run(upd):
//!     p=list(p0); st={}; out=[]
//!     for t,g in enumerate(G,1):
//!         p=[upd(i,p[i],g[i],t,st) for i in range(3)]; out.append(p)
//!     return out
//! def sgd(i,p,g,t,st): return p-0.1*g
//! def mom(i,p,g,t,st):
//!     v=st.get(i,0.0); v=0.9*v-0.1*g; st[i]=v; return p+v
//! def nes(i,p,g,t,st):
//!     v=st.get(i,0.0); v=0.9*v-0.1*g; st[i]=v; return p+0.81*v-1.9*0.1*g
//! def ada(i,p,g,t,st):
//!     h=st.get(i,0.0)+g*g; st[i]=h; return p-0.1*g/(math.sqrt(h)+1e-7)
//! def rms(i,p,g,t,st):
//!     h=0.99*st.get(i,0.0)+0.01*g*g; st[i]=h; return p-0.1*g/(math.sqrt(h)+1e-7)
//! def adam_c(i,p,g,t,st):
//!     m,v=st.get(i,(0.0,0.0)); m+=0.1*(g-m); v+=0.001*(g*g-v); st[i]=(m,v)
//!     lrt=0.1*math.sqrt(1-0.999**t)/(1-0.9**t); return p-lrt*m/(math.sqrt(v)+1e-7)
//! def adam_t(i,p,g,t,st,eps=1e-8):
//!     m,v=st.get(i,(0.0,0.0)); m=0.9*m+0.1*g; v=0.999*v+0.001*g*g; st[i]=(m,v)
//!     return p-0.1*(m/(1-0.9**t))/(math.sqrt(v/(1-0.999**t))+eps)
//! def adamw(i,p,g,t,st):
//!     p=p*(1-0.1*0.1); return adam_t(i,p,g,t,st)
//! for name,f in [("SGD",sgd),("MOMENTUM",mom),("NESTEROV",nes),("ADAGRAD",ada),("RMSPROP",rms),("ADAM_CLASSIC",adam_c),("ADAM_TEXTBOOK",adam_t),("ADAMW",adamw)]:
//!     print(f"const {name}: [[f64; 3]; 3] = {[[float(repr(x)) for x in r] for r in run(f)]};".replace("]]; ","]];").replace("[[","[\n    [").replace("], [","],\n    [").replace("]];","],\n];"))
//! ```

use nabla_optim::{
    AdaGrad, Adam, AdamForm, AdamW, Momentum, Nesterov, Optimizer, RmsProp, Sgd, step,
};
use nabla_tensor::{Param, ParamKind};
use ndarray::{ArrayD, array};

const SGD: [[f64; 3]; 3] = [
    [0.99, -1.98, 2.97],
    [0.94, -1.98, 3.0100000000000002],
    [0.97, -2.0, 3.0000000000000004],
];
const MOMENTUM: [[f64; 3]; 3] = [
    [0.99, -1.98, 2.97],
    [0.9309999999999999, -1.962, 2.983],
    [0.9078999999999999, -1.9658, 2.9847],
];
const NESTEROV: [[f64; 3]; 3] = [
    [0.9729, -1.9458, 2.9187],
    [0.83011, -1.93122, 3.00523],
    [0.8683989999999999, -1.9722979999999999, 2.987607],
];
const ADAGRAD: [[f64; 3]; 3] = [
    [0.9000000999999, -1.900000049999975, 2.9000000333333222],
    [0.8019420516615735, -1.900000049999975, 2.9800000173333254],
    [0.8526512983738573, -1.9707107031186386, 2.96038840766566],
];
const RMSPROP: [[f64; 3]; 3] = [
    [
        9.999900000723372e-06,
        -1.0000049999749998,
        2.0000033333222222,
    ],
    [-0.9807573795982619, -1.0000049999749998, 2.8014456272454895],
    [-0.47169910534004755, -1.710653583869186, 2.6040383308909982],
];
const ADAM_CLASSIC: [[f64; 3]; 3] = [
    [0.9000031621776633, -1.9000015811138304, 2.9000010540814425],
    [0.8138990699760684, -1.8329968156686578, 2.9193519725871018],
    [0.7889463805889874, -1.8415834910634632, 2.921483141034394],
];
const ADAM_TEXTBOOK: [[f64; 3]; 3] = [
    [0.900000009999999, -1.9000000049999997, 2.900000003333333],
    [0.8138953861807848, -1.8329941843255584, 2.919351043699691],
    [0.7889425640949554, -1.841580955244496, 2.921482225300173],
];
const ADAMW: [[f64; 3]; 3] = [
    [0.890000009999999, -1.8800000049999996, 2.870000003333333],
    [0.7949953860807848, -1.7941941842755584, 2.860651043666357],
    [0.7620926101341475, -1.7848390133517404, 2.8341757148301756],
];

fn three_steps(optimizer: &mut dyn Optimizer<f64>) -> Vec<Vec<f64>> {
    let grads = [[0.1, -0.2, 0.3], [0.5, 0.0, -0.4], [-0.3, 0.2, 0.1]];
    let mut p = Param::new(array![1.0, -2.0, 3.0].into_dyn(), ParamKind::Weight);
    grads
        .iter()
        .map(|g| {
            p.grad = ArrayD::from_shape_vec(vec![3], g.to_vec()).unwrap();
            step(optimizer, |visit| visit("w", &mut p)).unwrap();
            p.value.iter().copied().collect()
        })
        .collect()
}

fn check(name: &str, optimizer: &mut dyn Optimizer<f64>, expected: [[f64; 3]; 3]) {
    for (t, (got, want)) in three_steps(optimizer).iter().zip(expected).enumerate() {
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g - w).abs() <= 1e-14 * (1.0 + w.abs()),
                "{name} step {}: {got:?} vs {want:?}",
                t + 1
            );
        }
    }
}

#[test]
fn sgd() {
    check("Sgd", &mut Sgd::<f64>::new(0.1).unwrap(), SGD);
}

#[test]
fn momentum() {
    check("Momentum", &mut Momentum::new(0.1, 0.9).unwrap(), MOMENTUM);
}

#[test]
fn nesterov() {
    check("Nesterov", &mut Nesterov::new(0.1, 0.9).unwrap(), NESTEROV);
}

#[test]
fn adagrad() {
    check("AdaGrad", &mut AdaGrad::new(0.1).unwrap(), ADAGRAD);
}

#[test]
fn rmsprop() {
    check("RmsProp", &mut RmsProp::new(0.1, 0.99).unwrap(), RMSPROP);
}

#[test]
fn adam_classic() {
    check("Adam", &mut Adam::new(0.1).unwrap(), ADAM_CLASSIC);
}

#[test]
fn adam_textbook() {
    check(
        "Adam",
        &mut Adam::with_options(0.1, 0.9, 0.999, 1e-8, AdamForm::Textbook).unwrap(),
        ADAM_TEXTBOOK,
    );
}

#[test]
fn adamw() {
    check("AdamW", &mut AdamW::new(0.1, 0.1).unwrap(), ADAMW);
}

#[test]
fn hyperparameters_are_validated() {
    let err = Sgd::<f64>::new(-0.1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Sgd: learning rate = -0.1 is invalid: must be finite and >= 0"
    );
    assert!(Sgd::<f64>::new(f64::NAN).is_err());
    assert!(Momentum::<f32>::new(0.1, 1.0).is_err());
    assert!(Nesterov::<f32>::new(0.1, -0.5).is_err());
    assert!(RmsProp::<f32>::new(0.1, 1.0).is_err());
    assert!(AdaGrad::<f32>::with_options(0.1, 0.0, 0.0).is_err());
    assert!(Adam::<f32>::with_options(0.1, 1.0, 0.999, 1e-8, AdamForm::Classic).is_err());
    assert!(Adam::<f32>::with_options(0.1, 0.9, 0.999, -1.0, AdamForm::Classic).is_err());
    assert!(AdamW::<f32>::new(0.1, -1.0).is_err());
    let mut adam = Adam::<f32>::new(0.1).unwrap();
    assert!(adam.set_lr(-1.0).is_err());
    assert_eq!(Optimizer::<f32>::lr(&adam), 0.1);
}

#[test]
fn frozen_parameters_and_buffers_are_skipped() {
    let mut frozen = Param::new(array![1.0f64].into_dyn(), ParamKind::Weight);
    frozen.frozen = true;
    frozen.grad.fill(1.0);
    let mut buffer = Param::new(array![1.0f64].into_dyn(), ParamKind::Buffer);
    buffer.grad.fill(1.0);
    let mut adam = Adam::new(0.1).unwrap();
    step(&mut adam, |visit| {
        visit("frozen", &mut frozen);
        visit("buffer", &mut buffer);
    })
    .unwrap();
    assert_eq!((frozen.value[0], buffer.value[0]), (1.0, 1.0));
    assert!(Optimizer::<f64>::state(&adam).slots.is_empty());
}

#[test]
fn state_round_trips_and_rejects_other_kinds() {
    let mut adam = Adam::<f64>::new(0.1).unwrap();
    three_steps(&mut adam);
    let state = adam.state();
    assert_eq!(state.step, 3);
    let mut resumed = Adam::<f64>::new(0.1).unwrap();
    resumed.load_state(state.clone()).unwrap();
    assert_eq!(resumed.state(), state);
    let err = Momentum::<f64>::new(0.1, 0.9)
        .unwrap()
        .load_state(state)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot load Adam state into a Momentum optimizer"
    );
}

#[test]
fn mismatched_gradient_is_an_error() {
    let mut p = array![1.0f64, 2.0].into_dyn();
    let err = Sgd::<f64>::new(0.1)
        .unwrap()
        .update("fc.weight", &mut p, &array![1.0].into_dyn())
        .unwrap_err();
    assert!(err.to_string().contains("`fc.weight`"), "{err}");
}

/// A gradient that turns zero for good (a dead unit's weight): the state decays
/// geometrically. Unflushed it would stick at f32's smallest subnormal, `2⁻¹⁴⁹` (`0.9 ·
/// 2⁻¹⁴⁹` rounds back to it), and every later step would do arithmetic on subnormals; flushed
/// it reaches exactly zero, and the parameter ends where the unflushed formula leaves it, to
/// the bit: what a subnormal state adds is below the parameter's rounding.
#[test]
fn state_decaying_under_a_zero_gradient_reaches_zero_not_a_subnormal() {
    const STEPS: usize = 120_000;
    let grads = || std::iter::once(0.3f32).chain(std::iter::repeat_n(0.0, STEPS));
    // The formulas without the flush, in f32 as the optimizers compute them.
    let momentum_p = {
        let (mut p, mut v) = (0.5f32, 0.0f32);
        for g in grads() {
            v = 0.9 * v - 0.01 * g;
            p += v;
        }
        assert!(v != 0.0 && !v.is_normal(), "unflushed, v sticks at {v:e}");
        p
    };
    let adam_p = {
        let (mut p, mut m, mut v) = (0.5f32, 0.0f32, 0.0f32);
        for (t, g) in grads().enumerate() {
            let t = (t + 1) as f64;
            let lr_t = (0.01 * (1.0 - 0.999f64.powf(t)).sqrt() / (1.0 - 0.9f64.powf(t))) as f32;
            m += 0.1 * (g - m);
            v += (1.0 - 0.999f64) as f32 * (g * g - v);
            p -= lr_t * m / (v.sqrt() + 1e-7);
        }
        assert!(m != 0.0 && !m.is_normal(), "unflushed, m sticks at {m:e}");
        p
    };
    // Each optimizer, and where the unflushed formula leaves the parameter when known.
    type Case = (&'static str, Box<dyn Optimizer<f32>>, Option<f32>);
    let optimizers: Vec<Case> = vec![
        (
            "Momentum",
            Box::new(Momentum::<f32>::new(0.01, 0.9).unwrap()),
            Some(momentum_p),
        ),
        (
            "Nesterov",
            Box::new(Nesterov::<f32>::new(0.01, 0.9).unwrap()),
            None,
        ),
        (
            "RMSProp",
            Box::new(RmsProp::<f32>::new(0.01, 0.99).unwrap()),
            None,
        ),
        (
            "Adam",
            Box::new(Adam::<f32>::new(0.01).unwrap()),
            Some(adam_p),
        ),
    ];
    for (name, mut optimizer, expected) in optimizers {
        let mut p = Param::new(array![0.5f32].into_dyn(), ParamKind::Weight);
        for g in grads() {
            p.grad = array![g].into_dyn();
            step(optimizer.as_mut(), |visit| visit("w", &mut p)).unwrap();
        }
        for slot in &optimizer.state().slots["w"] {
            assert_eq!(slot[[0]], 0.0, "{name}: {slot:?}");
        }
        assert!(p.value[0].is_normal(), "{name}: {}", p.value[0]);
        if let Some(expected) = expected {
            assert_eq!(p.value[0].to_bits(), expected.to_bits(), "{name}");
        }
    }
}
