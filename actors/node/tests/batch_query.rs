//! BatchQuery: the script subset (query assignments, put, comments) and
//! what a script outside it gets.

mod common;

use common::{Node, World};
use serde_json::Value;

fn url(script: &str) -> String {
    format!("/v1/batch-queries?{}", serde_urlencoded::to_string([("script", script)]).unwrap())
}

#[actix_web::test]
async fn batch_queries_run_several_queries_in_one_call() {
    let n = Node::start().await;
    let w = World::build(&n, 2).await;
    n.create("/v1/vm-instances", w.vm_params("vm-a")).await;
    n.create("/v1/vm-instances", w.vm_params("vm-b")).await;
    let script = "// two queries and a count\n\
        def vms = query(\"QueryVmInstance state=Running sort=+name fields=uuid,name\")\n\
        put(\"vms\", vms)\n\
        put('hosts', query(\"queryhost limit=1 replyWithCount=true\")); put(\"zones\", query(\"QueryZone count=true\"))";
    let r = n.ok("GET", &url(script), Value::Null).await;
    let vms = r["result"]["vms"]["inventories"].as_array().unwrap();
    assert_eq!(vms.iter().map(|v| v["name"].as_str().unwrap()).collect::<Vec<_>>(), ["vm-a", "vm-b"]);
    assert_eq!(vms[0].as_object().unwrap().len(), 2, "fields=uuid,name");
    assert_eq!((r["result"]["hosts"]["inventories"].as_array().unwrap().len(), r["result"]["hosts"]["total"].as_i64()), (1, Some(2)));
    assert_eq!(r["result"]["zones"]["total"], 1);

    for (script, why) in [
        ("put(\"x\", undefinedVar)", "an undefined variable"),
        ("def x = query(\"QueryNoSuchThing\")", "not a query API"),
        ("def x = query(\"QueryVmInstance nosuchfield=1\")", "a bad condition"),
        ("for (i in 1..3) { println i }", "Groovy beyond the subset"),
        ("put(\"x\" query(\"QueryZone\"))", "a malformed put"),
    ] {
        let (s, e) = n.call("GET", &url(script), None).await;
        assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "{why}: {e}");
    }
}
