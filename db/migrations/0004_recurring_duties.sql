CREATE TABLE "duty_events" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"period_id" text NOT NULL,
	"duty_id" text NOT NULL,
	"type" text NOT NULL,
	"label_zh" text NOT NULL,
	"actor_user_id" text,
	"actor_agency" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "duty_items" (
	"id" text PRIMARY KEY NOT NULL,
	"period_id" text NOT NULL,
	"duty_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"title_zh" text NOT NULL,
	"owner_agency" text,
	"date" date,
	"due_at" timestamp with time zone,
	"escalation_level" text DEFAULT 'none' NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "duty_periods" (
	"id" text PRIMARY KEY NOT NULL,
	"duty_id" text NOT NULL,
	"period_key" text NOT NULL,
	"cadence" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"label_zh" text NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "duty_events" ADD CONSTRAINT "duty_events_period_id_duty_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."duty_periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duty_items" ADD CONSTRAINT "duty_items_period_id_duty_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."duty_periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "duty_events_period_idx" ON "duty_events" USING btree ("period_id","seq");--> statement-breakpoint
CREATE INDEX "duty_events_type_idx" ON "duty_events" USING btree ("type","occurred_at");--> statement-breakpoint
CREATE INDEX "duty_items_period_idx" ON "duty_items" USING btree ("period_id");--> statement-breakpoint
CREATE INDEX "duty_items_kind_status_idx" ON "duty_items" USING btree ("kind","status");--> statement-breakpoint
CREATE INDEX "duty_items_date_idx" ON "duty_items" USING btree ("kind","date");--> statement-breakpoint
CREATE INDEX "duty_periods_duty_idx" ON "duty_periods" USING btree ("duty_id","period_key");--> statement-breakpoint
CREATE INDEX "duty_periods_status_idx" ON "duty_periods" USING btree ("status");