ALTER TABLE "api_tokens" ADD COLUMN "self_issued" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "session_id" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "keyed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "confirmed_by" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "deactivated_at" timestamp with time zone;--> statement-breakpoint
-- Accounts that exist already were opened under the earlier rules: they stay usable (confirmed by the migration).
UPDATE "users" SET "confirmed_at" = now(), "confirmed_by" = 'migration' WHERE "confirmed_at" IS NULL;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_log_no_truncate_fn() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log 为只追加记录，禁止清空 (audit_log is append-only: TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate_fn();
