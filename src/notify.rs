//! Webhook notifications: what `[notify]` configures (URL, events, method, content type,
//! headers, body template), the body for one event, and one queue worker that sends them
//! off the request path. A hanging or failing webhook costs at most `MAX_WAITING` queued
//! events and one warning line per event; the URL's path, query and userinfo and every
//! header value are secrets (bot tokens live there), so lines name only scheme and host.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use http::Method;

use crate::providers::body::json_string;
use crate::time::{Utc, unix_now};
use crate::upstream::{Client, Endpoint, Fault, Response};
use crate::{debug, urlenc, warn};

/// Each try's deadline (the upstream client's own).
const DEADLINE: Duration = Duration::from_secs(10);
/// Events waiting to be sent; more are dropped (and counted in the log).
const MAX_WAITING: usize = 16;
/// The pause before the one retry.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// How much of a webhook's answer a line shows (scrubbed).
const MAX_ANSWER: usize = 200;

/// What a notification is about (`--check-notify` sends `test`, which is none of these).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Created,
    Updated,
    Failed,
    Recovered,
}

/// `notify.events`, in bit order.
const EVENTS: [&str; 4] = ["created", "updated", "failed", "recovered"];
/// Every event: the default of `notify.events`.
const ALL_EVENTS: u8 = 0b1111;

impl Event {
    pub fn as_str(self) -> &'static str {
        EVENTS[self as usize]
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

/// `notify.method` (any case): the methods webhook APIs take a body with.
pub fn method(m: &str) -> Option<Method> {
    match m.trim().to_ascii_uppercase().as_str() {
        "POST" => Some(Method::POST),
        "PUT" => Some(Method::PUT),
        "PATCH" => Some(Method::PATCH),
        _ => None,
    }
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
        let userinfo = match userinfo.map(|u| urlenc::decode(&u.replace("+", "%2B"))) {
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
    /// From the values of `[notify]`, each already checked on its own (`config`); `None`
    /// without a URL. `events` unset is every event; an empty body is the default one.
    pub fn new(
        url: &str,
        events: Option<&[String]>,
        method: &str,
        content_type: String,
        headers: &[String],
        body: String,
    ) -> Option<Settings> {
        let webhook = Webhook::parse(url).ok()?;
        let headers: Vec<(String, String)> = headers.iter().filter_map(|h| header(h).ok()).collect();
        let content_type = content_type.trim().to_string();
        let lower = content_type.to_ascii_lowercase();
        let escape = if lower.contains("json") {
            Escape::Json
        } else if lower.contains("x-www-form-urlencoded") {
            Escape::Form
        } else {
            Escape::Plain
        };
        let basic = webhook
            .userinfo
            .as_ref()
            .map(|u| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(u)));
        // Every piece of a secret, so an answer that echoes one in part is caught too (words
        // of the path such as `send` go with them; pieces under 4 characters hide nothing).
        let mut secrets = Vec::new();
        let texts = std::iter::once(&webhook.target).chain(&webhook.userinfo).chain(&basic);
        for text in texts.chain(headers.iter().map(|(_, v)| v)) {
            for piece in text.split(['/', '?', '&', '=', ':', ' ']) {
                if piece.len() >= 4 {
                    secrets.push(piece.to_string());
                }
            }
        }
        Some(Settings {
            webhook,
            events: events.map_or(Ok(ALL_EVENTS), self::events).unwrap_or(ALL_EVENTS),
            method: self::method(method).unwrap_or(Method::POST),
            content_type,
            headers,
            body: Some(body).filter(|b| !b.is_empty()),
            escape,
            basic,
            secrets,
        })
    }

    pub fn wants(&self, event: Event) -> bool {
        self.events & (1 << event as u8) != 0
    }

    /// The body for an event: the template with each placeholder escaped for the content
    /// type, or one JSON object of every field.
    pub fn render(&self, fields: &Fields<'_>) -> String {
        let Some(template) = &self.body else {
            let mut out = String::from("{");
            for (i, name) in FIELDS.iter().enumerate() {
                let value = fields[i].map_or("null".to_string(), json_string);
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
            let value = fields[i].unwrap_or("");
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

    /// Sends one body, each try within `DEADLINE`, with one retry a second after a failure
    /// that may pass (no connection, 429, 5xx; a webhook that hangs is not waited for twice).
    /// Ok is the status and the (scrubbed) answer. Boxed: the worker and `--check-notify`
    /// share one copy of its code.
    pub fn deliver<'a>(&'a self, client: &'a Client, body: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            let has = |name: &str| self.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
            let mut headers: Vec<(&str, &str)> = Vec::new();
            if !has("content-type") {
                headers.push(("content-type", &self.content_type));
            }
            if let Some(basic) = self.basic.as_deref().filter(|_| !has("authorization")) {
                headers.push(("authorization", basic));
            }
            headers.extend(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let (ep, target) = (&self.webhook.endpoint, &self.webhook.target);
            let mut retried = false;
            loop {
                let (again, why) = match client
                    .send(ep, self.method.clone(), target, &headers, body.as_bytes().to_vec())
                    .await
                {
                    Ok(r) if r.status < 300 => return Ok(self.answer(&r)),
                    Ok(r) => (r.status >= 500 || r.status == 429, self.answer(&r)),
                    Err(fault) => (!matches!(fault, Fault::Timeout(_)), fault.to_string()),
                };
                if !again || retried {
                    return Err(why);
                }
                retried = true;
                tokio::time::sleep(RETRY_AFTER).await;
            }
        })
    }

    fn answer(&self, r: &Response) -> String {
        let text = self.scrub(&String::from_utf8_lossy(&r.body));
        if text.is_empty() { format!("HTTP {}", r.status) } else { format!("HTTP {}: {text}", r.status) }
    }
}

/// A notification being sent: Ok is the status and answer, Err why it was not taken.
pub type Delivery<'a> = Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'a>>;

/// The placeholders, in the order of the default body.
pub const FIELDS: [&str; 10] =
    ["event", "provider", "zone", "record", "fqdn", "type", "value", "previous_value", "message", "time"];

/// The placeholders' values for one event, in `FIELDS` order; `None` is JSON null (and
/// empty in a template).
pub type Fields<'a> = [Option<&'a str>; 10];

/// The notifications of a running gateway: a bounded queue and the one task that empties
/// it, in order, one at a time (started with the first event).
pub struct Notifier {
    settings: Settings,
    client: Client,
    queue: Mutex<Queue>,
    wake: tokio::sync::Notify,
}

/// Bodies waiting, each with what it is about (`updated home.example.com A`) for the log.
#[derive(Default)]
struct Queue {
    waiting: Vec<(String, String)>,
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

    /// Queues an event's notification without waiting (its body is made now); a full queue
    /// drops it. `fields[0]` names the event.
    pub fn push(self: &Arc<Self>, fields: &Fields<'_>) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if q.waiting.len() >= MAX_WAITING {
            q.dropped += 1;
            return;
        }
        let what = [fields[0], fields[4], fields[5]].map(Option::unwrap_or_default).join(" ");
        q.waiting.push((what, self.settings.render(fields)));
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
                let next = (!q.waiting.is_empty()).then(|| q.waiting.remove(0));
                (next, std::mem::take(&mut q.dropped))
            };
            if dropped > 0 {
                warn!("notify {to}: {dropped} notification(s) dropped: {MAX_WAITING} were already waiting");
            }
            let Some((what, body)) = next else {
                self.wake.notified().await;
                continue;
            };
            match self.settings.deliver(&self.client, &body).await {
                Ok(answer) => debug!("notify {to}: {what} sent ({answer})"),
                Err(why) => warn!("notify {to}: {what} not sent: {why}"),
            }
        }
    }
}

/// `--check-notify`: one test notification with these settings, event `test` about
/// documentation addresses (RFC 5737). Ok is the line to print.
pub async fn check(settings: Option<Settings>) -> Result<String, String> {
    let notifier = Notifier::new(settings.ok_or("notify.url is not set")?);
    let s = &notifier.settings;
    let time = Utc::from_unix(unix_now()).iso8601();
    let fqdn = "ddns-gateway-test.example.com";
    let message = "ddns-gateway test notification (--check-notify)";
    let test = [
        "test",
        "test",
        "example.com",
        "ddns-gateway-test",
        fqdn,
        "A",
        "192.0.2.1",
        "192.0.2.0",
        message,
        &time,
    ];
    let to = &s.webhook.endpoint;
    let answer =
        s.deliver(&notifier.client, &s.render(&test.map(Some))).await.map_err(|e| format!("{to}: {e}"))?;
    Ok(format!("test notification sent to {to}: {answer}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, ctype: &str, headers: &[&str], body: Option<&str>) -> Settings {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        Settings::new(url, None, "POST", ctype.into(), &headers, body.unwrap_or_default().into()).unwrap()
    }

    fn notice(value: &str) -> Fields<'_> {
        let f =
            ["updated", "cloudflare", "example.com", "home", "home.example.com", "TXT", value, "", "m", "t"];
        let mut f = f.map(Some);
        f[7] = None;
        f
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
        let s = settings("http://u+1:p%40ss@127.0.0.1:8080?key=k#frag", "", &[], None);
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
        assert_eq!(method("put"), Some(Method::PUT));
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
            "https://u:pw12@h/bot123:SeCrEt/send?key=KeY-4242",
            "application/json",
            &["Authorization: Bearer tk_abcdef"],
            None,
        );
        let out = s.scrub("echo bot123:SeCrEt KeY-4242 tk_abcdef pw12 \u{1b}[2J but ok");
        for leak in ["SeCrEt", "KeY-4242", "tk_abcdef", "pw12", "\u{1b}"] {
            assert!(!out.contains(leak), "{leak} in {out}");
        }
        assert!(out.ends_with("[2J but ok"), "{out}");
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
