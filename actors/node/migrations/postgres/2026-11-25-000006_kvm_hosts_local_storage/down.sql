-- Generated from actors/node/src/tables.rs; do not edit.
DROP TABLE local_storage_resource_ref;
DROP TABLE local_storage_host_ref;
DROP TABLE kvm_host;
