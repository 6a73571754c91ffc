//! Storefleet: provisions isolated WooCommerce stores on Kubernetes, one namespace per
//! store, behind a multi-tenant API and dashboard.

/// The HTTP API: routes, extractors, problem+json errors, OpenAPI.
pub mod api;
/// Builds the application from configuration and runs it.
pub mod app;
/// Passwords and session tokens.
pub mod auth;
/// The store charts built into the binary.
pub mod charts;
/// Operator commands behind the `storefleet` binary.
pub mod cli;
/// The only module that talks to the Kubernetes API.
pub mod cluster;
/// Typed configuration: defaults < file < environment.
pub mod config;
/// Pure domain types and rules.
pub mod domain;
/// Store engines the server offers.
pub mod engines;
/// Fleet-wide rolling upgrades: the driver that advances rollouts.
pub mod fleet;
/// The only module that runs helm.
pub mod helm;
/// Prometheus metrics.
pub mod metrics;
/// In-process news of store changes.
pub mod notify;
/// The provisioning engine: workers, steps, diagnosis, teardown.
pub mod provision;
/// The HTTP server loop and its connection limits and timeouts.
pub mod server;
/// The platform database (SQLite or PostgreSQL).
pub mod storage;
/// The embedded dashboard.
pub mod web;
