-- Generated from actors/node/src/tables.rs; do not edit.
ALTER TABLE virtual_border_router DROP COLUMN vlan_interface_id;
DROP TABLE connection_relationship;
DROP TABLE connection_access_point;
