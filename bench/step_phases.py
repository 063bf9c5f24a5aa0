"""A training step's CPU time by phase, from a `perf` profile with call stacks.

How the README's DeepConvNet profile was made (Linux, `apt-get install linux-perf`):

    RUSTFLAGS="-C force-frame-pointers=yes" cargo build --release -p nabla-cli
    perf record -e cpu-clock -F 2000 -g -o step.data \
        target/release/nabla train --model deep-conv --iters 200 --eval-every 1000
    perf script -F tid,time,ip,sym -i step.data | python3 bench/step_phases.py --steps 200

Each sample is charged to a layer by its call stack. The pool's helper threads do not
carry the layer on their stacks, so their samples are charged to the layer the calling
thread was in at that moment. Within a layer, the leaf function names the kind of work: the
GEMM kernels, packing operands for them, unfolding windows (im2col), folding gradients back
(col2im). Samples from the final evaluation on the test set are left out.
"""

import argparse
import bisect
import collections
import re
import sys

LAYERS = [
    ("conv forward", ["forward_fast", "Conv2d<F> as nabla_layers::Layer<F>>::forward"]),
    ("conv backward", ["backward_fast", "Conv2d<F> as nabla_layers::Layer<F>>::backward"]),
    ("max pooling", ["max_pool2d", "MaxPool2d"]),
    ("ReLU", ["relu::", "Relu"]),
    ("affine", ["linear::", "Linear"]),
    ("dropout", ["dropout", "Dropout"]),
    ("loss", ["softmax", "Softmax"]),
    ("optimizer", ["nabla_optim"]),
    ("batches", ["nabla_datasets", "batches"]),
]
WORK = [
    ("GEMM kernels", ["gemm::kernels"]),
    ("packing", ["pack_strip", "transpose_lines"]),
    ("col2im", ["col2im"]),
    ("im2col", ["im2col"]),
]


def samples(lines):
    """(thread, time, frames leaf first) for each sample of `perf script -F tid,time,ip,sym`."""
    head, frames = None, []
    for line in lines:
        if not line.strip():
            if head:
                yield head[0], head[1], frames
            head, frames = None, []
        elif line[0] in " \t" and head:
            parts = line.split(None, 1)
            frames.append(parts[1].strip() if len(parts) > 1 else "?")
        else:
            m = re.match(r"\s*(\d+)\s+(\d+\.\d+):", line)
            if m:
                head = (int(m.group(1)), float(m.group(2)))
    if head:
        yield head[0], head[1], frames


def layer_of(frames):
    for frame in frames:
        for name, marks in LAYERS:
            if any(mark in frame for mark in marks):
                return name
    return None


def work_of(frames):
    leaf = frames[0] if frames else ""
    # memcpy and memset are charged to their caller.
    if re.search(r"mem(move|cpy|set)", leaf) and len(frames) > 1:
        leaf = frames[1]
    for name, marks in WORK:
        if any(mark in leaf for mark in marks):
            return name
    return "other work"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, required=True, help="training steps profiled")
    parser.add_argument("--hz", type=float, default=2000.0, help="perf's sampling rate (-F)")
    args = parser.parse_args()
    every = list(samples(sys.stdin))
    if not every:
        sys.exit("no samples on stdin: pipe `perf script -F tid,time,ip,sym` into this")
    main_thread = min(tid for tid, _, _ in every)
    training = [(t, f) for tid, t, f in every if any("Trainer" in x or "Fit<" in x for x in f)]
    start = min((t for t, _ in training), default=0.0)
    end = min((t for _, t, f in every if any("inference::" in x for x in f)), default=float("inf"))
    mains = sorted(
        (t, layer_of(f)) for tid, t, f in every if tid == main_thread and start <= t < end
    )
    times = [t for t, _ in mains]
    table = collections.Counter()
    for tid, t, frames in every:
        if not start <= t < end:
            continue
        layer = layer_of(frames)
        if layer is None and tid != main_thread and mains:
            i = bisect.bisect_left(times, t)
            near = min((j for j in (i - 1, i) if 0 <= j < len(times)), key=lambda j: abs(times[j] - t))
            layer = mains[near][1]
        table[(layer or "other", work_of(frames))] += 1
    ms = lambda n: 1000.0 * n / args.hz / args.steps
    total = sum(table.values())
    print(f"CPU ms per step (all threads): {ms(total):.1f}")
    by_layer = collections.Counter()
    for (layer, _), n in table.items():
        by_layer[layer] += n
    for layer, n in by_layer.most_common():
        parts = sorted(((w, c) for (l, w), c in table.items() if l == layer), key=lambda x: -x[1])
        detail = ", ".join(f"{w} {ms(c):.1f}" for w, c in parts if ms(c) >= 0.1)
        print(f"  {layer:14s} {ms(n):5.1f}  ({detail})")


if __name__ == "__main__":
    main()
