import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes of case workflows. They carry no personal data: only stage, track,
 * agency code, the next due instant and the overdue flag.
 */
export const CaseStage = defineSearchAttributeKey('CaseStage', SearchAttributeType.KEYWORD);
export const CaseTrack = defineSearchAttributeKey('CaseTrack', SearchAttributeType.KEYWORD);
export const ResponsibleAgency = defineSearchAttributeKey('ResponsibleAgency', SearchAttributeType.KEYWORD);
export const NextDeadline = defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME);
export const Overdue = defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL);

export const CASE_SEARCH_ATTRIBUTES = [CaseStage, CaseTrack, ResponsibleAgency, NextDeadline, Overdue];
