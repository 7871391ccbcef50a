import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File, writeStoredZip } from './zipgen.mjs';

const MB = 1024 * 1024;

/** Builds a zip and describes it: where it is, its size and SHA-256. */
async function build(dir, name, entries) {
  const path = join(dir, `${name}.zip`);
  await writeStoredZip(path, entries);
  const { size } = await stat(path);
  return { name, path, size, sha256: await sha256File(path) };
}

/**
 * Stands in for the public arnir0/Tiny-LLM: its file layout, with a weights file of
 * `weightBytes` pseudo-random bytes (the real one is about 50 MB).
 */
export function buildTinyLlm(dir, weightBytes = 50 * MB) {
  const config = {
    architectures: ['LlamaForCausalLM'],
    hidden_size: 192,
    num_hidden_layers: 1,
    vocab_size: 32000,
  };
  return build(dir, 'Tiny-LLM', [
    { name: 'config.json', content: JSON.stringify(config, null, 2) },
    { name: 'generation_config.json', content: '{"bos_token_id":1,"eos_token_id":2}' },
    {
      name: 'README.md',
      content: '---\nlicense: mit\n---\n# Tiny-LLM\nA tiny language model (benchmark stand-in).\n',
    },
    {
      name: 'tokenizer.json',
      content: JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: {} } }),
    },
    { name: 'tokenizer_config.json', content: '{"model_max_length":2048}' },
    { name: 'special_tokens_map.json', content: '{"bos_token":"<s>","eos_token":"</s>"}' },
    { name: 'model.safetensors', size: weightBytes, seed: 'Tiny-LLM' },
  ]);
}

/** A small model distinct from every other index: own name, config and weights. */
export function buildSmallModel(dir, index) {
  const name = `bench-model-${String(index).padStart(3, '0')}`;
  return build(dir, name, [
    { name: 'config.json', content: JSON.stringify({ model_type: 'bench', index }) },
    {
      name: 'README.md',
      content: `---\nlicense: apache-2.0\n---\n# ${name}\nSmall benchmark model number ${index}.\n`,
    },
    { name: 'model.safetensors', size: 4096, seed: name },
  ]);
}

/** One package with a single stored entry of `bytes` pseudo-random bytes, written streaming. */
export function buildLargePackage(dir, bytes) {
  return build(dir, 'large-package', [
    { name: 'README.md', content: '# large-package\nMemory benchmark payload.\n' },
    { name: 'model.safetensors', size: bytes, seed: 'large-package' },
  ]);
}
