//! Checkpoints (C2SP tlog-checkpoint) signed as C2SP signed notes with Ed25519.

use base64::prelude::{BASE64_STANDARD, Engine as _};
use signed_note::{Note, NoteError, Signer as _, StandardSigner, StandardVerifier, VerifierList};

use crate::error::{LedgerError, Result};
use crate::tree::{Hash, Log, hash_to_base64};

/// A signed checkpoint's content: which log (origin), how many entries, and the root hash.
/// Extension lines are not used by `actas` and are refused when opening.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Names the log; by convention also the signing key's name.
    pub origin: String,
    /// Number of entries in the tree.
    pub size: u64,
    /// Root hash of the first `size` entries.
    pub root: Hash,
}

impl Checkpoint {
    /// The note body: origin, size, base64 root, each on its own line.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            hash_to_base64(&self.root)
        )
    }

    /// Parses a note body (the text before the signatures).
    fn parse_body(text: &[u8]) -> Result<Checkpoint> {
        let cp = tlog_tiles::Checkpoint::from_bytes(text).map_err(|_| {
            LedgerError::Checkpoint(format!(
                "checkpoint body is not origin, size and root hash lines: {:?}",
                String::from_utf8_lossy(text)
            ))
        })?;
        if !cp.extension().is_empty() {
            return Err(LedgerError::Checkpoint(format!(
                "checkpoint has extension lines, which actas does not use: {:?}",
                cp.extension()
            )));
        }
        Ok(Checkpoint {
            origin: cp.origin().to_string(),
            size: cp.size(),
            root: cp.hash().0,
        })
    }

    /// Signs the checkpoint, returning the signed note to publish as `checkpoint`.
    pub fn sign(&self, signer: &LogSigner) -> Result<String> {
        if self.origin.chars().any(char::is_control) {
            return Err(LedgerError::Checkpoint(format!(
                "checkpoint origin {:?} contains control characters",
                self.origin
            )));
        }
        let body =
            tlog_tiles::Checkpoint::new(&self.origin, self.size, tlog_tiles::Hash(self.root), "")
                .map_err(|_| {
                    LedgerError::Checkpoint(format!("invalid checkpoint origin {:?}", self.origin))
                })?
                .to_bytes();
        // Origins with control characters or a missing trailing newline are refused here.
        let mut note = Note::new(&body, &[]).map_err(|e| {
            LedgerError::Checkpoint(format!("origin {:?} cannot be signed: {e}", self.origin))
        })?;
        note.add_sigs(&[&signer.inner])
            .map_err(|e| LedgerError::Checkpoint(format!("signing checkpoint: {e}")))?;
        String::from_utf8(note.to_bytes())
            .map_err(|_| LedgerError::Checkpoint("signed note is not UTF-8".into()))
    }

    /// Reads the checkpoint inside a signed note without checking any signature: only for a
    /// publisher re-reading what it signed itself (e.g. to check it matches before export).
    pub fn parse_unverified(signed_note: &[u8]) -> Result<Checkpoint> {
        let note = Note::from_bytes(signed_note).map_err(|e| {
            LedgerError::Checkpoint(format!("checkpoint is not a well-formed signed note: {e}"))
        })?;
        Checkpoint::parse_body(note.text())
    }
}

/// The log operator's Ed25519 signing key, from a C2SP signer key string
/// (`PRIVATE+KEY+<name>+<hash>+<base64>`, as made by Go's `note.GenerateKey`).
#[derive(Clone)]
pub struct LogSigner {
    inner: StandardSigner,
    verifier_key: String,
}

impl std::fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("LogSigner")
            .field("verifier_key", &self.verifier_key)
            .finish()
    }
}

impl LogSigner {
    /// Loads a signer key string; also derives the matching verifier key to publish.
    pub fn from_key(signer_key: &str) -> Result<LogSigner> {
        let signer_key = signer_key.trim();
        let inner = StandardSigner::new(signer_key)
            .map_err(|e| LedgerError::Key(format!("signer key: {e}")))?;
        // PRIVATE+KEY+<name>+<hash>+<base64>: names hold no '+', base64 may.
        let b64 = signer_key.splitn(5, '+').nth(4).unwrap_or_default();
        let raw = BASE64_STANDARD
            .decode(b64)
            .map_err(|_| LedgerError::Key("signer key: bad base64".into()))?;
        let seed: [u8; 32] = raw
            .get(1..)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| LedgerError::Key("signer key: not an Ed25519 key".into()))?;
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        let verifier_key = signed_note::new_ed25519_verifier_key(inner.name(), &public);
        Ok(LogSigner {
            inner,
            verifier_key,
        })
    }

    /// Key name; by convention the log's origin.
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// The verifier key string (`<name>+<hash>+<base64>`) that outsiders need to check our
    /// checkpoints.
    pub fn verifier_key(&self) -> &str {
        &self.verifier_key
    }
}

/// Generates a new Ed25519 key pair for a log named `name` (use the log's origin) and returns
/// `(signer_key, verifier_key)` strings. The signer key is secret; the verifier key is
/// published so anyone can check checkpoints.
pub fn generate_keys(name: &str) -> Result<(String, String)> {
    if !signed_note::is_key_name_valid(name) {
        return Err(LedgerError::Key(format!(
            "key name {name:?} must be non-empty, without spaces or '+'"
        )));
    }
    Ok(signed_note::generate_key(&mut rand_core::OsRng, name))
}

/// A published verifier key, used to open checkpoints.
#[derive(Clone)]
pub struct LogVerifier {
    inner: StandardVerifier,
    key: String,
}

impl std::fmt::Debug for LogVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LogVerifier").field(&self.key).finish()
    }
}

impl LogVerifier {
    /// Parses a verifier key string (`<name>+<hash>+<base64>`); the hash must match.
    pub fn new(verifier_key: &str) -> Result<LogVerifier> {
        let key = verifier_key.trim().to_string();
        let inner = StandardVerifier::new(&key)
            .map_err(|e| LedgerError::Key(format!("verifier key {key:?}: {e}")))?;
        Ok(LogVerifier { inner, key })
    }

    /// Key name (by convention the log's origin).
    pub fn name(&self) -> &str {
        signed_note::Verifier::name(&self.inner)
    }

    /// The key string as given.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// Opens a signed checkpoint: checks that it carries a valid signature by `verifier`'s key
/// (other signatures, e.g. witnesses', are ignored) and returns its content.
pub fn open_checkpoint(signed_note: &[u8], verifier: &LogVerifier) -> Result<Checkpoint> {
    let note = Note::from_bytes(signed_note).map_err(|e| {
        LedgerError::Checkpoint(format!("checkpoint is not a well-formed signed note: {e}"))
    })?;
    let known = VerifierList::new(vec![Box::new(verifier.inner.clone())]);
    note.verify(&known).map_err(|e| match e {
        NoteError::UnverifiedNote => LedgerError::Checkpoint(format!(
            "checkpoint carries no signature by key {}",
            verifier.key
        )),
        NoteError::InvalidSignature { .. } => LedgerError::Checkpoint(format!(
            "checkpoint signature does not verify with key {}",
            verifier.key
        )),
        other => LedgerError::Checkpoint(format!(
            "checkpoint signatures cannot be checked with key {}: {other}",
            verifier.key
        )),
    })?;
    Checkpoint::parse_body(note.text())
}

impl Log {
    /// Signs a checkpoint of the current tree, returning the note text to publish as
    /// `checkpoint`. Use the signer's key name as `origin` unless there is a reason not to.
    pub fn checkpoint(&self, origin: &str, signer: &LogSigner) -> Result<String> {
        Checkpoint {
            origin: origin.to_string(),
            size: self.size(),
            root: self.root(),
        }
        .sign(signer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_open() {
        let (skey, vkey) = generate_keys("example.org/log").unwrap();
        assert!(skey.starts_with("PRIVATE+KEY+example.org/log+"));
        let signer = LogSigner::from_key(&skey).unwrap();
        assert_eq!(signer.verifier_key(), vkey);
        assert!(!format!("{signer:?}").contains(&skey));
        let log = Log::from_entries([b"a", b"b", b"c"]).unwrap();
        let note = log.checkpoint("example.org/log", &signer).unwrap();
        let mut lines = note.lines();
        assert_eq!(lines.next(), Some("example.org/log"));
        assert_eq!(lines.next(), Some("3"));
        assert_eq!(lines.next(), Some(hash_to_base64(&log.root()).as_str()));
        assert_eq!(lines.next(), Some(""));
        assert!(lines.next().unwrap().starts_with("— example.org/log "));
        let cp = open_checkpoint(note.as_bytes(), &LogVerifier::new(&vkey).unwrap()).unwrap();
        assert_eq!(
            cp,
            Checkpoint {
                origin: "example.org/log".into(),
                size: 3,
                root: log.root()
            }
        );
        assert_eq!(Checkpoint::parse_unverified(note.as_bytes()).unwrap(), cp);
    }

    #[test]
    fn wrong_key_or_tampering_is_refused() {
        let (skey, _) = generate_keys("example.org/log").unwrap();
        let (_, other_vkey) = generate_keys("example.org/log").unwrap();
        let signer = LogSigner::from_key(&skey).unwrap();
        let note = Log::new().checkpoint("example.org/log", &signer).unwrap();
        let err = open_checkpoint(note.as_bytes(), &LogVerifier::new(&other_vkey).unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no signature by key"), "{err}");

        let tampered = note.replacen("\n0\n", "\n1\n", 1);
        let vkey = signer.verifier_key().to_string();
        let err = open_checkpoint(tampered.as_bytes(), &LogVerifier::new(&vkey).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("checkpoint signature does not verify with key"),
            "{err}"
        );
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(LogSigner::from_key("PRIVATE+KEY+x+00000000+AAAA").is_err());
        assert!(LogVerifier::new("x+00000000+AQ==").is_err());
        assert!(generate_keys("has space").is_err());
        assert!(generate_keys("").is_err());
        let (skey, _) = generate_keys("x").unwrap();
        let signer = LogSigner::from_key(&skey).unwrap();
        assert!(Log::new().checkpoint("a\nb", &signer).is_err());
        assert!(Log::new().checkpoint("", &signer).is_err());
    }

    /// Key strings from Go's `golang.org/x/mod/sumdb/note` documentation example.
    #[test]
    fn go_documentation_keys() {
        let skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
        let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
        let signer = LogSigner::from_key(skey).unwrap();
        assert_eq!(signer.verifier_key(), vkey);
        let text = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
        let signed = "If you think cryptography is the answer to your problem,\n\
                      then you don't know what your problem is.\n\
                      \n\
                      — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        let mut note = Note::new(text.as_bytes(), &[]).unwrap();
        note.add_sigs(&[&signer.inner]).unwrap();
        assert_eq!(String::from_utf8(note.to_bytes()).unwrap(), signed);
    }
}
