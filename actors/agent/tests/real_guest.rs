//! A real VM through the agent on `qemu:///system` under QEMU TCG: image into
//! the cache, root overlay, boot (watching the serial console log), hot-plug
//! a data volume, live snapshot, hot-unplug, graceful stop, destroy, and
//! nothing left behind. Skipped, with the reason printed, when the test guest
//! (`scripts/build-test-guest` → var/test-guest/guest.qcow2) is missing or
//! libvirtd is not reachable.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zstack_agent_proto::paths;

const URI: &str = "qemu:///system";

fn guest_image() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ZSTACK_TEST_GUEST") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../var/test-guest/guest.qcow2");
    p.is_file().then(|| p.canonicalize().unwrap())
}

fn skip_reason() -> Option<String> {
    if guest_image().is_none() {
        return Some(
            "no test guest: run scripts/build-test-guest (var/test-guest/guest.qcow2)".into(),
        );
    }
    virt::error::clear_error_callback();
    match virt::connect::Connect::open(Some(URI)) {
        Ok(mut c) => {
            let _ = c.close();
            None
        }
        Err(e) => Some(format!(
            "{URI} is not reachable (is libvirtd running? scripts/setup-system): {}",
            e.message()
        )),
    }
}

/// Waits until the console log has a line for which `pred` holds.
async fn wait_console(
    log: &Path,
    what: &str,
    timeout: Duration,
    pred: impl Fn(&str) -> bool,
) -> String {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| pred(l)) {
            return line.to_string();
        }
        if start.elapsed() > timeout {
            panic!(
                "{what}: not seen within {timeout:?} in {}:\n{text}",
                log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The last `ZSTACK-BLOCK:` line of the console.
fn last_block_line(log: &Path) -> String {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .rfind(|l| l.contains("ZSTACK-BLOCK:"))
        .unwrap_or("")
        .to_string()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[actix_web::test]
async fn boots_a_real_guest_under_tcg() {
    if let Some(why) = skip_reason() {
        println!("SKIPPED boots_a_real_guest_under_tcg: {why}");
        return;
    }
    let t0 = Instant::now();
    let guest = guest_image().unwrap();
    let a = connected_agent(URI, "real").await;
    let ps = a.dir.join("ps");
    a.ok(paths::LOCAL_STORAGE_INIT, json!({"path": ps})).await;

    // The image into the cache (md5 from the fixture), then the root overlay
    // and an empty data volume.
    let md5 = std::fs::read_to_string(guest.with_file_name("guest.md5"))
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string));
    let cache = ps.join("imagecache/template/guest/guest.qcow2");
    let r = a
        .ok(paths::LOCAL_STORAGE_DOWNLOAD_IMAGE_TO_CACHE, json!({"url": format!("file://{}", guest.display()), "installPath": cache, "md5sum": md5, "format": "qcow2"}))
        .await;
    assert_eq!(r["format"], json!("qcow2"));
    let vm = new_vm_uuid();
    let root = ps.join(format!("rootVolumes/{vm}/root.qcow2"));
    a.ok(
        paths::LOCAL_STORAGE_CREATE_VOLUME_FROM_CACHE,
        json!({"templatePathInCache": cache, "installUrl": root}),
    )
    .await;
    let data = ps.join(format!("dataVolumes/{vm}/data.qcow2"));
    a.ok(
        paths::LOCAL_STORAGE_CREATE_EMPTY_VOLUME,
        json!({"installUrl": data, "size": 64u64 << 20}),
    )
    .await;

    // A NIC on a bridge over a dummy interface, if the host lets us make one.
    let suffix = &vm[..6];
    let dummy = format!("zsgd{suffix}");
    let bridge = format!("zsgb{suffix}");
    let mut nics = Vec::<Value>::new();
    if make_fake_nic(&dummy).is_ok() {
        a.ok(
            paths::L2_NOVLAN_CREATE_BRIDGE,
            json!({"physicalInterfaceName": dummy, "bridgeName": bridge, "l2NetworkUuid": "l2"}),
        )
        .await;
        nics.push(json!({"mac": "52:54:00:5a:00:01", "bridgeName": bridge, "uuid": "nic1", "deviceId": 0, "useVirtio": true}));
    } else {
        println!("note: no dummy/veth interface could be created; booting without a NIC");
    }

    // A start whose create fails (missing root file) is rolled back.
    let bad = new_vm_uuid();
    let e = a
        .fails(
            paths::VM_START,
            json!({"vmInstanceUuid": bad, "vmName": "bad", "memory": 128u64 << 20, "cpuNum": 1,
                   "rootVolume": {"installPath": ps.join("missing.qcow2"), "deviceId": 0, "deviceType": "file"}}),
        )
        .await;
    assert!(
        e.contains("cannot start VM") && e.contains("libvirt:"),
        "{e}"
    );
    assert!(
        !a.domain_names().await.contains(&bad),
        "failed start left a domain"
    );

    let start = json!({
        "vmInstanceUuid": vm, "vmName": "real guest", "memory": 256u64 << 20,
        "cpuNum": 1, "socketNum": 1, "cpuOnSocket": 1, "bootDev": ["hd"],
        "rootVolume": {"installPath": root, "deviceId": 0, "deviceType": "file", "volumeUuid": "root", "useVirtio": true},
        "nics": nics, "cdRoms": [{"deviceId": 0, "isEmpty": true}],
        "consoleMode": "vnc", "consolePassword": "secret", "timeout": 120
    });
    a.ok(paths::VM_START, start.clone()).await;
    a.ok(paths::VM_START, start).await; // idempotent
    let log = a.dir.join(format!("console/{vm}.log"));
    wait_console(&log, "ZSTACK-GUEST-BOOTED", Duration::from_secs(180), |l| {
        l.contains("ZSTACK-GUEST-BOOTED")
    })
    .await;
    println!("guest booted after {:?}", t0.elapsed());
    if !nics.is_empty() {
        let net = wait_console(&log, "ZSTACK-NET", Duration::from_secs(30), |l| {
            l.contains("ZSTACK-NET:")
        })
        .await;
        assert!(net.contains("52:54:00:5a:00:01"), "{net}");
    }
    assert_eq!(a.state_of(&vm).await, "Running");
    let vnc = a.ok(paths::VM_GET_VNC_PORT, json!({"vmUuid": vm})).await;
    assert!(vnc["port"].as_i64().unwrap() >= 5900, "{vnc}");
    let metrics = a.ok(paths::HOST_METRICS, json!({"vmUuids": [vm]})).await;
    let m = &metrics["vms"][0];
    assert!(
        m["cpuTime"].as_u64().unwrap() > 0 && m["disks"][0]["name"] == json!("vda"),
        "{metrics}"
    );

    // Hot-plug the data volume; the guest sees vdb.
    let vol = json!({"installPath": data, "deviceId": 1, "deviceType": "file", "volumeUuid": "data", "useVirtio": true});
    a.ok(
        paths::VM_ATTACH_DATA_VOLUME,
        json!({"vmInstanceUuid": vm, "volume": vol}),
    )
    .await;
    wait_console(
        &log,
        "ZSTACK-BLOCK with vdb",
        Duration::from_secs(60),
        |l| l.contains("ZSTACK-BLOCK:") && l.contains("vdb"),
    )
    .await;

    // Live snapshot of the data volume: qemu continues in the overlay.
    let top = ps.join(format!("dataVolumes/{vm}/data-snap1.qcow2"));
    let snap = a
        .ok(paths::VM_TAKE_SNAPSHOT, json!({"vmUuid": vm, "volumeUuid": "data", "volume": vol, "installPath": top, "online": true}))
        .await;
    assert_eq!(snap["snapshotInstallPath"], json!(data.to_str().unwrap()));
    assert!(
        a.domain_xml(&vm)
            .await
            .unwrap()
            .contains(top.to_str().unwrap()),
        "live XML does not use the overlay"
    );

    // Hot-unplug (the volume now lives in the overlay).
    let vol_now = json!({"installPath": top, "deviceId": 1, "deviceType": "file", "volumeUuid": "data", "useVirtio": true});
    a.ok(
        paths::VM_DETACH_DATA_VOLUME,
        json!({"vmInstanceUuid": vm, "volume": vol_now}),
    )
    .await;
    let t = Instant::now();
    while last_block_line(&log).contains("vdb") {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "guest still lists vdb: {}",
            last_block_line(&log)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Graceful stop: the guest sees the ACPI power button.
    let t = Instant::now();
    a.ok(
        paths::VM_STOP,
        json!({"uuid": vm, "type": "grace", "timeout": 60}),
    )
    .await;
    println!("graceful stop took {:?}", t.elapsed());
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("ZSTACK-POWEROFF"),
        "guest did not see the ACPI power button"
    );
    assert_eq!(a.state_of(&vm).await, "Shutdown");
    a.ok(paths::VM_DESTROY, json!({"uuid": vm})).await;
    assert!(!log.exists(), "console log left behind");

    // Nothing left: no domain, no files.
    assert!(!a.domain_names().await.contains(&vm));
    for p in [&top, &data, &root, &cache] {
        a.ok(paths::LOCAL_STORAGE_DELETE, json!({"path": p})).await;
    }
    for d in ["rootVolumes", "dataVolumes", "imagecache"] {
        a.ok(paths::LOCAL_STORAGE_DELETE, json!({"path": ps.join(d)}))
            .await;
    }
    assert_eq!(files_under(&ps), Vec::<PathBuf>::new());
    if !nics.is_empty() {
        for dev in [&bridge, &dummy] {
            let _ = std::process::Command::new("ip")
                .args(["link", "del", dev])
                .output();
        }
    }
    println!("real guest test took {:?}", t0.elapsed());
    a.stop().await;
}
