"""A stand-in for the few parts of PyTorch that simdnet's generated nn.Sequential source uses, in
numpy (torch is not installed here). Each module computes what torch documents for it (eval mode),
and load_state_dict is strict as torch's is: the same keys, the same shapes, or an error. It lets
tests/io/pytorch.test.ts run the generated source on weights loaded from exportSafetensors()."""
import math

import numpy as np

float32 = np.float32


class Tensor(np.ndarray):
    """An ndarray with the one Tensor method the generated source calls."""

    def to(self, dtype):
        return self.astype(dtype).view(Tensor)


def tensor(values):
    return np.asarray(values, dtype=np.float32).view(Tensor)


def sigmoid(x):
    return (1 / (1 + np.exp(-x))).astype(np.float32).view(Tensor)


def tanh(x):
    return np.tanh(x).view(Tensor)


def clamp(x, lo, hi):
    return np.clip(x, lo, hi).view(Tensor)


_erf = np.frompyfunc(math.erf, 1, 1)


def _softplus(x):
    # torch.nn.Softplus(beta=1, threshold=20): x itself above the threshold.
    return np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20)))).astype(np.float32)


from . import nn  # noqa: E402  (nn uses the functions above)
