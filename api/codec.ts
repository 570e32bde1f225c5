import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/internal-non-workflow';
import { isEncrypted } from '../infra/data-converter';

/** The payload codecs of the API's Temporal client (infra/data-converter.ts): the same keys as the workers. */
export const codecsOf = (client: Client) => client.options.loadedDataConverter.payloadCodecs;

export const decodePayloads = (client: Client, payloads: Payload[]) => decode(codecsOf(client), payloads);
export const encodePayloads = (client: Client, payloads: Payload[]) => encode(codecsOf(client), payloads);

type Holder = Record<string, unknown>;

function isPayload(v: unknown): v is Payload {
  return Boolean(
    v &&
    typeof v === 'object' &&
    'metadata' in v &&
    (v as Payload).metadata &&
    typeof (v as Payload).metadata === 'object',
  );
}

/**
 * Decrypts every payload of a fetched history in place (the client's fetchHistory returns what the server stores:
 * ciphertext). Used for the timeline and the raw export, both only for someone who may read the case.
 */
export async function decodeHistory<T extends object>(client: Client, history: T): Promise<T> {
  const found: { holder: Holder; key: string; payload: Payload }[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number) => {
    if (!v || typeof v !== 'object' || depth > 40 || seen.has(v) || ArrayBuffer.isView(v)) return;
    seen.add(v);
    for (const [key, child] of Object.entries(v as Holder)) {
      if (isPayload(child) && isEncrypted(child)) found.push({ holder: v as Holder, key, payload: child });
      else walk(child, depth + 1);
    }
  };
  walk(history, 0);
  if (!found.length) return history;
  const plain = await decodePayloads(
    client,
    found.map((f) => f.payload),
  );
  found.forEach((f, i) => (f.holder[f.key] = plain[i]));
  return history;
}
