-- Generated from actors/node/src/tables.rs; do not edit.
DROP TABLE volume_snapshot_tree;
DROP TABLE volume_snapshot;
