//! `actas users ...`: the accounts of people who upload (witnesses), review (reviewers) and
//! manage accounts (admins). The command line acts as `actas_store::OPERATOR`, whoever holds the
//! data directory; the store decides what is allowed.

use std::path::Path;
use std::process::ExitCode;

use actas_core::review::Role;
use actas_store::OPERATOR;
use anyhow::{Context, Result, bail};

use crate::context;
use crate::output::{self, Format, Listing};

#[derive(clap::Subcommand)]
pub enum Users {
    /// Create an account and print its token, once.
    ///
    /// The token is shown only now: the store keeps its SHA-256, so a lost token cannot be
    /// shown again (give the account a new one with --replace). Every account change is a
    /// record in the public log, made by "operator" (the command line); the log never holds the
    /// token.
    #[command(after_long_help = ADD_EXAMPLES)]
    Add {
        /// What the account may do: admin (manages accounts, reviews), reviewer (transcribes
        /// photos, decides review items) or witness (uploads acta photos of its scope).
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The account's handle: 1 to 40 letters, digits, '.', '_' or '-'. It is published in
        /// the log with everything the account does, so use a handle, not a person's name.
        #[arg(long)]
        name: String,
        /// A witness may upload only for this place: a state (2 digits), municipality (4),
        /// parish (6) or centre (9 digits) code. Repeat for several places; none: everywhere.
        #[arg(long = "scope", value_name = "CODE")]
        scopes: Vec<String>,
        /// The account exists: give it this role, these scopes and a new token (its current
        /// token stops working at once).
        #[arg(long)]
        replace: bool,
    },
    /// List the accounts: name, role, scopes, active, record.
    ///
    /// `active` is false once revoked; `record` is the log index of the account's latest
    /// record. Tokens are never shown (the store does not have them).
    #[command(after_long_help = LIST_EXAMPLES)]
    List {
        /// table, json (an array of {name, role, scopes, active, record}) or csv.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Revoke an account: its token stops working at once.
    ///
    /// The account's records stay in the log; its name stays taken (give it a new token with
    /// `actas users add --name NAME --role ROLE --replace`).
    #[command(after_long_help = REVOKE_EXAMPLES)]
    Revoke {
        /// The account's name, as `actas users list` shows it.
        name: String,
    },
}

const ADD_EXAMPLES: &str = "Examples:
  actas users add --role admin --name ana
  actas users add --role reviewer --name rev-01
  actas users add --role witness --name testigo-0101 --scope 0101 --scope 240111017
  actas users add --role reviewer --name rev-01 --replace";

const LIST_EXAMPLES: &str = "Examples:
  actas users list
  actas users list --format csv";

const REVOKE_EXAMPLES: &str = "Examples:
  actas users revoke testigo-0101";

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Admin,
    Reviewer,
    Witness,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Reviewer => Role::Reviewer,
            RoleArg::Witness => Role::Witness,
        }
    }
}

pub async fn run(data: &Path, cmd: Users) -> Result<ExitCode> {
    let store = context::open(data).await?;
    match cmd {
        Users::Add {
            role,
            name,
            scopes,
            replace,
        } => {
            let role = Role::from(role);
            let existing = store.account(&name).await?;
            if let Some(a) = &existing
                && !replace
            {
                bail!(
                    "account {name} exists ({}, {}): to give it a new role, scopes and token, \
                     run again with --replace (its current token stops working)",
                    a.record.role.as_str(),
                    if a.record.active() {
                        "active"
                    } else {
                        "revoked"
                    }
                );
            }
            let (account, token) = store
                .add_account(OPERATOR, &name, role, scopes)
                .await
                .with_context(|| format!("account {name} not changed"))?;
            let scopes = if account.record.scopes.is_empty() {
                String::new()
            } else {
                format!(" for {}", account.record.scopes.join(", "))
            };
            println!(
                "account {name} {}: {}{scopes} (record {})",
                if existing.is_some() {
                    "replaced; its old token no longer works"
                } else {
                    "created"
                },
                role.as_str(),
                account.seq
            );
            println!();
            println!("  {token}");
            println!();
            println!(
                "This token is shown only now: the store keeps only its SHA-256, so it cannot be \
                 shown again.\nGive it to the account's holder privately. To use it:\n  \
                 on the API:   Authorization: Bearer <token>\n  \
                 on the site:  paste it on the /entrar page to log in\n\
                 Lost or leaked? `actas users add --name {name} --role {} --replace` gives a new \
                 one;\n`actas users revoke {name}` ends it.",
                role.as_str()
            );
        }
        Users::List { format } => {
            let accounts = store.accounts().await?;
            let mut listing = Listing::new(&["name", "role", "scopes", "active", "record"]);
            for a in &accounts {
                let r = &a.record;
                listing.push(
                    vec![
                        r.name.clone(),
                        r.role.as_str().into(),
                        r.scopes.join(","),
                        if r.active() { "yes" } else { "no" }.into(),
                        a.seq.to_string(),
                    ],
                    serde_json::json!({
                        "name": r.name,
                        "role": r.role.as_str(),
                        "scopes": r.scopes,
                        "active": r.active(),
                        "record": a.seq,
                    }),
                );
            }
            let n = listing.len();
            print!(
                "{}",
                listing.render(format, &output::count(n, "account", "accounts"))
            );
        }
        Users::Revoke { name } => {
            let account = store
                .revoke_account(OPERATOR, &name)
                .await
                .with_context(|| format!("account {name} not revoked"))?;
            println!(
                "account {name} revoked (record {}): its token no longer works; its records stay",
                account.seq
            );
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
