CREATE TABLE "release_approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"release_id" text NOT NULL,
	"round" integer NOT NULL,
	"agency" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"due_date" date NOT NULL,
	"provisional" boolean DEFAULT false NOT NULL,
	"warning_due_at" timestamp with time zone,
	"escalation_due_at" timestamp with time zone,
	"escalation_level" text DEFAULT 'none' NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by_user_id" text,
	"decided_by_name" text,
	"comment" text,
	"late" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "release_events" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"release_id" text NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"type" text NOT NULL,
	"label_zh" text NOT NULL,
	"actor_user_id" text,
	"actor_agency" text,
	"rule_id" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"kind" text NOT NULL,
	"confidentiality" text NOT NULL,
	"confidentiality_reason" text,
	"case_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"drafter_agency" text NOT NULL,
	"drafter_user_id" text,
	"drafter_name" text,
	"status" text NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"submitted_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"published_by_agency" text,
	"rejected_by_agency" text,
	"rejected_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "release_approvals" ADD CONSTRAINT "release_approvals_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "release_events" ADD CONSTRAINT "release_events_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "release_approvals_release_idx" ON "release_approvals" USING btree ("release_id","round");--> statement-breakpoint
CREATE INDEX "release_approvals_pending_idx" ON "release_approvals" USING btree ("agency","status","due_at");--> statement-breakpoint
CREATE INDEX "release_events_release_idx" ON "release_events" USING btree ("release_id","seq");--> statement-breakpoint
CREATE INDEX "releases_status_idx" ON "releases" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "releases_published_idx" ON "releases" USING btree ("published_at");