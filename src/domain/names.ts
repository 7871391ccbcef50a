import { BadRequestError } from './errors.js';

/** Printable ASCII ("keyboard characters"), 1-255 of them; '*' alone is reserved for "all". */
const KEYBOARD_NAME = /^[\x20-\x7E]{1,255}$/;

export function assertArtifactName(name: string): string {
  if (!KEYBOARD_NAME.test(name) || name.trim() !== name) {
    throw new BadRequestError(
      'Artifact names are 1-255 printable ASCII (keyboard) characters without leading or trailing spaces.',
    );
  }
  if (name === '*') throw new BadRequestError('The name "*" is reserved: it means all artifacts in queries.');
  return name;
}

/** A name for an artifact fetched from a plain URL: its last path segment without a .zip ending. */
export function nameFromUrl(url: URL): string {
  const segment = url.pathname.split('/').filter(Boolean).pop() ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    decoded = segment;
  }
  const base = decoded
    .replace(/\.zip$/i, '')
    .replace(/[^\x20-\x7E]/g, '')
    .trim();
  return base && base !== '*' ? base.slice(0, 255) : url.hostname;
}
