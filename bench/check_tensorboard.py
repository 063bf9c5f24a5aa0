#!/usr/bin/env python3
"""Reads the event files `nabla train --tensorboard DIR` wrote with TensorBoard's own reader
and checks the scalars are there: the test that the files open in TensorBoard.

    python3 bench/check_tensorboard.py DIR [EXPECTED_EVALUATIONS]

Skips with a message (exit 0) when tensorboard is not installed: `pip install tensorboard`.
"""
import sys

try:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
except ImportError:
    print("skipped: tensorboard is not installed (pip install tensorboard)")
    sys.exit(0)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    acc = EventAccumulator(sys.argv[1])
    acc.Reload()
    tags = sorted(acc.Tags()["scalars"])
    wanted = {"loss", "lr", "accuracy/train"}
    if not wanted <= set(tags) or not any(t in tags for t in ("accuracy/test", "accuracy/val")):
        sys.exit(f"missing scalars: found {tags}")
    counts = {t: len(acc.Scalars(t)) for t in tags}
    if len(sys.argv) > 2 and any(n != int(sys.argv[2]) for n in counts.values()):
        sys.exit(f"expected {sys.argv[2]} evaluations per tag, found {counts}")
    for t in tags:
        last = acc.Scalars(t)[-1]
        print(f"{t}: {counts[t]} points, last step {last.step} value {last.value:.4f}")
    print("ok: TensorBoard reads every scalar")


if __name__ == "__main__":
    main()
