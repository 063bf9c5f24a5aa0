"""Shared by the peer benchmarks: MNIST loading, timing, and the JSON nabla's bench reads.

Every script prints one JSON object on stdout: {"peer": name, "rows": {row id: value}}.
Row ids and units are those of `cargo xtask bench` (see xtask/src/bench/rows.rs).
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time

FILES = {
    "train_x": "train-images-idx3-ubyte.gz",
    "train_y": "train-labels-idx1-ubyte.gz",
    "test_x": "t10k-images-idx3-ubyte.gz",
    "test_y": "t10k-labels-idx1-ubyte.gz",
}


def load_mnist(folder):
    """The four IDX files as uint8 NumPy arrays: images (n, 1, 28, 28), labels (n,)."""
    import numpy as np

    out = {}
    for key, name in FILES.items():
        with gzip.open(os.path.join(folder, name), "rb") as f:
            data = f.read()
        dims = data[3]
        shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
        arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
        out[key] = arr.reshape(shape[0], 1, 28, 28) if key.endswith("_x") else arr
    return out


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data", required=True, help="folder with the four MNIST .gz files")
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--quick", action="store_true", help="fewer repetitions")
    p.add_argument(
        "--memory",
        choices=["simple-conv", "deep-conv"],
        help="only train this model on full MNIST and report the process's peak RSS",
    )
    return p.parse_args()


def best_of(fn, repeats, inner=1):
    """The fastest of `repeats` timings of `inner` calls, in seconds per call."""
    fn()  # warm-up: first-call allocations and lazy initialization
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t) / inner)
    return best


def peak_rss_mb():
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent across
    # exec, so a child started by a large parent would report the parent's peak.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmHWM in /proc/self/status (peak memory is measured on Linux only)")


# The GEMM shapes (m, k, n) of the bench: the first affine layer of the MLP, the first affine
# layer of SimpleConvNet, SimpleConvNet's im2col forward at batch 100, a DeepConvNet-like
# convolution, and a square reference.
GEMM_SHAPES = [(128, 784, 100), (100, 4320, 100), (57600, 25, 30), (1600, 144, 16), (1024, 1024, 1024)]

# Iteration counts: timed after one warm-up iteration, then extrapolated where the row says so.
SIMPLE_ITERS = 50
MLP_ITERS = 500
DEEP_ITERS = 10


ITERS = {"simple-conv": SIMPLE_ITERS, "mlp": MLP_ITERS, "deep-conv": DEEP_ITERS}

# Inference rows: the fastest of this many passes over the test set (one pass of the MLP is
# about 15 ms, at the mercy of a noisy machine).
INFER_PASSES = 3

# The time-to-99% recipe (same as xtask/src/bench/rows.rs and the README's command):
# SimpleConvNet with He initialization, Adam (eps 1e-7) with a cosine decay of the rate to
# zero over the run, shuffled epochs, an evaluation after each epoch on the 10,000 test
# images and 1,000 training images; timed from loading MNIST.
TO99 = {"lr": 0.004, "batch": 50, "epochs": 3}


def model_rows(train, infer, x, y, tx):
    """The training and inference rows of the three models, in the bench's units.

    `train(name, x, y, iters)` returns (seconds per step, trained model); `infer(model, x)`
    returns images per second. The MLP gets the images flattened to 784 values.
    """
    rows = {}
    for name in ("simple-conv", "mlp", "deep-conv"):
        xs, ts = (x.reshape(-1, 784), tx.reshape(-1, 784)) if name == "mlp" else (x, tx)
        per_iter, model = train(name, xs, y, ITERS[name])
        rows[f"train/{name}"] = {
            "simple-conv": per_iter * 600,  # seconds per epoch of 600 batches of 100
            "mlp": 128 / per_iter,  # samples per second, batches of 128
            "deep-conv": per_iter,  # seconds per step
        }[name]
        rows[f"infer/{name}"] = infer(model, ts)
    return rows


def emit(peer, rows):
    json.dump({"peer": peer, "rows": rows}, sys.stdout)
    sys.stdout.write("\n")
