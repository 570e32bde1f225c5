DROP INDEX "cases_stage_idx";--> statement-breakpoint
DROP INDEX "cases_track_idx";--> statement-breakpoint
DROP INDEX "cases_agency_idx";--> statement-breakpoint
DROP INDEX "cases_created_at_idx";--> statement-breakpoint
CREATE INDEX "case_events_case_actor_idx" ON "case_events" USING btree ("case_id","actor_agency");--> statement-breakpoint
CREATE INDEX "cases_list_idx" ON "cases" USING btree ("created_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "cases_stage_list_idx" ON "cases" USING btree ("stage","created_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "cases_track_list_idx" ON "cases" USING btree ("track","created_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "cases_agency_list_idx" ON "cases" USING btree ("responsible_agency","created_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "cases_overdue_list_idx" ON "cases" USING btree ("created_at" DESC NULLS FIRST,"id") WHERE "cases"."overdue";--> statement-breakpoint
CREATE INDEX "cases_open_overdue_idx" ON "cases" USING btree ("next_deadline_at") WHERE "cases"."overdue" and "cases"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "deadlines_open_agency_due_idx" ON "deadlines" USING btree ("responsible_agency","due_at") WHERE "deadlines"."status" = 'open';