//! Agencies: the organisations users belong to (their logos, for now).

pub mod logo;
