//! Official bulletins: those in the election definition (record 0) and those recorded later, each
//! as its own `bulletin` record, because record 0 is immutable and part of the transparency log.

use actas_core::election::Bulletin;
use actas_core::{Election, Record, RecordBody, Source};

use crate::apply::{Batch, Decider};
use crate::db::{Kind, Tx};
use crate::{Store, StoreError};

/// A bulletin with the record that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBulletin {
    /// Log index of the record: 0 for the bulletins of the election definition.
    pub seq: u64,
    pub bulletin: Bulletin,
}

/// What [`Store::add_bulletin`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulletinAdded {
    /// Appended as record `seq`.
    New(u64),
    /// The same bulletin was already there (record `seq`); nothing was written.
    AlreadyRecorded(u64),
}

/// Names identify bulletins in the report and in options, so two may not differ only in case or
/// surrounding spaces.
fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

async fn recorded(tx: &mut Tx) -> Result<Vec<StoredBulletin>, StoreError> {
    let rows = tx
        .fetch(
            "SELECT seq, body FROM records WHERE kind = 'bulletin' ORDER BY seq",
            vec![],
            &[Kind::I, Kind::T],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let seq = r[0].int().unwrap_or(0);
            match Record::from_bytes(r[1].text().unwrap_or_default().as_bytes()) {
                Ok(Record {
                    body: RecordBody::Bulletin { bulletin },
                    ..
                }) => Ok(StoredBulletin {
                    seq: seq as u64,
                    bulletin,
                }),
                Ok(_) => Err(StoreError::Corrupt {
                    seq,
                    message: "stored as a bulletin but holds another kind of record".into(),
                }),
                Err(e) => Err(StoreError::Corrupt {
                    seq,
                    message: e.to_string(),
                }),
            }
        })
        .collect()
}

impl Store {
    /// Every official bulletin: the election definition's first, then those recorded later, in
    /// the order they were recorded.
    pub async fn bulletins(&self) -> Result<Vec<StoredBulletin>, StoreError> {
        let mut tx = self.db.begin().await?;
        let later = recorded(&mut tx).await?;
        tx.commit().await?;
        Ok(self.builtin_bulletins().chain(later).collect())
    }

    /// The election definition with every bulletin recorded since: what an analysis of the
    /// official claims reads.
    pub async fn election_with_bulletins(&self) -> Result<Election, StoreError> {
        let mut election = self.election.clone();
        election.bulletins = self
            .bulletins()
            .await?
            .into_iter()
            .map(|b| b.bulletin)
            .collect();
        Ok(election)
    }

    fn builtin_bulletins(&self) -> impl Iterator<Item = StoredBulletin> + '_ {
        self.election.bulletins.iter().map(|b| StoredBulletin {
            seq: 0,
            bulletin: b.clone(),
        })
    }

    /// Records a bulletin announced after the election was defined. It must pass
    /// [`Bulletin::check`] and its name must be new; adding the very same bulletin again changes
    /// nothing.
    pub async fn add_bulletin(
        &self,
        bulletin: Bulletin,
        source: Source,
    ) -> Result<BulletinAdded, StoreError> {
        bulletin
            .check(&self.election)
            .map_err(|e| StoreError::Invalid(format!("bulletin: {e}")))?;
        let mut tx = self.db.begin().await?;
        tx.lock_for_write().await?;
        let known: Vec<StoredBulletin> = self
            .builtin_bulletins()
            .chain(recorded(&mut tx).await?)
            .collect();
        if let Some(k) = known
            .iter()
            .find(|k| same_name(&k.bulletin.name, &bulletin.name))
        {
            if k.bulletin == bulletin {
                return Ok(BulletinAdded::AlreadyRecorded(k.seq));
            }
            let place = if k.seq == 0 {
                "in the election definition".to_string()
            } else {
                format!("as record {}", k.seq)
            };
            return Err(StoreError::Invalid(format!(
                "a different bulletin named {:?} is already recorded {place}; records are \
                 permanent, so record a correction under a new name (e.g. {:?})",
                k.bulletin.name,
                format!("{} (corrección)", bulletin.name.trim())
            )));
        }
        let mut batch = Batch::begin(&mut tx).await?;
        let seq = batch.push(source, RecordBody::Bulletin { bulletin }, None);
        batch
            .write(&mut tx, &Decider::default(), &self.election, &self.log)
            .await?;
        tx.commit().await?;
        Ok(BulletinAdded::New(seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Target;
    use actas_core::ve2024;

    fn manual() -> Source {
        Source::of("manual")
    }

    fn third() -> Bulletin {
        Bulletin {
            name: "CNE boletín 3".into(),
            date: "2024-08-10".into(),
            votes: [("NM".to_string(), 6_500_000), ("EG".to_string(), 5_400_000)]
                .into_iter()
                .collect(),
            others: Some(600_000),
            valid: None,
            null: None,
            voters: None,
            registered: None,
            tables_fraction: Some(1.0),
        }
    }

    async fn store(dir: &tempfile::TempDir) -> Store {
        let target = Target::Sqlite(dir.path().join("actas.db"));
        Store::init(&target, &ve2024::election()).await.unwrap()
    }

    #[tokio::test]
    async fn added_bulletins_follow_the_definition_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir).await;
        assert_eq!(s.bulletins().await.unwrap().len(), 2);
        let before = s.record_count().await.unwrap();
        assert_eq!(
            s.add_bulletin(third(), manual()).await.unwrap(),
            BulletinAdded::New(before)
        );
        assert_eq!(s.record_count().await.unwrap(), before + 1);
        s.close().await;

        let s = Store::open(&Target::Sqlite(dir.path().join("actas.db")))
            .await
            .unwrap();
        let all = s.bulletins().await.unwrap();
        let names: Vec<&str> = all.iter().map(|b| b.bulletin.name.as_str()).collect();
        assert_eq!(names, ["CNE boletín 1", "CNE boletín 2", "CNE boletín 3"]);
        assert_eq!((all[0].seq, all[2].seq), (0, before));
        assert_eq!(all[2].bulletin, third());
        let e = s.election_with_bulletins().await.unwrap();
        assert_eq!(e.bulletins.len(), 3);
        assert_eq!(e.bulletins[2], third());
        assert_eq!(e.candidates, s.election().candidates);
        // Bulletins are records, not results: the derived views are untouched.
        assert_eq!(s.check_views().await.unwrap(), Vec::<String>::new());
    }

    #[tokio::test]
    async fn the_same_bulletin_twice_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir).await;
        let BulletinAdded::New(seq) = s.add_bulletin(third(), manual()).await.unwrap() else {
            panic!("first add must append");
        };
        let n = s.record_count().await.unwrap();
        assert_eq!(
            s.add_bulletin(third(), manual()).await.unwrap(),
            BulletinAdded::AlreadyRecorded(seq)
        );
        let builtin = ve2024::election().bulletins[0].clone();
        assert_eq!(
            s.add_bulletin(builtin, manual()).await.unwrap(),
            BulletinAdded::AlreadyRecorded(0)
        );
        assert_eq!(s.record_count().await.unwrap(), n);
    }

    #[tokio::test]
    async fn a_different_bulletin_under_a_known_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir).await;
        s.add_bulletin(third(), manual()).await.unwrap();
        let mut changed = third();
        changed.name = " cne BOLETÍN 3 ".into();
        changed.others = Some(1);
        let err = s.add_bulletin(changed, manual()).await.unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("already recorded as record") && msg.contains("new name"),
            "{msg}"
        );
        let mut clash = ve2024::election().bulletins[1].clone();
        clash.null = Some(1);
        let msg = s
            .add_bulletin(clash, manual())
            .await
            .unwrap_err()
            .to_string();
        assert!(msg.contains("in the election definition"), "{msg}");
        assert_eq!(s.bulletins().await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_bulletin_that_breaks_a_rule_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir).await;
        let n = s.record_count().await.unwrap();
        let mut b = third();
        b.votes.insert("XX".into(), 3);
        let msg = s.add_bulletin(b, manual()).await.unwrap_err().to_string();
        assert!(
            msg.starts_with("bulletin: votes: unknown candidate id \"XX\""),
            "{msg}"
        );
        assert_eq!(s.record_count().await.unwrap(), n);
    }
}
