//! What the gateway did for each record since it started: the table behind `GET /status`,
//! and the transitions that become notifications (`created`/`updated` on a change, `failed`
//! once when a record starts failing, `recovered` on its next success).
//!
//! A failure counts when it is about the record with its provider: a refusal, an error or
//! no answer from the provider, a missing zone, several records, its rate limit, an unset
//! clock. A request the gateway itself finds wrong (4xx from its own checks), or turns away
//! because too many wait for that record already, says nothing about the record and is left
//! out.

use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::error::Error;
use crate::notify::{Event, Notifier};
use crate::providers::Kind;
use crate::providers::body::json_string;
use crate::providers::reconcile::{Action, Outcome};
use crate::record::RecordType;
use crate::request::ValidRequest;
use crate::time::{Utc, unix_now};

/// Records kept at most: the bound of the Cloudflare zone cache, far more than a router
/// has, and a cap on what a client sending ever new names can make us hold.
pub const MAX_RECORDS: usize = crate::providers::cloudflare::MAX_ZONES;
/// The longest error message kept (a provider's is already cut at 300 characters).
const MAX_ERROR: usize = 400;

type Key = (Kind, String, RecordType);

struct Entry {
    key: Key,
    /// The value the record has since the last success.
    value: Option<String>,
    last_action: &'static str,
    last_success: Option<i64>,
    last_error: Option<(String, i64)>,
    updates: u64,
    failures: u64,
    /// Failures since the last success (a `failed` went out with the first).
    failing: u64,
    seen: Instant,
}

/// A list, not a map: a few records, at most `MAX_RECORDS`, in the order first seen.
pub struct Records {
    started: Instant,
    table: Mutex<Vec<Entry>>,
}

impl Default for Records {
    fn default() -> Records {
        Records { started: Instant::now(), table: Mutex::default() }
    }
}

/// Whether an update's error is the record's failure (see the module's notes).
fn counts(e: &Error) -> bool {
    !matches!(e, Error::Invalid(_) | Error::BadRequest(_) | Error::Credential(_) | Error::RecordBusy(_))
}

impl Records {
    /// Notes one update's result, and queues the notifications it calls for.
    pub fn observe(
        &self,
        valid: &ValidRequest,
        result: &Result<Outcome, Error>,
        notify: Option<&Arc<Notifier>>,
    ) {
        if result.as_ref().is_err_and(|e| !counts(e)) {
            return;
        }
        let want = &valid.record;
        let now = unix_now();
        let key = (valid.provider, want.fqdn(), want.rtype);
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let at = match table.iter().position(|e| e.key == key) {
            Some(at) => at,
            None => {
                // Full: the record seen least recently goes (one a client no longer updates).
                if table.len() >= MAX_RECORDS {
                    let oldest = table.iter().enumerate().min_by_key(|(_, e)| e.seen).map_or(0, |(i, _)| i);
                    table.remove(oldest);
                }
                table.push(Entry {
                    key,
                    value: None,
                    last_action: "",
                    last_success: None,
                    last_error: None,
                    updates: 0,
                    failures: 0,
                    failing: 0,
                    seen: Instant::now(),
                });
                table.len() - 1
            }
        };
        let e = &mut table[at];
        e.seen = Instant::now();
        // At most two notifications: `recovered`, then what the success did.
        let mut events: [Option<(Event, String)>; 2] = [None, None];
        let mut previous = e.value.clone();
        let (id, fqdn, rtype, value) = (valid.provider.spec().id, &e.key.1, want.rtype.as_str(), &want.value);
        match result {
            Ok(out) => {
                let streak = std::mem::take(&mut e.failing);
                if streak > 0 {
                    let text =
                        format!("{id} {fqdn} {rtype} recovered after {streak} failed update(s): {value}");
                    events[0] = Some((Event::Recovered, text));
                }
                let event = match out.action {
                    Action::Created => Some(Event::Created),
                    Action::Updated => Some(Event::Updated),
                    Action::Unchanged => None,
                };
                previous = out.previous_value.clone();
                let (prev, arrow) = previous.as_ref().map_or(("", ""), |p| (p.as_str(), " -> "));
                events[1] = event
                    .map(|ev| (ev, format!("{id} {fqdn} {rtype} {}: {prev}{arrow}{value}", ev.as_str())));
                e.value = Some(want.value.clone());
                e.last_action = out.action.as_str();
                e.last_success = Some(now);
                e.updates += 1;
            }
            Err(err) => {
                let message = crate::log::escape(&err.message(), MAX_ERROR);
                e.failing += 1;
                if e.failing == 1 {
                    let code = err.status().as_u16();
                    events[0] =
                        Some((Event::Failed, format!("{id} {fqdn} {rtype} failed: {code} {message}")));
                }
                e.last_action = "failed";
                e.last_error = Some((message, now));
                e.failures += 1;
            }
        }
        let fqdn = e.key.1.clone();
        drop(table);
        let Some(notify) = notify else { return };
        let time = Utc::from_unix(now).iso8601();
        for (event, message) in events.into_iter().flatten().filter(|(ev, _)| notify.wants(*ev)) {
            notify.push(&[
                Some(event.as_str()),
                Some(valid.provider.spec().id),
                Some(&want.zone),
                Some(&want.name),
                Some(&fqdn),
                Some(want.rtype.as_str()),
                Some(&want.value),
                previous.as_deref(),
                Some(&message),
                Some(&time),
            ]);
        }
    }

    /// The `/status` body: version, uptime in seconds, and one object per record.
    pub fn json(&self) -> String {
        let stamp = |t: Option<i64>| t.map_or("null".into(), |t| json_string(&Utc::from_unix(t).iso8601()));
        let text = |s: Option<&str>| s.map_or("null".into(), json_string);
        let mut out = format!(
            "{{\"status\":\"ok\",\"version\":\"{}\",\"uptime\":{},\"records\":[",
            env!("CARGO_PKG_VERSION"),
            self.started.elapsed().as_secs()
        );
        let table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        for (i, e) in table.iter().enumerate() {
            let key = &e.key;
            let (error, error_at) = match &e.last_error {
                Some((m, t)) => (Some(m.as_str()), Some(*t)),
                None => (None, None),
            };
            let _ = write!(
                out,
                "{}{{\"provider\":\"{}\",\"fqdn\":{},\"type\":\"{}\",\"value\":{},\"last_action\":\"{}\",\
                 \"last_success\":{},\"last_error\":{},\"last_error_at\":{},\"updates\":{},\"failures\":{}}}",
                if i > 0 { "," } else { "" },
                key.0.spec().id,
                json_string(&key.1),
                key.2.as_str(),
                text(e.value.as_deref()),
                e.last_action,
                stamp(e.last_success),
                text(error),
                stamp(error_at),
                e.updates,
                e.failures,
            );
        }
        out.push_str("]}");
        out
    }
}
