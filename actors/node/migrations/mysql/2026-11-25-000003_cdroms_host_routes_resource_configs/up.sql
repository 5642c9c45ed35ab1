-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE vm_cdrom (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    vm_instance_uuid VARCHAR(255),
    device_id BIGINT,
    iso_uuid VARCHAR(255),
    iso_install_path TEXT,
    name VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_vm_cdrom_vm_instance_uuid ON vm_cdrom (vm_instance_uuid);
CREATE INDEX idx_vm_cdrom_iso_uuid ON vm_cdrom (iso_uuid);
CREATE TABLE l3_network_host_route (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    l3_network_uuid VARCHAR(255),
    prefix VARCHAR(255),
    nexthop VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_l3_network_host_route_l3_network_uuid ON l3_network_host_route (l3_network_uuid);
CREATE TABLE resource_config (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    resource_uuid VARCHAR(255),
    resource_type VARCHAR(255),
    category VARCHAR(255),
    name VARCHAR(255),
    value TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_resource_config_resource_uuid ON resource_config (resource_uuid);
