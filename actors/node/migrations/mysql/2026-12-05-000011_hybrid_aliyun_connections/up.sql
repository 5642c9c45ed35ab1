-- Generated from actors/node/src/tables.rs for mysql; do not edit.
CREATE TABLE connection_access_point (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    data_center_uuid VARCHAR(255),
    access_point_id VARCHAR(255),
    type VARCHAR(255),
    name VARCHAR(255),
    status VARCHAR(255),
    host_operator VARCHAR(255),
    description TEXT,
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_connection_access_point_data_center_uuid ON connection_access_point (data_center_uuid);
CREATE INDEX idx_connection_access_point_access_point_id ON connection_access_point (access_point_id);
CREATE TABLE connection_relationship (
    uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    relation_ships TEXT,
    data_center_uuid VARCHAR(255),
    l3_network_uuid VARCHAR(255),
    vpc_uuid VARCHAR(255),
    vbr_uuid VARCHAR(255),
    cpe_ip VARCHAR(255),
    direction VARCHAR(255),
    connection_type VARCHAR(255),
    create_date BIGINT,
    last_op_date BIGINT,
    inv LONGTEXT NOT NULL
) CHARACTER SET utf8mb4;
CREATE INDEX idx_connection_relationship_data_center_uuid ON connection_relationship (data_center_uuid);
CREATE INDEX idx_connection_relationship_l3_network_uuid ON connection_relationship (l3_network_uuid);
CREATE INDEX idx_connection_relationship_vpc_uuid ON connection_relationship (vpc_uuid);
CREATE INDEX idx_connection_relationship_vbr_uuid ON connection_relationship (vbr_uuid);
ALTER TABLE virtual_border_router ADD COLUMN vlan_interface_id VARCHAR(255);
