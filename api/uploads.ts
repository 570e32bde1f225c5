import path from 'node:path';
import { HttpError } from './errors';

/**
 * Checks an uploaded file before anything stores it: size, an allowed type, content that really is that type
 * (magic bytes, not the client's word), and a safe file name (no path, no control characters).
 */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

interface Kind {
  labelZh: string;
  extensions: string[];
  /** The content must start with one of these byte sequences (empty: text, checked separately). */
  magic: number[][];
  text?: boolean;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
export const UPLOAD_TYPES: Record<string, Kind> = {
  'application/pdf': { labelZh: 'PDF 文档', extensions: ['.pdf'], magic: [[0x25, 0x50, 0x44, 0x46, 0x2d]] },
  'image/png': { labelZh: 'PNG 图片', extensions: ['.png'], magic: [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]] },
  'image/jpeg': { labelZh: 'JPEG 图片', extensions: ['.jpg', '.jpeg'], magic: [[0xff, 0xd8, 0xff]] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    labelZh: 'Excel 表格',
    extensions: ['.xlsx'],
    magic: [ZIP],
  },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    labelZh: 'Word 文档',
    extensions: ['.docx'],
    magic: [ZIP],
  },
  'text/csv': { labelZh: 'CSV 文件', extensions: ['.csv'], magic: [], text: true },
  'application/json': { labelZh: 'JSON 文件', extensions: ['.json'], magic: [], text: true },
};

export interface CheckedUpload {
  filename: string;
  type: string;
  size: number;
}

export function safeFilename(name: string): string {
  const base = path.posix.basename(path.win32.basename(name)).normalize('NFC');
  if (!base || base === '.' || base === '..' || /[\u0000-\u001f\u007f<>:"|?*\\/]/.test(base) || base.length > 200) {
    throw new HttpError(422, 'bad_filename', `文件名不合法：${JSON.stringify(name).slice(0, 80)}`);
  }
  return base;
}

export function checkUpload(input: {
  filename: string;
  declaredType: string;
  bytes: Buffer;
  maxBytes?: number;
  allowed?: string[];
}): CheckedUpload {
  const max = input.maxBytes ?? MAX_UPLOAD_BYTES;
  if (input.bytes.length === 0) throw new HttpError(422, 'empty_file', '文件为空');
  if (input.bytes.length > max)
    throw new HttpError(413, 'file_too_large', `文件过大：${input.bytes.length} 字节，上限 ${max} 字节`);
  const filename = safeFilename(input.filename);
  const type = input.declaredType.split(';')[0].trim().toLowerCase();
  const allowed = input.allowed ?? Object.keys(UPLOAD_TYPES);
  const kind = UPLOAD_TYPES[type];
  if (!kind || !allowed.includes(type)) {
    throw new HttpError(
      415,
      'unsupported_type',
      `不支持的文件类型：${type || '未声明'}；允许：${allowed.map((t) => UPLOAD_TYPES[t]?.labelZh ?? t).join('、')}`,
    );
  }
  if (!kind.extensions.includes(path.extname(filename).toLowerCase())) {
    throw new HttpError(415, 'extension_mismatch', `文件扩展名与类型不符：${filename} 不是${kind.labelZh}`);
  }
  if (kind.text) {
    const text = input.bytes.toString('utf8');
    if (text.includes('\u0000') || text.includes('\ufffd'))
      throw new HttpError(415, 'content_mismatch', `文件内容不是有效的 UTF-8 文本：${filename}`);
  } else if (!kind.magic.some((m) => m.every((b, i) => input.bytes[i] === b))) {
    throw new HttpError(415, 'content_mismatch', `文件内容与声明的类型不符：${filename} 不是${kind.labelZh}`);
  }
  return { filename, type, size: input.bytes.length };
}
