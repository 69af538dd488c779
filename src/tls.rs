//! The TLS suite the gateway offers the provider APIs: what their hosts need and nothing
//! more, so the rest of ring's and rustls's code stays out of the binary (about 40 KB).
//!
//! TLS 1.3 with AES-128-GCM, TLS 1.2 with ECDHE-ECDSA/RSA and AES-128-GCM (nothing shows the
//! Aliyun and Tencent API hosts offering 1.3; every API host offers AES-128-GCM, so
//! ChaCha20-Poly1305, 10 KB on armv7, is left out), key exchange
//! X25519 or P-256, certificates signed with ECDSA P-256/P-384 or RSA (PKCS#1 or PSS). No
//! Ed25519 (no public CA issues it) and no private keys: a client without client
//! certificates never loads one.

use std::sync::Arc;

use rustls::SignatureScheme;
use rustls::crypto::ring::{cipher_suite, kx_group};
use rustls::crypto::{CryptoProvider, GetRandomFailed, KeyProvider, SecureRandom, WebPkiSupportedAlgorithms};
use rustls::pki_types::PrivateKeyDer;
use rustls::sign::SigningKey;
use webpki::ring as algs;

pub fn provider() -> CryptoProvider {
    CryptoProvider {
        cipher_suites: vec![
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ],
        kx_groups: vec![kx_group::X25519, kx_group::SECP256R1],
        signature_verification_algorithms: VERIFY,
        secure_random: &Random,
        key_provider: &NoKeys,
    }
}

/// A failed handshake in words. rustls names most faults with `Debug`, which the release
/// build does not format (`-Zfmt-debug=none`, cross/build.sh), so the common ones are ours.
pub fn describe(e: &rustls::Error) -> String {
    use rustls::{CertificateError as C, Error as E};
    let cert = match e {
        E::InvalidCertificate(c) => match c {
            C::UnknownIssuer => "is not signed by a known authority",
            C::Expired | C::ExpiredContext { .. } => "has expired",
            C::NotValidYet | C::NotValidYetContext { .. } => "is not valid yet",
            C::NotValidForName | C::NotValidForNameContext { .. } => "is not valid for this host name",
            C::Revoked => "is revoked",
            C::BadSignature
            | C::UnsupportedSignatureAlgorithmContext { .. }
            | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                "has a signature this client cannot verify"
            }
            _ => "was refused",
        },
        E::AlertReceived(a) => return format!("the server ended the handshake (TLS alert {})", u8::from(*a)),
        E::PeerIncompatible(_) => {
            return "the server offers no TLS version or cipher suite this client supports".into();
        }
        E::PeerMisbehaved(_) => return "the server broke the TLS protocol".into(),
        E::InvalidMessage(_) | E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            return "the server does not speak TLS here (is it an HTTPS port?)".into();
        }
        e => return e.to_string(),
    };
    format!("invalid peer certificate: it {cert}")
}

static VERIFY: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        algs::ECDSA_P256_SHA256,
        algs::ECDSA_P256_SHA384,
        algs::ECDSA_P384_SHA256,
        algs::ECDSA_P384_SHA384,
        algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        algs::RSA_PKCS1_2048_8192_SHA256,
        algs::RSA_PKCS1_2048_8192_SHA384,
        algs::RSA_PKCS1_2048_8192_SHA512,
        algs::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        algs::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        algs::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    ],
    // TLS 1.2 does not tie an ECDSA scheme to one curve; TLS 1.3 does.
    mapping: &[
        (SignatureScheme::ECDSA_NISTP384_SHA384, &[algs::ECDSA_P384_SHA384, algs::ECDSA_P256_SHA384]),
        (SignatureScheme::ECDSA_NISTP256_SHA256, &[algs::ECDSA_P256_SHA256, algs::ECDSA_P384_SHA256]),
        (SignatureScheme::RSA_PSS_SHA512, &[algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY]),
        (SignatureScheme::RSA_PSS_SHA384, &[algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY]),
        (SignatureScheme::RSA_PSS_SHA256, &[algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY]),
        (SignatureScheme::RSA_PKCS1_SHA512, &[algs::RSA_PKCS1_2048_8192_SHA512]),
        (SignatureScheme::RSA_PKCS1_SHA384, &[algs::RSA_PKCS1_2048_8192_SHA384]),
        (SignatureScheme::RSA_PKCS1_SHA256, &[algs::RSA_PKCS1_2048_8192_SHA256]),
    ],
};

#[derive(Debug)]
struct Random;

impl SecureRandom for Random {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        use ring::rand::SecureRandom as _;
        ring::rand::SystemRandom::new().fill(buf).map_err(|_| GetRandomFailed)
    }
}

#[derive(Debug)]
struct NoKeys;

impl KeyProvider for NoKeys {
    fn load_private_key(&self, _: PrivateKeyDer<'static>) -> Result<Arc<dyn SigningKey>, rustls::Error> {
        Err(rustls::Error::General("this client loads no private keys".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_faults_in_words() {
        use rustls::{AlertDescription, CertificateError, Error, PeerIncompatible};
        let unknown = Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert_eq!(describe(&unknown), "invalid peer certificate: it is not signed by a known authority");
        let expired = Error::InvalidCertificate(CertificateError::Expired);
        assert_eq!(describe(&expired), "invalid peer certificate: it has expired");
        let alert = Error::AlertReceived(AlertDescription::HandshakeFailure);
        assert_eq!(describe(&alert), "the server ended the handshake (TLS alert 40)");
        let old = Error::PeerIncompatible(PeerIncompatible::Tls12NotOffered);
        assert!(describe(&old).contains("no TLS version"));
        assert_eq!(describe(&Error::DecryptError), "cannot decrypt peer's message");
    }

    #[test]
    fn offers_only_what_the_apis_need() {
        let p = provider();
        let suites: Vec<String> = p.cipher_suites.iter().map(|s| format!("{:?}", s.suite())).collect();
        assert_eq!(suites.len(), 3);
        assert!(suites.iter().all(|s| s.ends_with("AES_128_GCM_SHA256")), "{suites:?}");
        let groups: Vec<String> = p.kx_groups.iter().map(|g| format!("{:?}", g.name())).collect();
        assert_eq!(groups, ["X25519", "secp256r1"]);
        assert!(!VERIFY.supported_schemes().contains(&SignatureScheme::ED25519));
        // A provider rustls accepts for a client with the versions we use.
        rustls::ClientConfig::builder_with_provider(Arc::new(p))
            .with_safe_default_protocol_versions()
            .expect("consistent provider");
        let mut buf = [0u8; 32];
        Random.fill(&mut buf).unwrap();
        assert_ne!(buf, [0u8; 32]);
    }
}
