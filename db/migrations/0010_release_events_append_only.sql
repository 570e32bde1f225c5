-- release_events is the record of a joint release (every submission, decision, revision, clock rung, publication):
-- rows are written once and never changed or removed, like case_events.
CREATE OR REPLACE FUNCTION release_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'release_events 为只追加记录，禁止修改或删除 (release_events is append-only)';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER release_events_no_update BEFORE UPDATE OR DELETE ON release_events
  FOR EACH ROW EXECUTE FUNCTION release_events_append_only();
