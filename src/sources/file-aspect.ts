import type { Aspect } from '../domain/artifact.js';

/**
 * Which part of a package a file belongs to, judged by its name. Rating needs it to tell code
 * from weights and data (reviewedness counts only code lines), and downloads of one aspect use it.
 */
const WEIGHT_EXTENSIONS = new Set([
  'safetensors',
  'bin',
  'pt',
  'pth',
  'ckpt',
  'h5',
  'keras',
  'onnx',
  'gguf',
  'ggml',
  'msgpack',
  'tflite',
  'pb',
  'mlmodel',
  'pkl',
  'pickle',
  'joblib',
  'npz',
  'npy',
  'ot',
  'nemo',
]);
const DATA_EXTENSIONS = new Set([
  'parquet',
  'csv',
  'tsv',
  'jsonl',
  'ndjson',
  'arrow',
  'feather',
  'avro',
  'tfrecord',
  'tar',
  'zip',
  'gz',
  'bz2',
  'xz',
  'zst',
  'wav',
  'flac',
  'mp3',
  'jpg',
  'jpeg',
  'png',
  'webp',
]);
const CODE_EXTENSIONS = new Set([
  'py',
  'pyi',
  'ipynb',
  'js',
  'mjs',
  'cjs',
  'ts',
  'tsx',
  'jsx',
  'sh',
  'bash',
  'c',
  'cc',
  'cpp',
  'cxx',
  'h',
  'hpp',
  'cu',
  'cuh',
  'go',
  'rs',
  'java',
  'kt',
  'scala',
  'rb',
  'php',
  'swift',
  'm',
  'r',
  'jl',
  'lua',
  'pl',
  'cs',
  'sql',
  'proto',
]);

export function aspectOfPath(path: string): Aspect {
  const name = path.split('/').pop() ?? path;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (WEIGHT_EXTENSIONS.has(extension)) return 'weights';
  if (DATA_EXTENSIONS.has(extension)) return 'datasets';
  if (CODE_EXTENSIONS.has(extension) || name === 'Makefile' || name === 'Dockerfile') return 'code';
  return 'docs';
}
