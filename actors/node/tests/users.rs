//! IAM users: create, log in as one, change the password, delete (which ends
//! the user's sessions), and what bad logins get.

mod common;

use common::{sha512, uuid_of, Node};
use serde_json::{json, Value};

#[actix_web::test]
async fn users_log_in_change_password_and_go() {
    let n = Node::start().await;
    let user = n.create("/v1/accounts/users", json!({"name": "ops", "password": sha512("first-pass"), "description": "operator"})).await;
    assert!(user.get("password").is_none(), "passwords are never returned");
    let uuid = uuid_of(&user);
    let (s, e) = n.call("POST", "/v1/accounts/users", Some(json!({"params": {"name": "ops", "password": sha512("x")}}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (503, Some("SYS.1007")), "a second user of the same name: {e}");
    assert_eq!(n.query("/v1/accounts/users?q=name=ops").await.len(), 1);
    assert_eq!(n.query("/v1/accounts/users?q=account.name=admin").await.len(), 1);

    let login = |password: &str, account: Value| json!({"logInByUser": {"accountName": account, "userName": "ops", "password": sha512(password)}});
    let (s, session) = n.call("PUT", "/v1/accounts/users/login", Some(login("first-pass", json!("admin")))).await;
    assert_eq!(s, 200, "{session}");
    assert_eq!((session["inventory"]["userUuid"].as_str(), session["inventory"]["userType"].as_str()), (Some(uuid.as_str()), Some("UserVO")));
    let token = session["inventory"]["uuid"].as_str().unwrap().to_string();
    // The user's session works for API calls.
    let r = reqwest::Client::new().get(format!("{}/v1/zones", n.base)).header("Authorization", format!("OAuth {token}")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);

    for (body, why) in [
        (login("wrong", json!("admin")), "a wrong password"),
        (login("first-pass", json!("nosuchaccount")), "an unknown account"),
        (json!({"logInByUser": {"accountName": "admin", "userName": "nobody", "password": sha512("first-pass")}}), "an unknown user"),
        (json!({"logInByUser": {"userName": "ops", "password": sha512("first-pass")}}), "no account named"),
    ] {
        let (s, e) = n.call("PUT", "/v1/accounts/users/login", Some(body)).await;
        assert_eq!(s, 503, "{why}: {e}");
    }

    // A password change with a wrong old password is refused; with the right one it takes.
    let (s, _) = n.call("PUT", "/v1/accounts/users/actions", Some(json!({"updateUser": {"uuid": uuid, "password": sha512("second"), "oldPassword": sha512("nope")}}))).await;
    assert_eq!(s, 503);
    n.ok("PUT", "/v1/accounts/users/actions", json!({"updateUser": {"uuid": uuid, "password": sha512("second"), "oldPassword": sha512("first-pass")}})).await;
    assert_eq!(n.call("PUT", "/v1/accounts/users/login", Some(login("first-pass", json!("admin")))).await.0, 503);
    assert_eq!(n.call("PUT", "/v1/accounts/users/login", Some(login("second", json!("admin")))).await.0, 200);

    // Deleting the user ends its sessions.
    n.ok("DELETE", &format!("/v1/accounts/users/{uuid}"), Value::Null).await;
    let r = reqwest::Client::new().get(format!("{}/v1/zones", n.base)).header("Authorization", format!("OAuth {token}")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 503, "a deleted user's session is gone");
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "ID.1001");
    assert!(n.query("/v1/accounts/users").await.is_empty());
}
