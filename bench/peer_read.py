#!/usr/bin/env python3
"""Throughput of the same recurrent model in PyTorch on any reading order, for `npm run bench -- --only reads`.

The shared peer (../shared/peer/rnn_torch.py) reads 28 rows of 28 pixels only; this one takes the
read's shape: rows, cols and rows-reversed are 28 steps of 28 pixels, pixels:K is 784/K steps of
K pixels (see src/shared/reads.ts). The order of the pixels does not change the work, so, as the
shared peer does, it times training steps on random input of that shape.
Model: nn.RNN (tanh) / nn.GRU / nn.LSTM (K -> hidden), Linear(hidden -> 10) on the last step;
Adam 1e-3; batch 128. OpenBLAS's own pool stays at 1 thread (see the shared peer's header).
Usage: /usr/bin/python3 bench/peer_read.py --cell gru --read pixels:4 --batches 5 [--hidden 128] [--threads 2]
Prints one JSON line: {"peer": "pytorch", "cell": ..., "read": ..., "steps": ..., "blas": ..., "samples_per_s": ...}
"""
import argparse, json, os, sys, time

os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')  # before torch loads OpenBLAS
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

READS = ['rows', 'cols', 'rows-reversed', 'pixels:14', 'pixels:7', 'pixels:4', 'pixels:2', 'pixels:1']

p = argparse.ArgumentParser()
p.add_argument('--cell', default='rnn', choices=['rnn', 'lstm', 'gru'])
p.add_argument('--read', default='rows')
p.add_argument('--hidden', type=int, default=128)
p.add_argument('--batch', type=int, default=128)
p.add_argument('--batches', type=int, default=10)
p.add_argument('--threads', type=int, default=0)
a = p.parse_args()
if a.read not in READS:
    sys.exit(f'--read {a.read!r} is not a reading order: expected one of {", ".join(READS)}')
inputs = int(a.read.split(':')[1]) if a.read.startswith('pixels:') else 28
steps = 784 // inputs
if a.threads:
    torch.set_num_threads(a.threads)
torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        rnn = {'rnn': nn.RNN, 'lstm': nn.LSTM, 'gru': nn.GRU}[a.cell]
        self.rnn = rnn(inputs, a.hidden, batch_first=True)
        self.fc = nn.Linear(a.hidden, 10)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


net = Net()
opt = torch.optim.Adam(net.parameters(), 1e-3)
loss_fn = nn.CrossEntropyLoss()


def step(x, y):
    opt.zero_grad()
    loss = loss_fn(net(x), y)
    loss.backward()
    opt.step()


def blas_library():
    """Which BLAS this process loaded (OpenBLAS, MKL or the slow reference libblas)."""
    try:
        libs = {l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l or 'mkl' in l}
    except OSError:
        return 'unknown'
    for key in ('openblas', 'mkl', 'blis'):
        for lib in libs:
            if key in lib:
                return key
    return 'reference (slow: install libopenblas0-pthread)' if libs else 'none loaded'


x = torch.rand(a.batch, steps, inputs)
y = torch.randint(0, 10, (a.batch,))
for _ in range(3):
    step(x, y)
t0 = time.perf_counter()
for _ in range(a.batches):
    step(x, y)
sec = time.perf_counter() - t0
print(json.dumps({'peer': 'pytorch', 'torch': torch.__version__, 'cell': a.cell, 'read': a.read, 'steps': steps, 'inputs': inputs,
                  'hidden': a.hidden, 'threads': torch.get_num_threads(), 'blas': blas_library(),
                  'blas_threads': os.environ.get('OPENBLAS_NUM_THREADS'), 'samples_per_s': round(a.batches * a.batch / sec, 1)}))
