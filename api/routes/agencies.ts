import { Router } from 'express';
import { asc } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { agencies, workingGroupPositions } from '../../db/schema';
import { currentUser } from '../auth';
import { route } from '../openapi';

/** The agencies and the joint working group's roster (configuration data seeded from config/roster.json), read-only. */
export function agenciesRouter(deps: { db: Db }) {
  const { db } = deps;
  const r = Router();
  route(
    r,
    {
      method: 'get',
      path: '/api/v1/agencies',
      permission: 'authenticated',
      summary: '成员单位与联动执法工作组名单（来自 config/roster.json，只读）',
      tags: ['用户'],
    },
    async (_req, res) => {
      const [list, roster] = await Promise.all([
        db
          .select({
            code: agencies.code,
            nameZh: agencies.nameZh,
            shortNameZh: agencies.shortNameZh,
            email: agencies.email,
          })
          .from(agencies)
          .orderBy(asc(agencies.createdAt), asc(agencies.code)),
        db
          .select()
          .from(workingGroupPositions)
          .orderBy(asc(workingGroupPositions.sortOrder), asc(workingGroupPositions.id)),
      ]);
      // People's mailboxes are for the administrator who maintains the roster; everyone else sees names and titles.
      const admin = currentUser(res).role === 'admin';
      res.json({ agencies: list, workingGroup: roster.map((p) => (admin ? p : { ...p, email: null })) });
    },
  );
  return r;
}
