-- Generated from actors/node/src/tables.rs; do not edit.
DROP TABLE iam_user;
