#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The organisation on both databases: agencies, user groups and users through the API, the
//! record scopes (own, group, agency, all) that read them, the rules of user management (a
//! manager of one agency, roles that cannot be granted, one's own account), and roles as
//! editable permission matrices. Names are synthetic.

mod common;

use common::api::*;
use common::{Backend, TestApp};
use diesel::prelude::*;
use serde_json::{json, Value};

#[path = "organisation/roles.rs"]
mod roles;
#[path = "organisation/scopes.rs"]
mod scopes;
#[path = "organisation/sections.rs"]
mod sections;
#[path = "organisation/users.rs"]
mod users;
