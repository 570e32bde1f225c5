import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from './client';
import { agencies, workingGroupPositions } from './schema';
import { PROJECT_ROOT } from '../infra/paths';

/** The roster is configuration data (people change; code does not): config/roster.json or ROSTER_FILE. */
export const rosterSchema = z.object({
  agencies: z.array(
    z.object({
      code: z.enum(['eeb', 'psb', 'spp', 'workingGroup', 'admin']),
      nameZh: z.string().min(1),
      shortNameZh: z.string().min(1),
      email: z.string().email().nullable().optional(),
    }),
  ),
  workingGroup: z.array(
    z.object({
      id: z.string().min(1),
      position: z.enum(['leader', 'deputy', 'member']),
      agency: z.enum(['eeb', 'psb', 'spp']),
      titleZh: z.string().min(1),
      personName: z.string().nullable().optional(),
      email: z.string().email().nullable().optional(),
    }),
  ),
});
export type Roster = z.infer<typeof rosterSchema>;

export const DEFAULT_ROSTER_FILE = path.join(PROJECT_ROOT, 'config', 'roster.json');

export function readRoster(file = DEFAULT_ROSTER_FILE): Roster {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`无法读取名单文件 ROSTER_FILE=${file}：${(err as Error).message}`);
  }
  const parsed = rosterSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `名单文件格式错误 ${file}：${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Idempotent: agencies and working-group positions are upserted by their ids. */
export async function seed(db: Db, roster: Roster): Promise<void> {
  for (const a of roster.agencies) {
    await db
      .insert(agencies)
      .values({ code: a.code, nameZh: a.nameZh, shortNameZh: a.shortNameZh, email: a.email ?? null })
      .onConflictDoUpdate({
        target: agencies.code,
        set: { nameZh: a.nameZh, shortNameZh: a.shortNameZh, email: a.email ?? null },
      });
  }
  let order = 0;
  for (const p of roster.workingGroup) {
    const values = {
      id: p.id,
      position: p.position,
      agency: p.agency,
      titleZh: p.titleZh,
      personName: p.personName ?? null,
      email: p.email ?? null,
      sortOrder: order++,
    };
    const { id: _id, ...set } = values;
    await db.insert(workingGroupPositions).values(values).onConflictDoUpdate({ target: workingGroupPositions.id, set });
  }
}
