/**
 * Deterministic registry content for the search and enumeration benches: model names and model
 * cards (README text) of 2-10 KB built from a fixed pseudo-word vocabulary, with marker phrases
 * planted at known rates so a pattern's selectivity is known in advance.
 */

/** A small, fast, seeded PRNG (mulberry32). */
export function random(seed) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILIES = [
  'bert',
  'roberta',
  'gpt2',
  'llama',
  'whisper',
  't5',
  'vit',
  'resnet',
  'clip',
  'bart',
  'phi',
  'qwen',
];
const SIZES = ['tiny', 'small', 'base', 'large', 'xl', '1b', '3b', '7b', '13b'];
const VARIANTS = ['uncased', 'chat', 'instruct', 'squad', 'ner', 'sentiment', 'lora', 'gguf', 'code', 'math'];
const LICENSES = ['apache-2.0', 'mit', 'bsd-3-clause', 'openrail', 'llama2', 'gpl-3.0'];
const SYLLABLES = 'ka ri to mo ne sa lu vi da pe go hu zi bo fa xe ty wu qo je lin mar ten sol dra pix'.split(
  ' ',
);

/** Marker phrases and the share of cards that carry each. */
export const MARKERS = {
  /** ~0.05% of cards: what a selective search looks for. */
  selective: { rate: 0.0005, text: (next) => `quantum${next() < 0.5 ? '-' : ' '}entangled` },
  /** ~0.9% of cards: a broad search (just under the default cap of 1000 results at 100k). */
  broad: { rate: 0.009, text: (next) => `license: CC-BY-NC-${1 + Math.floor(next() * 4)}.0` },
};

function vocabulary(next) {
  const words = [];
  for (let i = 0; i < 4000; i += 1) {
    let word = '';
    const syllables = 1 + Math.floor(next() * 3);
    for (let j = 0; j < syllables; j += 1) word += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
    words.push(word);
  }
  return words;
}

/** Artifact `i`'s name: unique, keyboard characters only. */
export function artifactName(i) {
  const family = FAMILIES[i % FAMILIES.length];
  const size = SIZES[Math.floor(i / FAMILIES.length) % SIZES.length];
  const variant = VARIANTS[Math.floor(i / (FAMILIES.length * SIZES.length)) % VARIANTS.length];
  return `${family}-${size}-${variant}-${i}`;
}

/** `count` artifacts as { name, readme }, the same for the same count on every run. */
export function* generateCards(count) {
  const next = random(20261130);
  const words = vocabulary(next);
  const sentence = () => {
    const length = 6 + Math.floor(next() * 12);
    const parts = [];
    for (let i = 0; i < length; i += 1) parts.push(words[Math.floor(next() * words.length)]);
    return `${parts.join(' ')}.`;
  };
  for (let i = 0; i < count; i += 1) {
    const name = artifactName(i);
    const target = 2048 + Math.floor(next() * 8192);
    const lines = [`# ${name}`, '', `${name} is a ${FAMILIES[i % FAMILIES.length]} model.`, ''];
    let size = lines.join('\n').length;
    const planted = Object.values(MARKERS)
      .filter((marker) => next() < marker.rate)
      .map((marker) => marker.text(next));
    while (size < target) {
      const line = next() < 0.15 ? `## ${sentence()}` : sentence();
      lines.push(line);
      size += line.length + 1;
      if (planted.length > 0 && next() < 0.1) lines.push(`See ${planted.pop()} for details.`);
    }
    for (const text of planted) lines.push(`Notes: ${text}.`);
    lines.push('', `license: ${LICENSES[Math.floor(next() * LICENSES.length)]}`);
    yield { name, readme: lines.join('\n') };
  }
}
