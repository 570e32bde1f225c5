import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  /** Stable Message-ID (without angle brackets): the same outbox row always produces the same id. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Where mail goes, for start-up messages (never includes credentials). */
  readonly description: string;
  send(mail: OutgoingMail): Promise<{ accepted: boolean; response: string }>;
  close(): void;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username) u.username = '***';
    return u.toString();
  } catch {
    return 'smtp://…';
  }
}

/** SMTP when `smtpUrl` is set; otherwise each message is written as an .eml file under `mailDir`. */
export function createMailer(opts: { smtpUrl?: string; from: string; mailDir: string }): Mailer {
  const message = (mail: OutgoingMail) => ({
    from: opts.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    messageId: `<${mail.messageId}>`,
    headers: { 'X-Linkage-Outbox-Id': mail.messageId },
  });
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      description: `SMTP ${redact(opts.smtpUrl)}`,
      async send(mail) {
        const info = await transport.sendMail(message(mail));
        return { accepted: info.rejected.length === 0, response: String(info.response ?? '') };
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `本地文件 ${path.resolve(opts.mailDir)}`,
    async send(mail) {
      const info = await transport.sendMail(message(mail));
      fs.mkdirSync(opts.mailDir, { recursive: true });
      const file = path.join(opts.mailDir, `${mail.messageId.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`);
      // Same Message-ID → same file: a retried delivery overwrites instead of duplicating.
      fs.writeFileSync(file, info.message as Buffer);
      return { accepted: true, response: `written ${file}` };
    },
    close: () => transport.close(),
  };
}
