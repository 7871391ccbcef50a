import type { ListedFile } from '../../sources/source.js';
import type { RatingEvidence } from '../evidence.js';
import {
  DEVICES,
  type Device,
  type DeviceScores,
  MetricUnavailableError,
  type SizeResult,
  unitScore,
} from '../metric.js';

const GIB = 1024 ** 3;
/** Memory a model's weights may use on each device class, after the OS and runtime take theirs. */
export const DEVICE_MEMORY_BYTES: Record<Device, number> = {
  raspberry_pi: 1.5 * GIB, // 2-4 GB boards, about half left for the model
  jetson_nano: 3 * GIB, // 4 GB shared between CPU and GPU
  desktop_pc: 12 * GIB, // 16 GB RAM or an 8-12 GB GPU
  aws_server: 64 * GIB, // a large memory instance or a multi-GPU node
};
/** Activations, buffers and the framework on top of the weights themselves. */
const RUNTIME_OVERHEAD = 1.2;
/** Fits comfortably at or below a quarter of the budget (score 1); does not fit at or above it (0). */
const COMFORTABLE_SHARE = 0.25;

/**
 * Formats in the order loaders prefer them. One repo often holds the same weights several times
 * (model.safetensors + pytorch_model.bin + tf_model.h5 + flax_model.msgpack); only the format a
 * default loader downloads counts. Formats whose files are alternative variants of one model
 * (quantisations of GGUF, ONNX) count their smallest variant: the user picks the one that fits.
 */
const FORMATS: { name: string; extensions: string[]; variants: boolean }[] = [
  { name: 'safetensors', extensions: ['safetensors'], variants: false },
  { name: 'PyTorch', extensions: ['bin', 'pt', 'pth', 'ckpt'], variants: false },
  { name: 'TensorFlow', extensions: ['h5', 'keras', 'pb'], variants: false },
  { name: 'Flax', extensions: ['msgpack'], variants: false },
  { name: 'ONNX', extensions: ['onnx'], variants: true },
  { name: 'GGUF', extensions: ['gguf', 'ggml'], variants: true },
  { name: 'TFLite', extensions: ['tflite'], variants: true },
];
/** Training state saved next to checkpoints; never loaded for inference. */
const TRAINING_STATE = /(^|\/)(optimizer|scheduler|training_args|rng_state)[^/]*$/;
const SHARD_SUFFIX = /-\d{5}-of-\d{5}(?=\.[^.]+$)/;
const BYTES_PER_PARAMETER: Record<string, number> = {
  float32: 4,
  float: 4,
  float16: 2,
  half: 2,
  bfloat16: 2,
  int8: 1,
  uint8: 1,
};

/**
 * How well the weights fit each device: the memory they need (weights x 1.2) as a share r of the
 * device's budget, scored 1 up to r = 0.25 and 0 from r = 1, smoothly in between on a log scale
 * (smoothstep), so r = 0.5 scores 0.5.
 */
export function sizeScore({ model }: RatingEvidence): SizeResult {
  const weights = weightsEstimate(model.files, model);
  const score = Object.fromEntries(
    DEVICES.map((device) => [
      device,
      fitScore((weights.bytes * RUNTIME_OVERHEAD) / DEVICE_MEMORY_BYTES[device]),
    ]),
  ) as DeviceScores;
  return {
    score,
    reason: `${weights.how}: needs about ${formatGiB(weights.bytes * RUNTIME_OVERHEAD)} of memory.`,
  };
}

export function fitScore(share: number): number {
  if (share <= COMFORTABLE_SHARE) return 1;
  if (share >= 1) return 0;
  const t = Math.log(share / COMFORTABLE_SHARE) / Math.log(1 / COMFORTABLE_SHARE);
  return unitScore(1 - t * t * (3 - 2 * t));
}

function weightsEstimate(
  files: readonly ListedFile[],
  model: RatingEvidence['model'],
): { bytes: number; how: string } {
  const weights = files.filter((file) => file.aspect === 'weights' && !TRAINING_STATE.test(file.path));
  for (const format of FORMATS) {
    const inFormat = weights.filter((file) => format.extensions.includes(extensionOf(file.path)));
    if (inFormat.length === 0) continue;
    const bytes = format.variants ? smallestVariant(inFormat) : sum(inFormat);
    return { bytes, how: `${formatGiB(bytes)} of ${format.name} weights (${inFormat.length} file(s))` };
  }
  if (weights.length > 0) {
    const bytes = sum(weights);
    return { bytes, how: `${formatGiB(bytes)} of weights in ${weights.length} file(s)` };
  }
  const parameters = model.safetensorsParameters ?? model.config?.numParameters ?? null;
  if (parameters !== null && parameters > 0) {
    const dtype = model.config?.torchDtype?.toLowerCase() ?? 'float32';
    const bytes = parameters * (BYTES_PER_PARAMETER[dtype] ?? 4);
    return { bytes, how: `No weight files; ${parameters} parameters as ${dtype} make ${formatGiB(bytes)}` };
  }
  throw new MetricUnavailableError('The model has no weight files and no parameter count to size it by.');
}

function smallestVariant(files: readonly ListedFile[]): number {
  const variants = new Map<string, number>();
  for (const file of files) {
    const key = file.path.replace(SHARD_SUFFIX, '');
    variants.set(key, (variants.get(key) ?? 0) + file.size);
  }
  return Math.min(...variants.values());
}

function extensionOf(path: string): string {
  const name = path.split('/').pop() ?? path;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function sum(files: readonly ListedFile[]): number {
  return files.reduce((total, file) => total + file.size, 0);
}

function formatGiB(bytes: number): string {
  if (bytes >= 0.1 * GIB) return `${(bytes / GIB).toFixed(2)} GiB`;
  return bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
