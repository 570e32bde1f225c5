/**
 * A Temporal frontend behind mutual TLS, with a certificate authority this test creates (openssl): a Node TLS server
 * that requires a client certificate of that CA terminates TLS in front of a dev server's gRPC port. The platform's
 * one connection module reaches it from the TEMPORAL_TLS_* variables and from a temporal.toml profile, for the
 * client (API, setup) and the worker's native connection alike; without the client certificate it is refused.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { connectClient, describeConnection, temporalOptions } from '../../infra/temporal-connection';
import { devServer, runEntry, type DevServer } from '../helpers/processes';
import { TEST_KEYS_ENV } from '../helpers/keys';

jest.setTimeout(180_000);

const SERVER_NAME = 'temporal.linkage.test';

function makePki(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=linkage test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  const leaf = (name: string, cn: string, ext: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  };
  leaf('server', SERVER_NAME, `subjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth\n`);
  leaf('client', 'linkage-worker', 'extendedKeyUsage=clientAuth\n');
  const file = (name: string) => path.join(dir, name);
  return {
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}

describe('Temporal through mutual TLS with a CA of the test', () => {
  let server: DevServer;
  let proxy: tls.Server;
  let dir: string;
  let pki: ReturnType<typeof makePki>;
  let address: string;
  const handshakes: { authorized: boolean }[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linkage-tls-'));
    pki = makePki(dir);
    server = await devServer();
    const [upHost, upPort] = server.address.split(':');
    proxy = tls.createServer(
      {
        key: fs.readFileSync(pki.serverKey),
        cert: fs.readFileSync(pki.serverCert),
        ca: fs.readFileSync(pki.ca),
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: ['h2'],
      },
      (socket) => {
        handshakes.push({ authorized: socket.authorized });
        const upstream = net.connect(Number(upPort), upHost);
        socket.pipe(upstream).pipe(socket);
        const end = () => {
          socket.destroy();
          upstream.destroy();
        };
        socket.once('error', end);
        upstream.once('error', end);
        socket.once('close', end);
        upstream.once('close', end);
      },
    );
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    address = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => proxy?.close(r));
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const tlsEnv = () => ({
    ...TEST_KEYS_ENV,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.ca,
    TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey,
    TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
  });

  test('the TEMPORAL_TLS_* variables: client and worker connection through mTLS', async () => {
    const config = loadConfig(tlsEnv());
    expect(describeConnection(temporalOptions(config))).toContain('mTLS');
    const { client, connection } = await connectClient(config);
    try {
      const ns = await client.workflowService.describeNamespace({ namespace: 'default' });
      expect(ns.namespaceInfo?.name).toBe('default');
    } finally {
      await connection.close();
    }
    const native = await NativeConnection.connect(temporalOptions(config).connection);
    await native.close();
    expect(handshakes.length).toBeGreaterThanOrEqual(2);
    expect(handshakes.every((h) => h.authorized)).toBe(true);
  });

  test('a temporal.toml profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE): the setup command connects with it', async () => {
    const toml = path.join(dir, 'temporal.toml');
    fs.writeFileSync(
      toml,
      [
        '[profile.secure]',
        `address = "${address}"`,
        'namespace = "default"',
        '[profile.secure.tls]',
        `server_ca_cert_path = "${pki.ca}"`,
        `client_cert_path = "${pki.clientCert}"`,
        `client_key_path = "${pki.clientKey}"`,
        `server_name = "${SERVER_NAME}"`,
        '',
      ].join('\n'),
    );
    const r = await runEntry('scripts/temporal-setup.ts', { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'secure' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`连接 ${address}，命名空间 default（mTLS）`);
    expect(r.stdout).toContain('搜索属性 CaseStage（Keyword）已存在');
  });

  test('without the client certificate, or trusting another CA, the connection is refused', async () => {
    const noClientCert = loadConfig({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.ca,
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    });
    await expect(
      Connection.connect({ ...temporalOptions(noClientCert).connection, connectTimeout: '5s' }).then((c) =>
        c.workflowService.describeNamespace({ namespace: 'default' }),
      ),
    ).rejects.toThrow();
    const otherCa = loadConfig({ ...tlsEnv(), TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.clientCert });
    await expect(
      Connection.connect({ ...temporalOptions(otherCa).connection, connectTimeout: '5s' }),
    ).rejects.toThrow();
  });
});
