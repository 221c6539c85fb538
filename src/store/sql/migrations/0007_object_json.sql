-- 0007_object_json: each object's canonical JSON text (the API's and the
-- bundle's encoding, src/bundle/codec.c), kept in its row so that a page of a
-- list or one object is read as ready text: one indexed range read and a
-- concatenation instead of a read of every child table and an encoding.
--
-- The store writes the text with the object's columns in the same statement
-- (store_put, every write path), from the encoder the program registers
-- (store_set_encoder). NULL means no text is stored: readers then build it
-- from the columns, so a missing text is slow but never wrong. The encoder
-- is C, so this file only adds the columns; once every migration has run
-- (the column tables in objects.c describe the latest schema), db.c fills
-- them in one transaction when an encoder is registered. Should that fail,
-- the texts stay NULL and `refuge reindex` stores them.
-- `refuge doctor` compares every stored text with a fresh encoding;
-- `refuge reindex` rewrites the ones that are missing or differ.

ALTER TABLE source ADD COLUMN json TEXT;
ALTER TABLE person ADD COLUMN json TEXT;
ALTER TABLE organization ADD COLUMN json TEXT;
ALTER TABLE case_file ADD COLUMN json TEXT;
ALTER TABLE event ADD COLUMN json TEXT;
ALTER TABLE risk ADD COLUMN json TEXT;
ALTER TABLE action ADD COLUMN json TEXT;
