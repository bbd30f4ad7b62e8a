DROP TABLE agencies;
DROP TABLE locations;
