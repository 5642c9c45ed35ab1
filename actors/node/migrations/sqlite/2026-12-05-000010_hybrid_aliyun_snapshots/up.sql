-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE aliyun_snapshot (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    snapshot_id TEXT,
    name TEXT,
    description TEXT,
    disk_uuid TEXT,
    status TEXT,
    aliyun_snapshot_usage TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_aliyun_snapshot_data_center_uuid ON aliyun_snapshot (data_center_uuid);
CREATE INDEX idx_aliyun_snapshot_snapshot_id ON aliyun_snapshot (snapshot_id);
CREATE INDEX idx_aliyun_snapshot_disk_uuid ON aliyun_snapshot (disk_uuid);
