//! ZStack's query language compiled to SQL. Conditions come from the REST
//! form (`q=vmNics.l3NetworkUuid?=a,b`) or the legacy body form
//! (`{"name": ..., "op": "in", "value": "a,b"}`); both become `Condition`s
//! and then one `WHERE` clause with bound parameters. Dotted names follow the
//! inventory's expanded-query joins as sub-queries, in one of two forms that
//! select the same rows:
//! * `IN (SELECT ...)`, as ZStack writes them: the matches are listed first,
//!   so its cost grows with the number of matches (about 1 ms per 1,000 on
//!   SQLite), but a condition nothing matches costs nothing;
//! * a correlated `EXISTS`: a page stops after its last row when matches are
//!   many, but a condition nothing matches scans the whole table.
//! `JoinForm::probe` builds a bounded count of the deepest table's matches
//! so the caller can pick: `IN` below the bound, `EXISTS` above it.

use crate::spec::{snake, ColKind, TableSpec};
use crate::value::{SqlBuilder, SqlValue, Stmt};
use crate::DbKind;
use std::collections::HashMap;
use zstack_kit::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    In,
    NotIn,
    Like,
    NotLike,
    IsNull,
    NotNull,
}

impl Op {
    fn sql(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::In => "IN",
            Op::NotIn => "NOT IN",
            Op::Like => "LIKE",
            Op::NotLike => "NOT LIKE",
            Op::IsNull => "IS NULL",
            Op::NotNull => "IS NOT NULL",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub name: String,
    pub op: Op,
    pub value: Option<String>,
}

/// The REST operators in the order ZStack's RestServer looks for them: the
/// first one found splits the condition, once.
const REST_OPS: &[(&str, Op)] = &[
    ("!=", Op::Ne),
    (">=", Op::Ge),
    ("<=", Op::Le),
    ("!?=", Op::NotIn),
    ("!~=", Op::NotLike),
    ("~=", Op::Like),
    ("?=", Op::In),
    ("=", Op::Eq),
    (">", Op::Gt),
    ("<", Op::Lt),
    ("is null", Op::IsNull),
    ("not null", Op::NotNull),
];

/// Parse one `q=` condition.
pub fn parse_rest_condition(q: &str) -> ApiResult<Condition> {
    for (token, op) in REST_OPS {
        if let Some(at) = q.find(token) {
            let name = q[..at].trim().to_string();
            let rest = &q[at + token.len()..];
            if name.is_empty() {
                return Err(ApiError::invalid_argument(format!("query condition [{q}] has no field name")));
            }
            let value = match op {
                Op::IsNull | Op::NotNull => None,
                _ => Some(rest.to_string()),
            };
            return Ok(Condition { name, op: *op, value });
        }
    }
    Err(ApiError::invalid_argument(format!(
        "query condition [{q}] has no operator; use one of =, !=, >, <, >=, <=, ?=, !?=, ~=, !~=, is null, not null"
    )))
}

/// Build a condition from the legacy body form.
pub fn legacy_condition(name: &str, op: &str, value: Option<String>) -> ApiResult<Condition> {
    let op = match op.trim().to_ascii_lowercase().as_str() {
        "=" => Op::Eq,
        "!=" => Op::Ne,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        "<" => Op::Lt,
        "<=" => Op::Le,
        "in" => Op::In,
        "not in" => Op::NotIn,
        "like" => Op::Like,
        "not like" => Op::NotLike,
        "is null" => Op::IsNull,
        "is not null" | "not null" => Op::NotNull,
        other => return Err(ApiError::invalid_argument(format!("unknown query operator [{other}] on [{name}]"))),
    };
    Ok(Condition { name: name.to_string(), op, value })
}

/// Every table the compiler can reach, by table name, and where tags live.
pub struct Catalog {
    pub tables: HashMap<&'static str, &'static TableSpec>,
    /// Tables of system and user tags: columns resource_uuid, tag.
    pub tag_tables: (&'static str, &'static str),
}

impl Catalog {
    pub fn table(&self, name: &str) -> ApiResult<&'static TableSpec> {
        self.tables.get(name).copied().ok_or_else(|| ApiError::internal(format!("no table [{name}] in the catalog")))
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryOptions {
    pub limit: Option<u64>,
    pub start: Option<u64>,
    /// (field, ascending)
    pub sort: Option<(String, bool)>,
}

/// ZStack's default page size for queries.
pub const DEFAULT_LIMIT: u64 = 1000;

fn convert(spec: &TableSpec, field: &str, kind: ColKind, raw: &str) -> ApiResult<SqlValue> {
    let bad = |what: &str| {
        ApiError::invalid_argument(format!(
            "the value [{raw}] of field [{field}] of {} is not {what}",
            spec.inventory_class.rsplit('.').next().unwrap_or(spec.vo)
        ))
    };
    Ok(match kind {
        ColKind::Str | ColKind::LongStr => SqlValue::Text(Some(raw.to_string())),
        ColKind::Int => SqlValue::Int(Some(raw.trim().parse::<i64>().map_err(|_| bad("an integer"))?)),
        ColKind::Float => SqlValue::Float(Some(raw.trim().parse::<f64>().map_err(|_| bad("a number"))?)),
        ColKind::Bool => SqlValue::Int(Some(match raw.trim().to_ascii_lowercase().as_str() {
            "true" => 1,
            "false" => 0,
            _ => return Err(bad("a boolean")),
        })),
        ColKind::Time => SqlValue::Int(Some(crate::time::parse_any(raw.trim()).ok_or_else(|| bad("a timestamp"))?)),
    })
}

fn push_predicate(b: &mut SqlBuilder, column: &str, op: Op, values: Vec<SqlValue>) {
    b.push(column).push(" ").push(op.sql());
    match op {
        Op::IsNull | Op::NotNull => {}
        Op::In | Op::NotIn => {
            b.push(" (");
            for (i, v) in values.into_iter().enumerate() {
                if i > 0 {
                    b.push(", ");
                }
                b.bind(v);
            }
            b.push(")");
        }
        _ => {
            b.push(" ");
            if let Some(v) = values.into_iter().next() {
                b.bind(v);
            }
        }
    }
}

fn values_for(spec: &TableSpec, field: &str, kind: ColKind, cond: &Condition) -> ApiResult<Vec<SqlValue>> {
    match cond.op {
        Op::IsNull | Op::NotNull => Ok(vec![]),
        Op::In | Op::NotIn => {
            let raw = cond.value.as_deref().unwrap_or("");
            // ZStack turns an empty list into ('').
            raw.split(',').map(|v| convert(spec, field, kind, v)).collect()
        }
        _ => {
            let raw = cond.value.as_deref().ok_or_else(|| {
                ApiError::invalid_argument(format!("query condition on [{}] has no value", cond.name))
            })?;
            Ok(vec![convert(spec, field, kind, raw)?])
        }
    }
}

/// How a condition on a joined field is written (see the module notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JoinForm {
    #[default]
    Exists,
    In,
}

/// Rows a join's deepest table may match before `EXISTS` is the better form.
pub const IN_FORM_BOUND: u64 = 2000;

impl JoinForm {
    /// `SELECT COUNT(*) AS n` over at most `IN_FORM_BOUND` rows of the deepest
    /// table of a join condition matching its final predicate; `None` for a
    /// condition on the table itself (or on tags).
    pub fn probe(cat: &Catalog, kind: DbKind, spec: &'static TableSpec, cond: &Condition) -> ApiResult<Option<Stmt>> {
        if !cond.name.contains('.') {
            return Ok(None);
        }
        let mut current = spec;
        let mut path = cond.name.as_str();
        while let Some((head, rest)) = path.split_once('.') {
            let join = current.join(head).ok_or_else(|| unknown_field(current, &cond.name, head))?;
            for hop in join.hops {
                current = cat.table(hop.table)?;
            }
            path = rest;
        }
        if path.starts_with("__") {
            return Ok(None);
        }
        let col = current.column(path).ok_or_else(|| unknown_field(current, &cond.name, path))?;
        let values = values_for(current, path, col.kind, cond)?;
        let mut b = SqlBuilder::new(kind);
        b.push("SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ").push(current.table).push(" WHERE ");
        push_predicate(&mut b, &snake(path), cond.op, values);
        b.push(&format!(" LIMIT {IN_FORM_BOUND}) probe"));
        Ok(Some(b.build()))
    }

    /// The form for a probe's answer.
    pub fn for_matches(n: i64) -> JoinForm {
        if (n as u64) < IN_FORM_BOUND {
            JoinForm::In
        } else {
            JoinForm::Exists
        }
    }
}

/// Append the SQL for one condition evaluated on `spec` (rows named by its table).
pub fn compile_condition(cat: &Catalog, spec: &'static TableSpec, cond: &Condition, form: JoinForm, b: &mut SqlBuilder) -> ApiResult<()> {
    let mut aliases = 0;
    compile_path(cat, spec, spec.table, &cond.name, cond, form, b, &mut aliases)
}

#[allow(clippy::too_many_arguments)]
fn compile_path(
    cat: &Catalog,
    spec: &'static TableSpec,
    alias: &str,
    path: &str,
    cond: &Condition,
    form: JoinForm,
    b: &mut SqlBuilder,
    aliases: &mut usize,
) -> ApiResult<()> {
    if path == "__systemTag__" || path == "__userTag__" {
        let table = if path == "__systemTag__" { cat.tag_tables.0 } else { cat.tag_tables.1 };
        let values = values_for(spec, path, ColKind::LongStr, cond)?;
        *aliases += 1;
        let tag = format!("j{aliases}");
        b.push("EXISTS (SELECT 1 FROM ").push(table).push(" ").push(&tag).push(" WHERE ").push(&tag).push(".resource_uuid = ").push(alias).push(".uuid AND ");
        push_predicate(b, &format!("{tag}.tag"), cond.op, values);
        b.push(")");
        return Ok(());
    }
    match path.split_once('.') {
        None => {
            let col = spec.column(path).ok_or_else(|| unknown_field(spec, &cond.name, path))?;
            let values = values_for(spec, path, col.kind, cond)?;
            push_predicate(b, &format!("{alias}.{}", snake(path)), cond.op, values);
            Ok(())
        }
        Some((head, rest)) => {
            let join = spec.join(head).ok_or_else(|| unknown_field(spec, &cond.name, head))?;
            let mut current = spec;
            let mut outer = alias.to_string();
            for hop in join.hops {
                let target = cat.table(hop.table)?;
                *aliases += 1;
                let inner = format!("j{aliases}");
                match form {
                    JoinForm::Exists => {
                        b.push("EXISTS (SELECT 1 FROM ").push(target.table).push(" ").push(&inner).push(" WHERE ");
                        b.push(&inner).push(".").push(&snake(hop.remote)).push(" = ").push(&outer).push(".").push(&snake(hop.local)).push(" AND ");
                    }
                    JoinForm::In => {
                        b.push(&outer).push(".").push(&snake(hop.local)).push(" IN (SELECT ").push(&inner).push(".").push(&snake(hop.remote));
                        b.push(" FROM ").push(target.table).push(" ").push(&inner).push(" WHERE ");
                    }
                }
                current = target;
                outer = inner;
            }
            compile_path(cat, current, &outer, rest, cond, form, b, aliases)?;
            for _ in join.hops {
                b.push(")");
            }
            Ok(())
        }
    }
}

fn unknown_field(spec: &TableSpec, full: &str, part: &str) -> ApiError {
    ApiError::invalid_argument(format!(
        "query condition [{full}]: [{part}] is not a queryable field of {}",
        spec.inventory_class.rsplit('.').next().unwrap_or(spec.vo)
    ))
}

/// `WHERE` clause (without the keyword) for all conditions ANDed, or `1=1`;
/// `forms[i]` is the join form of condition `i` (EXISTS where missing).
pub fn compile_where(cat: &Catalog, spec: &'static TableSpec, conds: &[Condition], forms: &[JoinForm], b: &mut SqlBuilder) -> ApiResult<()> {
    if conds.is_empty() {
        b.push("1=1");
    }
    for (i, c) in conds.iter().enumerate() {
        if i > 0 {
            b.push(" AND ");
        }
        b.push("(");
        compile_condition(cat, spec, c, forms.get(i).copied().unwrap_or_default(), b)?;
        b.push(")");
    }
    Ok(())
}

/// `SELECT inv FROM ... WHERE ... ORDER BY ... LIMIT ... OFFSET ...`
pub fn select_inventories(
    cat: &Catalog,
    kind: DbKind,
    spec: &'static TableSpec,
    conds: &[Condition],
    forms: &[JoinForm],
    opts: &QueryOptions,
) -> ApiResult<Stmt> {
    let mut b = SqlBuilder::new(kind);
    b.push("SELECT inv AS v FROM ").push(spec.table).push(" WHERE ");
    compile_where(cat, spec, conds, forms, &mut b)?;
    if let Some((field, asc)) = &opts.sort {
        if spec.column(field).is_none() {
            return Err(ApiError::invalid_argument(format!(
                "cannot sort by [{field}]: it is not a field of {}",
                spec.inventory_class.rsplit('.').next().unwrap_or(spec.vo)
            )));
        }
        b.push(" ORDER BY ").push(spec.table).push(".").push(&snake(field)).push(if *asc { " ASC" } else { " DESC" });
    }
    let limit = opts.limit.unwrap_or(DEFAULT_LIMIT);
    b.push(&format!(" LIMIT {limit}"));
    if let Some(start) = opts.start {
        b.push(&format!(" OFFSET {start}"));
    }
    Ok(b.build())
}

pub fn count(cat: &Catalog, kind: DbKind, spec: &'static TableSpec, conds: &[Condition], forms: &[JoinForm]) -> ApiResult<Stmt> {
    let mut b = SqlBuilder::new(kind);
    b.push("SELECT COUNT(*) AS n FROM ").push(spec.table).push(" WHERE ");
    compile_where(cat, spec, conds, forms, &mut b)?;
    Ok(b.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Column, Hop, Join};

    static VM: TableSpec = TableSpec {
        table: "vm_instance",
        inventory_class: "org.zstack.header.vm.VmInstanceInventory",
        vo: "VmInstanceVO",
        columns: &[
            Column { field: "uuid", kind: ColKind::Str },
            Column { field: "state", kind: ColKind::Str },
            Column { field: "cpuNum", kind: ColKind::Int },
            Column { field: "createDate", kind: ColKind::Time },
        ],
        joins: &[Join { name: "vmNics", hops: &[Hop { local: "uuid", table: "vm_nic", remote: "vmInstanceUuid" }] }],
        indexes: &[],
    };
    static NIC: TableSpec = TableSpec {
        table: "vm_nic",
        inventory_class: "org.zstack.header.vm.VmNicInventory",
        vo: "VmNicVO",
        columns: &[
            Column { field: "uuid", kind: ColKind::Str },
            Column { field: "vmInstanceUuid", kind: ColKind::Str },
            Column { field: "l3NetworkUuid", kind: ColKind::Str },
        ],
        joins: &[],
        indexes: &[],
    };

    fn cat() -> Catalog {
        Catalog { tables: HashMap::from([("vm_instance", &VM), ("vm_nic", &NIC)]), tag_tables: ("system_tag", "user_tag") }
    }

    fn where_of(q: &str, kind: DbKind) -> ApiResult<Stmt> {
        let mut b = SqlBuilder::new(kind);
        compile_where(&cat(), &VM, &[parse_rest_condition(q)?], &[], &mut b)?;
        Ok(b.build())
    }

    #[test]
    fn operators_split_in_zstack_order() {
        let c = parse_rest_condition("name!=a=b").unwrap();
        assert_eq!((c.name.as_str(), c.op, c.value.as_deref()), ("name", Op::Ne, Some("a=b")));
        assert_eq!(parse_rest_condition("uuid!?=a,b").unwrap().op, Op::NotIn);
        assert_eq!(parse_rest_condition("uuid?=a,b").unwrap().op, Op::In);
        assert_eq!(parse_rest_condition("name~=%x%").unwrap().op, Op::Like);
        assert_eq!(parse_rest_condition("name!~=%x%").unwrap().op, Op::NotLike);
        assert_eq!(parse_rest_condition("cpuNum>=2").unwrap().op, Op::Ge);
        assert_eq!(parse_rest_condition("cpuNum<2").unwrap().op, Op::Lt);
        let n = parse_rest_condition("hostUuid is null").unwrap();
        assert_eq!((n.name.as_str(), n.op, n.value), ("hostUuid", Op::IsNull, None));
        assert_eq!(parse_rest_condition("hostUuid not null").unwrap().op, Op::NotNull);
        assert_eq!(parse_rest_condition("nonsense").unwrap_err().code, "SYS.1007");
        assert_eq!(parse_rest_condition("=x").unwrap_err().code, "SYS.1007");
    }

    #[test]
    fn values_are_bound_never_spliced() {
        let s = where_of("state=Running' OR 1=1 --", DbKind::Sqlite).unwrap();
        assert_eq!(s.sql, "(vm_instance.state = ?)");
        assert_eq!(s.binds, vec![SqlValue::Text(Some("Running' OR 1=1 --".into()))]);
        let s = where_of("uuid?=a,b,c", DbKind::Postgres).unwrap();
        assert_eq!(s.sql, "(vm_instance.uuid IN ($1, $2, $3))");
    }

    #[test]
    fn joins_become_sub_queries() {
        let s = where_of("vmNics.l3NetworkUuid=l3", DbKind::Sqlite).unwrap();
        assert_eq!(s.sql, "(EXISTS (SELECT 1 FROM vm_nic j1 WHERE j1.vm_instance_uuid = vm_instance.uuid AND j1.l3_network_uuid = ?))");
        let cond = parse_rest_condition("vmNics.l3NetworkUuid=l3").unwrap();
        let mut b = SqlBuilder::new(DbKind::Sqlite);
        compile_where(&cat(), &VM, &[cond.clone()], &[JoinForm::In], &mut b).unwrap();
        assert_eq!(b.build().sql, "(vm_instance.uuid IN (SELECT j1.vm_instance_uuid FROM vm_nic j1 WHERE j1.l3_network_uuid = ?))");
        let probe = JoinForm::probe(&cat(), DbKind::Sqlite, &VM, &cond).unwrap().unwrap();
        assert_eq!(probe.sql, "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM vm_nic WHERE l3_network_uuid = ? LIMIT 2000) probe");
        assert_eq!((JoinForm::for_matches(5), JoinForm::for_matches(2000)), (JoinForm::In, JoinForm::Exists));
        let s = where_of("__systemTag__~=staticIp::%", DbKind::Sqlite).unwrap();
        assert_eq!(s.sql, "(EXISTS (SELECT 1 FROM system_tag j1 WHERE j1.resource_uuid = vm_instance.uuid AND j1.tag LIKE ?))");
    }

    #[test]
    fn bad_fields_and_values_are_invalid_arguments() {
        let e = where_of("nosuch=1", DbKind::Sqlite).unwrap_err();
        assert!(e.details.contains("[nosuch] is not a queryable field of VmInstanceInventory"), "{}", e.details);
        let e = where_of("vmNics.nosuch=1", DbKind::Sqlite).unwrap_err();
        assert!(e.details.contains("VmNicInventory"), "{}", e.details);
        let e = where_of("cpuNum=two", DbKind::Sqlite).unwrap_err();
        assert!(e.details.contains("is not an integer"), "{}", e.details);
        let e = where_of("createDate>soon", DbKind::Sqlite).unwrap_err();
        assert_eq!(e.code, "SYS.1007");
        let s = where_of("createDate>2017-01-06 03:51:16", DbKind::Sqlite).unwrap();
        assert_eq!(s.binds, vec![SqlValue::Int(Some(1483674676000))]);
    }

    #[test]
    fn sorting_only_by_fields() {
        let opts = QueryOptions { sort: Some(("bogus".into(), true)), ..Default::default() };
        assert!(select_inventories(&cat(), DbKind::Sqlite, &VM, &[], &[], &opts).is_err());
        let opts = QueryOptions { sort: Some(("cpuNum".into(), false)), limit: Some(5), start: Some(10) };
        let s = select_inventories(&cat(), DbKind::Mysql, &VM, &[], &[], &opts).unwrap();
        assert_eq!(s.sql, "SELECT inv AS v FROM vm_instance WHERE 1=1 ORDER BY vm_instance.cpu_num DESC LIMIT 5 OFFSET 10");
    }
}
