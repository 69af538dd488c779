//! Raw settings as each source gives them (flags, environment, file), before `config`
//! merges and type-checks them. Its own module so `cli` and `config` both use it without
//! depending on each other.

use std::fmt;

/// A value as a source gave it, before coercion.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    Str(String),
    Int(i64),
    /// As written: it is only ever shown in an error (parsing it would link float code).
    Float(String),
    Bool(bool),
    List(Vec<Raw>),
    Other(&'static str),
}

impl fmt::Display for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Raw::Str(s) => f.write_str(&crate::error::quoted(s)),
            Raw::Int(i) => write!(f, "{i}"),
            Raw::Float(x) => f.write_str(x),
            Raw::Bool(b) => write!(f, "{b}"),
            Raw::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Raw::Other(kind) => f.write_str(kind),
        }
    }
}

impl Raw {
    /// What kind of value it is, for messages that must not echo a secret.
    pub fn kind(&self) -> &'static str {
        match self {
            Raw::Str(_) => "a string",
            Raw::Int(_) => "an integer",
            Raw::Float(_) => "a float",
            Raw::Bool(_) => "a boolean",
            Raw::List(_) => "a list",
            Raw::Other(k) => k,
        }
    }
}

/// One value for one key, with the name its source knows it by (`server.port`,
/// `DDNS_GATEWAY_SERVER_PORT`, `--port`, `/etc/ddns/config.toml: server.port`).
#[derive(Clone, Debug)]
pub struct Setting {
    pub key: &'static str,
    pub raw: Raw,
    pub source: String,
}

impl Setting {
    pub fn new(key: &'static str, raw: Raw, source: impl Into<String>) -> Setting {
        Setting { key, raw, source: source.into() }
    }
}
