//! The agent's shared-secret auth. Every request must carry the token in the
//! `X-Zstack-Agent-Token` header (except `/host/echo`, a liveness probe).
//!
//! Trust on first connect: if the token file exists its content is the token.
//! If it does not, the agent accepts nothing but `/host/connect`, and the
//! first connect that carries a token establishes it (written to the file,
//! mode 0600); from then on a connect with another token is refused like any
//! other request.

use crate::error::{AgentError, AgentResult};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use std::sync::RwLock;

pub struct TokenStore {
    file: PathBuf,
    /// SHA-256 of the token; comparing digests hides the token's length.
    digest: RwLock<Option<[u8; 32]>>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two equal-length byte strings in time independent of where they
/// differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    // Keep the optimizer from turning the fold into an early exit.
    std::hint::black_box(diff) == 0
}

impl TokenStore {
    /// Loads the token from `file` if it exists. An existing but empty file is
    /// an error: an empty token would let anyone in.
    pub fn load(file: PathBuf) -> AgentResult<TokenStore> {
        let digest_now = match std::fs::read_to_string(&file) {
            Ok(s) => {
                let t = s.trim();
                if t.is_empty() {
                    return Err(AgentError::bad_request(format!(
                        "token file {} is empty; delete it to accept the next /host/connect's token",
                        file.display()
                    )));
                }
                Some(digest(t))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(AgentError::io(
                    format!("cannot read token file {}", file.display()),
                    &e,
                ))
            }
        };
        Ok(TokenStore {
            file,
            digest: RwLock::new(digest_now),
        })
    }

    pub fn is_established(&self) -> bool {
        self.digest.read().expect("token lock").is_some()
    }

    /// Checks a request's token.
    pub fn check(&self, presented: Option<&str>) -> AgentResult<()> {
        let guard = self.digest.read().expect("token lock");
        let Some(expected) = guard.as_ref() else {
            return Err(AgentError::unauthorized(
                "agent has no token yet: the management node must call /host/connect with the X-Zstack-Agent-Token header first",
            ));
        };
        match presented {
            None => Err(AgentError::unauthorized(
                "missing X-Zstack-Agent-Token header",
            )),
            Some(t) if constant_time_eq(&digest(t.trim()), expected) => Ok(()),
            Some(_) => Err(AgentError::unauthorized("wrong X-Zstack-Agent-Token")),
        }
    }

    /// `/host/connect`: establishes the token on first use, then checks it.
    pub fn check_or_establish(&self, presented: Option<&str>) -> AgentResult<()> {
        let token = presented.map(str::trim).unwrap_or("");
        if token.is_empty() {
            return Err(AgentError::unauthorized(
                "missing X-Zstack-Agent-Token header on /host/connect",
            ));
        }
        let mut guard = self.digest.write().expect("token lock");
        match guard.as_ref() {
            Some(expected) if constant_time_eq(&digest(token), expected) => Ok(()),
            Some(_) => Err(AgentError::unauthorized(
                "this agent is bound to another token (a different management node connected first); \
                 remove the agent's token file to re-bind it",
            )),
            None => {
                self.persist(token)?;
                *guard = Some(digest(token));
                log::info!("agent token established by the first /host/connect, saved to {}", self.file.display());
                Ok(())
            }
        }
    }

    /// Writes the token to a temp file with mode 0600 and renames it into
    /// place, so a crash never leaves a half-written token.
    fn persist(&self, token: &str) -> AgentResult<()> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                AgentError::io(format!("cannot create directory {}", dir.display()), &e)
            })?;
        }
        let tmp = self.file.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp)?;
            f.write_all(token.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.file)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            AgentError::io(
                format!("cannot save the agent token to {}", self.file.display()),
                &e,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "zstack-agent-auth-{}-{}",
            name,
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("token")
    }

    #[test]
    fn first_connect_establishes_the_token_and_later_ones_must_match() {
        let file = temp_file("tofu");
        let store = TokenStore::load(file.clone()).unwrap();
        assert!(!store.is_established());
        assert!(
            store.check(Some("anything")).is_err(),
            "nothing passes before the first connect"
        );
        assert!(store.check_or_establish(None).is_err());
        store.check_or_establish(Some("s3cret")).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "s3cret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        store.check(Some("s3cret")).unwrap();
        store.check_or_establish(Some("s3cret")).unwrap();
        let e = store.check_or_establish(Some("other")).unwrap_err();
        assert_eq!(e.http_status(), 401);
        assert!(store.check(Some("other")).is_err());
        assert!(store.check(None).is_err());

        // A restarted agent reads the same token back.
        let again = TokenStore::load(file.clone()).unwrap();
        again.check(Some("s3cret")).unwrap();
        assert!(again.check(Some("s3cret-not")).is_err());
        let _ = std::fs::remove_dir_all(file.parent().unwrap());
    }

    #[test]
    fn empty_token_file_is_refused() {
        let file = temp_file("empty");
        std::fs::write(&file, "\n").unwrap();
        assert!(TokenStore::load(file.clone()).is_err());
        let _ = std::fs::remove_dir_all(file.parent().unwrap());
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
