//! `/connect` and `/callback` are limited per client address through the Workers rate-limiting
//! binding: each sign-in costs a token exchange and a ledger object, and neither should be
//! anyone's to spend without end. The limit itself is the binding's configuration
//! (`[[ratelimits]]` in `wrangler.toml`, per environment); this file picks the key and words the
//! refusal.

use std::net::{IpAddr, Ipv6Addr};

use super::respond::{Problem, Reply, Wants};

/// The binding in `wrangler.toml`.
pub const BINDING: &str = "FLOW_RATE_LIMITER";

/// The binding counts over 10 or 60 seconds (its `period`); production's is 60, and waiting the
/// longer of the two is never too soon.
pub const RETRY_AFTER_SECS: u32 = 60;

/// The key an address is counted under. An IPv6 client is counted by its /64, the block one
/// subscriber gets: counting single addresses would hand every client 2^64 budgets. Without an
/// address (never on Cloudflare, which sets `CF-Connecting-IP` on every request) all such
/// requests share one key.
pub fn client_key(connecting_ip: Option<&str>) -> String {
    match connecting_ip.and_then(|ip| ip.trim().parse::<IpAddr>().ok()) {
        Some(IpAddr::V4(ip)) => ip.to_string(),
        Some(IpAddr::V6(ip)) => match ip.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = ip.segments();
                format!("{}/64", Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
        None => "unknown".to_string(),
    }
}

/// The refusal: `429` with `Retry-After`.
pub fn limited(wants: Wants) -> Reply {
    Problem::new(
        429,
        "rate-limited",
        "Too many sign-ins from this address",
        format!(
            "This address has started or finished more sign-ins in the last minute than this Worker allows. Wait \
             {RETRY_AFTER_SECS} seconds, then start again from /connect. Nothing was started or exchanged."
        ),
    )
    .reply(wants)
    .with_header("Retry-After", RETRY_AFTER_SECS.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_counted_by_subscriber() {
        // (CF-Connecting-IP, key)
        let table = [
            (Some("203.0.113.7"), "203.0.113.7"),
            (Some(" 203.0.113.7 "), "203.0.113.7"),
            (Some("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64"),
            (Some("2001:db8:1:2::1"), "2001:db8:1:2::/64"),
            (Some("::ffff:198.51.100.1"), "198.51.100.1"),
            (Some("not an address"), "unknown"),
            (None, "unknown"),
        ];
        for (header, key) in table {
            assert_eq!(client_key(header), key, "{header:?}");
        }
    }

    #[test]
    fn the_refusal_says_when_to_come_back() {
        let reply = limited(Wants::ProblemJson);
        assert_eq!((reply.status, reply.header("retry-after")), (429, Some("60")));
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["code"], "rate-limited");
    }
}
