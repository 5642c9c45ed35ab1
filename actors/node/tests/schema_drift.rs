//! Generated files must match the code they come from: the migrations of the
//! three backends, `schema.rs` and `openapi.json`. Run with
//! `UPDATE_GENERATED=1` to rewrite them after changing tables or APIs.

use std::path::PathBuf;
use zstack_db::DbKind;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check(path: PathBuf, want: String) {
    if std::env::var("UPDATE_GENERATED").is_ok() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "{} is out of date: run UPDATE_GENERATED=1 cargo test --test schema_drift", path.display());
}

#[test]
fn migrations_schema_and_openapi_are_up_to_date() {
    let m = root().join("actors/node/migrations");
    for kind in [DbKind::Sqlite, DbKind::Postgres, DbKind::Mysql] {
        for migration in zstack::tables::MIGRATIONS {
            let dir = m.join(kind.name()).join(migration.version);
            check(dir.join("up.sql"), zstack::tables::migration_up(migration, kind));
            check(dir.join("down.sql"), zstack::tables::migration_down(migration, kind));
        }
    }
    check(root().join("schema.rs"), zstack::tables::diesel_schema());
    check(root().join("openapi.json"), serde_json::to_string_pretty(&zstack::api::openapi::document()).unwrap() + "\n");
}
