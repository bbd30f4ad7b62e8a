-- A number per record type that grows with every change to its records or their assignments.
-- Lists remember their totals (and short result lists) together with this number and reuse
-- them while it is unchanged. Triggers keep it, so that no writer can forget to: the server,
-- the command line and the importers alike.
CREATE TABLE record_generations (
    record_type TEXT PRIMARY KEY NOT NULL,
    generation BIGINT NOT NULL DEFAULT 0
);
INSERT INTO record_generations (record_type) SELECT record_type FROM record_counters;

CREATE TRIGGER records_generation_insert AFTER INSERT ON records BEGIN
    UPDATE record_generations SET generation = generation + 1 WHERE record_type = NEW.record_type;
END;
CREATE TRIGGER records_generation_update AFTER UPDATE ON records BEGIN
    UPDATE record_generations SET generation = generation + 1
        WHERE record_type IN (OLD.record_type, NEW.record_type);
END;
CREATE TRIGGER records_generation_delete AFTER DELETE ON records BEGIN
    UPDATE record_generations SET generation = generation + 1 WHERE record_type = OLD.record_type;
END;
-- Assignments decide who sees a record; they carry no record type, so every type moves on.
CREATE TRIGGER record_assignments_generation_insert AFTER INSERT ON record_assignments BEGIN
    UPDATE record_generations SET generation = generation + 1;
END;
CREATE TRIGGER record_assignments_generation_delete AFTER DELETE ON record_assignments BEGIN
    UPDATE record_generations SET generation = generation + 1;
END;
CREATE TRIGGER record_assignments_generation_update AFTER UPDATE ON record_assignments BEGIN
    UPDATE record_generations SET generation = generation + 1;
END;
