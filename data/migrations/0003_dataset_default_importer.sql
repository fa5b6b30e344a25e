-- Who imported each dataset, and which dataset the views show when a link
-- names none.

-- imported_by is the admin's label as the server or the CLI knew it
-- ('admin' for the browser session or API token, 'cli:<user>' for the
-- import command); '' for datasets imported before it was recorded.
ALTER TABLE datasets ADD COLUMN imported_by TEXT NOT NULL DEFAULT '' CHECK (length(imported_by) <= 200);

-- At most one dataset is the default: the partial unique index refuses a
-- second row with is_default = 1. Deleting the default dataset leaves
-- none, and the views fall back to what they show without a default.
ALTER TABLE datasets ADD COLUMN is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1));
CREATE UNIQUE INDEX datasets_one_default ON datasets (is_default) WHERE is_default = 1;
