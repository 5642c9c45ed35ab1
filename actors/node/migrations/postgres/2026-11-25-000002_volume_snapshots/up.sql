-- Generated from actors/node/src/tables.rs for postgres; do not edit.
CREATE TABLE volume_snapshot (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    type TEXT,
    volume_uuid TEXT,
    tree_uuid TEXT,
    parent_uuid TEXT,
    primary_storage_uuid TEXT,
    primary_storage_install_path TEXT,
    volume_type TEXT,
    format TEXT,
    latest BIGINT,
    size BIGINT,
    distance BIGINT,
    state TEXT,
    status TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv TEXT NOT NULL
);
CREATE INDEX idx_volume_snapshot_volume_uuid ON volume_snapshot (volume_uuid);
CREATE INDEX idx_volume_snapshot_tree_uuid ON volume_snapshot (tree_uuid);
CREATE TABLE volume_snapshot_tree (
    uuid TEXT NOT NULL PRIMARY KEY,
    volume_uuid TEXT,
    current BIGINT,
    status TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv TEXT NOT NULL
);
CREATE INDEX idx_volume_snapshot_tree_volume_uuid ON volume_snapshot_tree (volume_uuid);
