use std::path::PathBuf;

/// Everything that can go wrong in the ledger. Verification failures carry a full sentence
/// naming the file and position, because they are shown as is to whoever audits a mirror.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// C2SP entry bundles prefix each entry with a 16-bit length.
    #[error("entry {index} is {len} bytes, over the {max}-byte limit of C2SP entry bundles")]
    EntryTooLarge { index: u64, len: usize, max: usize },
    /// A size, index or tile coordinate outside the tree.
    #[error("{0}")]
    OutOfRange(String),
    /// A malformed or unusable signer or verifier key string.
    #[error("bad key: {0}")]
    Key(String),
    /// A checkpoint that is malformed, unsigned or signed by another key.
    #[error("{0}")]
    Checkpoint(String),
    /// A proof that does not prove what it claims.
    #[error("{0}")]
    Proof(String),
    /// Reading or writing a file of the exported log.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A published log that does not verify; the message says what and where.
    #[error("{0}")]
    Verify(String),
}

/// Result with [`LedgerError`].
pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> LedgerError {
    let path = path.into();
    move |source| LedgerError::Io { path, source }
}
