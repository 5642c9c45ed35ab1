-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
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
    latest INTEGER,
    size INTEGER,
    distance INTEGER,
    state TEXT,
    status TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_volume_snapshot_volume_uuid ON volume_snapshot (volume_uuid);
CREATE INDEX idx_volume_snapshot_tree_uuid ON volume_snapshot (tree_uuid);
CREATE TABLE volume_snapshot_tree (
    uuid TEXT NOT NULL PRIMARY KEY,
    volume_uuid TEXT,
    current INTEGER,
    status TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_volume_snapshot_tree_volume_uuid ON volume_snapshot_tree (volume_uuid);
