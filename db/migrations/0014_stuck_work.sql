CREATE TABLE "stuck_work" (
	"workflow_id" text NOT NULL,
	"run_id" text NOT NULL,
	"activity_type" text NOT NULL,
	"first_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "stuck_work_workflow_id_activity_type_pk" PRIMARY KEY("workflow_id","activity_type")
);
