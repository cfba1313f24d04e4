//! The query string of a flow route, read strictly: each parameter at most once, bounded sizes.
//! A duplicated `state` or `code` is how parameter-pollution attacks try to make two readers
//! disagree, so it is refused rather than resolved.

use std::fmt;

use url::form_urlencoded;

/// Longer than any query Atlassian's redirect or a `/connect` link produces (a state is under
/// 1 KB, a code a few hundred bytes).
pub const MAX_QUERY_BYTES: usize = 8192;
/// Per decoded value.
pub const MAX_VALUE_BYTES: usize = 2048;
/// Distinct parameters kept; more is not a request this Worker sent anyone to.
pub const MAX_PARAMETERS: usize = 16;

/// The parameters of one query, decoded.
#[derive(Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

/// Why a query was refused. Messages name parameters, never their values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryError {
    TooLong,
    TooManyParameters,
    Repeated(String),
    ValueTooLong(String),
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::TooLong => write!(f, "the query string is longer than {MAX_QUERY_BYTES} bytes"),
            QueryError::TooManyParameters => write!(f, "the query has more than {MAX_PARAMETERS} parameters"),
            QueryError::Repeated(name) => write!(f, "the parameter `{name}` appears more than once"),
            QueryError::ValueTooLong(name) => {
                write!(f, "the parameter `{name}` is longer than {MAX_VALUE_BYTES} bytes")
            }
        }
    }
}

impl Query {
    pub fn parse(raw: &str) -> Result<Query, QueryError> {
        if raw.len() > MAX_QUERY_BYTES {
            return Err(QueryError::TooLong);
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
            // A name is shown in messages: keep it short and printable.
            let shown: String = name.chars().filter(|c| c.is_ascii_graphic()).take(32).collect();
            if pairs.iter().any(|(seen, _)| *seen == name) {
                return Err(QueryError::Repeated(shown));
            }
            if value.len() > MAX_VALUE_BYTES {
                return Err(QueryError::ValueTooLong(shown));
            }
            if pairs.len() == MAX_PARAMETERS {
                return Err(QueryError::TooManyParameters);
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok(Query { pairs })
    }

    /// The value of `name`; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str()).filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_parameters_and_refuses_what_is_not_a_real_redirect() {
        let query = Query::parse("code=abc&state=x%2By&error_description=a+b").unwrap();
        assert_eq!(query.get("code"), Some("abc"));
        assert_eq!(query.get("state"), Some("x+y"));
        assert_eq!(query.get("error_description"), Some("a b"));
        assert_eq!(query.get("missing"), None);
        assert_eq!(Query::parse("state=a&state=b").unwrap_err(), QueryError::Repeated("state".into()));
        assert_eq!(Query::parse("state=a&st%61te=b").unwrap_err(), QueryError::Repeated("state".into()));
        let long = format!("code={}", "a".repeat(MAX_VALUE_BYTES + 1));
        assert_eq!(Query::parse(&long).unwrap_err(), QueryError::ValueTooLong("code".into()));
        assert_eq!(Query::parse(&"a".repeat(MAX_QUERY_BYTES + 1)).unwrap_err(), QueryError::TooLong);
        let many: Vec<String> = (0..=MAX_PARAMETERS).map(|i| format!("p{i}=1")).collect();
        assert_eq!(Query::parse(&many.join("&")).unwrap_err(), QueryError::TooManyParameters);
    }

    #[test]
    fn messages_never_carry_values() {
        let error = Query::parse("code=SECRETCODE&code=SECRETCODE").unwrap_err();
        assert!(!error.to_string().contains("SECRETCODE"));
    }
}
