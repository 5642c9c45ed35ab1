-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE iam_user (
    uuid TEXT NOT NULL PRIMARY KEY,
    account_uuid TEXT,
    name TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_iam_user_account_uuid ON iam_user (account_uuid);
