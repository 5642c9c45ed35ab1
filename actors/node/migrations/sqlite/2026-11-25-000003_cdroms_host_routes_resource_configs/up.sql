-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE vm_cdrom (
    uuid TEXT NOT NULL PRIMARY KEY,
    vm_instance_uuid TEXT,
    device_id INTEGER,
    iso_uuid TEXT,
    iso_install_path TEXT,
    name TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_vm_cdrom_vm_instance_uuid ON vm_cdrom (vm_instance_uuid);
CREATE INDEX idx_vm_cdrom_iso_uuid ON vm_cdrom (iso_uuid);
CREATE TABLE l3_network_host_route (
    uuid TEXT NOT NULL PRIMARY KEY,
    l3_network_uuid TEXT,
    prefix TEXT,
    nexthop TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_l3_network_host_route_l3_network_uuid ON l3_network_host_route (l3_network_uuid);
CREATE TABLE resource_config (
    uuid TEXT NOT NULL PRIMARY KEY,
    resource_uuid TEXT,
    resource_type TEXT,
    category TEXT,
    name TEXT,
    value TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_resource_config_resource_uuid ON resource_config (resource_uuid);
