-- supervision_events is the record of a supervision item (opening, the procuratorate's opinions, the answers, every
-- clock rung, closing): rows are written once and never changed or removed, like case_events and release_events.
CREATE OR REPLACE FUNCTION supervision_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'supervision_events 为只追加记录，禁止修改或删除 (supervision_events is append-only)';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER supervision_events_no_update BEFORE UPDATE OR DELETE ON supervision_events
  FOR EACH ROW EXECUTE FUNCTION supervision_events_append_only();
