-- data_version counts the committed writes that change what the views
-- show, so that a server can cache rendered answers and know, by one read
-- of one row, whether they still hold: also after a write by another
-- process on the same file, such as `tradedash import --db`.
--
-- Triggers bump it inside the writing transaction, so a reader that sees
-- a version also sees every row written before it. Every import inserts
-- its dataset row, every delete deletes it (its observations and
-- aggregate rows go by ON DELETE CASCADE), every patch or default change
-- updates it. Observations have no trigger: a per-row trigger would cost
-- an update per imported row, and no write changes observations without
-- its dataset row. Reference-list rows bump it only when a value really
-- changes, since every start upserts the whole lists.
CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL CHECK (version >= 0)
) STRICT;
INSERT INTO data_version (id, version) VALUES (1, 0);

CREATE TRIGGER datasets_insert_version AFTER INSERT ON datasets
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER datasets_update_version AFTER UPDATE ON datasets
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER datasets_delete_version AFTER DELETE ON datasets
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER countries_insert_version AFTER INSERT ON countries
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER countries_update_version AFTER UPDATE ON countries
WHEN old.iso2 IS NOT new.iso2 OR old.m49 IS NOT new.m49 OR old.comtrade_code IS NOT new.comtrade_code
    OR old.name IS NOT new.name OR old.aggregate IS NOT new.aggregate OR old.iso3 IS NOT new.iso3
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER countries_delete_version AFTER DELETE ON countries
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER products_insert_version AFTER INSERT ON products
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER products_update_version AFTER UPDATE ON products
WHEN old.name IS NOT new.name OR old.parent_classification IS NOT new.parent_classification
    OR old.parent_code IS NOT new.parent_code OR old.classification IS NOT new.classification OR old.code IS NOT new.code
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER products_delete_version AFTER DELETE ON products
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
