//! HTTPS through rustls: the configured certificate, or a self-signed one generated into the
//! data directory on first start.

use std::io::Write;
use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate {path}: {reason}")]
    Certificate { path: PathBuf, reason: String },
    #[error("cannot read the TLS private key {path}: {reason}")]
    Key { path: PathBuf, reason: String },
    #[error("the TLS certificate and key do not fit together: {0}")]
    Mismatch(String),
    #[error("cannot create a self-signed certificate in {path}: {reason}")]
    Generate { path: PathBuf, reason: String },
}

/// The certificate in use, for logging and the start-up banner.
pub struct TlsSetup {
    pub server_config: rustls::ServerConfig,
    pub cert_path: PathBuf,
    pub fingerprint: String,
    pub generated: bool,
}

/// The certificate and key to serve: configured, or self-signed under `<data_dir>/tls/`.
pub fn prepare(config: &Config) -> Result<TlsSetup, TlsError> {
    let (cert_path, key_path, generated) = match (&config.server.tls_cert, &config.server.tls_key) {
        (Some(c), Some(k)) => (c.clone(), k.clone(), false),
        _ => {
            let dir = config.storage.data_dir.join("tls");
            let (c, k) = (dir.join("cert.pem"), dir.join("key.pem"));
            let generated = if c.exists() && k.exists() {
                false
            } else {
                generate_self_signed(config, &dir, &c, &k)?;
                true
            };
            (c, k, generated)
        }
    };
    let certs = load_certs(&cert_path)?;
    let key = load_key(&key_path)?;
    let fingerprint = certs
        .first()
        .map(|c| fingerprint(c.as_ref()))
        .unwrap_or_default();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Mismatch(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Mismatch(e.to_string()))?;
    Ok(TlsSetup {
        server_config,
        cert_path,
        fingerprint,
        generated,
    })
}

/// Reads a certificate chain; used by `check-config` too.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let err = |reason: String| TlsError::Certificate {
        path: path.to_owned(),
        reason,
    };
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| err(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(err("no PEM certificate in the file".into()));
    }
    Ok(certs)
}

pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| TlsError::Key {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// SHA-256 fingerprint in the usual colon-separated upper-case form.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn generate_self_signed(
    config: &Config,
    dir: &Path,
    cert: &Path,
    key: &Path,
) -> Result<(), TlsError> {
    let err = |reason: String| TlsError::Generate {
        path: dir.to_owned(),
        reason,
    };
    let mut names = vec![
        "localhost".to_owned(),
        config.server.listen.ip().to_string(),
    ];
    if let Some(host) = config.server.public_url.as_ref().and_then(|u| u.host_str()) {
        names.push(host.to_owned());
    }
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        let host = host.trim();
        if !host.is_empty() {
            names.push(host.to_owned());
        }
    }
    names.retain(|n| n != "0.0.0.0" && n != "::");
    names.dedup();
    let certified = rcgen::generate_simple_self_signed(names).map_err(|e| err(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    write_private(key, certified.signing_key.serialize_pem().as_bytes())
        .map_err(|e| err(e.to_string()))?;
    std::fs::write(cert, certified.cert.pem()).map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
