import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { actorClaimProblem, CLAIM_MAX_AGE_MS, signActorClaim } from '../../infra/actor-claims';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_KEY, WORKFLOW_ID_KEY } from '../../infra/data-converter';
import { secureDataDir } from '../../infra/data-dir';
import { KeyConfigError, loadKeyRing, newKeySpec, parseKeyRing } from '../../infra/keys';
import { TEST_PAYLOAD_KEYS } from '../helpers/keys';

const ctx = (workflowId: string) => ({ type: 'workflow' as const, namespace: 'default', workflowId });
const str = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString();

describe('payload codec (AES-256-GCM, keys by id)', () => {
  const old = newKeySpec('k1');
  const next = newKeySpec('k2');
  const secret = { title: '保密案件：举报人住址', summary: '举报材料' };

  it('encrypts to binary/encrypted with the key id and the owner workflow, and decrypts back', async () => {
    const codec = new EncryptionCodec(parseKeyRing(old, 'T'));
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload(secret)], ctx('case-1'));
    expect(str(enc.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(str(enc.metadata![KEY_ID_KEY])).toBe('k1');
    expect(str(enc.metadata![WORKFLOW_ID_KEY])).toBe('case-1');
    expect(Buffer.from(enc.data!).includes(Buffer.from('举报'))).toBe(false);
    const [dec] = await codec.decode([enc]);
    expect(defaultPayloadConverter.fromPayload(dec)).toEqual(secret);
  });

  it('rotates: a new first key encrypts from then on, old ids still decrypt; without the old key they do not', async () => {
    const before = new EncryptionCodec(parseKeyRing(old, 'T'));
    const [written] = await before.encode([defaultPayloadConverter.toPayload(secret)], ctx('case-1'));
    const rotated = new EncryptionCodec(parseKeyRing(`${next},${old}`, 'T'));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([written]))[0])).toEqual(secret);
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload(secret)], ctx('case-1'));
    expect(str(fresh.metadata![KEY_ID_KEY])).toBe('k2');
    await expect(before.decode([fresh])).rejects.toThrow(/k2/);
    await expect(new EncryptionCodec(parseKeyRing(next, 'T')).decode([written])).rejects.toThrow(/k1/);
  });

  it('passes through payloads without its encoding (histories from before encryption) and does not encrypt twice', async () => {
    const codec = new EncryptionCodec(parseKeyRing(TEST_PAYLOAD_KEYS, 'T'));
    const plain = defaultPayloadConverter.toPayload(secret);
    expect(await codec.decode([plain])).toEqual([plain]);
    const [once] = await codec.encode([plain], ctx('case-1'));
    expect(await codec.encode([once], ctx('case-1'))).toEqual([once]);
  });

  it("refuses a payload moved to another workflow's name or altered", async () => {
    const codec = new EncryptionCodec(parseKeyRing(old, 'T'));
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload(secret)], ctx('case-1'));
    const moved = { ...enc, metadata: { ...enc.metadata, [WORKFLOW_ID_KEY]: Buffer.from('case-2') } };
    await expect(codec.decode([moved])).rejects.toThrow();
    const data = Buffer.from(enc.data!);
    data[data.length - 1] ^= 1;
    await expect(codec.decode([{ ...enc, data }])).rejects.toThrow();
  });

  it('reads keys from the variable or its file; refuses bad keys; requires one with an external server', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    fs.writeFileSync(path.join(dir, 'ring'), `${next},${old}\n`);
    expect(loadKeyRing({ file: path.join(dir, 'ring'), variable: 'PAYLOAD_KEYS' }).current).toBe('k2');
    expect(() => parseKeyRing('k1:c2hvcnQ=', 'PAYLOAD_KEYS')).toThrow(/32 字节/);
    expect(() => loadKeyRing({ variable: 'PAYLOAD_KEYS' })).toThrow(KeyConfigError);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('signed actor claims (HMAC-SHA256)', () => {
  const ring = parseKeyRing(newKeySpec('a1'), 'ACTOR_KEYS');
  const claim = {
    userId: 'u1',
    agency: 'eeb',
    role: 'officer',
    workflowId: 'case-1',
    updateId: 'up-1',
    issuedAt: Date.now(),
  };

  it("accepts the platform's claim; refuses one altered, signed with another key, or stale", () => {
    const signed = signActorClaim(ring, claim);
    expect(actorClaimProblem(ring, signed)).toBeUndefined();
    expect(actorClaimProblem(ring, { ...signed, agency: 'spp' })).toBe('操作人签名无效');
    expect(actorClaimProblem(ring, { ...signed, updateId: 'up-2' })).toBe('操作人签名无效');
    const other = parseKeyRing(`a1:${crypto.randomBytes(32).toString('base64')}`, 'X');
    expect(actorClaimProblem(ring, signActorClaim(other, claim))).toBe('操作人签名无效');
    expect(actorClaimProblem(ring, { ...signed, keyId: 'zz' })).toBe('操作人签名使用了未知的密钥');
    expect(actorClaimProblem(ring, signed, claim.issuedAt + CLAIM_MAX_AGE_MS + 1)).toBe('操作人签名已过期');
  });

  it('verifies claims of an old key after rotation', () => {
    const signed = signActorClaim(ring, claim);
    const rotated = parseKeyRing(`${newKeySpec('a2')},a1:${ring.keys.get('a1')!.toString('base64')}`, 'ACTOR_KEYS');
    expect(actorClaimProblem(rotated, signed)).toBeUndefined();
    expect(signActorClaim(rotated, claim).keyId).toBe('a2');
  });
});

describe('data directory owner-only', () => {
  const umask = process.umask();
  afterAll(() => {
    process.umask(umask);
  });

  it('creates the directory 0700 and its files 0600, tightens what was readable, and generates keys owner-only', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'datadir-'));
    const dir = path.join(parent, '.data');
    fs.mkdirSync(path.join(dir, 'mail'), { recursive: true, mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, 'temporal.sqlite'), 'x', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'admin-token'), 'x', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'mail', 'old.eml'), 'x', { mode: 0o644 });
    secureDataDir(dir);
    const mode = (p: string) => fs.statSync(path.join(dir, p)).mode & 0o777;
    expect(mode('.')).toBe(0o700);
    expect(mode('mail')).toBe(0o700);
    expect(mode('temporal.sqlite')).toBe(0o600);
    expect(mode('mail/old.eml')).toBe(0o600);
    expect(mode('admin-token')).toBe(0o600);
    // New files and directories, written without a mode (the mailer, PGlite, the dev server), are owner-only too.
    fs.writeFileSync(path.join(dir, 'mail', 'new.eml'), 'x');
    fs.mkdirSync(path.join(dir, 'pglite'));
    expect(mode('mail/new.eml')).toBe(0o600);
    expect(mode('pglite')).toBe(0o700);
    const ring = loadKeyRing({ variable: 'PAYLOAD_KEYS', generatedFile: path.join(dir, 'payload-keys') });
    expect(mode('payload-keys')).toBe(0o600);
    // Generated once: a second process reads the same key.
    expect(
      loadKeyRing({ variable: 'PAYLOAD_KEYS', generatedFile: path.join(dir, 'payload-keys') }).keys.get(ring.current),
    ).toEqual(ring.keys.get(ring.current));
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('leaves a shared directory (sticky, like /tmp) and entries not its own alone', () => {
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-'));
    fs.chmodSync(shared, 0o1777);
    fs.writeFileSync(path.join(shared, 'someone-elses.txt'), 'x');
    fs.writeFileSync(path.join(shared, 'admin-token'), 'x');
    for (const f of ['someone-elses.txt', 'admin-token']) fs.chmodSync(path.join(shared, f), 0o644);
    secureDataDir(shared);
    expect(fs.statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(fs.statSync(path.join(shared, 'someone-elses.txt')).mode & 0o777).toBe(0o644);
    expect(fs.statSync(path.join(shared, 'admin-token')).mode & 0o777).toBe(0o600);
    fs.rmSync(shared, { recursive: true, force: true });
  });
});
