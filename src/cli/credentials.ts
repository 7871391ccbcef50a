import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** One signed-in registry: who, and the token `PUT /authenticate` answered. */
export interface HostCredentials {
  user: string;
  token: string;
  savedAt: string;
}

export interface CredentialsFile {
  /** The registry the last `login` was for: the default `--url`. */
  defaultUrl?: string;
  hosts: Record<string, HostCredentials>;
}

/**
 * The user's config folder: MODELGUARD_CONFIG_DIR, else the platform's (XDG_CONFIG_HOME or
 * ~/.config on Unix, %APPDATA% on Windows) plus `modelguard`.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MODELGUARD_CONFIG_DIR) return env.MODELGUARD_CONFIG_DIR;
  const base =
    process.platform === 'win32'
      ? (env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'))
      : (env.XDG_CONFIG_HOME ?? join(homedir(), '.config'));
  return join(base, 'modelguard');
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'credentials.json');
}

export async function loadCredentials(env: NodeJS.ProcessEnv = process.env): Promise<CredentialsFile> {
  try {
    const parsed = JSON.parse(await readFile(credentialsPath(env), 'utf8')) as Partial<CredentialsFile>;
    return { ...parsed, hosts: parsed.hosts ?? {} };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { hosts: {} };
    throw error;
  }
}

/**
 * Tokens are secrets: the folder is 0700 and the file 0600 from the moment it exists (written
 * to a temporary file with that mode, then renamed over the old one).
 */
export async function saveCredentials(
  file: CredentialsFile,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = credentialsPath(env);
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, target);
}

/** Registry URLs are keyed without a trailing slash, so `http://h:3000/` and `http://h:3000` are one host. */
export function hostKey(url: string): string {
  return url.replace(/\/+$/, '');
}
