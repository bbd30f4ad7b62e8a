DROP TRIGGER record_assignments_generation ON record_assignments;
DROP TRIGGER records_generation ON records;
DROP FUNCTION record_generations_bump();
DROP TABLE record_generations;
