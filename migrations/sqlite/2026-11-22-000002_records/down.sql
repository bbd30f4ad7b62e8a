DROP TABLE record_counters;
DROP TABLE record_flags;
DROP TABLE record_history;
DROP TABLE record_search_terms;
DROP TABLE record_assignments;
DROP TABLE records;
