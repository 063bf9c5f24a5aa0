"""PyTorch (CPU) side of `cargo xtask bench`: the same workloads, shapes and thread count.

Run by the bench when `python3 -c "import torch"` works; by hand:
    python3 bench/torch_bench.py --data datasets/mnist --threads 2
"""

import time

import common

args = common.parse_args(__doc__)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)


def simple_conv():
    return nn.Sequential(
        nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10),
    )


def mlp():
    layers, width = [nn.Flatten()], 784
    for _ in range(4):
        layers += [nn.Linear(width, 100), nn.ReLU()]
        width = 100
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def deep_conv():
    layers, c = [], 1
    for i, (filters, pad) in enumerate([(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]):
        layers += [nn.Conv2d(c, filters, 3, padding=pad), nn.ReLU()]
        c = filters
        if i % 2 == 1:
            layers.append(nn.MaxPool2d(2, 2))
    layers += [nn.Flatten(), nn.Linear(64 * 4 * 4, 50), nn.ReLU(), nn.Dropout(0.5),
               nn.Linear(50, 10), nn.Dropout(0.5)]
    return nn.Sequential(*layers)


MODELS = {
    "simple-conv": (simple_conv, lambda p: torch.optim.Adam(p, lr=0.001), 100),
    "mlp": (mlp, lambda p: torch.optim.SGD(p, lr=0.01), 128),
    "deep-conv": (deep_conv, lambda p: torch.optim.Adam(p, lr=0.001), 100),
}


def train_seconds_per_iter(name, x, y, iters):
    build, make_opt, batch = MODELS[name]
    model = build()
    opt = make_opt(model.parameters())
    model.train()
    gen = np.random.default_rng(0)

    def step():
        idx = torch.from_numpy(gen.integers(0, x.shape[0], batch))
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()

    step()
    t = time.perf_counter()
    for _ in range(iters):
        step()
    return (time.perf_counter() - t) / iters, model


def infer_images_per_second(model, x):
    model.eval()
    with torch.no_grad():
        model(x[:1000])
        best = float("inf")
        for _ in range(common.INFER_PASSES):
            t = time.perf_counter()
            for i in range(0, x.shape[0], 1000):
                model(x[i : i + 1000]).argmax(1)
            best = min(best, time.perf_counter() - t)
        return x.shape[0] / best


def layer_ms(layer, shape, repeats):
    x = torch.randn(*shape, requires_grad=True)

    def run():
        out = layer(x)
        out.backward(torch.ones_like(out))

    return 1000 * common.best_of(run, repeats)


data = common.load_mnist(args.data)
to_x = lambda a: torch.from_numpy(a.astype(np.float32) / 255.0)  # noqa: E731
to_y = lambda a: torch.from_numpy(a.astype(np.int64))  # noqa: E731


def time_to_99(folder):
    """The recipe of common.TO99 from a cold start: (seconds to the first evaluation at 99%
    or more, or to the end; the final test accuracy in percent)."""
    started = time.perf_counter()
    raw = common.load_mnist(folder)
    x, y = to_x(raw["train_x"]), to_y(raw["train_y"])
    tx, ty = to_x(raw["test_x"]), to_y(raw["test_y"])
    model = simple_conv()
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")  # randn * sqrt(2 / fan_in)
            nn.init.zeros_(m.bias)
    batch, epochs = common.TO99["batch"], common.TO99["epochs"]
    steps = epochs * -(-x.shape[0] // batch)
    opt = torch.optim.Adam(model.parameters(), lr=common.TO99["lr"], eps=1e-7)
    cosine = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda t: 0.5 * (1 + np.cos(np.pi * min(t, steps) / steps)))
    gen = torch.Generator().manual_seed(0)
    sample = torch.randperm(x.shape[0], generator=gen)[:1000]

    def accuracy(xs, ys):
        model.eval()
        with torch.no_grad():
            right = sum(int((model(xs[i : i + 100]).argmax(1) == ys[i : i + 100]).sum())
                        for i in range(0, xs.shape[0], 100))
        model.train()
        return right / xs.shape[0]

    reached, test = None, 0.0
    for _ in range(epochs):
        for idx in torch.randperm(x.shape[0], generator=gen).split(batch):
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()
            cosine.step()
        accuracy(x[sample], y[sample])  # the training accuracy nabla's recipe measures too
        test = accuracy(tx, ty)
        if reached is None and test >= 0.99:
            reached = time.perf_counter() - started
    return (reached if reached is not None else time.perf_counter() - started), 100 * test


if args.memory:
    x, y = to_x(data["train_x"]), to_y(data["train_y"])
    train_seconds_per_iter(args.memory, x, y, common.ITERS[args.memory])
    common.emit(f"pytorch {torch.__version__}", {f"memory/{args.memory}": common.peak_rss_mb()})
    raise SystemExit

rows = {}
repeats = 3 if args.quick else 10
for m, k, n in common.GEMM_SHAPES:
    a, b = torch.randn(m, k), torch.randn(k, n)
    inner = max(1, int(2e8 // (2 * m * k * n)))
    rows[f"gemm/{m}x{k}x{n}"] = 2 * m * k * n / common.best_of(lambda: torch.mm(a, b), repeats, inner) / 1e9

rows["layer/simple-conv"] = layer_ms(nn.Conv2d(1, 30, 5), (100, 1, 28, 28), repeats)
rows["layer/simple-pool"] = layer_ms(nn.MaxPool2d(2, 2), (100, 30, 24, 24), repeats)
rows["layer/deep-conv"] = layer_ms(nn.Conv2d(16, 16, 3, padding=1), (100, 16, 28, 28), repeats)
rows["layer/deep-pool"] = layer_ms(nn.MaxPool2d(2, 2), (100, 16, 28, 28), repeats)

x, y = to_x(data["train_x"]), to_y(data["train_y"])
tx = to_x(data["test_x"])
rows.update(common.model_rows(train_seconds_per_iter, infer_images_per_second, x, y, tx))
rows["to99/seconds"], rows["to99/accuracy"] = time_to_99(args.data)
common.emit(f"pytorch {torch.__version__}", rows)
