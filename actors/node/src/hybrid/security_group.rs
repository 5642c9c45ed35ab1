//! Security groups and their rules: create on Alibaba Cloud, sync, delete
//! remotely or locally. A rule has no id the node can rely on, so it is known
//! by what it says (`remoteKey`: direction, protocol, ports, CIDR, policy,
//! priority, NIC type), which is also how Alibaba matches a revoke.

use super::cascade as hc;
use super::client::{for_data_center, Remote};
use super::recovery::{noted, uuid_tags};
use super::sync::{reconcile, Outcome};
use super::{aliyun_error, client_token, delete_remote_first, deleted_or_gone, field, insert_or_undo, inv_reply, invs_reply, on_actor, tables, undo_logged, uuid_by_id};
use crate::api::{Reply, Req};
use crate::app::App;
use crate::remote_fields;
use crate::resources::new_inv;
use crate::store::{str_of, Inventory};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use zstack_aliyun::ecs::{CreateSecurityGroupRequest, SecurityGroup};
use zstack_aliyun::{Params, ECS, ECS_VERSION};
use zstack_kit::{ApiError, ApiResult};

fn group_fields(dc: &str, g: &SecurityGroup, vpcs: &std::collections::HashMap<String, String>) -> Map<String, Value> {
    remote_fields!("dataCenterUuid": dc, "securityGroupId": g.security_group_id, "ecsVpcUuid": vpcs.get(&g.vpc_id), "name": g.security_group_name,
        "securityGroupName": g.security_group_name, "description": g.description)
}

pub async fn group_create(app: App, req: Req) -> ApiResult<Reply> {
    let vpc = app.store.inv_must(&tables::ECS_VPC, &req.must("vpcUuid")?).await?;
    let dc = field(&vpc, "dataCenterUuid");
    let uuid = req.resource_uuid()?;
    let remote = for_data_center(&app, &dc).await?;
    let request = CreateSecurityGroupRequest {
        vpc_id: field(&vpc, "ecsVpcId"),
        security_group_name: req.string("name"),
        description: req.string("description"),
        tags: uuid_tags(&uuid),
        client_token: Some(client_token(&uuid)),
    };
    let inv = noted(&app, hc::SECURITY_GROUP, &uuid, &dc, json!({}), async {
        let created = remote.client.create_security_group(&remote.region, &request).await.map_err(aliyun_error)?;
        let inv = new_inv(json!({"uuid": uuid, "dataCenterUuid": dc, "securityGroupId": created.security_group_id, "ecsVpcUuid": field(&vpc, "uuid"),
            "name": request.security_group_name, "securityGroupName": request.security_group_name, "description": request.description}));
        let undo = remote.client.delete_security_group(&remote.region, &created.security_group_id);
        insert_or_undo(&app, &app.dirs().hybrid.vpc, &field(&vpc, "uuid"), &tables::ECS_SECURITY_GROUP, inv.clone(), async {
            undo_logged("CreateSecurityGroup", undo.await).await
        })
        .await?;
        Ok(inv)
    })
    .await?;
    inv_reply(inv)
}

/// The groups of the region (or of one VPC), reconciled.
pub async fn groups_sync(app: &App, remote: &Remote, vpc: Option<&Inventory>) -> ApiResult<Outcome> {
    let dc = &remote.data_center_uuid;
    let vpcs = uuid_by_id(&app.store.inv_find(&tables::ECS_VPC, "dataCenterUuid", dc).await?, "ecsVpcId");
    let vpc_id = vpc.map(|v| field(v, "ecsVpcId"));
    let groups = remote.client.describe_security_groups_all(&remote.region, vpc_id.as_deref()).await.map_err(aliyun_error)?;
    let local = match vpc {
        Some(v) => app.store.inv_find(&tables::ECS_SECURITY_GROUP, "ecsVpcUuid", &field(v, "uuid")).await?,
        None => app.store.inv_find(&tables::ECS_SECURITY_GROUP, "dataCenterUuid", dc).await?,
    };
    let fields = groups.iter().map(|g| group_fields(dc, g, &vpcs)).collect();
    reconcile(app, &app.dirs().hybrid.security_group, hc::SECURITY_GROUP, "securityGroupId", local, fields).await
}

pub async fn group_sync(app: App, req: Req) -> ApiResult<Reply> {
    let vpc = app.store.inv_must(&tables::ECS_VPC, &req.must("ecsVpcUuid")?).await?;
    let remote = for_data_center(&app, &field(&vpc, "dataCenterUuid")).await?;
    invs_reply(groups_sync(&app, &remote, Some(&vpc)).await?.inventories, &tables::ECS_SECURITY_GROUP)
}

pub async fn group_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    delete_remote_first(&app, &app.dirs().hybrid.security_group, hc::SECURITY_GROUP, &req.must("uuid")?, |_, remote, inv| {
        Box::pin(async move { deleted_or_gone(remote.client.delete_security_group(&remote.region, &field(&inv, "securityGroupId")).await) })
    })
    .await
}

/// A rule as Alibaba normalizes it (protocol upper case, policy capitalized).
struct Rule {
    direction: String,
    protocol: String,
    port_range: String,
    cidr: String,
    policy: String,
    priority: i64,
    nic_type: String,
    description: String,
}

impl Rule {
    fn key(&self) -> String {
        format!("{}|{}|{}|{}|{}|{}|{}", self.direction, self.protocol, self.port_range, self.cidr, self.policy, self.priority, self.nic_type)
    }

    fn fields(&self, dc: &str, group_uuid: &str) -> Map<String, Value> {
        remote_fields!("dataCenterUuid": dc, "ecsSecurityGroupUuid": group_uuid, "remoteKey": self.key(), "direction": self.direction,
            "protocol": self.protocol, "portRange": self.port_range, "cidr": self.cidr, "policy": self.policy, "priority": self.priority,
            "nictype": self.nic_type, "description": self.description)
    }

    /// The parameters of Authorize/Revoke, and the action for the direction.
    fn call(&self, group_id: &str, region: &str, add: bool) -> (&'static str, Params) {
        let (action, cidr_key) = match (self.direction.as_str(), add) {
            ("egress", true) => ("AuthorizeSecurityGroupEgress", "DestCidrIp"),
            ("egress", false) => ("RevokeSecurityGroupEgress", "DestCidrIp"),
            (_, true) => ("AuthorizeSecurityGroup", "SourceCidrIp"),
            (_, false) => ("RevokeSecurityGroup", "SourceCidrIp"),
        };
        let params = Params::new()
            .set("RegionId", region)
            .set("SecurityGroupId", group_id)
            .set("IpProtocol", &self.protocol)
            .set("PortRange", &self.port_range)
            .set(cidr_key, &self.cidr)
            .set("Policy", self.policy.to_ascii_lowercase())
            .set("Priority", self.priority)
            .set("NicType", &self.nic_type)
            .set_nonempty("Description", &self.description);
        (action, params)
    }
}

fn rule_from_request(req: &Req) -> ApiResult<Rule> {
    let direction = req.must("direction")?.to_ascii_lowercase();
    if direction != "ingress" && direction != "egress" {
        return Err(ApiError::invalid_argument(format!("direction[{direction}] must be ingress or egress")));
    }
    let protocol = req.must("protocol")?.to_ascii_uppercase();
    if !["TCP", "UDP", "ICMP", "GRE", "ALL"].contains(&protocol.as_str()) {
        return Err(ApiError::invalid_argument(format!("protocol[{protocol}] must be one of tcp, udp, icmp, gre, all")));
    }
    let policy = match req.str("policy").unwrap_or("accept").to_ascii_lowercase().as_str() {
        "accept" => "Accept",
        "drop" => "Drop",
        other => return Err(ApiError::invalid_argument(format!("policy[{other}] must be accept or drop"))),
    };
    let priority = req.int("priority").unwrap_or(1);
    if !(1..=100).contains(&priority) {
        return Err(ApiError::invalid_argument(format!("priority[{priority}] must be between 1 and 100")));
    }
    Ok(Rule {
        direction,
        protocol,
        port_range: req.must("portRange")?,
        cidr: req.must("cidr")?,
        policy: policy.to_string(),
        priority,
        nic_type: req.string("nictype").unwrap_or_else(|| "intranet".into()),
        description: req.string("description").unwrap_or_default(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupAttribute {
    permissions: Permissions,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Permissions {
    #[serde(default)]
    permission: Vec<Permission>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Permission {
    direction: String,
    ip_protocol: String,
    port_range: String,
    source_cidr_ip: String,
    dest_cidr_ip: String,
    policy: String,
    priority: Value,
    nic_type: String,
    description: String,
}

impl Permission {
    fn rule(self) -> Rule {
        let cidr = if self.direction == "egress" { self.dest_cidr_ip } else { self.source_cidr_ip };
        let priority = match &self.priority {
            Value::Number(n) => n.as_i64().unwrap_or(1),
            Value::String(s) => s.parse().unwrap_or(1),
            _ => 1,
        };
        Rule { direction: self.direction, protocol: self.ip_protocol.to_ascii_uppercase(), port_range: self.port_range, cidr, policy: self.policy, priority, nic_type: self.nic_type, description: self.description }
    }
}

pub async fn rule_create(app: App, req: Req) -> ApiResult<Reply> {
    let rule = rule_from_request(&req)?;
    let group_uuid = req.must("groupUuid")?;
    let uuid = req.resource_uuid()?;
    let a = app.clone();
    // On the group's actor: rules of one group change one at a time.
    let inv = on_actor(&app, &app.dirs().hybrid.security_group, &group_uuid, move |group| {
        Box::pin(async move {
            let dc = field(&group, "dataCenterUuid");
            let key = rule.key();
            if a.store.inv_find(&tables::ECS_SECURITY_GROUP_RULE, "ecsSecurityGroupUuid", &field(&group, "uuid")).await?.iter().any(|r| str_of(r, "remoteKey") == Some(key.as_str())) {
                return Err(ApiError::invalid_argument("the security group already has this rule"));
            }
            let remote = for_data_center(&a, &dc).await?;
            let (action, params) = rule.call(&field(&group, "securityGroupId"), &remote.region, true);
            let params = params.set("ClientToken", client_token(&uuid));
            remote.client.call::<Value>(ECS, ECS_VERSION, action, params.as_slice()).await.map_err(aliyun_error)?;
            let mut fields = rule.fields(&dc, &field(&group, "uuid"));
            fields.insert("uuid".into(), json!(uuid));
            let inv = new_inv(Value::Object(fields));
            if let Err(e) = a.store.inv_insert(&tables::ECS_SECURITY_GROUP_RULE, &inv).await {
                let (action, params) = rule.call(&field(&group, "securityGroupId"), &remote.region, false);
                undo_logged("AuthorizeSecurityGroup", remote.client.call::<Value>(ECS, ECS_VERSION, action, params.as_slice()).await).await;
                return Err(e);
            }
            Ok(inv)
        })
    })
    .await?;
    inv_reply(inv)
}

fn rule_of(inv: &Inventory) -> Rule {
    Rule {
        direction: field(inv, "direction"),
        protocol: field(inv, "protocol"),
        port_range: field(inv, "portRange"),
        cidr: field(inv, "cidr"),
        policy: field(inv, "policy"),
        priority: inv.get("priority").and_then(|v| v.as_i64()).unwrap_or(1),
        nic_type: field(inv, "nictype"),
        description: field(inv, "description"),
    }
}

pub async fn rule_delete_remote(app: App, req: Req) -> ApiResult<Reply> {
    let uuid = req.must("uuid")?;
    let Some(rule) = app.store.inv_get(&tables::ECS_SECURITY_GROUP_RULE, &uuid).await? else { return Ok(Reply::Empty) };
    let a = app.clone();
    on_actor(&app, &app.dirs().hybrid.security_group, &field(&rule, "ecsSecurityGroupUuid"), move |group| {
        Box::pin(async move {
            let remote = for_data_center(&a, &field(&group, "dataCenterUuid")).await?;
            let (action, params) = rule_of(&rule).call(&field(&group, "securityGroupId"), &remote.region, false);
            deleted_or_gone(remote.client.call::<Value>(ECS, ECS_VERSION, action, params.as_slice()).await)?;
            a.store.inv_delete(&tables::ECS_SECURITY_GROUP_RULE, &uuid).await
        })
    })
    .await?;
    Ok(Reply::Empty)
}

/// `SyncEcsSecurityGroupRuleFromRemote` (uuid: the group's): its rules as Alibaba lists them.
pub async fn rule_sync(app: App, req: Req) -> ApiResult<Reply> {
    let group_uuid = req.must("uuid")?;
    let a = app.clone();
    let rules = on_actor(&app, &app.dirs().hybrid.security_group, &group_uuid, move |group| Box::pin(async move { rules_sync(&a, &group).await })).await?;
    invs_reply(rules, &tables::ECS_SECURITY_GROUP_RULE)
}

/// Rules have no actor of their own: they change on their group's actor, so
/// the reconcile writes them directly.
async fn rules_sync(app: &App, group: &Inventory) -> ApiResult<Vec<Inventory>> {
    let dc = field(group, "dataCenterUuid");
    let remote = for_data_center(app, &dc).await?;
    let params = Params::new().set("RegionId", &remote.region).set("SecurityGroupId", field(group, "securityGroupId"));
    let attr: GroupAttribute = remote.client.call(ECS, ECS_VERSION, "DescribeSecurityGroupAttribute", params.as_slice()).await.map_err(aliyun_error)?;
    let group_uuid = field(group, "uuid");
    let mut local: std::collections::HashMap<String, Inventory> = app
        .store
        .inv_find(&tables::ECS_SECURITY_GROUP_RULE, "ecsSecurityGroupUuid", &group_uuid)
        .await?
        .into_iter()
        .map(|r| (field(&r, "remoteKey"), r))
        .collect();
    let mut out = Vec::new();
    let mut stmts = Vec::new();
    for p in attr.permissions.permission {
        let rule = p.rule();
        match local.remove(&rule.key()) {
            Some(existing) => out.push(existing),
            None => {
                let mut fields = rule.fields(&dc, &group_uuid);
                fields.insert("uuid".into(), json!(crate::api::new_uuid()));
                let inv = new_inv(Value::Object(fields));
                stmts.push(app.store.insert_stmt(&tables::ECS_SECURITY_GROUP_RULE, &inv));
                out.push(inv);
            }
        }
    }
    for gone in local.values() {
        stmts.push(app.store.delete_stmt(&tables::ECS_SECURITY_GROUP_RULE, "uuid", &field(gone, "uuid")));
    }
    app.store.db.write(stmts).await?;
    Ok(out)
}
