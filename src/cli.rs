//! Command-line flags. They become settings of the highest precedence; `config` merges and
//! type-checks them with the environment and the file.

use crate::error::quoted;
use crate::settings::{Raw, Setting};

pub const HELP: &str = "\
ddns-gateway: a DDNS update gateway for MikroTik RouterOS (Cloudflare, Aliyun DNS, Tencent DNSPod,
Huawei Cloud DNS, Tencent EdgeOne, Alibaba Cloud ESA, Porkbun)

Usage: ddns-gateway [OPTIONS]

Options:
  --config PATH                  Config file (default: ./config.toml when it exists)
  --host HOST                    Listen address (default 0.0.0.0)
  --port PORT                    Listen port (default 38080)
  --log-level LEVEL              DEBUG, INFO, WARNING, ERROR or CRITICAL (default INFO)
  --auth-enabled                 Require `Authorization: Bearer <token>` on /update
  --auth-disabled                Do not require a token (default)
  --auth-tokens TOKEN...         Accepted tokens: space-separated and/or repeated
  --methods LIST                 Enabled methods for /update, comma-separated: get,post
  --log-file-enabled             Also append log lines to --log-file-path
  --log-file-disabled            Log to stderr only (default)
  --log-file-path PATH           Log file (default /var/log/ddns-gateway.log)
  --health-enabled               Serve GET /health
  --health-disabled              Answer 404 on /health (default)
  --healthcheck                  Exit 0 if the gateway configured here answers HTTP within
                                 2 s, else 1 (a container health check: the image has no shell)
  --check-notify                 Send one test notification as [notify] configures it; exit 0
                                 when the webhook took it, else 1 with the reason
  -h, --help                     Print this help
  -V, --version                  Print the version

Every setting can also come from the environment as DDNS_GATEWAY_<SECTION>_<KEY>
(e.g. DDNS_GATEWAY_SERVER_PORT=8080). Precedence: flags > environment > file > defaults.
";

/// What the command line asked for.
#[derive(Debug, Default)]
pub struct Cli {
    pub config: Option<String>,
    pub help: bool,
    pub version: bool,
    pub healthcheck: bool,
    pub check_notify: bool,
    pub settings: Vec<Setting>,
}

/// Parses the arguments (without the program name). The error is one line naming the flag.
pub fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Cli, String> {
    use lexopt::prelude::*;

    let mut cli = Cli::default();
    let mut tokens: Option<Vec<Raw>> = None;
    // Each exclusive pair: (name given, which flag of the pair was seen first).
    let mut seen_switch: Vec<(&'static str, &'static str)> = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);

    let mut switch = |cli: &mut Cli, key: &'static str, flag: &'static str, value: bool| {
        if let Some((_, other)) = seen_switch.iter().find(|(k, f)| *k == key && *f != flag) {
            return Err(format!("{other} and {flag} cannot be used together"));
        }
        seen_switch.push((key, flag));
        cli.settings.push(Setting::new(key, Raw::Bool(value), flag));
        Ok(())
    };

    while let Some(arg) = parser.next().map_err(lexopt_fault)? {
        let string_value = |parser: &mut lexopt::Parser, flag: &str| -> Result<String, String> {
            let v = parser.value().map_err(|_| format!("{flag} needs a value"))?;
            v.into_string().map_err(|_| format!("{flag}: value is not valid UTF-8"))
        };
        match arg {
            Short('h') | Long("help") => cli.help = true,
            Short('V') | Long("version") => cli.version = true,
            Long("healthcheck") => cli.healthcheck = true,
            Long("check-notify") => cli.check_notify = true,
            Long("config") => cli.config = Some(string_value(&mut parser, "--config")?),
            Long(flag @ ("host" | "port" | "log-level" | "log-file-path")) => {
                let (key, name) = match flag {
                    "host" => ("server.host", "--host"),
                    "port" => ("server.port", "--port"),
                    "log-level" => ("logging.level", "--log-level"),
                    _ => ("logging.file_path", "--log-file-path"),
                };
                let v = string_value(&mut parser, name)?;
                cli.settings.push(Setting::new(key, Raw::Str(v), name));
            }
            Long("auth-enabled") => switch(&mut cli, "auth.enabled", "--auth-enabled", true)?,
            Long("auth-disabled") => switch(&mut cli, "auth.enabled", "--auth-disabled", false)?,
            Long("log-file-enabled") => switch(&mut cli, "logging.file_enabled", "--log-file-enabled", true)?,
            Long("log-file-disabled") => {
                switch(&mut cli, "logging.file_enabled", "--log-file-disabled", false)?
            }
            Long("health-enabled") => switch(&mut cli, "health.enabled", "--health-enabled", true)?,
            Long("health-disabled") => switch(&mut cli, "health.enabled", "--health-disabled", false)?,
            Long("auth-tokens") => {
                let values = parser.values().map_err(|_| "--auth-tokens needs a value".to_string())?;
                let list = tokens.get_or_insert_with(Vec::new);
                for v in values {
                    let v =
                        v.into_string().map_err(|_| "--auth-tokens: value is not valid UTF-8".to_string())?;
                    list.extend(v.split_whitespace().map(|t| Raw::Str(t.to_string())));
                }
            }
            Long("methods") => {
                let v = string_value(&mut parser, "--methods")?;
                let (get, post) = parse_methods(&v)?;
                cli.settings.push(Setting::new("methods.get_enabled", Raw::Bool(get), "--methods"));
                cli.settings.push(Setting::new("methods.post_enabled", Raw::Bool(post), "--methods"));
            }
            Value(v) => {
                return Err(format!("unexpected argument {} (see --help)", quoted(&v.to_string_lossy())));
            }
            other => return Err(format!("{} (see --help)", other.unexpected())),
        }
    }
    if let Some(list) = tokens {
        cli.settings.push(Setting::new("auth.tokens", Raw::List(list), "--auth-tokens"));
    }
    Ok(cli)
}

/// lexopt's own messages show values with `{:?}`, which the release build does not format;
/// a flag given a value it does not take is named without quoting the value.
fn lexopt_fault(e: lexopt::Error) -> String {
    match e {
        lexopt::Error::UnexpectedValue { option, .. } => format!("{option} takes no value"),
        lexopt::Error::NonUnicodeValue(_) => "an argument is not valid UTF-8".into(),
        e => e.to_string(),
    }
}

/// `get,post` → (true, true); `post` → (false, true).
fn parse_methods(v: &str) -> Result<(bool, bool), String> {
    let (mut get, mut post) = (false, false);
    for m in v.split([',', ' ']).map(str::trim).filter(|m| !m.is_empty()) {
        match m.to_ascii_lowercase().as_str() {
            "get" => get = true,
            "post" => post = true,
            _ => return Err(format!("--methods: unknown method {} (expected get and/or post)", quoted(m))),
        }
    }
    if !get && !post {
        return Err("--methods: expected get and/or post, got an empty list".into());
    }
    Ok((get, post))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<std::ffi::OsString> {
        a.iter().map(Into::into).collect()
    }

    fn setting<'a>(cli: &'a Cli, key: &str) -> Option<&'a Raw> {
        cli.settings.iter().rev().find(|s| s.key == key).map(|s| &s.raw)
    }

    #[test]
    fn tokens_space_separated_and_repeated() {
        let cli = parse(args(&["--auth-tokens", "a", "b", "--port", "1", "--auth-tokens", "c"])).unwrap();
        let toks = ["a", "b", "c"].map(|t| Raw::Str(t.into())).to_vec();
        assert_eq!(setting(&cli, "auth.tokens"), Some(&Raw::List(toks)));
        assert_eq!(setting(&cli, "server.port"), Some(&Raw::Str("1".into())));
    }

    #[test]
    fn methods_set_both_switches() {
        let cli = parse(args(&["--methods", "post"])).unwrap();
        assert_eq!(setting(&cli, "methods.get_enabled"), Some(&Raw::Bool(false)));
        assert_eq!(setting(&cli, "methods.post_enabled"), Some(&Raw::Bool(true)));
        let err = parse(args(&["--methods", "get,put"])).unwrap_err();
        assert!(err.contains("--methods") && err.contains("put"), "{err}");
    }

    #[test]
    fn exclusive_pairs_and_unknown_flags_name_the_flag() {
        let err = parse(args(&["--auth-enabled", "--auth-disabled"])).unwrap_err();
        assert_eq!(err, "--auth-enabled and --auth-disabled cannot be used together");
        // The same flag twice is not a conflict.
        assert!(parse(args(&["--health-enabled", "--health-enabled"])).is_ok());
        assert!(parse(args(&["--bogus"])).unwrap_err().contains("--bogus"));
        assert!(parse(args(&["--port"])).unwrap_err().contains("--port"));
        assert_eq!(parse(args(&["stray"])).unwrap_err(), r#"unexpected argument "stray" (see --help)"#);
        // A value given to a switch is not echoed (it might be a token typed in the wrong place).
        assert_eq!(parse(args(&["--healthcheck=s3cret"])).unwrap_err(), "--healthcheck takes no value");
    }
}
