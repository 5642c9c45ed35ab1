-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE connection_access_point (
    uuid TEXT NOT NULL PRIMARY KEY,
    data_center_uuid TEXT,
    access_point_id TEXT,
    type TEXT,
    name TEXT,
    status TEXT,
    host_operator TEXT,
    description TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_connection_access_point_data_center_uuid ON connection_access_point (data_center_uuid);
CREATE INDEX idx_connection_access_point_access_point_id ON connection_access_point (access_point_id);
CREATE TABLE connection_relationship (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    relation_ships TEXT,
    data_center_uuid TEXT,
    l3_network_uuid TEXT,
    vpc_uuid TEXT,
    vbr_uuid TEXT,
    cpe_ip TEXT,
    direction TEXT,
    connection_type TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_connection_relationship_data_center_uuid ON connection_relationship (data_center_uuid);
CREATE INDEX idx_connection_relationship_l3_network_uuid ON connection_relationship (l3_network_uuid);
CREATE INDEX idx_connection_relationship_vpc_uuid ON connection_relationship (vpc_uuid);
CREATE INDEX idx_connection_relationship_vbr_uuid ON connection_relationship (vbr_uuid);
ALTER TABLE virtual_border_router ADD COLUMN vlan_interface_id TEXT;
