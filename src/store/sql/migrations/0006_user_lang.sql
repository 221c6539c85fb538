-- 0006_user_lang: the language each user chose for the interface (issue #6,
-- docs/web.md). NULL = not chosen: the interface then follows the browser.
-- The column is only ever set to one of the languages the interface has.

ALTER TABLE app_user ADD COLUMN lang TEXT CHECK (lang IS NULL OR lang IN ('en', 'ru'));
