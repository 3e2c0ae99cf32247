//! What is offered to the store: a result with where it came from, and the rows set aside.

use crate::election::Election;
use crate::record::Source;
use crate::tally::TableResult;
use crate::validate::{self, Problem, Severity};

/// A result offered to the store, with where it came from. It can only be made by
/// [`Incoming::checked`], which runs every rule a result can be judged by on its own; the
/// store adds the rules that need the geography. So each rule runs once on each result.
#[derive(Debug, Clone)]
pub struct Incoming {
    result: TableResult,
    source: Source,
    problems: Vec<Problem>,
    raw: Option<String>,
    image_url: Option<String>,
}

impl Incoming {
    /// Checks `result` against the election ([`validate::check_own`]).
    pub fn checked(election: &Election, result: TableResult, source: Source) -> Incoming {
        let problems = validate::check_own(election, &result);
        Incoming {
            result,
            source,
            problems,
            raw: None,
            image_url: None,
        }
    }

    /// Adds problems found upstream that the result itself cannot show (e.g. acta id flags).
    pub fn with_problems(mut self, extra: impl IntoIterator<Item = Problem>) -> Incoming {
        for p in extra {
            if !self.problems.iter().any(|q| q.rule == p.rule) {
                self.problems.push(p);
            }
        }
        self
    }

    /// Keeps the input as written (a CSV line), shown if the result is set aside.
    pub fn with_raw(mut self, raw: String) -> Incoming {
        self.raw = Some(raw);
        self
    }

    /// Where the source says the acta's photo is.
    pub fn with_image_url(mut self, url: String) -> Incoming {
        self.image_url = Some(url);
        self
    }

    pub fn image_url(&self) -> Option<&str> {
        self.image_url.as_deref()
    }

    pub fn result(&self) -> &TableResult {
        &self.result
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub fn raw(&self) -> Option<&str> {
        self.raw.as_deref()
    }

    /// The first problem that keeps the result out of the counts, if any.
    pub fn rejection(&self) -> Option<&Problem> {
        self.problems
            .iter()
            .find(|p| p.severity == Severity::Reject)
    }

    /// The result, its source, its problems and its referenced image.
    pub fn into_parts(self) -> (TableResult, Source, Vec<Problem>, Option<String>) {
        (self.result, self.source, self.problems, self.image_url)
    }
}

/// An input set aside (quarantined) with its reason, kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRow {
    pub file: String,
    pub line: u64,
    pub raw: String,
    pub reason: String,
}
