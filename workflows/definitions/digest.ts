/** What the digest Schedule passes on each run of dailyDigestWorkflow (v1; add optional fields only). */
export interface DailyDigestWorkflowInput {
  /** The console's public address, for the links in the mail. */
  publicUrl?: string;
  /** The China-time day (YYYY-MM-DD); default: the day of the scheduled instant. */
  day?: string;
}
