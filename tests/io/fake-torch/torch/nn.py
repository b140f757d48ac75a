"""torch.nn's modules used by simdnet's generated source, in numpy (see torch/__init__.py)."""
import numpy as np

import torch


class Module:
    def __init__(self):
        self._params = {}

    def __call__(self, x):
        return self.forward(x)

    def eval(self):
        return self

    def named_parameters(self):
        return dict(getattr(self, '_params', {}))


class Sequential(Module):
    def __init__(self, *modules):
        super().__init__()
        self.modules = modules

    def forward(self, x):
        for m in self.modules:
            x = m(x)
        return x

    def state_dict(self):
        return {f'{i}.{k}': v for i, m in enumerate(self.modules) for k, v in m.named_parameters().items()}

    def load_state_dict(self, state):
        own = self.state_dict()
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        if missing or unexpected:
            raise RuntimeError(f'Error(s) in loading state_dict: missing {missing}, unexpected {unexpected}')
        for i, m in enumerate(self.modules):
            for k in m.named_parameters():
                value = np.asarray(state[f'{i}.{k}'], dtype=np.float32)
                if value.shape != m._params[k].shape:
                    raise RuntimeError(f'size mismatch for {i}.{k}: copying a param with shape {value.shape}, the shape in current model is {m._params[k].shape}')
                m._params[k] = value


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self._params['weight'] = np.zeros((out_features, in_features), np.float32)
        if bias:
            self._params['bias'] = np.zeros(out_features, np.float32)

    def forward(self, x):
        y = x @ self._params['weight'].T
        if 'bias' in self._params:
            y = y + self._params['bias']
        return y.astype(np.float32).view(torch.Tensor)


class Identity(Module):
    def forward(self, x):
        return x


class Flatten(Module):
    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class Dropout(Module):
    def __init__(self, p=0.5):
        super().__init__()
        assert 0 <= p < 1
        self.p = p

    def forward(self, x):
        return x  # eval mode


class ReLU(Module):
    def forward(self, x):
        return np.maximum(x, 0).view(torch.Tensor)


class Sigmoid(Module):
    def forward(self, x):
        return torch.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return torch.tanh(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return np.where(x >= 0, x, self.negative_slope * x).astype(np.float32).view(torch.Tensor)


class ELU(Module):
    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0))).astype(np.float32).view(torch.Tensor)


class GELU(Module):
    def forward(self, x):
        return (0.5 * x * (1 + torch._erf(x / np.sqrt(2)).astype(np.float64))).astype(np.float32).view(torch.Tensor)


class Softplus(Module):
    def forward(self, x):
        return torch._softplus(x).view(torch.Tensor)


class SiLU(Module):
    def forward(self, x):
        return (x * torch.sigmoid(x)).view(torch.Tensor)


class Hardsigmoid(Module):
    def forward(self, x):
        return (np.clip(x + 3, 0, 6) / 6).astype(np.float32).view(torch.Tensor)


class Mish(Module):
    def forward(self, x):
        return (x * np.tanh(torch._softplus(x))).astype(np.float32).view(torch.Tensor)
