-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE hybrid_pending_create (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    resource_uuid VARCHAR(255),
    resource_type VARCHAR(255),
    data_center_uuid VARCHAR(255),
    lookup TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_hybrid_pending_create_resource_uuid ON hybrid_pending_create (resource_uuid);
