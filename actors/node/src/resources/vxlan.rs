//! VXLAN: a network pool owns VNI ranges; VXLAN networks are carved out of a
//! pool, each with a VNI from those ranges, and reach the clusters the pool
//! is attached to. Every VNI decision runs on the pool's actor, so two
//! networks never get the same VNI and a range never overlaps another.

use super::infra::{create_under, full_inventory, query};
use super::{new_inv, L2K, ZoneK};
use crate::api::{new_uuid, Reply, Req};
use crate::app::App;
use crate::store::{eq, i64_of, str_of, Inventory};
use crate::tables;
use serde_json::{json, Value};
use std::collections::HashSet;
use zstack_kit::actor::Cell;
use zstack_kit::{ApiError, ApiResult};

pub const POOL_TYPE: &str = "VxlanNetworkPool";
pub const NETWORK_TYPE: &str = "VxlanNetwork";
/// VXLAN's 24-bit identifier space, as ZStack bounds it.
const MAX_VNI: i64 = 16_777_214;

pub async fn pool_create(app: App, req: Req) -> ApiResult<Reply> {
    let zone = req.must("zoneUuid")?;
    let uuid = req.resource_uuid()?;
    let inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "zoneUuid": zone,
        "physicalInterface": req.str("physicalInterface"), "type": POOL_TYPE, "vSwitchType": req.str("vSwitchType").unwrap_or("LinuxBridge"),
        "virtualNetworkId": 0, "isolated": req.bool("isolated").unwrap_or(false)}));
    create_under::<ZoneK>(&app, &app.dirs().zone, &zone, &tables::L2_NETWORK, inv).await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::L2_NETWORK, &uuid).await?)))
}

async fn pool_must(app: &App, pool: &str) -> ApiResult<Inventory> {
    let inv = super::read(&app.dirs().l2, pool).await?;
    if str_of(&inv, "type") != Some(POOL_TYPE) {
        return Err(ApiError::invalid_argument(format!("l2 network[uuid:{pool}] is not a VXLAN network pool")));
    }
    Ok(inv)
}

/// Run `f` on the pool's actor with the pool's ranges and the VNIs in use.
async fn on_pool<R: Send + 'static>(
    app: &App,
    pool: &str,
    f: impl FnOnce(&[(i64, i64)], &HashSet<i64>) -> ApiResult<(R, Vec<zstack_db::Stmt>)> + Send + 'static,
) -> ApiResult<R> {
    app.dirs().refuse_if_deleting(&[pool])?;
    let (a, p) = (app.clone(), pool.to_string());
    app.dirs()
        .l2
        .ask(pool, move |cell: Cell<super::Res<L2K>>| {
            Box::pin(async move {
                if cell.borrow().gone {
                    return Err(ApiError::not_found("L2NetworkVO", &p));
                }
                a.dirs().refuse_if_deleting(&[&p])?;
                let ranges: Vec<(i64, i64)> =
                    a.store.inv_find(&tables::VNI_RANGE, "l2NetworkUuid", &p).await?.iter().map(|r| (i64_of(r, "startVni"), i64_of(r, "endVni"))).collect();
                let used: HashSet<i64> = a.store.inv_find(&tables::L2_NETWORK, "poolUuid", &p).await?.iter().map(|n| i64_of(n, "vni")).collect();
                let (r, stmts) = f(&ranges, &used)?;
                a.store.db.write(stmts).await?;
                a.dirs().placement.topology_changed();
                Ok(r)
            })
        })
        .await
}

pub async fn vni_range_create(app: App, req: Req) -> ApiResult<Reply> {
    let pool = req.must("l2NetworkUuid")?;
    let (start, end) = (req.int("startVni").unwrap_or(-1), req.int("endVni").unwrap_or(-1));
    if !(1..=MAX_VNI).contains(&start) || !(1..=MAX_VNI).contains(&end) || start > end {
        return Err(ApiError::invalid_argument(format!("vni range[{start}, {end}] must satisfy 1 <= startVni <= endVni <= {MAX_VNI}")));
    }
    pool_must(&app, &pool).await?;
    let uuid = req.resource_uuid()?;
    let row = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "l2NetworkUuid": pool,
        "startVni": start, "endVni": end}));
    let store = app.store.clone();
    let out = row.clone();
    on_pool(&app, &pool, move |ranges, _| {
        if let Some((s, e)) = ranges.iter().find(|(s, e)| start <= *e && *s <= end) {
            return Err(ApiError::invalid_argument(format!("vni range[{start}, {end}] overlaps range[{s}, {e}] of the pool")));
        }
        Ok(((), vec![store.insert_stmt(&tables::VNI_RANGE, &row)]))
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(out)))
}

pub async fn vni_range_delete(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let Some(range) = app.store.inv_get(&tables::VNI_RANGE, &uuid).await? else {
        return Ok(Reply::Empty);
    };
    let pool = str_of(&range, "l2NetworkUuid").unwrap_or_default().to_string();
    let (s, e) = (i64_of(&range, "startVni"), i64_of(&range, "endVni"));
    let store = app.store.clone();
    on_pool(&app, &pool, move |_, used| {
        if let Some(v) = used.iter().find(|v| (s..=e).contains(*v)) {
            return Err(ApiError::operation(format!("vni range[uuid:{uuid}] is in use: a VXLAN network has vni {v}; delete it first")));
        }
        Ok(((), vec![store.delete_stmt(&tables::VNI_RANGE, "uuid", &uuid)]))
    })
    .await?;
    Ok(Reply::Empty)
}

pub async fn vxlan_create(app: App, req: Req) -> ApiResult<Reply> {
    let pool_uuid = req.must("poolUuid")?;
    let pool = pool_must(&app, &pool_uuid).await?;
    let zone = str_of(&pool, "zoneUuid").unwrap_or_default().to_string();
    if let Some(z) = req.str("zoneUuid") {
        if z != zone {
            return Err(ApiError::invalid_argument(format!("zoneUuid[{z}] differs from the zone[{zone}] of VXLAN pool[uuid:{pool_uuid}]")));
        }
    }
    app.dirs().refuse_if_deleting(&[&zone])?;
    let wanted = req.int("vni");
    let uuid = req.resource_uuid()?;
    let mut inv = new_inv(json!({"uuid": uuid, "name": req.must("name")?, "description": req.str("description"), "zoneUuid": zone,
        "physicalInterface": req.str("physicalInterface").or(str_of(&pool, "physicalInterface")), "type": NETWORK_TYPE,
        "vSwitchType": req.str("vSwitchType").or(str_of(&pool, "vSwitchType")).unwrap_or("LinuxBridge"), "poolUuid": pool_uuid,
        "isolated": req.bool("isolated").unwrap_or(false)}));
    // The network reaches the clusters its pool is attached to.
    let clusters = app.store.column_where_in(&tables::L2_NETWORK_CLUSTER_REF, "clusterUuid", "l2NetworkUuid", &[pool_uuid.clone()]).await?;
    let store = app.store.clone();
    on_pool(&app, &pool_uuid, move |ranges, used| {
        let vni = match wanted {
            Some(v) if !ranges.iter().any(|(s, e)| (*s..=*e).contains(&v)) => {
                return Err(ApiError::invalid_argument(format!("vni[{v}] is not in any vni range of the pool")))
            }
            Some(v) if used.contains(&v) => return Err(ApiError::operation(format!("vni[{v}] is already used by another VXLAN network of the pool"))),
            Some(v) => v,
            None => ranges
                .iter()
                .flat_map(|(s, e)| *s..=*e)
                .find(|v| !used.contains(v))
                .ok_or_else(|| ApiError::operation("the VXLAN pool has no free vni: add a vni range"))?,
        };
        inv.insert("vni".into(), json!(vni));
        inv.insert("virtualNetworkId".into(), json!(vni));
        let mut stmts = vec![store.insert_stmt(&tables::L2_NETWORK, &inv)];
        for c in clusters {
            stmts.push(store.insert_stmt(&tables::L2_NETWORK_CLUSTER_REF, &new_inv(json!({"uuid": new_uuid(), "l2NetworkUuid": inv["uuid"], "clusterUuid": c}))));
        }
        Ok(((), stmts))
    })
    .await?;
    Ok(Reply::Inventory(Value::Object(full_inventory(&app, &tables::L2_NETWORK, &uuid).await?)))
}

pub async fn vxlan_query(app: App, mut req: Req) -> ApiResult<Reply> {
    req.query.conditions.push(eq("type", NETWORK_TYPE));
    query(app, req, &tables::L2_NETWORK).await
}

pub async fn pool_query(app: App, mut req: Req) -> ApiResult<Reply> {
    req.query.conditions.push(eq("type", POOL_TYPE));
    query(app, req, &tables::L2_NETWORK).await
}

/// The VXLAN networks of a pool (attach/detach of the pool carries them along).
pub async fn networks_of_pool(app: &App, l2: &Inventory) -> ApiResult<Vec<String>> {
    if str_of(l2, "type") != Some(POOL_TYPE) {
        return Ok(Vec::new());
    }
    let pool = str_of(l2, "uuid").unwrap_or_default();
    Ok(app.store.inv_find(&tables::L2_NETWORK, "poolUuid", pool).await?.iter().filter_map(|n| str_of(n, "uuid").map(String::from)).collect())
}
