//! Casekeep: a self-hosted child-protection case-management appliance.

#![forbid(unsafe_code)]

pub mod access;
pub mod accounts;
pub mod agencies;
pub mod alerts;
pub mod api;
pub mod attachments;
pub mod audit;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod forms;
pub mod i18n;
pub mod locations;
pub mod logging;
pub mod records;
pub mod server;
pub mod tls;
pub mod user_groups;
pub mod web;
pub mod workflows;
