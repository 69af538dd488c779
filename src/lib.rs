//! ddns-gateway: a DDNS update gateway for MikroTik RouterOS.
//!
//! `main` wires these together: `cli` → `config` → `log` → `server::run`, which hands each
//! request to `api`; `api` validates it (`request`, `credentials`) and lets `update` drive a
//! provider (`providers`) over the `upstream` client. Every failure is an `error::Error`.

pub mod log;

pub mod api;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod error;
pub mod healthcheck;
pub mod limits;
pub mod providers;
pub mod request;
pub mod rt;
pub mod server;
pub mod time;
pub mod tls;
pub mod update;
pub mod upstream;
pub mod urlenc;
