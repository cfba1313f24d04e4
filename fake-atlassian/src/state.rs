//! The in-memory store (consents, codes, tokens, faults, request log) and the adjustable clock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;

use crate::authorize::OFFLINE_ACCESS;
use crate::config::Config;
use crate::faults::{Endpoint, Fault};
use crate::log::LogEntry;

/// Authorization codes are single use and live about 10 minutes (DOMAIN.md §3).
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// `expires_in` of every access token, 3LO and client credentials alike (DOMAIN.md §3).
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// A rotated refresh token is still accepted this long after its first use (DOMAIN.md §3).
pub const REFRESH_REUSE_LEEWAY: Duration = Duration::from_secs(10 * 60);
/// A refresh token not used for this long expires; each use issues a fresh one (DOMAIN.md §3).
pub const REFRESH_INACTIVITY_LIMIT: Duration = Duration::from_secs(90 * 24 * 60 * 60);
/// No refresh works this long after the first consent (DOMAIN.md §3).
pub const REFRESH_ABSOLUTE_LIMIT: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// How long a consent page stays answerable.
pub const PENDING_CONSENT_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// The request log keeps the newest entries only, so a long local run cannot grow without bound.
pub const REQUEST_LOG_CAPACITY: usize = 10_000;

/// A point on the stand-in's clock, in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub u64);

impl Timestamp {
    pub fn plus(self, duration: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(duration.as_millis() as u64))
    }

    /// Time from `earlier` to `self`; zero when `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

/// Real time plus an offset that only moves forward, so tests can age codes and tokens without waiting.
#[derive(Debug, Default)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Timestamp(real.saturating_add(self.offset).as_millis() as u64)
    }

    pub fn advance(&mut self, by: Duration) {
        self.offset = self.offset.saturating_add(by);
    }

    pub fn offset(&self) -> Duration {
        self.offset
    }
}

/// Who a grant acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A person who consented (account ID).
    User(String),
    /// A service account using client credentials (its client ID); there is no user.
    ServiceAccount(String),
}

/// What a code or token allows: the result of a consent or of a client-credentials request.
#[derive(Debug, Clone)]
pub struct Grant {
    pub client_id: String,
    pub subject: Subject,
    pub scopes: Vec<String>,
    /// Cloud IDs of the sites the grant covers.
    pub sites: Vec<String>,
}

impl Grant {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// A consent page waiting for Accept or Decline; the form carries only its random ID.
#[derive(Debug, Clone)]
pub struct PendingConsent {
    pub client_id: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub created: Timestamp,
}

#[derive(Debug)]
pub struct IssuedCode {
    pub grant: Grant,
    pub issued: Timestamp,
    pub used: bool,
}

#[derive(Debug)]
pub struct AccessToken {
    pub grant: Grant,
    pub expires: Timestamp,
    /// The refresh-token family it came from, so that revoking the family revokes it too.
    pub family: Option<FamilyId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FamilyId(u64);

/// All refresh tokens descending from one consent.
#[derive(Debug)]
pub struct Family {
    pub grant: Grant,
    /// The first consent: the 365-day absolute limit counts from here.
    pub created: Timestamp,
    pub revoked: bool,
}

#[derive(Debug)]
pub struct RefreshToken {
    pub family: FamilyId,
    pub issued: Timestamp,
    /// When it was first exchanged (rotated); later uses are allowed within the leeway only.
    pub first_used: Option<Timestamp>,
}

/// Tokens, codes and refresh tokens as handed out.
#[derive(Debug)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
}

/// Everything mutable. One lock: requests are few and no handler holds it across an await.
#[derive(Debug)]
pub struct Store {
    pub clock: Clock,
    pub auto_consent: bool,
    pub pending: HashMap<String, PendingConsent>,
    pub codes: HashMap<String, IssuedCode>,
    pub access_tokens: HashMap<String, AccessToken>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub families: HashMap<FamilyId, Family>,
    next_family: u64,
    pub faults: HashMap<Endpoint, Fault>,
    pub log: VecDeque<LogEntry>,
    next_log_seq: u64,
}

impl Store {
    pub fn new(auto_consent: bool) -> Store {
        Store {
            clock: Clock::default(),
            auto_consent,
            pending: HashMap::new(),
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            families: HashMap::new(),
            next_family: 1,
            faults: HashMap::new(),
            log: VecDeque::new(),
            next_log_seq: 1,
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn add_pending(&mut self, pending: PendingConsent) -> String {
        let now = self.now();
        // Abandoned consent pages would otherwise pile up during a long local run.
        self.pending.retain(|_, p| now.since(p.created) <= PENDING_CONSENT_LIFETIME);
        let id = random_token();
        self.pending.insert(id.clone(), pending);
        id
    }

    /// Takes a pending consent out (single use) unless it is unknown or expired.
    pub fn take_pending(&mut self, id: &str) -> Option<PendingConsent> {
        let now = self.now();
        let pending = self.pending.remove(id)?;
        (now.since(pending.created) <= PENDING_CONSENT_LIFETIME).then_some(pending)
    }

    pub fn issue_code(&mut self, grant: Grant) -> String {
        let code = random_token();
        let issued = self.now();
        self.codes.insert(code.clone(), IssuedCode { grant, issued, used: false });
        code
    }

    /// Issues an access token and, when the grant includes `offline_access`, a refresh token in a new family.
    pub fn issue_tokens_for_consent(&mut self, grant: Grant) -> IssuedTokens {
        let now = self.now();
        if !grant.has_scope(OFFLINE_ACCESS) {
            return IssuedTokens { access_token: self.issue_access_token(grant, None), refresh_token: None };
        }
        let family = FamilyId(self.next_family);
        self.next_family += 1;
        self.families.insert(family, Family { grant: grant.clone(), created: now, revoked: false });
        IssuedTokens {
            access_token: self.issue_access_token(grant, Some(family)),
            refresh_token: Some(self.issue_refresh_token(family)),
        }
    }

    pub fn issue_access_token(&mut self, grant: Grant, family: Option<FamilyId>) -> String {
        let token = random_token();
        let expires = self.now().plus(ACCESS_TOKEN_LIFETIME);
        self.access_tokens.insert(token.clone(), AccessToken { grant, expires, family });
        token
    }

    pub fn issue_refresh_token(&mut self, family: FamilyId) -> String {
        let token = random_token();
        let issued = self.now();
        self.refresh_tokens.insert(token.clone(), RefreshToken { family, issued, first_used: None });
        token
    }

    /// Ends a token family after a refresh token was replayed: every refresh token and access token from that
    /// consent stops working, and the user has to consent again.
    pub fn revoke_family(&mut self, family: FamilyId) {
        if let Some(f) = self.families.get_mut(&family) {
            f.revoked = true;
        }
        self.access_tokens.retain(|_, t| t.family != Some(family));
    }

    /// A valid (known, unexpired) access token's grant.
    pub fn access_grant(&self, token: &str) -> Option<&Grant> {
        let now = self.now();
        self.access_tokens.get(token).filter(|t| now < t.expires).map(|t| &t.grant)
    }

    pub fn push_log(&mut self, mut entry: LogEntry) {
        entry.seq = self.next_log_seq;
        self.next_log_seq += 1;
        if self.log.len() == REQUEST_LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(entry);
    }

    pub fn clear_log(&mut self) {
        self.log.clear();
    }
}

/// What every handler shares: the fixed configuration and the mutable store.
#[derive(Debug)]
pub struct Shared {
    pub config: Config,
    store: Mutex<Store>,
    /// Whether each request is also printed on stdout (the binary does; in-process test servers stay quiet).
    pub echo_log: bool,
}

impl Shared {
    pub fn new(config: Config, echo_log: bool) -> Shared {
        let store = Mutex::new(Store::new(config.server.auto_consent));
        Shared { config, store, echo_log }
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        // A panicking handler must not take the whole server down with a poisoned lock.
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Back to the state at start: no consents, codes, tokens or faults, an empty log, the real time.
    pub fn reset(&self) {
        *self.store() = Store::new(self.config.server.auto_consent);
    }
}

/// 256 random bits, URL-safe: used for codes, tokens and consent IDs alike.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // Without an OS random source no token can be trusted; there is nothing sensible to fall back to.
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_advances_by_offset() {
        let mut clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now().since(before) >= Duration::from_secs(3600));
        assert_eq!(before.since(clock.now()), Duration::ZERO);
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
}
