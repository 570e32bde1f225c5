/**
 * The rungs of the escalation ladder (statutory-deadlines.md §3) as every workflow names them: the kind of a rung,
 * the escalation level a clock is at once it has fired, its Chinese label and who is told. A case clock's ladder has
 * a fourth rung, the supervision item opened at the overdue instant (`supervision`).
 */

/** Who a notification addresses in an agency (activities resolve the people). */
export type Audience = 'handling' | 'agencyHead' | 'supervision' | 'workingGroup';

/** The rungs every clock climbs: 预警 → 超期 → 督办. */
export const RUNG_KINDS = ['warning', 'overdue', 'escalation'] as const;
export type RungKind = (typeof RUNG_KINDS)[number];
/** A case clock's rungs, with the supervision item between overdue and escalation. */
export type LadderRungKind = RungKind | 'supervision';

/** The level a clock is at after a rung (persisted as `escalation_level`). */
export const RUNG_LEVEL = {
  warning: 'warning',
  overdue: 'overdue',
  supervision: 'supervision',
  escalation: 'escalated',
} as const satisfies Record<LadderRungKind, string>;
export type RungLevel = (typeof RUNG_LEVEL)[LadderRungKind];
/** A clock's level: `none` before its first rung. */
export type EscalationLevel = 'none' | RungLevel;

export const RUNG_ZH = {
  warning: '预警',
  overdue: '超期',
  supervision: '监督',
  escalation: '督办',
} as const satisfies Record<LadderRungKind, string>;

/** Who hears of a rung: the handling staff are warned, the agency's head hears of the overdue, the group escalates. */
export const RUNG_AUDIENCE: Record<LadderRungKind, readonly Audience[]> = {
  warning: ['handling'],
  overdue: ['agencyHead'],
  supervision: ['supervision'],
  escalation: ['workingGroup'],
};

/** The audience of a rung, as a fresh array for a notification request. */
export const rungAudience = (kind: LadderRungKind): Audience[] => [...RUNG_AUDIENCE[kind]];
