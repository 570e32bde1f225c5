CREATE TABLE "supervision_events" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"item_id" text NOT NULL,
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
CREATE TABLE "supervision_items" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"case_id" text,
	"penalty_record_id" text,
	"criterion_id" text NOT NULL,
	"reason_zh" text NOT NULL,
	"basis" text NOT NULL,
	"concerned_agency" text NOT NULL,
	"sweep_period_id" text,
	"status" text DEFAULT 'opened' NOT NULL,
	"opinion_kind" text,
	"opinion_text" text,
	"answer_text" text,
	"clock_rule_id" text,
	"clock_agency" text,
	"due_at" timestamp with time zone,
	"due_date" date,
	"escalation_level" text DEFAULT 'none' NOT NULL,
	"overdue" boolean DEFAULT false NOT NULL,
	"result" text,
	"result_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "supervision_events" ADD CONSTRAINT "supervision_events_item_id_supervision_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."supervision_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supervision_items" ADD CONSTRAINT "supervision_items_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supervision_items" ADD CONSTRAINT "supervision_items_penalty_record_id_penalty_records_id_fk" FOREIGN KEY ("penalty_record_id") REFERENCES "public"."penalty_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "supervision_events_item_idx" ON "supervision_events" USING btree ("item_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "supervision_items_subject_uq" ON "supervision_items" USING btree ("subject_type","subject_id","kind","source");--> statement-breakpoint
CREATE INDEX "supervision_items_status_idx" ON "supervision_items" USING btree ("status");--> statement-breakpoint
CREATE INDEX "supervision_items_case_idx" ON "supervision_items" USING btree ("case_id");