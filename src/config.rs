//! One validated `Config`, merged from (highest first) flags, the environment
//! (`DDNS_GATEWAY_<SECTION>_<KEY>`), the TOML file and the defaults. Every source becomes
//! `Setting`s of raw values; the coercions and checks live here once, so each error names
//! the key exactly as the user wrote it.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use toml::de::{DeTable, DeValue};

use crate::cli::Cli;
use crate::log::Level;
use crate::upstream::Endpoint;

pub const ENV_PREFIX: &str = "DDNS_GATEWAY_";
pub const DEFAULT_FILE: &str = "config.toml";

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
            Raw::Str(s) => write!(f, "{s:?}"),
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
    fn kind(&self) -> &'static str {
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
/// `DDNS_GATEWAY_SERVER_PORT`, `--port`).
#[derive(Clone, Debug)]
pub struct Setting {
    pub key: &'static str,
    pub raw: Raw,
    pub source: String,
}

/// Values longer than this are never quoted back in an error: a token pasted into the
/// wrong variable must not end up in a log. Typos in a port or a switch are shorter.
const MAX_SHOWN: usize = 12;

impl Setting {
    pub fn new(key: &'static str, raw: Raw, source: impl Into<String>) -> Setting {
        Setting { key, raw, source: source.into() }
    }

    /// The value for an error message: quoted when it is short and the key never holds a
    /// secret (tokens, endpoint URLs that may carry a password); else only its kind and size.
    fn shown(&self) -> String {
        let text = self.raw.to_string();
        let secret = kind_of(self.key) == Kind::Secrets || self.key.ends_with(".endpoint");
        if !secret && text.chars().count() <= MAX_SHOWN {
            return text;
        }
        match &self.raw {
            Raw::Str(v) => format!("a string of {} characters (not shown)", v.chars().count()),
            other => other.kind().to_string(),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Int,
    Bool,
    /// A list of strings never echoed back in an error.
    Secrets,
}

/// Every key there is: `section.key` and its type.
const KEYS: &[(&str, Kind)] = &[
    ("server.host", Kind::Str),
    ("server.port", Kind::Int),
    ("auth.enabled", Kind::Bool),
    ("auth.tokens", Kind::Secrets),
    ("methods.get_enabled", Kind::Bool),
    ("methods.post_enabled", Kind::Bool),
    ("logging.level", Kind::Str),
    ("logging.file_enabled", Kind::Bool),
    ("logging.file_path", Kind::Str),
    ("health.enabled", Kind::Bool),
    ("upstream.timeout", Kind::Int),
    ("providers.cloudflare.endpoint", Kind::Str),
    ("providers.aliyun.endpoint", Kind::Str),
    ("providers.tencent.endpoint", Kind::Str),
];

pub const CLOUDFLARE_ENDPOINT: &str = "https://api.cloudflare.com/client/v4";
pub const ALIYUN_ENDPOINT: &str = "https://alidns.aliyuncs.com";
pub const TENCENT_ENDPOINT: &str = "https://dnspod.tencentcloudapi.com";

/// The merged, validated configuration.
#[derive(Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub auth_enabled: bool,
    pub auth_tokens: Vec<String>,
    pub get_enabled: bool,
    pub post_enabled: bool,
    pub log_level: Level,
    pub log_file_enabled: bool,
    pub log_file_path: String,
    pub health_enabled: bool,
    pub upstream_timeout: Duration,
    pub cloudflare: Endpoint,
    pub aliyun: Endpoint,
    pub tencent: Endpoint,
    /// Things worth a warning once the logger is up (unknown keys).
    pub warnings: Vec<String>,
}

// Hand-written so a token can never reach a log through `{:?}`.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("auth_enabled", &self.auth_enabled)
            .field("auth_tokens", &format_args!("<{} hidden>", self.auth_tokens.len()))
            .field("get_enabled", &self.get_enabled)
            .field("post_enabled", &self.post_enabled)
            .field("log_level", &self.log_level)
            .field("upstream_timeout", &self.upstream_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Config {
        Config::from_settings(Vec::new()).expect("defaults are valid")
    }
}

impl Config {
    /// The enabled `/update` methods, `GET, POST`: for the startup line and `Allow`.
    pub fn allowed_methods(&self) -> &'static str {
        match (self.get_enabled, self.post_enabled) {
            (true, true) => "GET, POST",
            (true, false) => "GET",
            _ => "POST",
        }
    }

    /// Reads the file (if any) and the environment, and merges them under the flags.
    pub fn load(cli: &Cli, env: impl IntoIterator<Item = (String, String)>) -> Result<Config, String> {
        let env: Vec<(String, String)> = env.into_iter().filter(|(k, _)| k.starts_with(ENV_PREFIX)).collect();
        let mut warnings = Vec::new();

        let env_path = env.iter().find(|(k, _)| k == "DDNS_GATEWAY_CONFIG").map(|(_, v)| v.clone());
        let path = cli.config.clone().or(env_path);
        let mut settings = match &path {
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).map_err(|e| format!("cannot read config file {p}: {e}"))?;
                from_toml(&text, p, &mut warnings)?
            }
            None => match std::fs::read_to_string(DEFAULT_FILE) {
                Ok(text) => from_toml(&text, DEFAULT_FILE, &mut warnings)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(format!("cannot read config file {DEFAULT_FILE}: {e}")),
            },
        };
        settings.extend(from_env(&env, &mut warnings));
        settings.extend(cli.settings.iter().cloned());
        let mut config = Config::from_settings(settings)?;
        config.warnings = warnings;
        Ok(config)
    }

    /// A config from TOML text alone (no flags, no environment), as a file would give it.
    pub fn from_toml_text(text: &str) -> Result<Config, String> {
        let mut warnings = Vec::new();
        let mut config = Config::from_settings(from_toml(text, "config.toml", &mut warnings)?)?;
        config.warnings = warnings;
        Ok(config)
    }

    /// Later settings win. Checks every type and value.
    pub fn from_settings(settings: Vec<Setting>) -> Result<Config, String> {
        let mut map: HashMap<&str, Setting> = HashMap::new();
        for s in settings {
            map.insert(s.key, s);
        }
        let get = |key: &str| map.get(key);

        let str_of = |key: &str, default: &str| -> Result<String, String> {
            match get(key) {
                None => Ok(default.to_string()),
                Some(s) => coerce_str(s),
            }
        };
        let bool_of =
            |key: &str, default: bool| -> Result<bool, String> { get(key).map_or(Ok(default), coerce_bool) };
        let int_of = |key: &str, default: i64| -> Result<(i64, Option<&Setting>), String> {
            match get(key) {
                None => Ok((default, None)),
                Some(s) => Ok((coerce_int(s)?, Some(s))),
            }
        };

        let (port, port_src) = int_of("server.port", 38080)?;
        if !(1..=65535).contains(&port) {
            let name = port_src.map_or("server.port", |s| s.source.as_str());
            return Err(format!("{name}: port must be between 1 and 65535, got {port}"));
        }
        let (timeout, timeout_src) = int_of("upstream.timeout", 15)?;
        if !(1..=300).contains(&timeout) {
            let name = timeout_src.map_or("upstream.timeout", |s| s.source.as_str());
            return Err(format!("{name}: timeout must be between 1 and 300 seconds, got {timeout}"));
        }
        let level_text = str_of("logging.level", "INFO")?;
        let log_level = Level::parse(&level_text).ok_or_else(|| {
            let (name, shown) = get("logging.level")
                .map_or(("logging.level", String::new()), |s| (s.source.as_str(), s.shown()));
            format!("{name}: unknown log level {shown} (expected one of {})", Level::NAMES)
        })?;
        let get_enabled = bool_of("methods.get_enabled", true)?;
        let post_enabled = bool_of("methods.post_enabled", true)?;
        if !get_enabled && !post_enabled {
            return Err("methods: at least one of get_enabled or post_enabled must be true".into());
        }
        let auth_tokens = match get("auth.tokens") {
            None => Vec::new(),
            Some(s) => coerce_list(s)?,
        };
        let host = str_of("server.host", "0.0.0.0")?;
        if host.trim().is_empty() {
            return Err(format!("{}: must not be empty", get("server.host").unwrap().source));
        }
        let endpoint = |key: &str, default: &str| -> Result<Endpoint, String> {
            let text = str_of(key, default)?;
            // No value in the message: a URL may carry a password.
            Endpoint::parse(&text)
                .map_err(|e| format!("{}: {e}", get(key).map_or(key, |s| s.source.as_str())))
        };

        Ok(Config {
            host: host.trim().to_string(),
            port: port as u16,
            auth_enabled: bool_of("auth.enabled", false)?,
            auth_tokens,
            get_enabled,
            post_enabled,
            log_level,
            log_file_enabled: bool_of("logging.file_enabled", false)?,
            log_file_path: str_of("logging.file_path", "/var/log/ddns-gateway.log")?,
            health_enabled: bool_of("health.enabled", false)?,
            upstream_timeout: Duration::from_secs(timeout as u64),
            cloudflare: endpoint("providers.cloudflare.endpoint", CLOUDFLARE_ENDPOINT)?,
            aliyun: endpoint("providers.aliyun.endpoint", ALIYUN_ENDPOINT)?,
            tencent: endpoint("providers.tencent.endpoint", TENCENT_ENDPOINT)?,
            warnings: Vec::new(),
        })
    }
}

fn kind_of(key: &str) -> Kind {
    KEYS.iter().find(|(k, _)| *k == key).map_or(Kind::Str, |(_, kind)| *kind)
}

fn coerce_str(s: &Setting) -> Result<String, String> {
    match &s.raw {
        Raw::Str(v) => Ok(v.clone()),
        _ => Err(format!("{}: expected a string, got {}", s.source, s.shown())),
    }
}

fn coerce_int(s: &Setting) -> Result<i64, String> {
    match &s.raw {
        Raw::Int(i) => Ok(*i),
        Raw::Str(v) if v.trim().parse::<i64>().is_ok() => Ok(v.trim().parse().unwrap_or_default()),
        _ => Err(format!("{}: expected an integer, got {}", s.source, s.shown())),
    }
}

fn coerce_bool(s: &Setting) -> Result<bool, String> {
    match &s.raw {
        Raw::Bool(b) => Ok(*b),
        Raw::Int(0) => Ok(false),
        Raw::Int(1) => Ok(true),
        Raw::Str(v) => match v.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(format!("{}: expected a boolean, got {}", s.source, s.shown())),
        },
        _ => Err(format!("{}: expected a boolean, got {}", s.source, s.shown())),
    }
}

/// A list of strings: a TOML array, or one string of comma- or space-separated items.
fn coerce_list(s: &Setting) -> Result<Vec<String>, String> {
    let bad = |raw: &Raw| {
        let shown = Setting::new(s.key, raw.clone(), "").shown();
        format!("{}: expected a list of strings, got {shown}", s.source)
    };
    match &s.raw {
        Raw::Str(v) => Ok(v.split([',', ' ', '\t']).filter(|t| !t.is_empty()).map(String::from).collect()),
        Raw::List(items) => items
            .iter()
            .map(|i| match i {
                Raw::Str(v) if !v.is_empty() => Ok(v.clone()),
                other => Err(bad(other)),
            })
            .collect(),
        other => Err(bad(other)),
    }
}

fn from_toml_value(v: &DeValue<'_>) -> Raw {
    match v {
        DeValue::String(s) => Raw::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Raw::Int(n),
            Err(_) => Raw::Other("an integer out of range"),
        },
        DeValue::Float(x) => Raw::Float(x.as_str().to_string()),
        DeValue::Boolean(b) => Raw::Bool(*b),
        DeValue::Array(a) => Raw::List(a.iter().map(|i| from_toml_value(i.get_ref())).collect()),
        DeValue::Datetime(_) => Raw::Other("a date-time"),
        DeValue::Table(_) => Raw::Other("a table"),
    }
}

/// Flattens the file into settings; keys we do not know become warnings. toml's own
/// parser tree is used directly: its serde layer would cost binary size for nothing.
fn from_toml(text: &str, path: &str, warnings: &mut Vec<String>) -> Result<Vec<Setting>, String> {
    let table = DeTable::parse(text).map_err(|e| {
        let at = e.span().map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!(" at line {line}, column {col}")
        });
        format!("{path}: invalid TOML{}: {}", at.unwrap_or_default(), e.message().trim())
    })?;
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    flatten(table.get_ref(), "", &mut out, &mut unknown);
    if !unknown.is_empty() {
        unknown.sort();
        warnings.push(format!("{path}: unknown keys ignored: {}", unknown.join(", ")));
    }
    Ok(out)
}

fn flatten(table: &DeTable<'_>, prefix: &str, out: &mut Vec<Setting>, unknown: &mut Vec<String>) {
    for (k, v) in table.iter() {
        let k = k.get_ref();
        let v = v.get_ref();
        let dotted = if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
        if let Some((key, _)) = KEYS.iter().find(|(key, _)| *key == dotted) {
            out.push(Setting::new(key, from_toml_value(v), dotted));
        } else if let DeValue::Table(inner) = v {
            // Only descend into sections that hold known keys.
            if KEYS.iter().any(|(key, _)| key.starts_with(&format!("{dotted}."))) {
                flatten(inner, &dotted, out, unknown);
            } else {
                unknown.push(dotted);
            }
        } else {
            unknown.push(dotted);
        }
    }
}

/// `DDNS_GATEWAY_SERVER_PORT` for `server.port`.
pub fn env_name(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.replace('.', "_").to_ascii_uppercase())
}

fn from_env(env: &[(String, String)], warnings: &mut Vec<String>) -> Vec<Setting> {
    let mut out = Vec::new();
    for (name, value) in env {
        if name == "DDNS_GATEWAY_CONFIG" {
            continue;
        }
        match KEYS.iter().find(|(key, _)| env_name(key) == *name) {
            Some((key, _)) => out.push(Setting::new(key, Raw::Str(value.clone()), name.clone())),
            None => warnings.push(format!("unknown environment variable ignored: {name}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_toml(text: &str) -> Result<Config, String> {
        let mut w = Vec::new();
        Config::from_settings(from_toml(text, "config.toml", &mut w)?)
    }

    #[test]
    fn defaults_match_the_original() {
        let c = Config::default();
        assert_eq!((c.host.as_str(), c.port), ("0.0.0.0", 38080));
        assert!(!c.auth_enabled && c.auth_tokens.is_empty());
        assert!(c.get_enabled && c.post_enabled);
        assert_eq!(c.log_level, Level::Info);
        assert!(!c.log_file_enabled);
        assert_eq!(c.log_file_path, "/var/log/ddns-gateway.log");
        assert!(!c.health_enabled);
        assert_eq!(c.upstream_timeout, Duration::from_secs(15));
        assert_eq!(c.cloudflare.to_string(), CLOUDFLARE_ENDPOINT);
    }

    #[test]
    fn coercions() {
        let c = load_toml(
            "[server]\nport = \"8080\"\n[auth]\nenabled = \"Yes\"\ntokens = [\"a\", \"b\"]\n\
             [methods]\nget_enabled = \"off\"\n[logging]\nlevel = \"debug\"\n[health]\nenabled = 1\n",
        )
        .unwrap();
        assert_eq!(c.port, 8080);
        assert!(c.auth_enabled && !c.get_enabled && c.health_enabled);
        assert_eq!(c.auth_tokens, ["a", "b"]);
        assert_eq!(c.log_level, Level::Debug);
    }

    #[test]
    fn bad_values_name_key_and_value() {
        let e = load_toml("[server]\nport = \"abc\"\n").unwrap_err();
        assert_eq!(e, "server.port: expected an integer, got \"abc\"");
        let e = load_toml("[server]\nport = 70000\n").unwrap_err();
        assert!(e.starts_with("server.port:") && e.contains("70000"), "{e}");
        let e = load_toml("[auth]\nenabled = \"maybe\"\n").unwrap_err();
        assert_eq!(e, "auth.enabled: expected a boolean, got \"maybe\"");
        let e = load_toml("[logging]\nlevel = \"LOUD\"\n").unwrap_err();
        assert!(e.starts_with("logging.level:") && e.contains("LOUD"), "{e}");
        let e = load_toml("[methods]\nget_enabled = false\npost_enabled = false\n").unwrap_err();
        assert!(e.contains("at least one"), "{e}");
        let e = load_toml("[auth]\ntokens = [\"ok\", 12345]\n").unwrap_err();
        assert_eq!(e, "auth.tokens: expected a list of strings, got an integer");
        let e = load_toml("[providers.aliyun]\nendpoint = \"ftp://x\"\n").unwrap_err();
        assert!(e.starts_with("providers.aliyun.endpoint:"), "{e}");
        let e = load_toml("[server\nport=1").unwrap_err();
        assert!(e.starts_with("config.toml: invalid TOML at line 1"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn unknown_keys_warn() {
        let mut w = Vec::new();
        from_toml("[server]\nprot = 1\n[extra]\na = 1\n[providers.foo]\nx=1\n", "c.toml", &mut w).unwrap();
        assert_eq!(w, ["c.toml: unknown keys ignored: extra, providers.foo, server.prot"]);
    }

    #[test]
    fn precedence_flags_env_file() {
        let dir = std::env::temp_dir().join(format!("ddns-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "[server]\nport = 1111\nhost = \"10.0.0.1\"\n[upstream]\ntimeout = 9\n")
            .unwrap();
        let cli = crate::cli::parse(
            ["--config", file.to_str().unwrap(), "--port", "3333"].map(std::ffi::OsString::from),
        )
        .unwrap();
        let env = [
            ("DDNS_GATEWAY_SERVER_PORT", "2222"),
            ("DDNS_GATEWAY_SERVER_HOST", "127.0.0.1"),
            ("DDNS_GATEWAY_AUTH_TOKENS", "t1,t2 t3"),
            ("DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT", "http://127.0.0.1:9/v4"),
            ("DDNS_GATEWAY_NOPE", "1"),
            ("PATH", "/bin"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let c = Config::load(&cli, env).unwrap();
        assert_eq!(c.port, 3333);
        assert_eq!(c.host, "127.0.0.1");
        assert_eq!(c.upstream_timeout, Duration::from_secs(9));
        assert_eq!(c.auth_tokens, ["t1", "t2", "t3"]);
        assert_eq!(c.cloudflare.to_string(), "http://127.0.0.1:9/v4");
        assert_eq!(c.warnings, ["unknown environment variable ignored: DDNS_GATEWAY_NOPE"]);
        let e = Config::load(&cli, [("DDNS_GATEWAY_UPSTREAM_TIMEOUT".into(), "x".into())]);
        assert_eq!(e.unwrap_err(), "DDNS_GATEWAY_UPSTREAM_TIMEOUT: expected an integer, got \"x\"");
        let missing = crate::cli::parse(["--config", "/nonexistent/x.toml"].map(Into::into)).unwrap();
        assert!(Config::load(&missing, []).unwrap_err().contains("/nonexistent/x.toml"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
