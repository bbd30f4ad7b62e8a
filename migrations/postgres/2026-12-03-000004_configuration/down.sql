DROP TABLE agencies;
DROP TABLE locations;
DROP TABLE config_version;
DROP TABLE lookups;
DROP TABLE form_sections;
