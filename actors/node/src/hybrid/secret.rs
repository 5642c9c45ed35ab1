//! AccessKey secrets sealed at rest: ChaCha20-Poly1305 under a 256-bit node
//! key kept in the data dir (`hybrid-secret.key`, created on first use, mode
//! 0600). The key's uuid is the associated data, so a sealed secret copied to
//! another key's row does not open. The database alone never reveals a secret.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use parking_lot::Mutex;
use rand::RngCore;
use std::path::{Path, PathBuf};
use zstack_kit::{ApiError, ApiResult};

const FILE: &str = "hybrid-secret.key";
const VERSION: &str = "v1:";

pub struct SecretBox {
    file: PathBuf,
    key: Mutex<Option<[u8; 32]>>,
}

impl SecretBox {
    pub fn new(data_dir: &Path) -> SecretBox {
        SecretBox { file: data_dir.join(FILE), key: Mutex::new(None) }
    }

    /// The node key: read from the data dir, or made and written there once.
    fn node_key(&self) -> ApiResult<[u8; 32]> {
        let mut slot = self.key.lock();
        if let Some(k) = *slot {
            return Ok(k);
        }
        let k = match std::fs::read_to_string(&self.file) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).map_err(|e| ApiError::internal(format!("{} is not hex: {e}", self.file.display())))?;
                bytes.try_into().map_err(|_| ApiError::internal(format!("{} does not hold a 256-bit key", self.file.display())))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut k = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut k);
                write_private(&self.file, &hex::encode(k))?;
                k
            }
            Err(e) => return Err(ApiError::internal(format!("cannot read {}: {e}", self.file.display()))),
        };
        *slot = Some(k);
        Ok(k)
    }

    /// `v1:` + hex(nonce || ciphertext+tag).
    pub fn seal(&self, owner_uuid: &str, secret: &str) -> ApiResult<String> {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.node_key()?));
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: secret.as_bytes(), aad: owner_uuid.as_bytes() })
            .map_err(|_| ApiError::internal("cannot seal the secret"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(format!("{VERSION}{}", hex::encode(out)))
    }

    pub fn open(&self, owner_uuid: &str, sealed: &str) -> ApiResult<String> {
        let broken = || ApiError::internal(format!("the stored secret of AccessKey[uuid:{owner_uuid}] does not open with this node's key ({})", self.file.display()));
        let bytes = sealed.strip_prefix(VERSION).and_then(|h| hex::decode(h).ok()).filter(|b| b.len() > 12).ok_or_else(broken)?;
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.node_key()?));
        let plain = cipher.decrypt(Nonce::from_slice(&bytes[..12]), Payload { msg: &bytes[12..], aad: owner_uuid.as_bytes() }).map_err(|_| broken())?;
        String::from_utf8(plain).map_err(|_| broken())
    }
}

fn write_private(path: &Path, text: &str) -> ApiResult<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| ApiError::internal(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(text.as_bytes()).map_err(|e| ApiError::internal(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_for_their_owner_and_hide_the_plaintext() {
        let dir = std::env::temp_dir().join(format!("zstack-secret-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let b = SecretBox::new(&dir);
        let sealed = b.seal("key-a", "my-very-secret").unwrap();
        assert!(!sealed.contains("my-very-secret"));
        assert_eq!(b.open("key-a", &sealed).unwrap(), "my-very-secret");
        assert!(b.open("key-b", &sealed).is_err(), "another row's uuid must not open it");
        // A second box on the same data dir (a restarted node) reads the same key.
        assert_eq!(SecretBox::new(&dir).open("key-a", &sealed).unwrap(), "my-very-secret");
        // Two seals of one secret differ (fresh nonce).
        assert_ne!(b.seal("key-a", "my-very-secret").unwrap(), sealed);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
