"""NumPy side of `cargo xtask bench`, written the way the book's code is (im2col, layers
with forward/backward, float32 data): the baseline nabla's users come from.

Run by the bench when `python3 -c "import numpy"` works; by hand:
    python3 bench/numpy_bench.py --data datasets/mnist --threads 2
"""

import os
import sys

import common

args = common.parse_args(__doc__)
# BLAS reads its thread count when NumPy is imported.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import time  # noqa: E402

import numpy as np  # noqa: E402

rng = np.random.default_rng(0)
f32 = np.float32


def im2col(x, kh, kw, stride, pad):
    n, c, h, w = x.shape
    oh, ow = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for y in range(kh):
        for xx in range(kw):
            col[:, :, y, xx, :, :] = img[:, :, y : y + stride * oh : stride, xx : xx + stride * ow : stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(col, shape, kh, kw, stride, pad):
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    col = col.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(kh):
        for xx in range(kw):
            img[:, :, y : y + stride * oh : stride, xx : xx + stride * ow : stride] += col[:, :, y, xx, :, :]
    return img[:, :, pad : h + pad, pad : w + pad]


class Conv:
    def __init__(self, c, fn, k, pad, std):
        self.W = (std * rng.standard_normal((fn, c, k, k))).astype(f32)
        self.b = np.zeros(fn, f32)
        self.k, self.pad = k, pad

    def forward(self, x, train=True):
        fn, _, k, _ = self.W.shape
        n, _, h, w = x.shape
        oh, ow = h + 2 * self.pad - k + 1, w + 2 * self.pad - k + 1
        self.x, self.col = x, im2col(x, k, k, 1, self.pad)
        self.colW = self.W.reshape(fn, -1).T
        out = self.col @ self.colW + self.b
        return out.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, d):
        fn, c, k, _ = self.W.shape
        d = d.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = d.sum(axis=0)
        self.dW = (self.col.T @ d).transpose(1, 0).reshape(fn, c, k, k)
        return col2im(d @ self.colW.T, self.x.shape, k, k, 1, self.pad)

    def params(self):
        return [(self.W, "dW"), (self.b, "db")]


class Pool:
    def forward(self, x, train=True):
        n, c, h, w = x.shape
        oh, ow = h // 2, w // 2
        col = im2col(x, 2, 2, 2, 0).reshape(-1, 4)
        self.x, self.arg = x, np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, d):
        d = d.transpose(0, 2, 3, 1)
        dmax = np.zeros((d.size, 4), dtype=d.dtype)
        dmax[np.arange(self.arg.size), self.arg.flatten()] = d.flatten()
        return col2im(dmax.reshape(d.shape[0] * d.shape[1] * d.shape[2], -1), self.x.shape, 2, 2, 2, 0)

    def params(self):
        return []


class Relu:
    def forward(self, x, train=True):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, d):
        d = d.copy()
        d[self.mask] = 0
        return d

    def params(self):
        return []


class Affine:
    def __init__(self, n_in, n_out, std):
        self.W = (std * rng.standard_normal((n_in, n_out))).astype(f32)
        self.b = np.zeros(n_out, f32)

    def forward(self, x, train=True):
        self.shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, d):
        self.dW, self.db = self.x.T @ d, d.sum(axis=0)
        return (d @ self.W.T).reshape(self.shape)

    def params(self):
        return [(self.W, "dW"), (self.b, "db")]


class Dropout:
    def __init__(self, ratio):
        self.ratio = ratio

    def forward(self, x, train=True):
        if not train:
            return x * (1.0 - self.ratio)
        self.mask = rng.random(x.shape) > self.ratio
        return x * self.mask

    def backward(self, d):
        return d * self.mask

    def params(self):
        return []


def softmax_loss_grad(logits, t):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = logits.shape[0]
    loss = -np.log(p[np.arange(n), t] + 1e-7).mean()
    p[np.arange(n), t] -= 1
    return loss, p / n


class Sgd:
    def __init__(self, lr):
        self.lr = lr

    def update(self, layers):
        for layer in layers:
            for p, g in layer.params():
                p -= self.lr * getattr(layer, g)


class Adam:
    def __init__(self, lr):
        self.lr, self.t, self.m, self.v = lr, 0, {}, {}

    def update(self, layers):
        self.t += 1
        lr_t = self.lr * np.sqrt(1 - 0.999**self.t) / (1 - 0.9**self.t)
        for i, layer in enumerate(layers):
            for j, (p, g) in enumerate(layer.params()):
                grad, key = getattr(layer, g), (i, j)
                m = self.m.setdefault(key, np.zeros_like(p))
                v = self.v.setdefault(key, np.zeros_like(p))
                m += (1 - 0.9) * (grad - m)
                v += (1 - 0.999) * (grad**2 - v)
                p -= lr_t * m / (np.sqrt(v) + 1e-7)


def simple_conv():
    return [Conv(1, 30, 5, 0, 0.01), Relu(), Pool(), Affine(4320, 100, 0.01), Relu(), Affine(100, 10, 0.01)]


def mlp():
    sizes = [784, 100, 100, 100, 100]
    layers = []
    for a, b in zip(sizes, sizes[1:] + [100]):
        layers += [Affine(a, b, np.sqrt(2 / a)), Relu()]
    return layers[:-2] + [Affine(100, 10, np.sqrt(2 / 100))]


def deep_conv():
    layers, c = [], 1
    for i, (fn, pad) in enumerate([(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]):
        layers += [Conv(c, fn, 3, pad, np.sqrt(2 / (c * 9))), Relu()]
        c = fn
        if i % 2 == 1:
            layers.append(Pool())
    return layers + [Affine(1024, 50, np.sqrt(2 / 1024)), Relu(), Dropout(0.5), Affine(50, 10, np.sqrt(2 / 50)), Dropout(0.5)]


MODELS = {"simple-conv": (simple_conv, lambda: Adam(0.001), 100), "mlp": (mlp, lambda: Sgd(0.01), 128), "deep-conv": (deep_conv, lambda: Adam(0.001), 100)}


def forward(layers, x, train):
    for layer in layers:
        x = layer.forward(x, train)
    return x


def train_seconds_per_iter(name, x, y, iters):
    build, make_opt, batch = MODELS[name]
    layers, opt = build(), make_opt()

    def step():
        idx = rng.integers(0, x.shape[0], batch)
        _, d = softmax_loss_grad(forward(layers, x[idx], True), y[idx])
        for layer in reversed(layers):
            d = layer.backward(d)
        opt.update(layers)

    step()
    t = time.perf_counter()
    for _ in range(iters):
        step()
    return (time.perf_counter() - t) / iters, layers


def infer_images_per_second(layers, x):
    forward(layers, x[:1000], False)
    best = float("inf")
    for _ in range(common.INFER_PASSES):
        t = time.perf_counter()
        for i in range(0, x.shape[0], 1000):
            forward(layers, x[i : i + 1000], False).argmax(axis=1)
        best = min(best, time.perf_counter() - t)
    return x.shape[0] / best


def layer_ms(layer, shape, repeats):
    x = rng.standard_normal(shape).astype(f32)

    def run():
        out = layer.forward(x)
        layer.backward(np.ones_like(out))

    return 1000 * common.best_of(run, repeats)


data = common.load_mnist(args.data)
x = data["train_x"].astype(f32) / 255.0
y = data["train_y"].astype(np.int64)
peer = f"numpy {np.__version__}"

if args.memory:
    train_seconds_per_iter(args.memory, x, y, common.ITERS[args.memory])
    common.emit(peer, {f"memory/{args.memory}": common.peak_rss_mb()})
    sys.exit()

rows = {}
repeats = 3 if args.quick else 10
for m, k, n in common.GEMM_SHAPES:
    a, b = rng.standard_normal((m, k)).astype(f32), rng.standard_normal((k, n)).astype(f32)
    inner = max(1, int(2e8 // (2 * m * k * n)))
    rows[f"gemm/{m}x{k}x{n}"] = 2 * m * k * n / common.best_of(lambda: a @ b, repeats, inner) / 1e9

rows["layer/simple-conv"] = layer_ms(Conv(1, 30, 5, 0, 0.01), (100, 1, 28, 28), repeats)
rows["layer/simple-pool"] = layer_ms(Pool(), (100, 30, 24, 24), repeats)
rows["layer/deep-conv"] = layer_ms(Conv(16, 16, 3, 1, 0.1), (100, 16, 28, 28), repeats)
rows["layer/deep-pool"] = layer_ms(Pool(), (100, 16, 28, 28), repeats)

tx = data["test_x"].astype(f32) / 255.0
rows.update(common.model_rows(train_seconds_per_iter, infer_images_per_second, x, y, tx))
common.emit(peer, rows)
