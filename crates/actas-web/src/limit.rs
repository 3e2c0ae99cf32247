//! Per-client rate limiting: a token bucket per address, in shards so that concurrent requests
//! rarely wait on the same lock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::http::HeaderMap;

use crate::config::RateLimit;

const SHARDS: usize = 16;
/// Entries per shard before idle buckets (full again) are dropped.
const SHARD_CAP: usize = 8_192;

pub struct Limiter {
    rate: f64,
    burst: f64,
    shards: Vec<Mutex<HashMap<IpAddr, Bucket>>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Option<Limiter> {
        (limit.per_second > 0).then(|| Limiter {
            rate: f64::from(limit.per_second),
            burst: f64::from(limit.burst.max(1)),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        })
    }

    /// Takes one token for `ip`; `Err(seconds)` until the next token when there is none.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let shard = &self.shards[shard_of(ip)];
        // A poisoned shard only holds counters: keep using them.
        let mut map = shard.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= SHARD_CAP && !map.contains_key(&ip) {
            let (rate, burst) = (self.rate, self.burst);
            map.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let b = map.entry(ip).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.rate).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / self.rate).ceil() as u64)
        }
    }
}

fn shard_of(ip: IpAddr) -> usize {
    let last = match ip {
        IpAddr::V4(a) => a.octets()[3] as usize ^ a.octets()[2] as usize,
        // IPv6 clients vary in the low bits of their /64 as much as in the rest.
        IpAddr::V6(a) => a.octets()[7] as usize ^ a.octets()[15] as usize,
    };
    last % SHARDS
}

/// The client's address: the peer, or with `trust_forwarded_for` the last address the proxy
/// appended to `X-Forwarded-For` (earlier entries are whatever the client claimed).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for
        && let Some(ip) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .next_back()
    {
        return ip;
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_refills_at_the_rate() {
        let l = Limiter::new(RateLimit {
            per_second: 10,
            burst: 3,
        })
        .unwrap();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check(ip, t0).is_ok());
        }
        assert_eq!(l.check(ip, t0), Err(1));
        assert!(l.check(other, t0).is_ok(), "limits are per address");
        assert!(l.check(ip, t0 + Duration::from_millis(110)).is_ok());
        assert!(
            Limiter::new(RateLimit {
                per_second: 0,
                burst: 1
            })
            .is_none()
        );
    }

    #[test]
    fn forwarded_for_is_used_only_when_trusted() {
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "1.2.3.4, 5.6.7.8".parse().unwrap());
        assert_eq!(client_ip(peer, &h, false), peer);
        assert_eq!(
            client_ip(peer, &h, true),
            "5.6.7.8".parse::<IpAddr>().unwrap()
        );
        h.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(client_ip(peer, &h, true), peer);
    }
}
