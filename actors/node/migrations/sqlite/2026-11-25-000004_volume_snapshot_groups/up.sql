-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE volume_snapshot_group (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    vm_instance_uuid TEXT,
    snapshots_num INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_volume_snapshot_group_vm_instance_uuid ON volume_snapshot_group (vm_instance_uuid);
CREATE TABLE volume_snapshot_group_ref (
    uuid TEXT NOT NULL PRIMARY KEY,
    volume_snapshot_group_uuid TEXT,
    volume_snapshot_uuid TEXT,
    volume_uuid TEXT,
    volume_type TEXT,
    device_id INTEGER,
    snapshot_deleted INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_volume_snapshot_group_ref_volume_snapshot_group_uuid ON volume_snapshot_group_ref (volume_snapshot_group_uuid);
CREATE INDEX idx_volume_snapshot_group_ref_volume_snapshot_uuid ON volume_snapshot_group_ref (volume_snapshot_uuid);
