//! Integration tests: the real application on port 0 with a fresh database per test.

// Test code: a failed expectation is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

mod account;
mod admin;
mod cli;
mod engine;
mod hardening;
mod helpers;
mod storage;
mod store_admin;
mod stores;
mod system;
mod upgrades;
mod verify;
