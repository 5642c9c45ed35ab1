-- Generated from actors/node/src/tables.rs; do not edit.
DROP TABLE volume_snapshot_group_ref;
DROP TABLE volume_snapshot_group;
