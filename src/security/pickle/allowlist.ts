/**
 * The globals a weights file may name, and nothing else: the same policy as PyTorch's
 * `torch.load(weights_only=True)` unpickler (torch/_weights_only_unpickler.py), plus numpy's
 * array reconstruction. These are exactly what rebuilding tensors, storages, parameters and
 * plain containers needs. Every other global refuses the file, whatever it is: a denylist
 * (os.system, eval ...) is bypassed by any indirection it forgot (operator.attrgetter,
 * importlib, runpy, a re-export in another module), an allowlist is not.
 *
 * Matching is on the exact (module, name) pair as written in the pickle, so `torch` +
 * `_utils._rebuild_tensor_v2` (same object, other spelling) is refused too: no loader writes it.
 */

interface AllowedGroup {
  why: string;
  module: string;
  names: string[];
}

const TORCH_DTYPES = [
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'complex32',
  'complex64',
  'complex128',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'int8',
  'int16',
  'int32',
  'int64',
  'bool',
  'qint8',
  'quint8',
  'qint32',
  'quint4x2',
  'quint2x4',
  'float8_e4m3fn',
  'float8_e5m2',
  'float8_e4m3fnuz',
  'float8_e5m2fnuz',
];

const TORCH_STORAGE_TYPES = [
  'FloatStorage',
  'DoubleStorage',
  'HalfStorage',
  'BFloat16Storage',
  'LongStorage',
  'IntStorage',
  'ShortStorage',
  'CharStorage',
  'ByteStorage',
  'BoolStorage',
  'ComplexFloatStorage',
  'ComplexDoubleStorage',
  'QInt8Storage',
  'QUInt8Storage',
  'QInt32Storage',
  'QUInt4x2Storage',
  'QUInt2x4Storage',
  'UntypedStorage',
  'TypedStorage',
];

const TORCH_TENSOR_TYPES = [
  'Tensor',
  'FloatTensor',
  'DoubleTensor',
  'HalfTensor',
  'BFloat16Tensor',
  'LongTensor',
  'IntTensor',
  'ShortTensor',
  'CharTensor',
  'ByteTensor',
  'BoolTensor',
];

export const ALLOWED_GLOBALS: AllowedGroup[] = [
  {
    why: 'ordered and counting dicts (state dicts are OrderedDicts)',
    module: 'collections',
    names: ['OrderedDict', 'Counter'],
  },
  {
    why: 'tensor, parameter and quantized-tensor rebuild functions torch.save refers to',
    module: 'torch._utils',
    names: [
      '_rebuild_tensor',
      '_rebuild_tensor_v2',
      '_rebuild_tensor_v3',
      '_rebuild_parameter',
      '_rebuild_parameter_with_state',
      '_rebuild_qtensor',
      '_rebuild_sparse_tensor',
      '_rebuild_meta_tensor_no_storage',
      '_rebuild_nested_tensor',
      '_rebuild_wrapper_subclass',
      '_rebuild_device_tensor_from_numpy',
    ],
  },
  { why: 'tensor subclasses with attributes', module: 'torch._tensor', names: ['_rebuild_from_type_v2'] },
  {
    why: 'storage classes named in persistent ids, dtypes, tensor classes',
    module: 'torch',
    names: [
      ...TORCH_STORAGE_TYPES,
      ...TORCH_DTYPES,
      ...TORCH_TENSOR_TYPES,
      'Size',
      'device',
      'strided',
      'sparse_coo',
      'sparse_csr',
      'sparse_csc',
      'sparse_bsr',
      'sparse_bsc',
      '_mkldnn',
      'contiguous_format',
      'channels_last',
      'channels_last_3d',
      'preserve_format',
      'per_tensor_affine',
      'per_channel_affine',
      'per_tensor_symmetric',
      'per_channel_symmetric',
      'per_channel_affine_float_qparams',
    ],
  },
  {
    why: 'the untyped storage class under its module path',
    module: 'torch.storage',
    names: ['UntypedStorage', 'TypedStorage'],
  },
  { why: 'nn.Parameter', module: 'torch.nn.parameter', names: ['Parameter'] },
  { why: 'layouts of sparse tensors', module: 'torch.serialization', names: ['_get_layout'] },
  {
    why: 'plain containers and numbers',
    module: 'builtins',
    names: ['set', 'frozenset', 'bytearray', 'complex', 'slice'],
  },
  { why: 'bytes written by protocol 2 as text', module: '_codecs', names: ['encode'] },
  {
    why: 'numpy array reconstruction (numpy 1 and numpy 2 module paths)',
    module: 'numpy.core.multiarray',
    names: ['_reconstruct', 'scalar'],
  },
  {
    why: 'numpy array reconstruction (numpy 2)',
    module: 'numpy._core.multiarray',
    names: ['_reconstruct', 'scalar'],
  },
  { why: 'numpy arrays and their dtypes', module: 'numpy', names: ['ndarray', 'dtype'] },
];

const ALLOWED = new Set(
  ALLOWED_GLOBALS.flatMap((group) => group.names.map((name) => key(group.module, name))),
);

function key(module: string, name: string): string {
  return `${module}\u0000${name}`;
}

export function isAllowedGlobal(module: string, name: string): boolean {
  return ALLOWED.has(key(module, name));
}
