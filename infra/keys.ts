import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Key rings of the platform (payload encryption, actor signatures): `id:base64key,id2:base64key`, the first one
 * used for new ciphertexts and signatures, every one accepted for reading, so a key rotates by putting the new one
 * first and keeping the old ones behind it.
 */
export interface KeyRing {
  /** Id of the key that encrypts or signs. */
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

export class KeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyConfigError';
  }
}

export function parseKeyRing(spec: string, variable: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let current: string | undefined;
  for (const part of spec.split(/[,\s]+/).filter(Boolean)) {
    const m = /^([\w.-]{1,64}):([A-Za-z0-9+/=_-]+)$/.exec(part);
    if (!m)
      throw new KeyConfigError(`${variable} 格式应为 密钥编号:base64密钥[,编号:密钥…] (${variable}: id:base64key,…)`);
    const key = Buffer.from(m[2], 'base64');
    if (key.length !== 32)
      throw new KeyConfigError(`${variable} 中的密钥 ${m[1]} 应为 32 字节（base64 编码），实际 ${key.length} 字节`);
    if (keys.has(m[1])) throw new KeyConfigError(`${variable} 中的密钥编号 ${m[1]} 重复`);
    keys.set(m[1], key);
    current ??= m[1];
  }
  if (!current) throw new KeyConfigError(`${variable} 为空`);
  return { current, keys };
}

export const newKeySpec = (id: string) => `${id}:${crypto.randomBytes(32).toString('base64')}`;

export interface KeySource {
  /** The value of the variable (e.g. PAYLOAD_KEYS). */
  value?: string;
  /** The value of its _FILE variable: a file holding the same format. */
  file?: string;
  variable: string;
  /** Where the embedded default keeps a generated key (owner-only); undefined: the key must be configured. */
  generatedFile?: string;
}

/** The ring from the variable, else its file, else (embedded default only) a key generated once and kept. */
export function loadKeyRing(src: KeySource): KeyRing {
  if (src.value) return parseKeyRing(src.value, src.variable);
  if (src.file) {
    let text: string;
    try {
      text = fs.readFileSync(src.file, 'utf8');
    } catch (err) {
      throw new KeyConfigError(`无法读取 ${src.variable}_FILE（${src.file}）：${(err as Error).message}`);
    }
    return parseKeyRing(text.trim(), `${src.variable}_FILE`);
  }
  if (!src.generatedFile) {
    throw new KeyConfigError(
      `连接外部 Temporal 时必须设置 ${src.variable} 或 ${src.variable}_FILE（所有 worker 与 API 进程使用同一组密钥） (${src.variable} or ${src.variable}_FILE is required with an external Temporal server)`,
    );
  }
  fs.mkdirSync(path.dirname(src.generatedFile), { recursive: true, mode: 0o700 });
  try {
    // wx: two processes starting at once keep the first one's key.
    fs.writeFileSync(
      src.generatedFile,
      `${newKeySpec(`k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`)}\n`,
      { mode: 0o600, flag: 'wx' },
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return parseKeyRing(fs.readFileSync(src.generatedFile, 'utf8').trim(), src.generatedFile);
}
