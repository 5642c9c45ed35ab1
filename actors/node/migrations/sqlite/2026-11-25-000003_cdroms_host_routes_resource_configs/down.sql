-- Generated from actors/node/src/tables.rs; do not edit.
DROP TABLE resource_config;
DROP TABLE l3_network_host_route;
DROP TABLE vm_cdrom;
