-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE kvm_host (
    uuid TEXT NOT NULL PRIMARY KEY,
    username TEXT,
    ssh_port INTEGER,
    agent_port INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE TABLE local_storage_host_ref (
    uuid TEXT NOT NULL PRIMARY KEY,
    primary_storage_uuid TEXT,
    host_uuid TEXT,
    total_capacity INTEGER,
    available_capacity INTEGER,
    total_physical_capacity INTEGER,
    available_physical_capacity INTEGER,
    system_used_capacity INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_local_storage_host_ref_primary_storage_uuid ON local_storage_host_ref (primary_storage_uuid);
CREATE INDEX idx_local_storage_host_ref_host_uuid ON local_storage_host_ref (host_uuid);
CREATE TABLE local_storage_resource_ref (
    uuid TEXT NOT NULL PRIMARY KEY,
    resource_uuid TEXT,
    primary_storage_uuid TEXT,
    host_uuid TEXT,
    resource_type TEXT,
    size INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_local_storage_resource_ref_resource_uuid ON local_storage_resource_ref (resource_uuid);
CREATE INDEX idx_local_storage_resource_ref_primary_storage_uuid ON local_storage_resource_ref (primary_storage_uuid);
CREATE INDEX idx_local_storage_resource_ref_host_uuid ON local_storage_resource_ref (host_uuid);
