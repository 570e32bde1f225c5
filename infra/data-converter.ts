import crypto from 'node:crypto';
import path from 'node:path';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import type { SerializationContext } from '@temporalio/common/lib/converter/serialization-context';
import { temporal } from '@temporalio/proto';
import type { Config } from '../config';
import { loadKeyRing, type KeyRing } from './keys';

/**
 * Payload encryption: every input, result, update argument, memo and failure detail leaves the process as
 * AES-256-GCM ciphertext, so the Temporal server, its UI and its database hold nothing readable. Search attributes
 * are not payloads of the codec and stay plain (they carry no personal data). Runs in the client and the worker,
 * outside workflow code (node:crypto).
 *
 * Each encrypted payload names its key (`encryption-key-id`, so keys rotate) and the workflow that owns it
 * (`linkage-workflow-id`, so the codec endpoint can apply the platform's rules to it). Both are bound into the
 * ciphertext as additional data: moving a payload to another workflow's name does not decrypt.
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_KEY = 'encryption-key-id';
export const WORKFLOW_ID_KEY = 'linkage-workflow-id';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

function ownerOf(context: SerializationContext | undefined): string | undefined {
  return context?.workflowId || undefined;
}

const aad = (keyId: string, workflowId: string | undefined) => Buffer.from(`${keyId}\n${workflowId ?? ''}`, 'utf8');

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const workflowId = ownerOf(context);
    return payloads.map((p) => (dec(p.metadata?.encoding) === ENCRYPTED_ENCODING ? p : this.encrypt(p, workflowId)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    // A payload without the encoding (histories from before encryption, plain search attributes) passes unchanged.
    return payloads.map((p) => (dec(p.metadata?.encoding) === ENCRYPTED_ENCODING ? this.decrypt(p) : p));
  }

  encrypt(p: Payload, workflowId: string | undefined): Payload {
    const keyId = this.ring.current;
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.ring.keys.get(keyId)!, iv);
    cipher.setAAD(aad(keyId, workflowId));
    const body = Buffer.concat([cipher.update(temporal.api.common.v1.Payload.encode(p).finish()), cipher.final()]);
    return {
      metadata: {
        encoding: enc(ENCRYPTED_ENCODING),
        [KEY_ID_KEY]: enc(keyId),
        ...(workflowId ? { [WORKFLOW_ID_KEY]: enc(workflowId) } : {}),
      },
      data: Buffer.concat([iv, cipher.getAuthTag(), body]),
    };
  }

  decrypt(p: Payload): Payload {
    const keyId = dec(p.metadata?.[KEY_ID_KEY]) ?? '';
    const key = this.ring.keys.get(keyId);
    if (!key) throw new Error(`解密失败：未配置密钥 ${keyId || '（无编号）'} (no payload key ${keyId})`);
    const data = Buffer.from(p.data ?? new Uint8Array());
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
    decipher.setAAD(aad(keyId, payloadOwner(p)));
    decipher.setAuthTag(data.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
    const decoded = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
  }
}

/** The workflow an encrypted payload belongs to, as written at encode time (undefined: not known then). */
export function payloadOwner(p: Payload): string | undefined {
  return dec(p.metadata?.[WORKFLOW_ID_KEY]);
}

export const isEncrypted = (p: Payload) => dec(p.metadata?.encoding) === ENCRYPTED_ENCODING;

/**
 * The payload key ring of this process: PAYLOAD_KEYS, else PAYLOAD_KEYS_FILE, else (embedded default only, i.e.
 * no external TEMPORAL_ADDRESS) a key generated once into the data directory, owner-only.
 */
export function payloadKeyRing(config: Config, embedded = !config.temporal.address): KeyRing {
  return loadKeyRing({
    value: config.keys.payloadKeys,
    file: config.keys.payloadKeysFile,
    variable: 'PAYLOAD_KEYS',
    generatedFile: embedded ? path.resolve(config.dataDir, 'payload-keys') : undefined,
  });
}

export function dataConverterFor(ring: KeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(ring)] };
}
