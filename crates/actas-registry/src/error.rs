//! The crate's error type.

use std::io;
use std::path::{Path, PathBuf};

/// Everything that can go wrong building, writing or loading an index.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A CSV field could not be parsed.
    #[error("line {line}, column {column} ({name}): {message}")]
    Field {
        line: u64,
        /// 1-based column number.
        column: usize,
        /// The column's name in the header.
        name: String,
        message: String,
    },
    /// A CSV line is malformed as a whole (header, number of columns, quoting).
    #[error("line {line}: {message}")]
    Line { line: u64, message: String },
    /// The same cédula appears on two lines.
    #[error("line {second_line}: cédula {cedula} is already registered on line {first_line}")]
    Duplicate {
        cedula: u64,
        first_line: u64,
        second_line: u64,
    },
    /// An index file is not a valid index (wrong magic or version, truncated, checksum mismatch,
    /// inconsistent structure).
    #[error("{}not a valid registry index: {message}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Corrupt {
        path: Option<PathBuf>,
        message: String,
    },
    /// Invalid arguments (generation parameters, pairs given to `from_pairs`, shard counts).
    #[error("{0}")]
    Invalid(String),
}

impl RegistryError {
    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn corrupt(message: impl Into<String>) -> Self {
        Self::Corrupt {
            path: None,
            message: message.into(),
        }
    }

    /// Attaches a file name to errors that lack one.
    pub(crate) fn in_file(self, file: &Path) -> Self {
        match self {
            Self::Corrupt {
                path: None,
                message,
            } => Self::Corrupt {
                path: Some(file.to_path_buf()),
                message,
            },
            Self::Io { path, source } if path.as_os_str().is_empty() => Self::Io {
                path: file.to_path_buf(),
                source,
            },
            other => other,
        }
    }
}
