-- 0008_name_key_rules: the rules that turn a name into matching keys changed
-- (letters of other Cyrillic alphabets such as Җ read as their nearest
-- Russian letter, the middle dot of the BGN transliterations no longer
-- splitting a word, "bin" kept inside Chinese names, doubled consonants of
-- Arabic script kept). Keys stored under the old rules would not meet keys
-- built under the new ones, so a database that holds anything is marked as
-- not indexed: the next search, `refuge dedup` or `refuge person merge`
-- rebuilds every key and the full-text index (a million persons: about 95
-- seconds), as for a database made before search existed (0004);
-- `refuge reindex` does it at any time. A change to the key rules needs a
-- migration like this one.

DELETE FROM search_state
    WHERE what = 'index'
      AND (EXISTS (SELECT 1 FROM person) OR EXISTS (SELECT 1 FROM case_file)
           OR EXISTS (SELECT 1 FROM event) OR EXISTS (SELECT 1 FROM source));
