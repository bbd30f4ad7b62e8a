//! Which records a caller reaches: one SQL condition per record scope, used both to list records
//! and to check a single one, so that the two can never disagree.
//!
//! Every scope but `All` starts from the user's own records: those they own, are assigned to,
//! have been sent as a transfer still waiting for their answer, or hold an active referral for.
//! `Group` and `Agency` add the records owned by or assigned to the members of the user's
//! groups or the users of their agency. A referral or transfer reaches its recipient only,
//! never their group or agency.

use diesel::prelude::*;

use crate::access::RecordScope;
use crate::db::schema::{record_assignments, records, transitions, user_group_members, users};
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppResult;
use crate::workflows::{ACCEPTED, PENDING, REFERRAL, TRANSFER};

pub(crate) type Boxed<'a> = records::BoxedQuery<'a, MultiBackend>;

/// The condition "the user owns it, is assigned to it, or it was handed to them".
macro_rules! own {
    ($user:expr) => {{
        let user: String = $user;
        records::owned_by
            .eq(user.clone())
            .or(records::id.eq_any(
                record_assignments::table
                    .filter(record_assignments::user_id.eq(user.clone()))
                    .select(record_assignments::record_id),
            ))
            .or(records::id.eq_any(
                transitions::table
                    .filter(transitions::transitioned_to.eq(user.clone()))
                    .filter(
                        transitions::kind
                            .eq(REFERRAL)
                            .and(transitions::status.eq_any([PENDING, ACCEPTED]))
                            .or(transitions::kind
                                .eq(TRANSFER)
                                .and(transitions::status.eq(PENDING))),
                    )
                    .select(transitions::record_id),
            ))
    }};
}

/// Narrows `query` to the records `scope` reaches.
pub(crate) fn within<'a>(query: Boxed<'a>, scope: &RecordScope) -> Boxed<'a> {
    match scope {
        RecordScope::All => query,
        RecordScope::Own { user } => query.filter(own!(user.clone())),
        RecordScope::Group { user, groups } => {
            let members = user_group_members::table
                .filter(user_group_members::user_group_id.eq_any(groups.clone()))
                .select(user_group_members::user_id);
            query.filter(
                own!(user.clone())
                    .or(records::owned_by.eq_any(
                        members
                            .clone()
                            .select(user_group_members::user_id.nullable()),
                    ))
                    .or(records::id.eq_any(
                        record_assignments::table
                            .filter(record_assignments::user_id.eq_any(members))
                            .select(record_assignments::record_id),
                    )),
            )
        }
        RecordScope::Agency { user, agency } => match agency {
            // A user of no agency shares records with nobody.
            None => query.filter(own!(user.clone())),
            Some(agency) => {
                let colleagues = users::table
                    .filter(users::agency_id.eq(agency.clone()))
                    .select(users::id);
                query.filter(
                    own!(user.clone())
                        .or(records::owned_by
                            .eq_any(colleagues.clone().select(users::id.nullable())))
                        .or(records::id.eq_any(
                            record_assignments::table
                                .filter(record_assignments::user_id.eq_any(colleagues))
                                .select(record_assignments::record_id),
                        )),
                )
            }
        },
    }
}

/// Whether `scope` reaches the record with this id.
pub(crate) fn reaches(conn: &mut DbConnection, scope: &RecordScope, id: &str) -> AppResult<bool> {
    if *scope == RecordScope::All {
        return Ok(true);
    }
    let query = within(
        records::table
            .filter(records::id.eq(id.to_owned()))
            .into_boxed(),
        scope,
    );
    Ok(query
        .select(records::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}
