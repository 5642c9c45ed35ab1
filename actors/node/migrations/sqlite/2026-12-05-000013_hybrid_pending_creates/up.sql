-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE hybrid_pending_create (
    uuid TEXT NOT NULL PRIMARY KEY,
    resource_uuid TEXT,
    resource_type TEXT,
    data_center_uuid TEXT,
    lookup TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_hybrid_pending_create_resource_uuid ON hybrid_pending_create (resource_uuid);
