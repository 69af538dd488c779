//! ddns-gateway: a DDNS update gateway for MikroTik RouterOS.
//!
//! `main` wires these together: `cli` (+ `settings`) → `config` → `log` → `server::run`,
//! which hands each request to `api`; `api` validates it (`request` into a `record`,
//! `credentials`), takes the record's lock (`locks`) and lets `providers` reconcile the
//! provider's record with it over the `upstream` client. Every failure is an `error::Error`.
//! `files` opens what the config points at; `thread` starts the few threads there are (the
//! log writers, name lookups).
//! `status` keeps what each record went through (`GET /status`) and hands the changes and
//! failures to `notify`, which sends them to a webhook off the request path.

pub mod log;

pub mod api;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod error;
pub mod files;
pub mod healthcheck;
pub mod idn;
pub mod limits;
pub mod locks;
pub mod notify;
pub mod providers;
pub mod record;
pub mod request;
pub mod rt;
pub mod server;
pub mod settings;
pub mod status;
pub mod thread;
pub mod time;
pub mod tls;
pub mod upstream;
pub mod urlenc;
