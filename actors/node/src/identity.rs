//! Accounts and sessions. Clients send the SHA-512 hex digest of the password
//! (ZStack's wire convention); we store an argon2 hash of that digest, so the
//! database never holds anything a client could replay.

use crate::store::{str_of, Inventory, Store};
use crate::tables;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use parking_lot::RwLock;
use serde_json::json;
use sha2::{Digest, Sha512};
use std::collections::HashMap;
use std::sync::Arc;
use zstack_db::time::{now_ms, to_wire};
use zstack_kit::error::codes;
use zstack_kit::{ApiError, ApiResult};

/// The built-in admin account's uuid in ZStack.
pub const ADMIN_UUID: &str = "36c27e8ff05c4780bf6d2fa65700f22e";
/// `identity.session.timeout` default, seconds.
pub const SESSION_TIMEOUT_SECS: i64 = 7200;

pub fn sha512_hex(s: &str) -> String {
    hex::encode(Sha512::digest(s.as_bytes()))
}

fn hash_digest(digest: &str) -> ApiResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(digest.to_ascii_lowercase().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))
}

fn verify_digest(digest: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(digest.to_ascii_lowercase().as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

#[derive(Debug, Clone)]
pub struct Session {
    pub uuid: String,
    pub account_uuid: String,
    /// The IAM user logged in, or the account itself.
    pub user_uuid: String,
    pub expires_ms: i64,
}

#[derive(Clone)]
pub struct Identity {
    store: Store,
    sessions: Arc<RwLock<HashMap<String, Session>>>,
}

impl Identity {
    pub fn new(store: Store) -> Self {
        Identity { store, sessions: Arc::new(RwLock::new(HashMap::new())) }
    }

    /// Create the admin account on first start. Returns true when it was created.
    pub async fn admin_ensure(&self, password: &str) -> ApiResult<bool> {
        if self.store.inv_exists(&tables::ACCOUNT, ADMIN_UUID).await? {
            return Ok(false);
        }
        let now = to_wire(now_ms());
        let inv = json!({"uuid": ADMIN_UUID, "name": "admin", "type": "SystemAdmin", "createDate": now, "lastOpDate": now});
        let cred = json!({"uuid": ADMIN_UUID, "passwordHash": hash_digest(&sha512_hex(password))?});
        self.store
            .db
            .write(vec![
                self.store.insert_stmt(&tables::ACCOUNT, inv.as_object().unwrap()),
                self.store.insert_stmt(&tables::ACCOUNT_CREDENTIAL, cred.as_object().unwrap()),
            ])
            .await?;
        Ok(true)
    }

    pub async fn admin_reset_password(&self, password: &str) -> ApiResult<()> {
        self.admin_ensure(password).await?;
        let cred = json!({"uuid": ADMIN_UUID, "passwordHash": hash_digest(&sha512_hex(password))?});
        self.store.inv_update(&tables::ACCOUNT_CREDENTIAL, cred.as_object().unwrap()).await
    }

    /// Log in with the SHA-512 hex digest of the password.
    pub async fn login(&self, account_name: &str, password_digest: &str) -> ApiResult<Inventory> {
        let fail = || ApiError::new(codes::AUTHENTICATION, "wrong account name or password");
        let account = self.store.inv_find(&tables::ACCOUNT, "name", account_name).await?.into_iter().next().ok_or_else(fail)?;
        let uuid = str_of(&account, "uuid").unwrap_or_default().to_string();
        self.check_password(&uuid, password_digest).await.map_err(|_| fail())?;
        self.session_open(&uuid, &uuid, "AccountVO").await
    }

    /// Log in as an IAM user of an account (named by uuid or name).
    pub async fn login_user(&self, account_uuid: Option<&str>, account_name: Option<&str>, user_name: &str, password_digest: &str) -> ApiResult<Inventory> {
        let fail = || ApiError::new(codes::AUTHENTICATION, "wrong account, user name or password");
        let account = match (account_uuid, account_name) {
            (Some(u), _) => self.store.inv_get(&tables::ACCOUNT, u).await?,
            (None, Some(n)) => self.store.inv_find(&tables::ACCOUNT, "name", n).await?.into_iter().next(),
            (None, None) => return Err(ApiError::invalid_argument("give accountUuid or accountName to log in as a user")),
        }
        .ok_or_else(fail)?;
        let account_uuid = str_of(&account, "uuid").unwrap_or_default().to_string();
        let user = self
            .store
            .inv_find(&tables::USER, "accountUuid", &account_uuid)
            .await?
            .into_iter()
            .find(|u| str_of(u, "name") == Some(user_name))
            .ok_or_else(fail)?;
        let user_uuid = str_of(&user, "uuid").unwrap_or_default().to_string();
        self.check_password(&user_uuid, password_digest).await.map_err(|_| fail())?;
        self.session_open(&account_uuid, &user_uuid, "UserVO").await
    }

    /// Store a password digest for an account or user (argon2 of the digest).
    pub async fn password_set(&self, owner: &str, password_digest: &str) -> ApiResult<zstack_db::Stmt> {
        let digest = password_digest.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_digest(&digest)).await.map_err(|e| ApiError::internal(e.to_string()))??;
        let cred = json!({"uuid": owner, "passwordHash": hash});
        Ok(if self.store.inv_exists(&tables::ACCOUNT_CREDENTIAL, owner).await? {
            self.store.update_stmt(&tables::ACCOUNT_CREDENTIAL, cred.as_object().unwrap())
        } else {
            self.store.insert_stmt(&tables::ACCOUNT_CREDENTIAL, cred.as_object().unwrap())
        })
    }

    pub async fn check_password(&self, owner: &str, password_digest: &str) -> ApiResult<()> {
        let cred = self.store.inv_get(&tables::ACCOUNT_CREDENTIAL, owner).await?;
        let stored = cred.as_ref().and_then(|c| str_of(c, "passwordHash")).unwrap_or_default().to_string();
        let digest = password_digest.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_digest(&digest, &stored)).await.unwrap_or(false);
        if ok {
            Ok(())
        } else {
            Err(ApiError::new(codes::AUTHENTICATION, "wrong password"))
        }
    }

    async fn session_open(&self, account_uuid: &str, user_uuid: &str, user_type: &str) -> ApiResult<Inventory> {
        let now = now_ms();
        let session = Session {
            uuid: uuid::Uuid::new_v4().simple().to_string(),
            account_uuid: account_uuid.into(),
            user_uuid: user_uuid.into(),
            expires_ms: now + SESSION_TIMEOUT_SECS * 1000,
        };
        let inv = session_inventory(&session, user_type, now);
        self.store.inv_insert(&tables::SESSION, &inv).await?;
        self.sessions.write().insert(session.uuid.clone(), session);
        Ok(inv)
    }

    /// End every session of a user (deleted user).
    pub async fn sessions_end_for(&self, user_uuid: &str) -> ApiResult<()> {
        self.sessions.write().retain(|_, s| s.user_uuid != user_uuid);
        self.store.db.write(vec![self.store.delete_stmt(&tables::SESSION, "userUuid", user_uuid)]).await
    }

    pub async fn logout(&self, session_uuid: &str) -> ApiResult<()> {
        self.sessions.write().remove(session_uuid);
        self.store.inv_delete(&tables::SESSION, session_uuid).await
    }

    /// The live session, or ZStack's `ID.1001`.
    pub async fn session_check(&self, session_uuid: &str) -> ApiResult<Session> {
        let expired = || ApiError::new(codes::INVALID_SESSION, format!("Session[uuid:{session_uuid}] expired or does not exist"));
        let cached = self.sessions.read().get(session_uuid).cloned();
        let session = match cached {
            Some(s) => s,
            None => {
                let inv = self.store.inv_get(&tables::SESSION, session_uuid).await?.ok_or_else(expired)?;
                let s = Session {
                    uuid: session_uuid.to_string(),
                    account_uuid: str_of(&inv, "accountUuid").unwrap_or_default().to_string(),
                    user_uuid: str_of(&inv, "userUuid").unwrap_or_default().to_string(),
                    expires_ms: zstack_db::time::parse_any(str_of(&inv, "expiredDate").unwrap_or("")).unwrap_or(0),
                };
                self.sessions.write().insert(s.uuid.clone(), s.clone());
                s
            }
        };
        if session.expires_ms < now_ms() {
            self.sessions.write().remove(session_uuid);
            return Err(expired());
        }
        Ok(session)
    }

    /// Extend a live session by `duration` seconds from now.
    pub async fn renew(&self, session_uuid: &str, duration: i64) -> ApiResult<Inventory> {
        let mut session = self.session_check(session_uuid).await?;
        let now = now_ms();
        session.expires_ms = now + duration * 1000;
        let mut inv = self.store.inv_must(&tables::SESSION, session_uuid).await?;
        inv.insert("expiredDate".into(), json!(to_wire(session.expires_ms)));
        self.store.inv_update(&tables::SESSION, &inv).await?;
        self.sessions.write().insert(session.uuid.clone(), session);
        Ok(inv)
    }

    pub async fn session_valid(&self, session_uuid: &str) -> bool {
        self.session_check(session_uuid).await.is_ok()
    }
}

fn session_inventory(s: &Session, user_type: &str, now: i64) -> Inventory {
    let v = json!({
        "uuid": s.uuid, "accountUuid": s.account_uuid, "userUuid": s.user_uuid, "userType": user_type,
        "expiredDate": to_wire(s.expires_ms), "createDate": to_wire(now),
    });
    v.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_verify_only_against_their_hash() {
        let h = hash_digest(&sha512_hex("password")).unwrap();
        assert!(verify_digest(&sha512_hex("password"), &h));
        assert!(verify_digest(&sha512_hex("password").to_uppercase(), &h));
        assert!(!verify_digest(&sha512_hex("Password"), &h));
        assert!(!h.contains(&sha512_hex("password")), "the stored hash must not contain the digest");
        // ZStack's default admin digest, as its clients compute it.
        assert!(sha512_hex("password").starts_with("b109f3bb"));
    }
}

/// A password for the first start when none is configured.
pub fn random_password() -> String {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    rand::thread_rng().sample_iter(&Alphanumeric).take(20).map(char::from).collect()
}

/// A secret shared with one host agent: 32 random bytes in hex.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}
