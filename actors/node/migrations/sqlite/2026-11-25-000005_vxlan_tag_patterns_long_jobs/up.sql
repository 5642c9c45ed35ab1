-- Generated from actors/node/src/tables.rs for sqlite; do not edit.
CREATE TABLE vni_range (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    l2_network_uuid TEXT,
    start_vni INTEGER,
    end_vni INTEGER,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_vni_range_l2_network_uuid ON vni_range (l2_network_uuid);
CREATE TABLE tag_pattern (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    value TEXT,
    description TEXT,
    color TEXT,
    type TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    inv TEXT NOT NULL
);
CREATE TABLE long_job (
    uuid TEXT NOT NULL PRIMARY KEY,
    name TEXT,
    description TEXT,
    api_id TEXT,
    job_name TEXT,
    job_data TEXT,
    job_result TEXT,
    state TEXT,
    target_resource_uuid TEXT,
    management_node_uuid TEXT,
    create_date INTEGER,
    last_op_date INTEGER,
    execute_time INTEGER,
    inv TEXT NOT NULL
);
CREATE INDEX idx_long_job_state ON long_job (state);
CREATE INDEX idx_long_job_api_id ON long_job (api_id);
ALTER TABLE l2_network ADD COLUMN vni INTEGER;
ALTER TABLE l2_network ADD COLUMN pool_uuid TEXT;
CREATE INDEX idx_l2_network_pool_uuid ON l2_network (pool_uuid);
ALTER TABLE user_tag ADD COLUMN tag_pattern_uuid TEXT;
CREATE INDEX idx_user_tag_tag_pattern_uuid ON user_tag (tag_pattern_uuid);
