-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE aliyun_snapshot (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    snapshot_id VARCHAR(255),
    name VARCHAR(255),
    description TEXT,
    disk_uuid VARCHAR(255),
    status VARCHAR(255),
    aliyun_snapshot_usage VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_aliyun_snapshot_data_center_uuid ON aliyun_snapshot (data_center_uuid);
CREATE INDEX idx_aliyun_snapshot_snapshot_id ON aliyun_snapshot (snapshot_id);
CREATE INDEX idx_aliyun_snapshot_disk_uuid ON aliyun_snapshot (disk_uuid);
