import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface TestSmtp {
  port: number;
  url: string;
  received: ParsedMail[];
  /** While true, the server answers 450 to every message. */
  refuse: boolean;
  close(): Promise<void>;
}

/** A real SMTP server in-process; what arrives is parsed back with mailparser. */
export function startSmtp(): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const state = { refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, cb) {
      if (state.refuse) {
        stream.resume();
        stream.on('end', () => cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 450 })));
        return;
      }
      simpleParser(stream)
        .then((m) => {
          received.push(m);
          cb();
        })
        .catch(cb);
    },
  });
  // smtp-server re-emits every connection's error on the server: without a listener, a sender killed mid-session
  // (the worker SIGKILLed by tests/faults/worker-kill while it delivers) throws ECONNRESET into the test process and
  // fails the suite after its test passed. A sender going away is not the server's failure; anything else is shown.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') console.error(`[test-smtp] ${err.message}`);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({
        port,
        url: `smtp://127.0.0.1:${port}`,
        received,
        get refuse() {
          return state.refuse;
        },
        set refuse(v: boolean) {
          state.refuse = v;
        },
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
