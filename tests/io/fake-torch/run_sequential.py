"""Runs simdnet's generated nn.Sequential source as a PyTorch user would:
    exec(source); net.load_state_dict(load_file(weights)); net.eval(); out = net(x)
with the numpy stand-in for torch beside this file, and safetensors' load_file written from the
format's specification. Usage: run_sequential.py SOURCE.py WEIGHTS.safetensors INPUT.f32 OUTPUT.f32 DIM...
(INPUT: float32 little-endian rows, DIM the shape of one row)."""
import json
import struct
import sys

import numpy as np

import torch


def load_file(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    header.pop('__metadata__', None)
    body = data[8 + n:]
    out = {}
    for name, t in header.items():
        assert t['dtype'] == 'F32', t['dtype']
        begin, end = t['data_offsets']
        out[name] = np.frombuffer(body[begin:end], dtype='<f4').reshape(t['shape'])
    return out


source_path, weights_path, input_path, output_path, *dims = sys.argv[1:]
scope = {}
with open(source_path) as f:
    exec(compile(f.read(), source_path, 'exec'), scope)
net = scope['net']
net.load_state_dict(load_file(weights_path))
net.eval()
x = np.fromfile(input_path, dtype='<f4').reshape(-1, *map(int, dims)).view(torch.Tensor)
np.asarray(net(x), dtype='<f4').tofile(output_path)
