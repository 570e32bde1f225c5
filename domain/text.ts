/**
 * What PostgreSQL can store as text and jsonb: well-formed Unicode (a JSON body may carry a lone UTF-16 surrogate,
 * which jsonb refuses with 22P02 and text stores only as mojibake) and no NUL (refused by both). Pure, so the API's
 * edge check, the import rows and the workflows' validators share it.
 */
export type TextProblem = 'surrogate' | 'nul' | 'tooLong';

export const TEXT_PROBLEM_ZH: Record<TextProblem, string> = {
  surrogate: '含有无效的 Unicode 字符（不成对的代理项）',
  nul: '含有不允许的空字符（\\u0000）',
  tooLong: '过长',
};

// A high surrogate not followed by a low one, or a low one not preceded by a high one (String#isWellFormed is ES2024).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first problem of a string, or undefined when it can be stored. */
export function textProblem(s: string, maxLength = Infinity): TextProblem | undefined {
  if (s.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(s)) return 'surrogate';
  if (s.length > maxLength) return 'tooLong';
  return undefined;
}

export function isStorableText(s: string, maxLength = Infinity): boolean {
  return textProblem(s, maxLength) === undefined;
}

export interface UnstorableField {
  path: string;
  problem: TextProblem | 'tooDeep';
}

/**
 * The first string (key or value) anywhere in a JSON-like value that cannot be stored, with its path (a.b.0.c).
 * Deeper than maxDepth counts as a problem: nothing this platform takes nests that deep.
 */
export function findUnstorable(
  v: unknown,
  opts: { maxLength?: number; maxDepth?: number; prefix?: string } = {},
): UnstorableField | undefined {
  const maxLength = opts.maxLength ?? Infinity;
  const maxDepth = opts.maxDepth ?? 32;
  const walk = (x: unknown, path: string, depth: number): UnstorableField | undefined => {
    if (typeof x === 'string') {
      const p = textProblem(x, maxLength);
      return p ? { path, problem: p } : undefined;
    }
    if (!x || typeof x !== 'object') return undefined;
    if (depth >= maxDepth) return { path, problem: 'tooDeep' };
    const entries: [string, unknown][] = Array.isArray(x) ? x.map((e, i) => [String(i), e]) : Object.entries(x);
    for (const [k, e] of entries) {
      const at = path ? `${path}.${k}` : k;
      const kp = textProblem(k, 1000);
      if (kp) return { path: at, problem: kp };
      const found = walk(e, at, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(v, opts.prefix ?? '', 0);
}
