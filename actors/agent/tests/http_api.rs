//! The agent's HTTP API end to end, in-process on a random port, against
//! libvirt's in-memory `test:///default` driver (no daemon needed) and the
//! real qemu-img / filesystem for local storage.

mod common;

use common::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zstack_agent_proto::{headers, paths};

const TEST_URI: &str = "test:///default";

#[actix_web::test]
async fn auth_is_trust_on_first_connect() {
    let a = start_agent(TEST_URI, "auth").await;
    // Liveness needs no token.
    let (s, v) = a.post_with_token(paths::HOST_ECHO, json!({}), None).await;
    assert_eq!((s, v["success"].clone()), (200, json!(true)));
    // Nothing else passes before the first connect.
    let (s, v) = a
        .post_with_token(paths::HOST_FACT, json!({}), Some(TOKEN))
        .await;
    assert_eq!(s, 401, "{v}");
    assert_eq!(v["success"], json!(false));
    assert!(v["error"].as_str().unwrap().contains("/host/connect"));
    // A connect must carry a token.
    let (s, _) = a
        .post_with_token(paths::HOST_CONNECT, json!({"hostUuid": "h"}), None)
        .await;
    assert_eq!(s, 401);
    // The first one establishes it and is written to the token file.
    let (s, v) = a
        .post_with_token(paths::HOST_CONNECT, json!({"hostUuid": "h"}), Some(TOKEN))
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["libvirtVersion"].as_str().unwrap().contains('.'), "{v}");
    assert_eq!(
        std::fs::read_to_string(a.dir.join("agent-token")).unwrap(),
        TOKEN
    );
    // From then on: right token in, wrong or missing token out.
    let (s, _) = a
        .post_with_token(paths::HOST_FACT, json!({}), Some(TOKEN))
        .await;
    assert_eq!(s, 200);
    let (s, v) = a
        .post_with_token(paths::VM_SYNC, json!({}), Some("wrong"))
        .await;
    assert_eq!(s, 401, "{v}");
    let (s, _) = a.post_with_token(paths::VM_SYNC, json!({}), None).await;
    assert_eq!(s, 401);
    // Another node cannot take the agent over by connecting with its token.
    let (s, v) = a
        .post_with_token(
            paths::HOST_CONNECT,
            json!({"hostUuid": "h2"}),
            Some("other-node"),
        )
        .await;
    assert_eq!(s, 401, "{v}");
    assert!(v["error"].as_str().unwrap().contains("another token"));
    // The same node reconnecting is fine.
    let (s, _) = a
        .post_with_token(paths::HOST_CONNECT, json!({"hostUuid": "h"}), Some(TOKEN))
        .await;
    assert_eq!(s, 200);
    // Unknown paths (authenticated) are 404 with an AgentResponse body.
    let (s, v) = a
        .post_with_token("/vm/nosuch", json!({}), Some(TOKEN))
        .await;
    assert_eq!(s, 404);
    assert_eq!(v["success"], json!(false));
    a.stop().await;
}

#[actix_web::test]
async fn host_facts_capacity_ping_and_metrics() {
    let a = connected_agent(TEST_URI, "host").await;
    let f = a.ok(paths::HOST_FACT, json!({})).await;
    for k in [
        "cpuArchitecture",
        "cpuModelName",
        "cpuProcessorNum",
        "libvirtVersion",
        "osDistribution",
        "hvmCpuFlag",
        "virtualizationType",
    ] {
        assert!(f.get(k).is_some(), "{k} missing in {f}");
    }
    assert!(matches!(
        f["virtualizationType"].as_str(),
        Some("kvm") | Some("qemu-tcg")
    ));
    let c = a.ok(paths::HOST_CAPACITY, json!({})).await;
    assert!(
        c["cpuNum"].as_u64().unwrap() > 0 && c["totalMemory"].as_u64().unwrap() > 0,
        "{c}"
    );
    let p = a.ok(paths::HOST_PING, json!({"hostUuid": "host-1"})).await;
    assert_eq!(p["hostUuid"], json!("host-1"));
    let m = a.ok(paths::HOST_METRICS, json!({})).await;
    assert!(m["memory"]["total"].as_u64().unwrap() > 0, "{m}");
    assert!(m["cpu"]["idle"].as_u64().unwrap() > 0);
    // The test driver's predefined running domain shows up with libvirt's counters.
    assert!(
        m["vms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["vmUuid"] == json!("test")),
        "{m}"
    );
    a.stop().await;
}

#[actix_web::test]
async fn vm_lifecycle_on_the_test_driver() {
    let a = connected_agent(TEST_URI, "life").await;
    let vm = new_vm_uuid();
    let start = start_body(&vm, &a.dir);
    a.ok(paths::VM_START, start.clone()).await;
    assert_eq!(a.state_of(&vm).await, "Running");
    let xml = a.domain_xml(&vm).await.unwrap();
    assert!(xml.contains("<title>vm &lt;"), "{xml}");
    assert!(xml.contains("br_test0"));
    // Start is idempotent.
    a.ok(paths::VM_START, start.clone()).await;
    let sync = a.ok(paths::VM_SYNC, json!({})).await;
    assert_eq!(sync["states"][&vm], json!("Running"), "{sync}");

    a.ok(paths::VM_PAUSE, json!({"uuid": vm})).await;
    assert_eq!(a.state_of(&vm).await, "Paused");
    a.ok(paths::VM_PAUSE, json!({"uuid": vm})).await; // already paused: fine
    a.ok(paths::VM_RESUME, json!({"uuid": vm})).await;
    assert_eq!(a.state_of(&vm).await, "Running");
    a.ok(paths::VM_REBOOT, json!({"uuid": vm})).await;
    assert_eq!(a.state_of(&vm).await, "Running");
    let vnc = a.ok(paths::VM_GET_VNC_PORT, json!({"vmUuid": vm})).await;
    assert_eq!(vnc["protocol"], json!("vnc"));
    assert!(vnc.get("port").is_some(), "{vnc}");

    // Hot-plug: libvirt 9's test driver has no virDomainAttachDeviceFlags, so
    // here only the refusals are checked (the real attach/detach runs in
    // tests/real_guest.rs on qemu:///system): libvirt's reason is reported
    // and the domain is left as it was.
    let vol = json!({"installPath": a.dir.join("data1.qcow2"), "deviceId": 1, "deviceType": "file", "volumeUuid": "datavol1"});
    let e = a
        .fails(
            paths::VM_ATTACH_DATA_VOLUME,
            json!({"vmInstanceUuid": vm, "volume": vol}),
        )
        .await;
    assert!(
        e.contains("cannot attach volume") && e.contains("as vdb") && e.contains("libvirt:"),
        "{e}"
    );
    assert!(!a.domain_xml(&vm).await.unwrap().contains("data1.qcow2"));
    // A slot already in use is refused before libvirt is asked.
    let clash =
        json!({"installPath": a.dir.join("data2.qcow2"), "deviceId": 0, "deviceType": "file"});
    let e = a
        .fails(
            paths::VM_ATTACH_DATA_VOLUME,
            json!({"vmInstanceUuid": vm, "volume": clash}),
        )
        .await;
    assert!(e.contains("vda already holds"), "{e}");
    // Detaching a volume that is not attached is success (a retried call).
    a.ok(
        paths::VM_DETACH_DATA_VOLUME,
        json!({"vmInstanceUuid": vm, "volume": vol}),
    )
    .await;
    let e = a
        .fails(
            paths::VM_ATTACH_DATA_VOLUME,
            json!({"vmInstanceUuid": new_vm_uuid(), "volume": vol}),
        )
        .await;
    assert!(e.contains("not on this host"), "{e}");

    // Stop undefines (ZStack's agent does the same); the VM reads as Shutdown.
    a.ok(
        paths::VM_STOP,
        json!({"uuid": vm, "type": "grace", "timeout": 5}),
    )
    .await;
    assert_eq!(a.state_of(&vm).await, "Shutdown");
    assert!(!a.domain_names().await.contains(&vm));
    a.ok(paths::VM_STOP, json!({"uuid": vm, "type": "force"}))
        .await; // already stopped

    a.ok(paths::VM_START, start.clone()).await;
    a.ok(paths::VM_STOP, json!({"uuid": vm, "type": "force"}))
        .await;
    a.ok(paths::VM_START, start.clone()).await;
    a.ok(paths::VM_DESTROY, json!({"uuid": vm})).await;
    assert!(!a.domain_names().await.contains(&vm));
    a.ok(paths::VM_DESTROY, json!({"uuid": vm})).await; // idempotent

    // Operations on a VM that is not there fail clearly.
    let e = a.fails(paths::VM_PAUSE, json!({"uuid": vm})).await;
    assert!(e.contains(&vm) && e.contains("not on this host"), "{e}");
    // The VM actor went away with the domain.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(a.agent.state.vms.live_actors(), 0);
    a.stop().await;
}

#[actix_web::test]
async fn refused_starts_leave_no_domain_behind() {
    let a = connected_agent(TEST_URI, "refuse").await;

    // Invalid request: caught before libvirt.
    let vm = new_vm_uuid();
    let mut body = start_body(&vm, &a.dir);
    body["nics"][0]["bridgeName"] = json!("");
    let e = a.fails(paths::VM_START, body).await;
    assert!(e.contains("bridgeName"), "{e}");
    let mut body = start_body(&vm, &a.dir);
    body["memory"] = json!(0);
    a.fails(paths::VM_START, body).await;

    // libvirt refuses the definition: the same uuid under another name.
    a.ok(paths::VM_START, start_body(&vm, &a.dir)).await;
    let dashed = zstack_agent::domain_xml::dashed_uuid(&vm).unwrap();
    let e = a.fails(paths::VM_START, start_body(&dashed, &a.dir)).await;
    assert!(
        e.contains("cannot define VM") && e.contains("libvirt:"),
        "{e}"
    );
    a.ok(paths::VM_DESTROY, json!({"uuid": vm})).await;

    // Malformed JSON and wrong types are errors, not crashes.
    let rsp = a
        .http
        .post(format!("{}{}", a.base, paths::VM_START))
        .header(headers::AGENT_TOKEN, TOKEN)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(rsp.status().as_u16(), 200);
    let v: Value = rsp.json().await.unwrap();
    assert_eq!(v["success"], json!(false));
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("invalid JSON body for /vm/start"));
    a.fails(
        paths::VM_START,
        json!({"vmInstanceUuid": vm, "memory": "lots"}),
    )
    .await;

    // Migration on a driver that cannot: libvirt's reason is reported.
    let vm2 = new_vm_uuid();
    a.ok(paths::VM_START, start_body(&vm2, &a.dir)).await;
    let e = a
        .fails(
            paths::VM_MIGRATE,
            json!({"vmUuid": vm2, "destHostIp": "127.0.0.2"}),
        )
        .await;
    assert!(
        e.contains("cannot migrate VM")
            && e.contains("qemu+tcp://127.0.0.2/system")
            && e.contains("libvirt:"),
        "{e}"
    );
    let e = a
        .fails(
            paths::VM_MIGRATE,
            json!({"vmUuid": vm2, "destHostIp": "a b;rm"}),
        )
        .await;
    assert!(e.contains("invalid destination"), "{e}");
    a.ok(paths::VM_DESTROY, json!({"uuid": vm2})).await;

    // libvirt 9 shares test:///default's state among all connections of a
    // process, so other tests' VMs may come and go: check only ours.
    let after = a.domain_names().await;
    for name in [&vm, &vm2, &dashed] {
        assert!(!after.contains(name), "{name} left behind: {after:?}");
    }
    a.stop().await;
}

/// A tiny listener standing in for the management node's async callback URL.
async fn callback_listener() -> (
    String,
    Arc<Mutex<Vec<(String, Value)>>>,
    actix_web::dev::ServerHandle,
) {
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
    let got: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let sink = got.clone();
    let server = HttpServer::new(move || {
        let sink = sink.clone();
        App::new().route(
            "/zstack/asyncrest/callback",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let sink = sink.clone();
                async move {
                    let task = req
                        .headers()
                        .get("taskuuid")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    sink.lock()
                        .unwrap()
                        .push((task, serde_json::from_slice(&body).unwrap()));
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (
        format!("http://{addr}/zstack/asyncrest/callback"),
        got,
        handle,
    )
}

async fn wait_for_callback(got: &Arc<Mutex<Vec<(String, Value)>>>, task: &str) -> Value {
    for _ in 0..200 {
        if let Some((_, v)) = got.lock().unwrap().iter().find(|(t, _)| t == task) {
            return v.clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no callback for task {task}");
}

#[actix_web::test]
async fn async_calls_reply_through_the_callback_url() {
    let a = connected_agent(TEST_URI, "async").await;
    let (url, got, cb) = callback_listener().await;
    let vm = new_vm_uuid();

    let send = |path: &'static str, body: Value, task: &'static str| {
        let req = a
            .http
            .post(format!("{}{}", a.base, path))
            .header(headers::AGENT_TOKEN, TOKEN)
            .header(headers::TASK_UUID, task)
            .header(headers::CALLBACK_URL, url.clone())
            .json(&body);
        async move {
            let rsp = req.send().await.unwrap();
            assert_eq!(rsp.status().as_u16(), 200);
            rsp.json::<Value>().await.unwrap()
        }
    };
    let ack = send(paths::VM_START, start_body(&vm, &a.dir), "task-start").await;
    assert_eq!(ack, json!({"success": true}));
    let reply = wait_for_callback(&got, "task-start").await;
    assert_eq!(reply["success"], json!(true), "{reply}");
    assert_eq!(a.state_of(&vm).await, "Running");

    // A failure travels the same way.
    send(paths::VM_PAUSE, json!({"uuid": new_vm_uuid()}), "task-fail").await;
    let reply = wait_for_callback(&got, "task-fail").await;
    assert_eq!(reply["success"], json!(false));
    assert!(
        reply["error"]
            .as_str()
            .unwrap()
            .contains("not on this host"),
        "{reply}"
    );

    // Host calls too.
    send(paths::VM_SYNC, json!({}), "task-sync").await;
    let reply = wait_for_callback(&got, "task-sync").await;
    assert_eq!(reply["states"][&vm], json!("Running"), "{reply}");

    send(paths::VM_DESTROY, json!({"uuid": vm}), "task-destroy").await;
    assert_eq!(
        wait_for_callback(&got, "task-destroy").await["success"],
        json!(true)
    );
    cb.stop(false).await;
    a.stop().await;
}

#[actix_web::test]
async fn operations_on_one_vm_are_serialized() {
    // Many concurrent calls on one VM: each sees the state the previous left,
    // so pause/resume pairs never fail with "already paused / not paused".
    let a = connected_agent(TEST_URI, "serial").await;
    let vm = new_vm_uuid();
    a.ok(paths::VM_START, start_body(&vm, &a.dir)).await;
    let mut calls = Vec::new();
    for _ in 0..20 {
        calls.push(a.call(paths::VM_PAUSE, json!({"uuid": vm})));
        calls.push(a.call(paths::VM_RESUME, json!({"uuid": vm})));
    }
    for r in futures::future::join_all(calls).await {
        assert_eq!(r["success"], json!(true), "{r}");
    }
    a.ok(paths::VM_DESTROY, json!({"uuid": vm})).await;
    a.stop().await;
}

/// Serves `bytes` at http://127.0.0.1:PORT/image.
async fn image_server(bytes: Vec<u8>) -> (String, actix_web::dev::ServerHandle) {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let bytes = web::Bytes::from(bytes);
    let server = HttpServer::new(move || {
        let b = bytes.clone();
        App::new().route(
            "/image",
            web::get().to(move || {
                let b = b.clone();
                async move { HttpResponse::Ok().body(b) }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://{addr}/image"), handle)
}

fn md5_hex(b: &[u8]) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(b))
}

#[actix_web::test]
async fn local_storage_volumes_cache_and_offline_snapshots() {
    let a = connected_agent(TEST_URI, "storage").await;
    let root = a.dir.join("ps");
    let init = a.ok(paths::LOCAL_STORAGE_INIT, json!({"path": root})).await;
    assert!(
        init["totalCapacity"].as_u64().unwrap() > 0 && init["availableCapacity"].as_u64().is_some(),
        "{init}"
    );
    let cap = a
        .ok(
            paths::LOCAL_STORAGE_GET_PHYSICAL_CAPACITY,
            json!({"hostUuid": "host-1"}),
        )
        .await;
    assert!(cap["totalCapacity"].as_u64().unwrap() > 0);

    // A source image made with qemu-img, served over file:// and http://.
    let src = a.dir.join("src.qcow2");
    assert!(std::process::Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2"])
        .arg(&src)
        .arg("16M")
        .status()
        .unwrap()
        .success());
    let bytes = std::fs::read(&src).unwrap();
    let md5 = md5_hex(&bytes);
    let cache = root.join("imagecache/template/img1/img1.qcow2");
    let dl = json!({"url": format!("file://{}", src.display()), "installPath": cache, "md5sum": md5, "format": "qcow2"});
    let r = a
        .ok(paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE, dl.clone())
        .await;
    assert_eq!(
        (
            r["format"].clone(),
            r["size"].clone(),
            r["alreadyCached"].clone()
        ),
        (json!("qcow2"), json!(16 << 20), json!(false)),
        "{r}"
    );
    assert_eq!(r["md5sum"], json!(md5));
    let r = a
        .ok(paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE, dl.clone())
        .await;
    assert_eq!(r["alreadyCached"], json!(true), "{r}");

    // Over HTTP; a checksum mismatch fails and leaves nothing behind.
    let (url, srv) = image_server(bytes.clone()).await;
    let cache2 = root.join("imagecache/template/img2/img2.qcow2");
    let e = a
        .fails(paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE, json!({"url": url, "installPath": cache2, "md5sum": "00000000000000000000000000000000"}))
        .await;
    assert!(e.contains("md5 mismatch"), "{e}");
    let leftovers: Vec<_> = std::fs::read_dir(cache2.parent().unwrap())
        .unwrap()
        .collect();
    assert!(
        leftovers.is_empty(),
        "partial download left behind: {leftovers:?}"
    );
    let e = a
        .fails(
            paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE,
            json!({"url": url, "installPath": cache2, "format": "raw"}),
        )
        .await;
    assert!(e.contains("format 'qcow2'"), "{e}");
    let r = a
        .ok(
            paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE,
            json!({"url": url, "installPath": cache2, "md5sum": md5}),
        )
        .await;
    assert_eq!(r["actualSize"], json!(bytes.len()));
    srv.stop(false).await;
    let e = a
        .fails(
            paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE,
            json!({"url": "ftp://x/y", "installPath": cache2}),
        )
        .await;
    assert!(e.contains("unsupported image URL"), "{e}");
    let e = a
        .fails(
            paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE,
            json!({"url": "file:///no/such/image", "installPath": root.join("c3/x.qcow2")}),
        )
        .await;
    assert!(e.contains("/no/such/image"), "{e}");

    // Root volume from the cache, an empty data volume.
    let rootvol = root.join("rootVolumes/acct/vol1/vol1.qcow2");
    a.ok(
        paths::LOCAL_STORAGE_CREATE_VOLUME_FROM_CACHE,
        json!({"templatePathInCache": cache, "installUrl": rootvol, "volumeUuid": "vol1"}),
    )
    .await;
    let info = zstack_agent::qemu_img::info(rootvol.to_str().unwrap()).unwrap();
    assert_eq!(info.backing_file.as_deref(), Some(cache.to_str().unwrap()));
    let e = a
        .fails(
            paths::LOCAL_STORAGE_CREATE_VOLUME_FROM_CACHE,
            json!({"templatePathInCache": cache, "installUrl": rootvol}),
        )
        .await;
    assert!(e.contains("already exists"), "{e}");
    let e = a.fails(paths::LOCAL_STORAGE_CREATE_VOLUME_FROM_CACHE, json!({"templatePathInCache": root.join("nope.qcow2"), "installUrl": root.join("v2.qcow2")})).await;
    assert!(e.contains("does not exist"), "{e}");
    let datavol = root.join("dataVolumes/vol2/vol2.qcow2");
    a.ok(
        paths::LOCAL_STORAGE_CREATE_EMPTY_VOLUME,
        json!({"installUrl": datavol, "size": 1u64 << 30}),
    )
    .await;
    assert_eq!(
        zstack_agent::qemu_img::info(datavol.to_str().unwrap())
            .unwrap()
            .virtual_size,
        1 << 30
    );
    let e = a
        .fails(
            paths::LOCAL_STORAGE_CREATE_EMPTY_VOLUME,
            json!({"installUrl": "relative/x.qcow2", "size": 1}),
        )
        .await;
    assert!(e.contains("absolute"), "{e}");

    // Offline snapshot: the volume continues in a new overlay.
    let snap_top = root.join("dataVolumes/vol2/snap1-top.qcow2");
    let r = a
        .ok(paths::VM_TAKE_SNAPSHOT, json!({"volumeUuid": "vol2", "volume": {"installPath": datavol}, "installPath": snap_top}))
        .await;
    assert_eq!(r["snapshotInstallPath"], json!(datavol.to_str().unwrap()));
    assert_eq!(r["newVolumeInstallPath"], json!(snap_top.to_str().unwrap()));
    assert_eq!(
        zstack_agent::qemu_img::info(snap_top.to_str().unwrap())
            .unwrap()
            .backing_file
            .as_deref(),
        Some(datavol.to_str().unwrap())
    );

    // Revert: a new overlay on the snapshot's file; a path is required and
    // an existing file is never overwritten.
    let reverted = root.join("dataVolumes/vol2/reverted.qcow2");
    let r = a
        .ok(paths::LOCAL_STORAGE_REVERT_SNAPSHOT, json!({"snapshotInstallPath": datavol, "newVolumeInstallPath": reverted}))
        .await;
    assert_eq!(r["newVolumeInstallPath"], json!(reverted.to_str().unwrap()));
    assert_eq!(r["size"], json!(1u64 << 30));
    let backing = |p: &std::path::Path| zstack_agent::qemu_img::info(p.to_str().unwrap()).unwrap().backing_file;
    assert_eq!(backing(&reverted).as_deref(), Some(datavol.to_str().unwrap()));
    let e = a.fails(paths::LOCAL_STORAGE_REVERT_SNAPSHOT, json!({"snapshotInstallPath": datavol})).await;
    assert!(e.contains("newVolumeInstallPath is required"), "{e}");
    let e = a
        .fails(paths::LOCAL_STORAGE_REVERT_SNAPSHOT, json!({"snapshotInstallPath": datavol, "newVolumeInstallPath": snap_top}))
        .await;
    assert!(e.contains("already exists"), "{e}");
    let e = a
        .fails(paths::LOCAL_STORAGE_REVERT_SNAPSHOT, json!({"snapshotInstallPath": root.join("none.qcow2"), "newVolumeInstallPath": root.join("n.qcow2")}))
        .await;
    assert!(e.contains("does not exist") && !root.join("n.qcow2").exists(), "{e}");

    // Merge (offline): a second snapshot, then the top is rebased onto the
    // first file, and finally onto nothing (full rebase).
    let top2 = root.join("dataVolumes/vol2/top2.qcow2");
    a.ok(paths::VM_TAKE_SNAPSHOT, json!({"volumeUuid": "vol2", "volume": {"installPath": snap_top}, "installPath": top2})).await;
    assert_eq!(backing(&top2).as_deref(), Some(snap_top.to_str().unwrap()));
    a.ok(paths::VM_MERGE_SNAPSHOT, json!({"volume": {"installPath": top2}, "srcPath": datavol, "destPath": top2})).await;
    assert_eq!(backing(&top2).as_deref(), Some(datavol.to_str().unwrap()));
    a.ok(paths::VM_MERGE_SNAPSHOT, json!({"volume": {"installPath": top2}, "destPath": top2, "fullRebase": true})).await;
    assert_eq!(backing(&top2), None);
    let e = a.fails(paths::VM_MERGE_SNAPSHOT, json!({"volume": {}, "destPath": top2})).await;
    assert!(e.contains("srcPath is required"), "{e}");
    let e = a.fails(paths::VM_MERGE_SNAPSHOT, json!({"volume": {}, "destPath": root.join("none.qcow2"), "fullRebase": true})).await;
    assert!(e.contains("does not exist"), "{e}");

    // Delete files (idempotent) and a directory inside the storage path only.
    for p in [&top2, &reverted, &snap_top, &datavol, &rootvol] {
        a.ok(paths::LOCAL_STORAGE_DELETE, json!({"path": p})).await;
        assert!(!p.exists());
        a.ok(paths::LOCAL_STORAGE_DELETE, json!({"path": p})).await;
    }
    a.ok(
        paths::LOCAL_STORAGE_DELETE,
        json!({"path": root.join("imagecache")}),
    )
    .await;
    assert!(!root.join("imagecache").exists());
    let e = a
        .fails(
            paths::LOCAL_STORAGE_DELETE,
            json!({"path": a.dir.join("console")}),
        )
        .await;
    assert!(e.contains("not inside the local storage path"), "{e}");
    a.stop().await;
}

#[actix_web::test]
async fn bridges_with_a_dummy_interface() {
    // Needs CAP_NET_ADMIN (root, as on CI); skipped otherwise.
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..6];
    let dummy = format!("zsd{suffix}");
    if let Err(why) = make_fake_nic(&dummy) {
        println!("SKIPPED bridges_with_a_dummy_interface: {why}");
        return;
    }
    let a = connected_agent(TEST_URI, "bridge").await;
    let br = format!("zsbr{suffix}");
    let body = json!({"physicalInterfaceName": dummy, "bridgeName": br, "l2NetworkUuid": "l2-1"});
    a.ok(paths::L2_NOVLAN_CREATE_BRIDGE, body.clone()).await;
    a.ok(paths::L2_NOVLAN_CREATE_BRIDGE, body.clone()).await; // idempotent
    let master = std::fs::read_link(format!("/sys/class/net/{dummy}/master")).unwrap();
    assert_eq!(master.file_name().unwrap().to_str().unwrap(), br);
    // VLAN bridge on the same interface, where the kernel has 8021q.
    let vbr = format!("zsvb{suffix}");
    let vlan_body = json!({"physicalInterfaceName": dummy, "bridgeName": vbr, "l2NetworkUuid": "l2-2", "vlan": 10});
    if vlan_supported(&dummy) {
        a.ok(paths::L2_VLAN_CREATE_BRIDGE, vlan_body).await;
        assert!(std::path::Path::new(&format!("/sys/class/net/{dummy}.10/master")).exists());
    } else {
        // The failure names the command and the kernel's reason, and the
        // bridge this call created is removed again.
        let e = a.fails(paths::L2_VLAN_CREATE_BRIDGE, vlan_body).await;
        assert!(e.contains("type vlan") && e.contains(&vbr), "{e}");
        assert!(!std::path::Path::new(&format!("/sys/class/net/{vbr}")).exists());
        println!("note: no VLAN support in this kernel; checked the clean failure instead");
    }
    // Errors: an enslaved port cannot join another bridge; a bridge created by
    // the failing call is removed.
    let br3 = format!("zsb3{suffix}");
    let e = a
        .fails(
            paths::L2_NOVLAN_CREATE_BRIDGE,
            json!({"physicalInterfaceName": dummy, "bridgeName": br3, "l2NetworkUuid": "l2-3"}),
        )
        .await;
    assert!(e.contains("already a port of bridge"), "{e}");
    assert!(!std::path::Path::new(&format!("/sys/class/net/{br3}")).exists());
    let e = a
        .fails(
            paths::L2_NOVLAN_CREATE_BRIDGE,
            json!({"physicalInterfaceName": "nosuchif0", "bridgeName": br3}),
        )
        .await;
    assert!(e.contains("does not exist"), "{e}");
    let e = a
        .fails(
            paths::L2_NOVLAN_CREATE_BRIDGE,
            json!({"bridgeName": "bad name;"}),
        )
        .await;
    assert!(e.contains("invalid bridgeName"), "{e}");
    for dev in [format!("{dummy}.10"), vbr, br, dummy] {
        let _ = std::process::Command::new("ip")
            .args(["link", "del", &dev])
            .output();
    }
    a.stop().await;
}
