//! Webhook notifications: what `[notify]` configures (URL, events, method, content type,
//! headers, body template), the body for one event, and one queue worker that sends them
//! off the request path. A hanging or failing webhook costs at most `MAX_WAITING` queued
//! events and one warning line per event; the URL's path, query and userinfo and every
//! header value are secrets (bot tokens live there), so lines name only scheme and host.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use http::Method;

use crate::time::{Utc, unix_now};
use crate::upstream::{Client, Endpoint, Response};
use crate::{debug, urlenc, warn};

/// One notification's whole deadline, both attempts included.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// Events waiting to be sent; more are dropped (and counted in the log).
pub const MAX_WAITING: usize = 16;
/// The pause before the one retry.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// How much of a webhook's answer a line shows (scrubbed).
const MAX_ANSWER: usize = 200;

/// What a notification is about. `Test` is `--check-notify`'s, sent whatever `events` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Created,
    Updated,
    Failed,
    Recovered,
    Test,
}

/// `notify.events`, in bit order.
pub const EVENTS: [&str; 4] = ["created", "updated", "failed", "recovered"];
/// Every event: the default of `notify.events`.
pub const ALL_EVENTS: u8 = 0b1111;

impl Event {
    pub fn as_str(self) -> &'static str {
        EVENTS.get(self as usize).copied().unwrap_or("test")
    }
}

/// The set of events `notify.events` names, or the position of the first unknown one.
pub fn events(names: &[String]) -> Result<u8, usize> {
    let mut set = 0;
    for (i, name) in names.iter().enumerate() {
        let at = EVENTS.iter().position(|e| e.eq_ignore_ascii_case(name.trim())).ok_or(i)?;
        set |= 1 << at;
    }
    Ok(set)
}

/// One `Name: value` header of `notify.headers`. The fault is told without the text: the
/// value is often a token.
pub fn header(line: &str) -> Result<(String, String), &'static str> {
    let (name, value) = line.split_once(':').ok_or("expected Name: value")?;
    let (name, value) = (name.trim(), value.trim());
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err("not a valid header name");
    }
    if http::HeaderValue::from_str(value).is_err() {
        return Err("the value has characters a header cannot carry");
    }
    Ok((name.to_string(), value.to_string()))
}

/// `notify.method`, upper-cased: the methods webhook APIs take a body with.
pub fn method(m: &str) -> Option<String> {
    let m = m.trim().to_ascii_uppercase();
    ["POST", "PUT", "PATCH"].contains(&m.as_str()).then_some(m)
}

/// A webhook URL: where to connect (`endpoint`, which names no secret), the request target
/// (path and query: secret) and the userinfo, decoded (secret: sent as `Authorization: Basic`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub endpoint: Endpoint,
    target: String,
    userinfo: Option<String>,
}

impl Webhook {
    /// `https://user:pass@host:port/path?query` (the fragment, never sent, is dropped). Errors
    /// never quote the URL.
    pub fn parse(url: &str) -> Result<Webhook, String> {
        let url = url.trim();
        let url = url.split('#').next().unwrap_or(url);
        let (scheme, rest) = url.split_once("://").ok_or("expected an http:// or https:// URL")?;
        let (authority, target) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
        let (userinfo, host) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        // Endpoint checks scheme, host and port; the rest is ours.
        let endpoint = Endpoint::parse(&format!("{scheme}://{host}"))?;
        let target = match target {
            "" => "/".to_string(),
            t if t.starts_with('?') => format!("/{t}"),
            t => t.to_string(),
        };
        if http::uri::PathAndQuery::try_from(target.as_str()).is_err() {
            return Err("the URL's path or query has characters that must be percent-encoded".into());
        }
        // In a URL's userinfo `+` is itself, not a space.
        let userinfo = match userinfo.map(|u| urlenc::decode(&u.replace('+', "%2B"))) {
            Some(Err(_)) => return Err("the URL's user or password is not valid UTF-8 once decoded".into()),
            other => other.map(Result::unwrap_or_default),
        };
        Ok(Webhook { endpoint, target, userinfo })
    }
}

/// How placeholders are escaped, by the content type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Escape {
    Json,
    Form,
    Plain,
}

/// `[notify]`, checked.
#[derive(Clone)]
pub struct Settings {
    pub webhook: Webhook,
    events: u8,
    method: Method,
    content_type: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    escape: Escape,
    /// `Authorization: Basic …` from the URL's userinfo.
    basic: Option<String>,
    /// The strings a webhook's answer must not carry into a line: the URL's path and query
    /// pieces, its userinfo, the header values.
    secrets: Vec<String>,
}

// Hand-written: the URL's target and the header values are secrets.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Settings({} {}, <hidden>)", self.method, self.webhook.endpoint)
    }
}

impl Settings {
    /// From values already checked one by one (`config`).
    pub fn new(
        webhook: Webhook,
        events: u8,
        method: &str,
        content_type: String,
        headers: Vec<(String, String)>,
        body: Option<String>,
    ) -> Settings {
        let lower = content_type.to_ascii_lowercase();
        let escape = if lower.contains("json") {
            Escape::Json
        } else if lower.contains("x-www-form-urlencoded") {
            Escape::Form
        } else {
            Escape::Plain
        };
        let mut secrets: Vec<String> = webhook.target.split(['/', '?', '&', '=']).map(String::from).collect();
        secrets.extend(
            headers.iter().flat_map(|(_, v)| [v.clone()].into_iter().chain(v.split(' ').map(String::from))),
        );
        let basic = webhook.userinfo.as_ref().map(|u| {
            secrets.extend(u.split(':').map(String::from).chain([u.clone()]));
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(u))
        });
        secrets.extend(basic.clone());
        secrets.retain(|s| s.len() >= 6);
        // Longest first, so a token is replaced whole before a piece of it.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Settings {
            webhook,
            events,
            method: Method::from_bytes(method.as_bytes()).unwrap_or(Method::POST),
            content_type,
            headers,
            body,
            escape,
            basic,
            secrets,
        }
    }

    pub fn wants(&self, event: Event) -> bool {
        event == Event::Test || self.events & (1 << event as u8) != 0
    }

    /// The body for a notice: the template with each placeholder escaped for the content
    /// type, or one JSON object of every field.
    pub fn render(&self, n: &Notice) -> String {
        let Some(template) = &self.body else {
            let mut out = String::from("{");
            for (i, name) in FIELDS.iter().enumerate() {
                let value = n.field(i).map_or("null".to_string(), json_string);
                out.push_str(&format!("{}\"{name}\":{value}", if i > 0 { "," } else { "" }));
            }
            out.push('}');
            return out;
        };
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template.as_str();
        while let Some(at) = rest.find('{') {
            out.push_str(&rest[..at]);
            rest = &rest[at + 1..];
            let known =
                FIELDS.iter().position(|f| rest.strip_prefix(f).is_some_and(|after| after.starts_with('}')));
            let Some(i) = known else {
                out.push('{');
                continue;
            };
            let value = n.field(i).unwrap_or("");
            match self.escape {
                Escape::Json => {
                    let quoted = json_string(value);
                    out.push_str(&quoted[1..quoted.len() - 1]);
                }
                Escape::Form => out.push_str(&urlenc::encode(value)),
                Escape::Plain => out.push_str(value),
            }
            rest = &rest[FIELDS[i].len() + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A webhook's answer made fit for a line: control characters dropped, every secret
    /// replaced, cut short.
    fn scrub(&self, text: &str) -> String {
        let mut out: String = text.chars().filter(|c| !c.is_control()).collect();
        for s in &self.secrets {
            out = out.replace(s.as_str(), "<redacted>");
        }
        crate::log::escape(out.trim(), MAX_ANSWER)
    }

    /// Sends one notice, with one retry after a failure that may pass (no answer, 429,
    /// 5xx), all within `DEADLINE`. Ok is the status and the (scrubbed) answer.
    pub async fn deliver(&self, client: &Client, n: &Notice) -> Result<String, String> {
        let body = self.render(n);
        let has = |name: &str| self.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if !has("content-type") {
            headers.push(("content-type", &self.content_type));
        }
        if let Some(basic) = self.basic.as_deref().filter(|_| !has("authorization")) {
            headers.push(("authorization", basic));
        }
        headers.extend(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let once = || async {
            let sent = client.send(
                &self.webhook.endpoint,
                self.method.clone(),
                &self.webhook.target,
                &headers,
                body.clone().into_bytes(),
            );
            match sent.await {
                Ok(r) if r.status < 300 => Ok(self.answer(&r)),
                Ok(r) => Err((r.status >= 500 || r.status == 429, self.answer(&r))),
                Err(fault) => Err((true, fault.to_string())),
            }
        };
        let both = async {
            match once().await {
                Err((true, _)) => {
                    tokio::time::sleep(RETRY_AFTER).await;
                    once().await
                }
                other => other,
            }
        };
        match tokio::time::timeout(DEADLINE, both).await {
            Ok(r) => r.map_err(|(_, why)| why),
            Err(_) => Err(format!("no answer within {} s", DEADLINE.as_secs())),
        }
    }

    fn answer(&self, r: &Response) -> String {
        let text = self.scrub(&String::from_utf8_lossy(&r.body));
        if text.is_empty() { format!("HTTP {}", r.status) } else { format!("HTTP {}: {text}", r.status) }
    }
}

/// A string as a JSON string literal, quotes included.
pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The placeholders, in the order of the default body.
pub const FIELDS: [&str; 10] =
    ["event", "provider", "zone", "record", "fqdn", "type", "value", "previous_value", "message", "time"];

/// One event about one record, as the templates see it.
#[derive(Clone, Debug)]
pub struct Notice {
    pub event: Event,
    pub provider: &'static str,
    pub zone: String,
    pub record: String,
    pub fqdn: String,
    pub rtype: &'static str,
    pub value: String,
    pub previous_value: Option<String>,
    pub message: String,
    /// ISO 8601, UTC.
    pub time: String,
}

impl Notice {
    /// The `FIELDS[i]` value; `None` is JSON null (or empty in a template).
    fn field(&self, i: usize) -> Option<&str> {
        Some(match i {
            0 => self.event.as_str(),
            1 => self.provider,
            2 => &self.zone,
            3 => &self.record,
            4 => &self.fqdn,
            5 => self.rtype,
            6 => &self.value,
            7 => return self.previous_value.as_deref(),
            8 => &self.message,
            _ => &self.time,
        })
    }

    /// What `--check-notify` sends: documentation addresses (RFC 5737), event `test`.
    pub fn test() -> Notice {
        Notice {
            event: Event::Test,
            provider: "test",
            zone: "example.com".into(),
            record: "ddns-gateway-test".into(),
            fqdn: "ddns-gateway-test.example.com".into(),
            rtype: "A",
            value: "192.0.2.1".into(),
            previous_value: Some("192.0.2.0".into()),
            message: "ddns-gateway test notification: the webhook works".into(),
            time: Utc::from_unix(unix_now()).iso8601(),
        }
    }
}

/// The notifications of a running gateway: a bounded queue and the one task that empties
/// it, in order, one at a time (started with the first event).
pub struct Notifier {
    settings: Settings,
    client: Client,
    queue: Mutex<Queue>,
    wake: tokio::sync::Notify,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Notice>,
    dropped: u64,
    running: bool,
}

impl Notifier {
    pub fn new(settings: Settings) -> Arc<Notifier> {
        // A client of its own: a hanging webhook never holds a provider call's slot.
        Arc::new(Notifier {
            settings,
            client: Client::new(DEADLINE),
            queue: Mutex::default(),
            wake: tokio::sync::Notify::new(),
        })
    }

    pub fn wants(&self, event: Event) -> bool {
        self.settings.wants(event)
    }

    /// Queues a notice (if its event is wanted) without waiting; a full queue drops it.
    pub fn push(self: &Arc<Self>, n: Notice) {
        if !self.wants(n.event) {
            return;
        }
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if q.waiting.len() >= MAX_WAITING {
            q.dropped += 1;
            return;
        }
        q.waiting.push_back(n);
        if !q.running {
            q.running = true;
            tokio::spawn(self.clone().run());
        }
        drop(q);
        self.wake.notify_one();
    }

    async fn run(self: Arc<Self>) {
        let to = &self.settings.webhook.endpoint;
        loop {
            let (next, dropped) = {
                let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
                (q.waiting.pop_front(), std::mem::take(&mut q.dropped))
            };
            if dropped > 0 {
                warn!("notify {to}: {dropped} notification(s) dropped: {MAX_WAITING} were already waiting");
            }
            let Some(n) = next else {
                self.wake.notified().await;
                continue;
            };
            let what = format!("{} {} {}", n.event.as_str(), n.fqdn, n.rtype);
            match self.settings.deliver(&self.client, &n).await {
                Ok(answer) => debug!("notify {to}: {what} sent ({answer})"),
                Err(why) => warn!("notify {to}: {what} not sent: {why}"),
            }
        }
    }
}

/// `--check-notify`: one test notice with these settings, on a runtime of its own. Ok is
/// the line to print.
pub fn check(settings: Option<&Settings>) -> Result<String, String> {
    let settings = settings.ok_or("notify.url is not set")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let client = Client::new(DEADLINE);
    let to = &settings.webhook.endpoint;
    let answer = rt.block_on(settings.deliver(&client, &Notice::test())).map_err(|e| format!("{to}: {e}"))?;
    Ok(format!("test notification sent to {to}: {answer}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, ctype: &str, headers: &[&str], body: Option<&str>) -> Settings {
        let headers = headers.iter().map(|h| header(h).unwrap()).collect();
        Settings::new(
            Webhook::parse(url).unwrap(),
            ALL_EVENTS,
            "POST",
            ctype.into(),
            headers,
            body.map(Into::into),
        )
    }

    fn notice(value: &str) -> Notice {
        Notice {
            event: Event::Updated,
            provider: "cloudflare",
            zone: "example.com".into(),
            record: "home".into(),
            fqdn: "home.example.com".into(),
            rtype: "TXT",
            value: value.into(),
            previous_value: None,
            message: "m".into(),
            time: "2026-01-12T03:58:51Z".into(),
        }
    }

    #[test]
    fn urls() {
        let w = Webhook::parse("https://api.telegram.org/bot123:AbC/sendMessage").unwrap();
        assert_eq!(
            (w.endpoint.to_string(), w.target.as_str()),
            ("https://api.telegram.org".into(), "/bot123:AbC/sendMessage")
        );
        let w = Webhook::parse("http://u+1:p%40ss@127.0.0.1:8080?key=k#frag").unwrap();
        assert_eq!(w.target, "/?key=k");
        assert_eq!(w.userinfo.as_deref(), Some("u+1:p@ss"));
        let s = Settings::new(w, ALL_EVENTS, "POST", String::new(), Vec::new(), None);
        assert_eq!(s.basic.as_deref(), Some("Basic dSsxOnBAc3M="));
        assert_eq!(Webhook::parse("https://ntfy.sh").unwrap().target, "/");
        for bad in
            ["ftp://h/x", "ntfy.sh/topic", "https://", "https://h:0/", "https://h/a b", "https://h/\u{7f}"]
        {
            assert!(Webhook::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_events_methods() {
        assert_eq!(header(" Title :  DDNS, now ").unwrap(), ("Title".into(), "DDNS, now".into()));
        assert_eq!(header("NoColon"), Err("expected Name: value"));
        assert!(header("Bad Name: x").is_err());
        assert!(header("X: a\u{1}b").is_err());
        assert_eq!(events(&["Created".into(), " failed".into()]), Ok(0b101));
        assert_eq!(events(&["created".into(), "changed".into()]), Err(1));
        assert_eq!(method("put").as_deref(), Some("PUT"));
        assert_eq!(method("DELETE"), None);
    }

    #[test]
    fn templates_escape_by_content_type() {
        let v = "a\"b\\c\nd&e=f g";
        let s = settings(
            "http://h/",
            "application/json",
            &[],
            Some(r#"{"text":"{fqdn} {value}","x":"{nope}","p":"{previous_value}"}"#),
        );
        let body: serde_json::Value = serde_json::from_str(&s.render(&notice(v))).unwrap();
        assert_eq!(body["text"], format!("home.example.com {v}"));
        assert_eq!((body["x"].as_str(), body["p"].as_str()), (Some("{nope}"), Some("")));
        let s = settings("http://h/", "application/x-www-form-urlencoded", &[], Some("v={value}&t={type}"));
        let pairs = urlenc::decode_pairs(&s.render(&notice(v))).unwrap();
        assert_eq!(pairs, [("v".to_string(), v.to_string()), ("t".into(), "TXT".into())]);
        let s = settings("http://h/", "text/plain; charset=utf-8", &[], Some("{event}: {value}"));
        assert_eq!(s.render(&notice(v)), format!("updated: {v}"));
        // The default body: every field, null for an absent previous value.
        let s = settings("http://h/", "application/json", &[], None);
        let body: serde_json::Value = serde_json::from_str(&s.render(&notice(v))).unwrap();
        assert_eq!(body.as_object().unwrap().len(), FIELDS.len());
        assert_eq!((body["value"].as_str(), body["previous_value"].is_null()), (Some(v), true));
    }

    #[test]
    fn answers_are_scrubbed() {
        let s = settings(
            "https://u:pw1234@h/bot123:SeCrEt/send?key=KeY-4242",
            "application/json",
            &["Authorization: Bearer tk_abcdef"],
            None,
        );
        let out = s.scrub("echo bot123:SeCrEt KeY-4242 tk_abcdef pw1234 \u{1b}[2J send ok");
        for leak in ["SeCrEt", "KeY-4242", "tk_abcdef", "pw1234", "\u{1b}"] {
            assert!(!out.contains(leak), "{leak} in {out}");
        }
        assert!(out.ends_with("[2J send ok"), "{out}");
    }

    #[test]
    fn config_keys_from_file_and_environment() {
        use crate::config::Config;
        let c = Config::from_toml_text(
            "[notify]\nurl = \"https://api.telegram.org/bot1:TOKEN/sendMessage\"\nevents = [\"failed\", \"recovered\"]\n\
             method = \"put\"\ncontent_type = \"text/plain\"\nheaders = [\"Title: a, b\", \"X-Key: k\"]\nbody = \"{message}\"\n",
        )
        .unwrap();
        let n = c.notify.unwrap();
        assert_eq!(
            (n.webhook.endpoint.host.as_str(), n.webhook.target.as_str()),
            ("api.telegram.org", "/bot1:TOKEN/sendMessage")
        );
        assert!(n.wants(Event::Failed) && n.wants(Event::Recovered) && !n.wants(Event::Updated));
        assert_eq!(
            (n.method.as_str(), n.content_type.as_str(), n.escape),
            ("PUT", "text/plain", Escape::Plain)
        );
        assert_eq!(n.headers, [("Title".into(), "a, b".into()), ("X-Key".into(), "k".into())]);
        assert!(!format!("{n:?}").contains("TOKEN"));
        assert!(Config::default().notify.is_none());

        // One variable holds the header list one per line: values may hold commas and spaces.
        let cli = crate::cli::parse(Vec::<std::ffi::OsString>::new()).unwrap();
        let env = [
            ("DDNS_GATEWAY_NOTIFY_URL", "http://127.0.0.1:9/hook"),
            ("DDNS_GATEWAY_NOTIFY_HEADERS", "Authorization: Bearer a, b\r\nTags: x,y\n"),
            ("DDNS_GATEWAY_NOTIFY_EVENTS", "created, updated"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let n = Config::load(&cli, env).unwrap().notify.unwrap();
        assert_eq!(
            n.headers,
            [("Authorization".into(), "Bearer a, b".into()), ("Tags".into(), "x,y".into())]
        );
        assert!(n.wants(Event::Updated) && !n.wants(Event::Failed));
        assert_eq!(
            (n.method.as_str(), n.content_type.as_str(), n.escape),
            ("POST", "application/json", Escape::Json)
        );
        // Empty: off.
        let off = Config::load(&cli, [("DDNS_GATEWAY_NOTIFY_URL".into(), " ".into())]).unwrap();
        assert!(off.notify.is_none());
    }

    #[test]
    fn bad_settings_name_the_key_and_never_the_secret() {
        use crate::config::Config;
        for (toml, want) in [
            ("url = \"ftp://h/bot1:SECRET\"", "config.toml: notify.url: expected an http:// or https:// URL"),
            ("url = \"https://h/bot1:SECRET x\"", "config.toml: notify.url: the URL's path or query"),
            ("events = [\"created\", \"changed\"]", "config.toml: notify.events: unknown event \"changed\""),
            (
                "method = \"DELETE\"",
                "config.toml: notify.method: expected POST, PUT or PATCH, got \"DELETE\"",
            ),
            (
                "headers = [\"A: 1\", \"Bearer SECRET\"]",
                "config.toml: notify.headers: header 2: expected Name: value",
            ),
            (
                "headers = \"Bad Name: SECRET\"",
                "config.toml: notify.headers: header 1: not a valid header name",
            ),
            ("content_type = \"\"", "config.toml: notify.content_type: not a valid content type"),
        ] {
            let e = Config::from_toml_text(&format!("[notify]\n{toml}\n")).unwrap_err();
            assert!(e.starts_with(want), "{e}");
            assert!(!e.contains("SECRET"), "{e}");
        }
        // Checked even when the environment overrides it.
        let dir = std::env::temp_dir().join(format!("ddns-notify-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "[notify]\nurl = \"gopher://h/SECRET\"\n").unwrap();
        let cli =
            crate::cli::parse(["--config", file.to_str().unwrap()].map(std::ffi::OsString::from)).unwrap();
        let e = Config::load(&cli, [("DDNS_GATEWAY_NOTIFY_URL".into(), "http://127.0.0.1:9/".into())])
            .unwrap_err();
        assert!(e.ends_with("c.toml: notify.url: expected an http:// or https:// URL"), "{e}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
