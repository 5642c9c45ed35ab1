-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE volume_snapshot (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    type VARCHAR(255),
    volume_uuid VARCHAR(255),
    tree_uuid VARCHAR(255),
    parent_uuid VARCHAR(255),
    primary_storage_uuid VARCHAR(255),
    primary_storage_install_path TEXT,
    volume_type VARCHAR(255),
    format VARCHAR(255),
    latest BIGINT,
    size BIGINT,
    distance BIGINT,
    state VARCHAR(255),
    status VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_volume_snapshot_volume_uuid ON volume_snapshot (volume_uuid);
CREATE INDEX idx_volume_snapshot_tree_uuid ON volume_snapshot (tree_uuid);
CREATE TABLE volume_snapshot_tree (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    volume_uuid VARCHAR(255),
    current BIGINT,
    status VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_volume_snapshot_tree_volume_uuid ON volume_snapshot_tree (volume_uuid);
