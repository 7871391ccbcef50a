import type { Aspect } from '../domain/artifact.js';

/**
 * Which downloadable aspect a package file belongs to. The rules are data: each row names the
 * files it matches and says why, so changing a decision is a one-line edit here.
 *
 * Order of decision (first match wins):
 * 1. exact file names (`config.json`, `requirements.txt`, `Dockerfile` ...);
 * 2. file name patterns (`README*`, `LICENSE*`, sharded TensorFlow checkpoints ...);
 * 3. extensions, longest first (`.safetensors.index.json` before `.json`);
 * 4. anything else is docs: a file we cannot name is most likely a note, an image or a
 *    configuration detail, and docs is the smallest, cheapest download, so a misfiled
 *    unknown file never bloats the weights or datasets downloads.
 * Finally, a file that came out as docs through 3 or 4 but sits in a data folder
 * (`data/`, `dataset/`, `datasets/`) is a dataset: `data/train.json`, `data/images/1.png`.
 * Matching ignores case; paths use `/`.
 */

interface Rule {
  aspect: Aspect;
  why: string;
  /** Lower-case file names, extensions without the leading dot, or a name pattern. */
  names?: string[];
  extensions?: string[];
  pattern?: RegExp;
}

const NAME_RULES: Rule[] = [
  {
    aspect: 'docs',
    why: 'Hugging Face model and generation configuration',
    names: ['config.json', 'generation_config.json', 'adapter_config.json', 'preprocessor_config.json'],
  },
  {
    aspect: 'docs',
    why: 'tokenizer definitions: small text/JSON needed alongside the card, not tensors',
    names: [
      'tokenizer.json',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'added_tokens.json',
      'vocab.json',
      'vocab.txt',
      'merges.txt',
      'tokenizer.model',
      'spiece.model',
      'sentencepiece.bpe.model',
    ],
  },
  {
    aspect: 'code',
    why: 'dependency and build manifests are part of running the code',
    names: [
      'requirements.txt',
      'setup.cfg',
      'pyproject.toml',
      'pipfile',
      'pipfile.lock',
      'environment.yml',
      'environment.yaml',
      'dockerfile',
      'makefile',
      'cmakelists.txt',
      'package.json',
      'package-lock.json',
      'cargo.toml',
      'go.mod',
      'go.sum',
    ],
  },
];

const PATTERN_RULES: Rule[] = [
  {
    aspect: 'docs',
    why: 'model card, license and project notes, whatever their extension',
    pattern: /^(readme|license|licence|copying|notice|changelog|citation|authors)([._-].*)?$/,
  },
  { aspect: 'code', why: 'pip requirement variants', pattern: /^requirements[._-].+\.txt$/ },
  {
    aspect: 'weights',
    why: 'TensorFlow checkpoint shards (variables.data-00000-of-00001)',
    pattern: /\.data-\d+-of-\d+$/,
  },
];

const EXTENSION_RULES: Rule[] = [
  {
    aspect: 'weights',
    why: 'shard index of sharded weights: it maps tensors to shard files and is useless without them',
    extensions: ['safetensors.index.json', 'bin.index.json', 'pt.index.json'],
  },
  {
    aspect: 'weights',
    why: 'tensor and checkpoint formats (PyTorch, safetensors, llama.cpp, ONNX, Keras/HDF5, Flax, TF, Core ML, TensorRT, MXNet, Caffe, NeMo)',
    extensions: [
      'safetensors',
      'bin',
      'pt',
      'pth',
      'ckpt',
      'gguf',
      'ggml',
      'onnx',
      'ort',
      'h5',
      'hdf5',
      'keras',
      'msgpack',
      'tflite',
      'pb',
      'index',
      'mlmodel',
      'engine',
      'plan',
      'params',
      'caffemodel',
      'nemo',
      'mar',
      'llamafile',
    ],
  },
  {
    aspect: 'weights',
    why: 'pickled/serialised estimators and arrays: in model repos these are the fitted model',
    extensions: ['pkl', 'pickle', 'joblib', 'npy', 'npz'],
  },
  {
    aspect: 'datasets',
    why: 'tabular, columnar and record data formats',
    extensions: [
      'csv',
      'tsv',
      'parquet',
      'arrow',
      'feather',
      'jsonl',
      'ndjson',
      'avro',
      'orc',
      'tfrecord',
      'tfrecords',
      'sqlite',
      'db',
    ],
  },
  {
    aspect: 'datasets',
    why: 'archives inside a repo are data dumps (code and weights are committed unpacked)',
    extensions: ['zip', 'tar', 'tar.gz', 'tgz', 'tar.bz2', 'tar.xz', 'gz', 'bz2', 'xz', 'zst', '7z'],
  },
  {
    aspect: 'code',
    why: 'source code, notebooks and scripts',
    extensions: [
      'py',
      'pyi',
      'pyx',
      'ipynb',
      'js',
      'mjs',
      'cjs',
      'ts',
      'tsx',
      'jsx',
      'sh',
      'bash',
      'ps1',
      'bat',
      'c',
      'h',
      'cc',
      'cpp',
      'cxx',
      'hpp',
      'cu',
      'cuh',
      'rs',
      'go',
      'java',
      'kt',
      'scala',
      'swift',
      'r',
      'jl',
      'lua',
      'rb',
      'php',
      'pl',
      'sql',
      'proto',
      'cmake',
    ],
  },
  {
    aspect: 'docs',
    why: 'text, configuration and illustrations that describe the package',
    extensions: [
      'md',
      'rst',
      'txt',
      'json',
      'yaml',
      'yml',
      'toml',
      'cfg',
      'ini',
      'pdf',
      'html',
      'png',
      'jpg',
      'jpeg',
      'gif',
      'svg',
      'webp',
    ],
  },
];

const DATA_FOLDERS = new Set(['data', 'dataset', 'datasets']);

const byName = new Map<string, Aspect>();
for (const rule of NAME_RULES) for (const name of rule.names ?? []) byName.set(name, rule.aspect);

const byExtension = new Map<string, Aspect>();
for (const rule of EXTENSION_RULES)
  for (const ext of rule.extensions ?? []) byExtension.set(ext, rule.aspect);

export function classifyFile(path: string): Aspect {
  const segments = path.toLowerCase().split('/');
  const name = segments.pop() ?? '';
  const named = byName.get(name) ?? PATTERN_RULES.find((rule) => rule.pattern?.test(name))?.aspect;
  if (named) return named;
  const aspect = aspectByExtension(name) ?? 'docs';
  if (aspect === 'docs' && segments.some((dir) => DATA_FOLDERS.has(dir))) return 'datasets';
  return aspect;
}

/** Tries every suffix after a dot, longest first: `a.tar.gz` checks `tar.gz`, then `gz`. */
function aspectByExtension(name: string): Aspect | undefined {
  for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
    const aspect = byExtension.get(name.slice(dot + 1));
    if (aspect) return aspect;
  }
  return undefined;
}
