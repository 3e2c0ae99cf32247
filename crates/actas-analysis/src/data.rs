//! The input flattened into columns: one vector per quantity, indexed by table.

use std::collections::BTreeMap;

use actas_core::{Election, Level, TableResult};

pub(crate) struct Data<'a> {
    pub election: &'a Election,
    /// Candidate ids in the election's order.
    pub ids: Vec<String>,
    /// `votes[c][i]`: votes of candidate `c` at table `i`.
    pub votes: Vec<Vec<u64>>,
    pub valid: Vec<u64>,
    pub null: Vec<u64>,
    pub registered: Vec<Option<u64>>,
    /// Index into `states`.
    pub state: Vec<usize>,
    /// State codes present, sorted.
    pub states: Vec<String>,
    pub centre: Vec<usize>,
    pub n_centres: usize,
    pub parish: Vec<usize>,
    pub n_parishes: usize,
    /// Results skipped because their vote vector does not fit the ballot.
    pub bad_shape: u64,
    pub duplicates: u64,
    pub valid_ne_sum: u64,
    pub total_votes: Vec<u64>,
    /// Candidates by decreasing total votes in the actas (ties by ballot order).
    pub ranking: Vec<usize>,
}

fn index_of(map: &mut BTreeMap<String, usize>, key: String) -> usize {
    let n = map.len();
    *map.entry(key).or_insert(n)
}

impl<'a> Data<'a> {
    pub fn new(election: &'a Election, results: &[TableResult]) -> Self {
        let k = election.candidates.len();
        let ids: Vec<String> = election.candidate_ids().map(str::to_string).collect();
        let mut d = Data {
            election,
            ids,
            votes: vec![Vec::with_capacity(results.len()); k],
            valid: Vec::with_capacity(results.len()),
            null: Vec::with_capacity(results.len()),
            registered: Vec::with_capacity(results.len()),
            state: Vec::with_capacity(results.len()),
            states: Vec::new(),
            centre: Vec::with_capacity(results.len()),
            n_centres: 0,
            parish: Vec::with_capacity(results.len()),
            n_parishes: 0,
            bad_shape: 0,
            duplicates: 0,
            valid_ne_sum: 0,
            total_votes: vec![0; k],
            ranking: Vec::new(),
        };
        let mut states = BTreeMap::new();
        let mut centres = BTreeMap::new();
        let mut parishes = BTreeMap::new();
        let mut seen = std::collections::HashSet::with_capacity(results.len());
        let mut state_raw = Vec::with_capacity(results.len());
        for r in results {
            if r.votes.len() != k {
                d.bad_shape += 1;
                continue;
            }
            if !seen.insert(r.table) {
                d.duplicates += 1;
            }
            if r.votes.iter().sum::<u64>() != r.valid {
                d.valid_ne_sum += 1;
            }
            for (c, v) in r.votes.iter().enumerate() {
                d.votes[c].push(*v);
                d.total_votes[c] += v;
            }
            d.valid.push(r.valid);
            d.null.push(r.null);
            d.registered.push(r.registered);
            let st = r.table.centre.place_code(Level::State);
            states.entry(st.clone()).or_insert(());
            state_raw.push(st);
            d.centre.push(index_of(
                &mut centres,
                r.table.centre.place_code(Level::Centre),
            ));
            d.parish.push(index_of(
                &mut parishes,
                r.table.centre.place_code(Level::Parish),
            ));
        }
        d.states = states.into_keys().collect();
        d.state = state_raw
            .iter()
            .map(|s| d.states.binary_search(s).expect("collected"))
            .collect();
        d.n_centres = centres.len();
        d.n_parishes = parishes.len();
        let mut ranking: Vec<usize> = (0..k).collect();
        ranking.sort_by(|&a, &b| d.total_votes[b].cmp(&d.total_votes[a]).then(a.cmp(&b)));
        d.ranking = ranking;
        d
    }

    pub fn n(&self) -> usize {
        self.valid.len()
    }

    pub fn cast(&self, i: usize) -> u64 {
        self.valid[i] + self.null[i]
    }

    pub fn leader(&self) -> usize {
        self.ranking[0]
    }

    pub fn runner_up(&self) -> Option<usize> {
        self.ranking.get(1).copied()
    }

    /// Tables with a positive registered count: (index, registered).
    pub fn with_registered(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.registered
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.filter(|&r| r > 0).map(|r| (i, r)))
    }

    /// The candidates the forensic tests look at: the two most voted in the actas.
    pub fn focus(&self) -> Vec<usize> {
        self.ranking.iter().take(2).copied().collect()
    }

    /// Votes at table `i` of every candidate outside `focus`.
    pub fn others_of(&self, i: usize, focus: &[usize]) -> u64 {
        (0..self.ids.len())
            .filter(|c| !focus.contains(c))
            .map(|c| self.votes[c][i])
            .sum()
    }
}
