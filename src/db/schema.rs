//! Table definitions shared by both backends (kept by hand: both migration sets must agree).

diesel::table! {
    roles (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        permissions -> Text,
        record_scope -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        requires_second_factor -> Bool,
        form_section_access -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        full_name -> Text,
        email -> Nullable<Text>,
        role_id -> Text,
        language -> Nullable<Text>,
        password_hash -> Text,
        must_change_password -> Bool,
        disabled -> Bool,
        failed_sign_ins -> Integer,
        locked_until -> Nullable<Timestamp>,
        password_changed_at -> Timestamp,
        last_sign_in_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        agency_id -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> Text,
        kind -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        id -> Text,
        occurred_at -> Timestamp,
        user_id -> Nullable<Text>,
        username -> Nullable<Text>,
        role_id -> Nullable<Text>,
        action -> Text,
        record_type -> Nullable<Text>,
        record_id -> Nullable<Text>,
        record_owner -> Nullable<Text>,
        outcome -> Text,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        request_id -> Nullable<Text>,
        detail -> Text,
        prev_hash -> Text,
        entry_hash -> Text,
    }
}

diesel::table! {
    audit_chain_head (id) {
        id -> Integer,
        last_seq -> BigInt,
        last_hash -> Text,
    }
}

diesel::joinable!(users -> roles (role_id));
diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(roles, users, sessions, audit_log, audit_chain_head);

diesel::table! {
    records (id) {
        id -> Text,
        record_type -> Text,
        short_id -> Text,
        display_id -> Text,
        status -> Text,
        enabled -> Bool,
        owned_by -> Nullable<Text>,
        owned_by_agency -> Nullable<Text>,
        owned_by_groups -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
        version -> BigInt,
        data -> Text,
        name_sort -> Text,
        sex -> Nullable<Text>,
        age -> Nullable<Integer>,
        date_of_birth -> Nullable<Date>,
        registration_date -> Nullable<Date>,
        risk_level -> Nullable<Text>,
        location_current -> Nullable<Text>,
        flagged -> Bool,
    }
}

diesel::table! {
    record_assignments (record_id, user_id) {
        record_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    record_search_terms (term, record_id) {
        term -> Text,
        record_id -> Text,
    }
}

diesel::table! {
    record_history (id) {
        id -> Text,
        record_id -> Text,
        version -> BigInt,
        action -> Text,
        changed_at -> Timestamp,
        changed_by -> Nullable<Text>,
        changes -> Text,
    }
}

diesel::table! {
    record_flags (id) {
        id -> Text,
        record_id -> Text,
        message -> Text,
        flagged_by -> Text,
        flagged_at -> Timestamp,
        removed -> Bool,
        unflag_message -> Nullable<Text>,
        unflagged_by -> Nullable<Text>,
        unflagged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    record_counters (record_type) {
        record_type -> Text,
        next_value -> BigInt,
    }
}

diesel::table! {
    record_generations (record_type) {
        record_type -> Text,
        generation -> BigInt,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        record_id -> Text,
        field_name -> Text,
        kind -> Text,
        sha256 -> Text,
        content_type -> Text,
        size -> BigInt,
        file_name -> Text,
        description -> Nullable<Text>,
        thumbnail_sha256 -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        removed_at -> Nullable<Timestamp>,
        removed_by -> Nullable<Text>,
    }
}

diesel::joinable!(record_assignments -> records (record_id));
diesel::joinable!(attachments -> records (record_id));
diesel::joinable!(record_search_terms -> records (record_id));
diesel::joinable!(record_history -> records (record_id));
diesel::joinable!(record_flags -> records (record_id));
diesel::allow_tables_to_appear_in_same_query!(
    records,
    record_assignments,
    record_search_terms,
    record_history,
    record_flags,
    record_counters,
    record_generations,
    attachments,
    users,
);

diesel::table! {
    form_sections (record_type, id) {
        record_type -> Text,
        id -> Text,
        position -> Integer,
        definition -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    lookups (id) {
        id -> Text,
        definition -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    config_version (id) {
        id -> Integer,
        version -> BigInt,
        stamp -> Text,
    }
}

diesel::table! {
    locations (code) {
        code -> Text,
        admin_level -> Integer,
        parent_code -> Nullable<Text>,
        location_type -> Nullable<Text>,
        names -> Text,
        disabled -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agencies (id) {
        id -> Text,
        code -> Text,
        names -> Text,
        services -> Text,
        logo_sha256 -> Nullable<Text>,
        logo_content_type -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    form_sections,
    lookups,
    config_version,
    locations,
    agencies
);

diesel::table! {
    second_factors (user_id) {
        user_id -> Text,
        secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (user_id, code_hash) {
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(second_factors -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, second_factors, recovery_codes);

diesel::table! {
    user_groups (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_group_members (user_group_id, user_id) {
        user_group_id -> Text,
        user_id -> Text,
    }
}

diesel::joinable!(user_group_members -> user_groups (user_group_id));
diesel::joinable!(user_group_members -> users (user_id));
diesel::joinable!(users -> agencies (agency_id));
diesel::allow_tables_to_appear_in_same_query!(user_groups, user_group_members, agencies);
diesel::allow_tables_to_appear_in_same_query!(users, user_groups);
diesel::allow_tables_to_appear_in_same_query!(users, user_group_members);
diesel::allow_tables_to_appear_in_same_query!(users, agencies);
diesel::allow_tables_to_appear_in_same_query!(records, user_group_members);
diesel::allow_tables_to_appear_in_same_query!(record_assignments, user_group_members);

diesel::table! {
    transitions (id) {
        id -> Text,
        record_id -> Text,
        record_type -> Text,
        kind -> Text,
        status -> Text,
        transitioned_by -> Text,
        transitioned_to -> Nullable<Text>,
        transitioned_to_agency -> Nullable<Text>,
        transitioned_to_remote -> Nullable<Text>,
        remote -> Bool,
        service -> Nullable<Text>,
        service_record_id -> Nullable<Text>,
        consent_overridden -> Bool,
        consent_individual_transfer -> Bool,
        notes -> Text,
        rejected_reason -> Nullable<Text>,
        created_at -> Timestamp,
        responded_at -> Nullable<Timestamp>,
        responded_by -> Nullable<Text>,
    }
}

diesel::joinable!(transitions -> records (record_id));
diesel::allow_tables_to_appear_in_same_query!(transitions, records);

diesel::table! {
    approvals (id) {
        id -> Text,
        record_id -> Text,
        approval_type -> Text,
        status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        request_comments -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_comments -> Text,
    }
}

diesel::joinable!(approvals -> records (record_id));
diesel::allow_tables_to_appear_in_same_query!(approvals, records);

diesel::table! {
    alerts (id) {
        id -> Text,
        record_id -> Text,
        user_id -> Text,
        kind -> Text,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::joinable!(alerts -> records (record_id));
diesel::allow_tables_to_appear_in_same_query!(alerts, records);
