//! One validated `Config`, merged from (highest first) flags, the environment
//! (`DDNS_GATEWAY_<SECTION>_<KEY>`), the TOML file and the defaults. Every source becomes
//! `Setting`s of raw values; each is type-checked here, once, whether or not a higher
//! source overrides it, so a bad value in the file stops the gateway today rather than on
//! the day someone removes the override. Each error names the key as the user wrote it.

use std::fmt;
use std::time::Duration;

use toml::de::{DeTable, DeValue};

use crate::cli::Cli;
use crate::log::Level;
use crate::notify;
use crate::providers::Kind;
use crate::settings::{Raw, Setting};
use crate::upstream::Endpoint;

pub const ENV_PREFIX: &str = "DDNS_GATEWAY_";
pub const DEFAULT_FILE: &str = "config.toml";
/// A config file is a few hundred bytes; reading and parsing costs a multiple of its size,
/// so a larger file (or a device, or a FIFO: only regular files are read) is refused.
pub const MAX_FILE_BYTES: usize = 64 * 1024;

/// Values longer than this are never quoted back in an error: a token pasted into the
/// wrong variable must not end up in a log. Typos in a port or a switch are shorter.
const MAX_SHOWN: usize = 12;

#[derive(Clone, Copy, PartialEq)]
enum Type {
    Str,
    Int,
    Bool,
    /// A list of strings never echoed back in an error.
    Secrets,
    /// A provider's API base URL (never echoed: it may carry a password).
    Endpoint,
    /// A list of strings, shown in errors like `Str`.
    List,
    /// A string never echoed (a webhook URL: tokens live in its path and query).
    Secret,
    /// A list never echoed; as one string, one item per line (header values hold commas).
    Lines,
}

/// Every key but the providers' endpoints (those come from the provider registry).
const KEYS: &[(&str, Type)] = &[
    ("server.host", Type::Str),
    ("server.port", Type::Int),
    ("auth.enabled", Type::Bool),
    ("auth.tokens", Type::Secrets),
    ("methods.get_enabled", Type::Bool),
    ("methods.post_enabled", Type::Bool),
    ("logging.level", Type::Str),
    ("logging.file_enabled", Type::Bool),
    ("logging.file_path", Type::Str),
    ("health.enabled", Type::Bool),
    ("upstream.timeout", Type::Int),
    ("notify.url", Type::Secret),
    ("notify.events", Type::List),
    ("notify.method", Type::Str),
    ("notify.content_type", Type::Str),
    ("notify.headers", Type::Lines),
    ("notify.body", Type::Str),
];

/// Every key there is, `section.key`, and its type.
fn all_keys() -> impl Iterator<Item = (&'static str, Type)> {
    KEYS.iter().copied().chain(Kind::ALL.iter().map(|k| (k.spec().endpoint_key, Type::Endpoint)))
}

/// The key as the program spells it, and its type; `None` for a key we do not know.
fn known(key: &str) -> Option<(&'static str, Type)> {
    all_keys().find(|(k, _)| *k == key)
}

/// The value for an error message: quoted when it is short and the key never holds a
/// secret (tokens, endpoint URLs that may carry a password); else only its kind and size.
fn shown(key: &str, raw: &Raw) -> String {
    let text = raw.to_string();
    let secret = matches!(known(key), Some((_, Type::Secrets | Type::Endpoint | Type::Secret | Type::Lines)));
    // The value's own length: a string's quotes do not count.
    let len = match raw {
        Raw::Str(v) => v.chars().count(),
        _ => text.chars().count(),
    };
    if !secret && len <= MAX_SHOWN {
        return text;
    }
    match raw {
        Raw::Str(v) => format!("a string of {} characters (not shown)", v.chars().count()),
        other => other.kind().to_string(),
    }
}

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
    /// One per provider, in `Kind::ALL` order.
    endpoints: Vec<Endpoint>,
    /// `[notify]`, when `notify.url` is set.
    pub notify: Option<notify::Settings>,
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

/// A setting after its own check.
enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<String>),
    Level(Level),
    Endpoint(Endpoint),
}

/// The checked settings in the order given; of a key set twice the last wins. A few dozen
/// entries: searched from the end, they cost less binary than a hash map.
struct Checked<'a>(Vec<(&'a str, Value)>);

impl Checked<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v)
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

    /// The API base URL the provider is called at.
    pub fn endpoint(&self, kind: Kind) -> &Endpoint {
        &self.endpoints[kind as usize]
    }

    pub fn set_endpoint(&mut self, kind: Kind, endpoint: Endpoint) {
        self.endpoints[kind as usize] = endpoint;
    }

    /// Reads the file (if any) and the environment, and merges them under the flags.
    pub fn load(cli: &Cli, env: impl IntoIterator<Item = (String, String)>) -> Result<Config, String> {
        let env: Vec<(String, String)> = env.into_iter().filter(|(k, _)| k.starts_with(ENV_PREFIX)).collect();
        let mut warnings = Vec::new();

        let env_path = env.iter().find(|(k, _)| k == "DDNS_GATEWAY_CONFIG").map(|(_, v)| v.clone());
        let path = cli.config.clone().or(env_path);
        let mut settings = match &path {
            Some(p) => {
                let text = crate::files::read_small(p, MAX_FILE_BYTES)
                    .map_err(|e| format!("cannot read config file {p}: {e}"))?;
                from_toml(&text, p, &mut warnings)?
            }
            None => match crate::files::read_small(DEFAULT_FILE, MAX_FILE_BYTES) {
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
        let mut config = Config::from_settings(from_toml(text, DEFAULT_FILE, &mut warnings)?)?;
        config.warnings = warnings;
        Ok(config)
    }

    /// Checks every setting, overridden or not; later settings win.
    pub fn from_settings(settings: Vec<Setting>) -> Result<Config, String> {
        let mut checked: Vec<(&str, Value)> = Vec::with_capacity(settings.len());
        for s in &settings {
            checked.push((s.key, check(s)?));
        }
        let map = Checked(checked);
        let string = |key: &str, default: &str| match map.get(key) {
            Some(Value::Str(s)) => s.clone(),
            _ => default.to_string(),
        };
        let int = |key: &str, default: i64| match map.get(key) {
            Some(Value::Int(i)) => *i,
            _ => default,
        };
        let boolean = |key: &str, default: bool| match map.get(key) {
            Some(Value::Bool(b)) => *b,
            _ => default,
        };
        let list = |key: &str| match map.get(key) {
            Some(Value::List(l)) => Some(l.as_slice()),
            _ => None,
        };
        let get_enabled = boolean("methods.get_enabled", true);
        let post_enabled = boolean("methods.post_enabled", true);
        if !get_enabled && !post_enabled {
            return Err("methods: at least one of get_enabled or post_enabled must be true".into());
        }
        let mut endpoints = Vec::new();
        for kind in Kind::ALL {
            let spec = kind.spec();
            endpoints.push(match map.get(spec.endpoint_key) {
                Some(Value::Endpoint(e)) => e.clone(),
                _ => Endpoint::parse(spec.default_endpoint)
                    .map_err(|e| format!("{}: {e}", spec.endpoint_key))?,
            });
        }
        Ok(Config {
            host: string("server.host", "0.0.0.0"),
            port: int("server.port", 38080) as u16,
            auth_enabled: boolean("auth.enabled", false),
            auth_tokens: match map.get("auth.tokens") {
                Some(Value::List(l)) => l.clone(),
                _ => Vec::new(),
            },
            get_enabled,
            post_enabled,
            log_level: match map.get("logging.level") {
                Some(Value::Level(l)) => *l,
                _ => Level::Info,
            },
            log_file_enabled: boolean("logging.file_enabled", false),
            log_file_path: string("logging.file_path", "/var/log/ddns-gateway.log"),
            health_enabled: boolean("health.enabled", false),
            upstream_timeout: Duration::from_secs(int("upstream.timeout", 15) as u64),
            endpoints,
            notify: notify::Settings::new(
                &string("notify.url", ""),
                list("notify.events"),
                &string("notify.method", "POST"),
                string("notify.content_type", "application/json"),
                list("notify.headers").unwrap_or_default(),
                string("notify.body", ""),
            ),
            warnings: Vec::new(),
        })
    }
}

/// One setting's type and range, checked on its own.
fn check(s: &Setting) -> Result<Value, String> {
    let Some((_, ty)) = known(s.key) else {
        return Err(format!("{}: unknown setting", s.source));
    };
    let name = s.source.as_str();
    let value = match ty {
        Type::Str => Value::Str(coerce_str(s)?),
        Type::Int => Value::Int(coerce_int(s)?),
        Type::Bool => Value::Bool(coerce_bool(s)?),
        Type::Secrets | Type::List | Type::Lines => Value::List(coerce_list(s, ty == Type::Lines)?),
        Type::Secret => Value::Str(coerce_str(s)?),
        // No value in the message: a URL may carry a password.
        Type::Endpoint => {
            Value::Endpoint(Endpoint::parse(&coerce_str(s)?).map_err(|e| format!("{name}: {e}"))?)
        }
    };
    Ok(match (s.key, value) {
        ("server.port", Value::Int(port)) if !(1..=65535).contains(&port) => {
            return Err(format!("{name}: port must be between 1 and 65535, got {port}"));
        }
        ("upstream.timeout", Value::Int(t)) if !(1..=300).contains(&t) => {
            return Err(format!("{name}: timeout must be between 1 and 300 seconds, got {t}"));
        }
        ("server.host", Value::Str(host)) => {
            if host.trim().is_empty() {
                return Err(format!("{name}: must not be empty"));
            }
            Value::Str(host.trim().to_string())
        }
        ("logging.level", Value::Str(text)) => Value::Level(Level::parse(&text).ok_or_else(|| {
            format!("{name}: unknown log level {} (expected one of {})", shown(s.key, &s.raw), Level::NAMES)
        })?),
        // Checked here, and built into `notify::Settings` with the others. An empty URL (an
        // override in the environment) turns notifications off.
        ("notify.url", Value::Str(url)) => {
            if !url.trim().is_empty() {
                notify::Webhook::parse(&url).map_err(|e| format!("{name}: {e}"))?;
            }
            Value::Str(url)
        }
        ("notify.events", Value::List(items)) => {
            notify::events(&items).map_err(|i| {
                let got = shown(s.key, &Raw::Str(items[i].clone()));
                format!("{name}: unknown event {got} (expected created, updated, failed or recovered)")
            })?;
            Value::List(items)
        }
        ("notify.method", Value::Str(m)) if notify::method(&m).is_none() => {
            return Err(format!("{name}: expected POST, PUT or PATCH, got {}", shown(s.key, &s.raw)));
        }
        ("notify.content_type", Value::Str(t))
            if t.trim().is_empty() || http::HeaderValue::from_str(t.trim()).is_err() =>
        {
            return Err(format!("{name}: not a valid content type"));
        }
        ("notify.headers", Value::List(lines)) => {
            for (i, l) in lines.iter().enumerate() {
                notify::header(l).map_err(|e| format!("{name}: header {}: {e}", i + 1))?;
            }
            Value::List(lines)
        }
        (_, v) => v,
    })
}

fn coerce_str(s: &Setting) -> Result<String, String> {
    match &s.raw {
        Raw::Str(v) => Ok(v.clone()),
        _ => Err(format!("{}: expected a string, got {}", s.source, shown(s.key, &s.raw))),
    }
}

fn coerce_int(s: &Setting) -> Result<i64, String> {
    match &s.raw {
        Raw::Int(i) => Ok(*i),
        Raw::Str(v) if v.trim().parse::<i64>().is_ok() => Ok(v.trim().parse().unwrap_or_default()),
        _ => Err(format!("{}: expected an integer, got {}", s.source, shown(s.key, &s.raw))),
    }
}

fn coerce_bool(s: &Setting) -> Result<bool, String> {
    let bad = || format!("{}: expected a boolean, got {}", s.source, shown(s.key, &s.raw));
    match &s.raw {
        Raw::Bool(b) => Ok(*b),
        Raw::Int(0) => Ok(false),
        Raw::Int(1) => Ok(true),
        Raw::Str(v) => match v.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// A list of strings: a TOML array, or one string of comma- or space-separated items (of
/// lines, for `lines`).
fn coerce_list(s: &Setting, lines: bool) -> Result<Vec<String>, String> {
    let bad = |raw: &Raw| format!("{}: expected a list of strings, got {}", s.source, shown(s.key, raw));
    let seps: &[char] = if lines { &['\n', '\r'] } else { &[',', ' ', '\t'] };
    match &s.raw {
        Raw::Str(v) => Ok(v.split(seps).filter(|t| !t.trim().is_empty()).map(String::from).collect()),
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

/// Flattens the file into settings named `<path>: <key>`, so an error says which file is
/// wrong; keys we do not know become warnings. toml's own parser tree is used directly:
/// its serde layer would cost binary size for nothing.
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
    flatten(table.get_ref(), "", path, &mut out, &mut unknown);
    if !unknown.is_empty() {
        unknown.sort();
        warnings.push(format!("{path}: unknown keys ignored: {}", unknown.join(", ")));
    }
    Ok(out)
}

fn flatten(table: &DeTable<'_>, prefix: &str, path: &str, out: &mut Vec<Setting>, unknown: &mut Vec<String>) {
    for (k, v) in table.iter() {
        let k = k.get_ref();
        let v = v.get_ref();
        let dotted = if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
        if let Some((key, _)) = known(&dotted) {
            out.push(Setting::new(key, from_toml_value(v), format!("{path}: {dotted}")));
        } else if let DeValue::Table(inner) = v {
            // Only descend into sections that hold known keys.
            let section = format!("{dotted}.");
            if all_keys().any(|(key, _)| key.starts_with(&section)) {
                flatten(inner, &dotted, path, out, unknown);
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
        match all_keys().find(|(key, _)| env_name(key) == *name) {
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
        assert_eq!(c.endpoint(Kind::Cloudflare).to_string(), "https://api.cloudflare.com/client/v4");
        assert_eq!(c.endpoint(Kind::Tencent).to_string(), "https://dnspod.tencentcloudapi.com");
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
    fn bad_values_name_file_key_and_value() {
        let e = load_toml("[server]\nport = \"abc\"\n").unwrap_err();
        assert_eq!(e, "config.toml: server.port: expected an integer, got \"abc\"");
        let e = load_toml("[server]\nport = 70000\n").unwrap_err();
        assert!(e.starts_with("config.toml: server.port:") && e.contains("70000"), "{e}");
        let e = load_toml("[auth]\nenabled = \"maybe\"\n").unwrap_err();
        assert_eq!(e, "config.toml: auth.enabled: expected a boolean, got \"maybe\"");
        let e = load_toml("[logging]\nlevel = \"LOUD\"\n").unwrap_err();
        assert!(e.starts_with("config.toml: logging.level:") && e.contains("LOUD"), "{e}");
        let e = load_toml("[methods]\nget_enabled = false\npost_enabled = false\n").unwrap_err();
        assert!(e.contains("at least one"), "{e}");
        let e = load_toml("[auth]\ntokens = [\"ok\", 12345]\n").unwrap_err();
        assert_eq!(e, "config.toml: auth.tokens: expected a list of strings, got an integer");
        let e = load_toml("[providers.aliyun]\nendpoint = \"ftp://x\"\n").unwrap_err();
        assert!(e.starts_with("config.toml: providers.aliyun.endpoint:"), "{e}");
        let e = load_toml("[server\nport=1").unwrap_err();
        assert!(e.starts_with("config.toml: invalid TOML at line 1"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn overridden_values_are_still_checked() {
        let file = |text: &str| {
            let mut w = Vec::new();
            from_toml(text, "/etc/ddns/config.toml", &mut w).unwrap()
        };
        let flag = |key, v: &str, name: &str| Setting::new(key, Raw::Str(v.into()), name);
        for (text, over, key) in [
            ("[server]\nport = \"abc\"\n", flag("server.port", "8080", "--port"), "server.port"),
            (
                "[upstream]\ntimeout = 0\n",
                flag("upstream.timeout", "9", "DDNS_GATEWAY_UPSTREAM_TIMEOUT"),
                "upstream.timeout",
            ),
            ("[logging]\nlevel = \"LOUD\"\n", flag("logging.level", "INFO", "--log-level"), "logging.level"),
            (
                "[providers.tencent]\nendpoint = \"x\"\n",
                flag("providers.tencent.endpoint", "http://h", "X"),
                "providers.tencent.endpoint",
            ),
        ] {
            let mut settings = file(text);
            settings.push(over);
            let e = Config::from_settings(settings).unwrap_err();
            assert!(e.starts_with(&format!("/etc/ddns/config.toml: {key}: ")), "{e}");
        }
        // The same value only from a flag is fine.
        assert_eq!(Config::from_settings(vec![flag("server.port", "8080", "--port")]).unwrap().port, 8080);
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
        assert_eq!(c.endpoint(Kind::Cloudflare).to_string(), "http://127.0.0.1:9/v4");
        assert_eq!(c.warnings, ["unknown environment variable ignored: DDNS_GATEWAY_NOPE"]);
        let e = Config::load(&cli, [("DDNS_GATEWAY_UPSTREAM_TIMEOUT".into(), "x".into())]);
        assert_eq!(e.unwrap_err(), "DDNS_GATEWAY_UPSTREAM_TIMEOUT: expected an integer, got \"x\"");
        let missing = crate::cli::parse(["--config", "/nonexistent/x.toml"].map(Into::into)).unwrap();
        assert!(Config::load(&missing, []).unwrap_err().contains("/nonexistent/x.toml"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
