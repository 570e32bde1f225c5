import { checkUpload, safeFilename } from '../../api/uploads';
import { HttpError } from '../../api/errors';

const pdf = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n', 'latin1');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

function refused(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('accepted');
}

describe('upload checks', () => {
  it('accepts a file whose content matches its type and name', () => {
    expect(checkUpload({ filename: '现场照片.png', declaredType: 'image/png', bytes: png })).toEqual({
      filename: '现场照片.png',
      type: 'image/png',
      size: png.length,
    });
    expect(
      checkUpload({ filename: '监测报告.pdf', declaredType: 'application/pdf; charset=binary', bytes: pdf }).type,
    ).toBe('application/pdf');
    expect(
      checkUpload({ filename: 'a.csv', declaredType: 'text/csv', bytes: Buffer.from('编号,名称\n1,测试\n') }).type,
    ).toBe('text/csv');
  });

  it('refuses a disguised executable, a wrong extension, an unknown type, an empty or an oversized file', () => {
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    expect(
      refused(() => checkUpload({ filename: 'report.pdf', declaredType: 'application/pdf', bytes: elf })).status,
    ).toBe(415);
    expect(refused(() => checkUpload({ filename: 'photo.exe', declaredType: 'image/png', bytes: png })).status).toBe(
      415,
    );
    expect(
      refused(() =>
        checkUpload({ filename: 'x.sh', declaredType: 'application/x-sh', bytes: Buffer.from('#!/bin/sh') }),
      ).message,
    ).toContain('不支持的文件类型');
    expect(
      refused(() => checkUpload({ filename: 'a.pdf', declaredType: 'application/pdf', bytes: Buffer.alloc(0) })).status,
    ).toBe(422);
    expect(
      refused(() => checkUpload({ filename: 'a.pdf', declaredType: 'application/pdf', bytes: pdf, maxBytes: 4 }))
        .status,
    ).toBe(413);
    expect(
      refused(() =>
        checkUpload({ filename: 'a.csv', declaredType: 'text/csv', bytes: Buffer.from([0x61, 0x00, 0x62]) }),
      ).status,
    ).toBe(415);
    expect(
      refused(() =>
        checkUpload({ filename: 'a.png', declaredType: 'image/png', bytes: png, allowed: ['application/pdf'] }),
      ).status,
    ).toBe(415);
  });

  it('keeps only a safe base name (no path traversal)', () => {
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('C:\\Windows\\system32\\a.pdf')).toBe('a.pdf');
    for (const bad of ['..', '', 'a\u0000.pdf', 'x'.repeat(300), 'a|b.pdf'])
      expect(refused(() => safeFilename(bad)).status).toBe(422);
  });
});
