CREATE SEQUENCE "public"."information_feed_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "enforcement_records" (
	"id" text PRIMARY KEY NOT NULL,
	"source_system" text NOT NULL,
	"source_id" text NOT NULL,
	"agency" text NOT NULL,
	"party" text NOT NULL,
	"action_type" text NOT NULL,
	"action_date" date NOT NULL,
	"place" text,
	"summary" text NOT NULL,
	"result" text,
	"case_number" text,
	"case_id" text,
	"import_job_id" text NOT NULL,
	"content_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"source_system" text NOT NULL,
	"format" text NOT NULL,
	"filename" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"content" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"inserted" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"message_zh" text,
	"created_by_user_id" text,
	"created_by_agency" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "information_records" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"step" text NOT NULL,
	"decision_label_zh" text NOT NULL,
	"article34_item" text NOT NULL,
	"responsible_agency" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"due_date" date NOT NULL,
	"provisional" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"escalation_level" text DEFAULT 'none' NOT NULL,
	"confidentiality" text,
	"confidentiality_reason" text,
	"content" text,
	"document_number" text,
	"entered_at" timestamp with time zone,
	"entered_by_user_id" text,
	"entered_by_agency" text,
	"entered_by_name" text,
	"late" boolean DEFAULT false NOT NULL,
	"feed_seq" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_digests" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"day" date NOT NULL,
	"notification_id" text NOT NULL,
	"item_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "penalty_records" (
	"id" text PRIMARY KEY NOT NULL,
	"source_system" text NOT NULL,
	"source_id" text NOT NULL,
	"agency" text NOT NULL,
	"party" text NOT NULL,
	"fact_summary" text NOT NULL,
	"penalty_type" text NOT NULL,
	"amount" numeric(14, 2),
	"decision_date" date NOT NULL,
	"document_number" text,
	"case_number" text,
	"case_id" text,
	"import_job_id" text NOT NULL,
	"content_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_preferences" (
	"user_id" text PRIMARY KEY NOT NULL,
	"warning_delivery" text DEFAULT 'immediate' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "enforcement_records" ADD CONSTRAINT "enforcement_records_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "information_records" ADD CONSTRAINT "information_records_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "penalty_records" ADD CONSTRAINT "penalty_records_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "enforcement_records_source_uq" ON "enforcement_records" USING btree ("source_system","source_id");--> statement-breakpoint
CREATE INDEX "enforcement_records_date_idx" ON "enforcement_records" USING btree ("action_date");--> statement-breakpoint
CREATE INDEX "import_jobs_created_idx" ON "import_jobs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "information_records_case_idx" ON "information_records" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "information_records_status_idx" ON "information_records" USING btree ("status","due_at");--> statement-breakpoint
CREATE UNIQUE INDEX "information_records_feed_uq" ON "information_records" USING btree ("feed_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_digests_user_day_uq" ON "notification_digests" USING btree ("user_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "penalty_records_source_uq" ON "penalty_records" USING btree ("source_system","source_id");--> statement-breakpoint
CREATE INDEX "penalty_records_date_idx" ON "penalty_records" USING btree ("decision_date");--> statement-breakpoint
CREATE INDEX "penalty_records_case_idx" ON "penalty_records" USING btree ("case_id");