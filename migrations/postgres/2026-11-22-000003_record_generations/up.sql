-- A number per record type that grows with every change to its records or their assignments.
-- Lists remember their totals (and short result lists) together with this number and reuse
-- them while it is unchanged. Triggers keep it, so that no writer can forget to: the server,
-- the command line and the importers alike. Statement-level, so a bulk load bumps it once per
-- statement, not once per row.
CREATE TABLE record_generations (
    record_type TEXT PRIMARY KEY NOT NULL,
    generation BIGINT NOT NULL DEFAULT 0
);
INSERT INTO record_generations (record_type) SELECT record_type FROM record_counters;

CREATE FUNCTION record_generations_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE record_generations SET generation = generation + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER records_generation AFTER INSERT OR UPDATE OR DELETE ON records
    FOR EACH STATEMENT EXECUTE FUNCTION record_generations_bump();
CREATE TRIGGER record_assignments_generation AFTER INSERT OR UPDATE OR DELETE ON record_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION record_generations_bump();
