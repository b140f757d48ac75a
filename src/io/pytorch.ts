/**
 * A Sequential model as the equivalent `torch.nn.Sequential`: its modules (one table, TORCH_LAYERS,
 * from layer type to modules, so conv, pooling and batch norm slot in as entries), the state-dict
 * names and layouts of its weights, and its Python source (toPyTorchSource).
 *
 * The mapping, for a model [dense(relu), dropout, dense]:
 *
 *   simdnet                        nn.Sequential               state dict
 *   dense_1 (relu)            →    0: nn.Linear(in, h)         0.weight [h, in] = kernelᵀ, 0.bias [h]
 *                                  1: nn.ReLU()
 *   dropout_1                 →    2: nn.Dropout(p)
 *   dense_2                   →    3: nn.Linear(h, out)        3.weight [out, h], 3.bias [out]
 *
 * An activation (fused into simdnet's dense layer) is a module of its own, so the indices count it;
 * an activation layer is one module, flatten is nn.Flatten(), dropout nn.Dropout(rate) (both are
 * inverted dropout). A dense layer on a row of more than one axis is preceded by an nn.Flatten(), as
 * simdnet takes such a row flat. Rows keep simdnet's layout: a model with inputShape [h, w, c] takes
 * a tensor [N, h, w, c].
 */
import type { ActivationName } from '../backend/contract.js';
import type { LayerConfig } from '../model/layer-registry.js';
import type { Sequential } from '../model/sequential.js';

/** One module of the nn.Sequential: its Python constructor and the parameters it holds. */
export interface TorchModule {
  /** e.g. 'nn.Linear(4, 8)' or 'SlopedSigmoid(2.0)'. */
  readonly source: string;
  /** The simdnet layer it comes from. */
  readonly layer: string;
  /** Its parameters: the state-dict suffix ('weight'), the simdnet weight ('dense_1/kernel'), how it is laid out. */
  readonly params: readonly TorchParam[];
}

export interface TorchParam {
  readonly suffix: string;
  readonly weight: string;
  /** 'transpose': a simdnet [in, out] kernel stored as PyTorch's [out, in]; 'same': the values as they are. */
  readonly layout: 'same' | 'transpose';
}

/** A helper class the generated source defines for an activation nn has no module for. */
interface Helper {
  readonly name: string;
  readonly source: string;
}

const HELPERS = {
  SlopedSigmoid: `class SlopedSigmoid(nn.Module):
    """sigmoid(a * x): simdnet's sigmoid with slope a."""

    def __init__(self, a):
        super().__init__()
        self.a = a

    def forward(self, x):
        return torch.sigmoid(self.a * x)`,
  SlopedHardSigmoid: `class SlopedHardSigmoid(nn.Module):
    """clamp(a * x + 0.5, 0, 1): simdnet's hardSigmoid with slope a (nn.Hardsigmoid is a = 1/6)."""

    def __init__(self, a):
        super().__init__()
        self.a = a

    def forward(self, x):
        return torch.clamp(self.a * x + 0.5, 0.0, 1.0)`,
  Step: `class Step(nn.Module):
    """1 where x >= 0, else 0: simdnet's step (Heaviside with step(0) = 1)."""

    def forward(self, x):
        return (x >= 0).to(x.dtype)`,
} as const satisfies Record<string, string>;

type HelperName = keyof typeof HELPERS;

/** A Python float literal of a double: JavaScript's shortest round-trip form, which Python reads back the same. */
function pyFloat(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * A Python float literal for an activation parameter, which simdnet's kernels use as an f32: the
 * shortest decimal that rounds to the same f32 ('0.01', not '0.009999999776482582'), as torch rounds
 * a Python scalar to the tensor's float32.
 */
function py(value: number): string {
  const v = Math.fround(value);
  for (let digits = 1; digits < 17; digits++) {
    const s = v.toPrecision(digits);
    if (Math.fround(Number(s)) === v) return pyFloat(Number(s));
  }
  return pyFloat(v);
}

/** The module of each activation (null: none, the identity) and the helper class it needs. */
const TORCH_ACTIVATIONS: { readonly [A in ActivationName]: (alpha: number) => { source: string; helper?: HelperName } | null } = {
  identity: () => null,
  step: () => ({ source: 'Step()', helper: 'Step' }),
  sigmoid: (a) => (Math.fround(a) === 1 ? { source: 'nn.Sigmoid()' } : { source: `SlopedSigmoid(${py(a)})`, helper: 'SlopedSigmoid' }),
  tanh: () => ({ source: 'nn.Tanh()' }),
  relu: () => ({ source: 'nn.ReLU()' }),
  leakyRelu: (a) => ({ source: `nn.LeakyReLU(negative_slope=${py(a)})` }),
  elu: (a) => ({ source: `nn.ELU(alpha=${py(a)})` }),
  // approximate='none' (the default) is the exact erf form simdnet computes.
  gelu: () => ({ source: 'nn.GELU()' }),
  softplus: () => ({ source: 'nn.Softplus()' }),
  silu: () => ({ source: 'nn.SiLU()' }),
  hardSigmoid: (a) => (Math.fround(a) === Math.fround(1 / 6) ? { source: 'nn.Hardsigmoid()' } : { source: `SlopedHardSigmoid(${py(a)})`, helper: 'SlopedHardSigmoid' }),
  mish: () => ({ source: 'nn.Mish()' }),
};

interface Emit {
  readonly modules: TorchModule[];
  readonly helpers: Set<HelperName>;
}

function activationModule(out: Emit, layer: string, name: ActivationName, alpha: number, always: boolean): void {
  const m = TORCH_ACTIVATIONS[name](alpha);
  if (m === null) {
    if (always) out.modules.push({ source: 'nn.Identity()', layer, params: [] });
    return;
  }
  if (m.helper !== undefined) out.helpers.add(m.helper);
  out.modules.push({ source: m.source, layer, params: [] });
}

/**
 * The modules of each layer type, given the layer's config and its input row shape. Partial on
 * purpose: a layer type without an entry is refused by name.
 */
const TORCH_LAYERS: { readonly [T in LayerConfig['type']]?: (out: Emit, c: Extract<LayerConfig, { type: T }>, inputShape: readonly number[]) => void } = {
  dense: (out, c, inputShape) => {
    if (inputShape.length > 1) out.modules.push({ source: 'nn.Flatten()', layer: c.name, params: [] });
    const inputs = inputShape.reduce((a, b) => a * b, 1);
    const params: TorchParam[] = [{ suffix: 'weight', weight: `${c.name}/kernel`, layout: 'transpose' }];
    if (c.useBias) params.push({ suffix: 'bias', weight: `${c.name}/bias`, layout: 'same' });
    out.modules.push({ source: `nn.Linear(${inputs}, ${c.units}${c.useBias ? '' : ', bias=False'})`, layer: c.name, params });
    // Keras's softmax head: nn.Softmax over the row (PyTorch's CrossEntropyLoss wants the Linear's
    // logits: drop the last module to train it there).
    if (c.activation === 'softmax') out.modules.push({ source: 'nn.Softmax(dim=-1)', layer: c.name, params: [] });
    else activationModule(out, c.name, c.activation, c.activationAlpha, false);
  },
  activation: (out, c) => activationModule(out, c.name, c.activation, c.alpha, true),
  dropout: (out, c) => {
    out.modules.push({ source: `nn.Dropout(p=${pyFloat(c.rate)})`, layer: c.name, params: [] });
  },
  flatten: (out, c) => {
    out.modules.push({ source: 'nn.Flatten()', layer: c.name, params: [] });
  },
};

/** The layer types the PyTorch mapping (toPyTorchSource, exportSafetensors) covers. */
export const TORCH_LAYER_TYPES: readonly string[] = Object.keys(TORCH_LAYERS);

/** The nn.Sequential equivalent of `model`: its modules in order, and the helper classes they use. */
export function torchModules(model: Sequential, where: string): { modules: readonly TorchModule[]; helpers: readonly Helper[] } {
  const out: Emit = { modules: [], helpers: new Set() };
  for (const layer of model.layers) {
    const config = layer.toConfig() as LayerConfig;
    const emit = TORCH_LAYERS[config.type] as ((out: Emit, c: LayerConfig, shape: readonly number[]) => void) | undefined;
    if (emit === undefined) {
      throw new RangeError(`simdnet ${where}: layer '${config.name}' is of type '${config.type}', which has no PyTorch equivalent yet; covered: ${TORCH_LAYER_TYPES.join(', ')}`);
    }
    emit(out, config, layer.inputShape);
  }
  const helpers = (Object.keys(HELPERS) as HelperName[]).filter((h) => out.helpers.has(h)).map((name) => ({ name, source: HELPERS[name] }));
  return { modules: out.modules, helpers };
}

/** The state-dict entries of `model` ('0.weight', ...), in module order, with the simdnet weight each holds. */
export function stateDictLayout(model: Sequential, where: string): { key: string; param: TorchParam }[] {
  return torchModules(model, where).modules.flatMap((m, i) => m.params.map((param) => ({ key: `${i}.${param.suffix}`, param })));
}

/**
 * The Python source of the `torch.nn.Sequential` equivalent to `model` (see the file comment), with
 * the helper modules it needs, so that the weights written by exportSafetensors() load unchanged:
 *
 *     exec(source)                                   # defines `net`
 *     net.load_state_dict(load_file('model.safetensors'))
 *
 * Covers dense (every activation), activation, dropout and flatten layers.
 */
export function toPyTorchSource(model: Sequential): string {
  const { modules, helpers } = torchModules(model, 'toPyTorchSource');
  const shape = model.inputShape.join(', ');
  const lines = [
    '# The torch.nn.Sequential equivalent of a simdnet model (written by simdnet toPyTorchSource()).',
    `# Input: a float32 tensor [N, ${shape}], rows laid out as simdnet takes them. Output: [N, ${model.outputShape.join(', ')}],`,
    '# the model\'s raw outputs (logits): apply torch.softmax(out, dim=1) for the probabilities of a softmax classifier.',
    '# Weights: net.load_state_dict(safetensors.torch.load_file("model.safetensors")), the file of exportSafetensors().',
    'import torch',
    'from torch import nn',
    '',
  ];
  for (const h of helpers) lines.push('', h.source, '', '');
  if (helpers.length === 0) lines.push('');
  lines.push('net = nn.Sequential(');
  // A layer name is the user's string: only safe characters reach the comment (a newline would end it).
  modules.forEach((m, i) => lines.push(`    ${m.source},  # ${i}: ${m.layer.replace(/[^\w.\- /]/g, '?')}`));
  lines.push(')', '');
  return lines.join('\n');
}
