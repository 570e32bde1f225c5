import { sql, type SQL } from 'drizzle-orm';
import { caseEvents, cases } from './schema';

/**
 * SQL form of domain/policy canSeeCase for a user of `agency`: non-confidential cases for the agencies and the
 * working group; confidential ones for the procuratorate and the agencies involved (registered, acted on, or
 * holding it). Used by the API (per user) and by activities acting for an agency (an import's case links).
 * `offset 0` keeps the EXISTS a per-row probe of case_events_case_actor_idx, evaluated only for the confidential
 * cases the other terms leave open: without it PostgreSQL hashes every case_events row of the agency first (a
 * sequential scan of the whole event table, ~380 ms at 300,000 events, even for a 20-row page).
 */
export function caseVisibleToAgency(agency: string): SQL {
  if (agency === 'admin') return sql`false`;
  if (agency === 'spp') return sql`true`;
  if (agency === 'workingGroup') return sql`${cases.confidentiality} <> 'confidential'`;
  if (!['eeb', 'psb'].includes(agency)) return sql`false`;
  return sql`(${cases.confidentiality} <> 'confidential' or ${caseInvolvesAgency(agency)})`;
}

/** Would `agency` see the case if it were confidential: the procuratorate, or an agency involved in it. */
export function caseInvolvesAgency(agency: string): SQL {
  if (agency === 'spp') return sql`true`;
  if (!['eeb', 'psb'].includes(agency)) return sql`false`;
  return sql`(${cases.createdByAgency} = ${agency} or ${cases.responsibleAgency} = ${agency}
    or exists (select 1 from ${caseEvents} where ${caseEvents.caseId} = ${cases.id} and ${caseEvents.actorAgency} = ${agency} offset 0))`;
}
