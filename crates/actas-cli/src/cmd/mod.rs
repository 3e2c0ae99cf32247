pub mod demo;
pub mod import;
pub mod init;
pub mod quarantine;
pub mod results;
pub mod verify;
