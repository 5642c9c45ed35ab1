-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE volume_snapshot_group (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    vm_instance_uuid VARCHAR(255),
    snapshots_num BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_volume_snapshot_group_vm_instance_uuid ON volume_snapshot_group (vm_instance_uuid);
CREATE TABLE volume_snapshot_group_ref (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    volume_snapshot_group_uuid VARCHAR(255),
    volume_snapshot_uuid VARCHAR(255),
    volume_uuid VARCHAR(255),
    volume_type VARCHAR(255),
    device_id BIGINT,
    snapshot_deleted BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_volume_snapshot_group_ref_volume_snapshot_group_uuid ON volume_snapshot_group_ref (volume_snapshot_group_uuid);
CREATE INDEX idx_volume_snapshot_group_ref_volume_snapshot_uuid ON volume_snapshot_group_ref (volume_snapshot_uuid);
