-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE kvm_host (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    username VARCHAR(255),
    ssh_port BIGINT,
    agent_port BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE local_storage_host_ref (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    primary_storage_uuid VARCHAR(255),
    host_uuid VARCHAR(255),
    total_capacity BIGINT,
    available_capacity BIGINT,
    total_physical_capacity BIGINT,
    available_physical_capacity BIGINT,
    system_used_capacity BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_local_storage_host_ref_primary_storage_uuid ON local_storage_host_ref (primary_storage_uuid);
CREATE INDEX idx_local_storage_host_ref_host_uuid ON local_storage_host_ref (host_uuid);
CREATE TABLE local_storage_resource_ref (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    resource_uuid VARCHAR(255),
    primary_storage_uuid VARCHAR(255),
    host_uuid VARCHAR(255),
    resource_type VARCHAR(255),
    size BIGINT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_local_storage_resource_ref_resource_uuid ON local_storage_resource_ref (resource_uuid);
CREATE INDEX idx_local_storage_resource_ref_primary_storage_uuid ON local_storage_resource_ref (primary_storage_uuid);
CREATE INDEX idx_local_storage_resource_ref_host_uuid ON local_storage_resource_ref (host_uuid);
