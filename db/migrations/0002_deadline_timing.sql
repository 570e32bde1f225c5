ALTER TABLE "deadlines" ADD COLUMN "extensions" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "deadlines" ADD COLUMN "suspensions" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "deadlines" ADD COLUMN "warning_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "deadlines" ADD COLUMN "escalation_due_at" timestamp with time zone;