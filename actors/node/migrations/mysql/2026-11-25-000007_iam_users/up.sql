-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE iam_user (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    account_uuid VARCHAR(255),
    name VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_iam_user_account_uuid ON iam_user (account_uuid);
