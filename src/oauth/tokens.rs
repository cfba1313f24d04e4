//! The bearer values of the flow: whoever holds one can use it, so `Debug` shows only a length
//! and there is no `Display`.

use std::fmt;

macro_rules! bearer_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The value itself, for the one place that needs it (a request body or header).
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<{} characters hidden>)"), self.0.chars().count())
            }
        }
    };
}

bearer_value!(
    /// The `code` Atlassian hands the callback: single use, about ten minutes.
    AuthorizationCode
);
bearer_value!(
    /// An access token for `Authorization: Bearer`; about an hour.
    AccessToken
);
bearer_value!(
    /// A refresh token. Atlassian rotates them: every refresh returns a new one, which must be
    /// saved before the old one is dropped.
    RefreshToken
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_only_the_length() {
        let value = "eyJhbGciOiJIUzI1NiJ9.secret-part";
        for shown in [
            format!("{:?}", AuthorizationCode::new(value)),
            format!("{:?}", AccessToken::new(value)),
            format!("{:?}", RefreshToken::new(value)),
        ] {
            assert!(!shown.contains("eyJ") && !shown.contains("secret"), "{shown}");
            assert!(shown.ends_with("(<32 characters hidden>)"), "{shown}");
        }
        assert_eq!(AccessToken::new(value).secret(), value);
    }
}
