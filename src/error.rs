//! One error type for the whole application.
//!
//! Every error carries a stable [`ErrorCode`] (what clients and tests match on), a message that is
//! safe to show to the user, and optionally an internal cause that is logged but never sent.

use std::fmt;

use actix_web::http::StatusCode;

/// Stable machine-readable error codes. The string forms are part of the API: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    InvalidCredentials,
    AccountLocked,
    AccountDisabled,
    PasswordChangeRequired,
    /// The password was right; the account's second factor (a TOTP code) is still needed.
    SecondFactorRequired,
    /// The caller's role requires two-step sign-in, which they have not set up yet.
    SecondFactorEnrolmentRequired,
    Forbidden,
    CsrfRejected,
    NotFound,
    MethodNotAllowed,
    Conflict,
    Invalid,
    /// A request body (an uploaded file) over its size limit.
    TooLarge,
    RateLimited,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountLocked => "account_locked",
            Self::AccountDisabled => "account_disabled",
            Self::PasswordChangeRequired => "password_change_required",
            Self::SecondFactorRequired => "second_factor_required",
            Self::SecondFactorEnrolmentRequired => "second_factor_enrolment_required",
            Self::Forbidden => "forbidden",
            Self::CsrfRejected => "csrf_rejected",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::Invalid => "invalid",
            Self::TooLarge => "too_large",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::InvalidCredentials | Self::SecondFactorRequired => {
                StatusCode::UNAUTHORIZED
            }
            Self::AccountLocked | Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::AccountDisabled
            | Self::PasswordChangeRequired
            | Self::SecondFactorEnrolmentRequired
            | Self::Forbidden
            | Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Translation key of the generic user-facing message for this code.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::BadRequest => "error-bad-request",
            Self::Unauthenticated => "error-unauthenticated",
            Self::InvalidCredentials => "error-invalid-credentials",
            Self::AccountLocked => "error-account-locked",
            Self::AccountDisabled => "error-invalid-credentials",
            Self::PasswordChangeRequired => "error-password-change-required",
            Self::SecondFactorRequired => "error-second-factor-required",
            Self::SecondFactorEnrolmentRequired => "error-second-factor-enrolment-required",
            Self::Forbidden => "error-forbidden",
            Self::CsrfRejected => "error-csrf",
            Self::NotFound => "error-not-found",
            Self::MethodNotAllowed => "error-not-found",
            Self::Conflict => "error-conflict",
            Self::Invalid => "error-invalid",
            Self::TooLarge => "error-too-large",
            Self::RateLimited => "error-rate-limited",
            Self::Unavailable => "error-unavailable",
            Self::Internal => "error-internal",
        }
    }
}

/// The application's error: a code, a user-facing message, an optional offending field, and an
/// internal cause that only ever goes to the log.
#[derive(Debug)]
pub struct AppError {
    pub code: ErrorCode,
    /// Safe to show to the user (English; the UI shows the translated message for the code).
    pub message: String,
    /// Name of the offending field for validation errors.
    pub field: Option<String>,
    /// Internal detail for the log; never sent to clients.
    pub cause: Option<String>,
    /// Seconds after which a retry may succeed (rate limits, lockouts, unavailability).
    pub retry_after: Option<u64>,
    /// Every invalid field, for validation errors (the API answers one entry per problem).
    pub problems: Vec<Problem>,
}

/// One invalid field: its path (`age`, `family_details_section[2].relation_age`), a stable kind
/// the UI translates, and an English message for API clients.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub field: String,
    pub kind: &'static str,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            cause: None,
            retry_after: None,
            problems: Vec::new(),
        }
    }

    /// A validation failure listing every invalid field.
    pub fn validation(problems: Vec<Problem>) -> Self {
        let mut e = Self::new(ErrorCode::Invalid, "Some of the information is not valid.");
        e.field = problems.first().map(|p| p.field.clone());
        e.problems = problems;
        e
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::new(ErrorCode::Internal, "An internal error occurred.").with_cause(cause)
    }

    pub fn unavailable(message: impl Into<String>, cause: impl fmt::Display) -> Self {
        Self::new(ErrorCode::Unavailable, message).with_cause(cause)
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorCode::Invalid, message);
        e.field = Some(field.to_owned());
        e
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "You are not permitted to do this.")
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "Sign in first.")
    }

    /// A request body (an uploaded file) over `limit_mib` MiB.
    pub fn too_large(limit_mib: usize) -> Self {
        Self::new(
            ErrorCode::TooLarge,
            format!("The file is too large: at most {limit_mib} MiB are accepted."),
        )
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "Not found.")
    }

    pub fn with_cause(mut self, cause: impl fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for AppError {}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::not_found(),
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => Self::new(ErrorCode::Conflict, "This already exists.").with_cause(e),
            other => Self::internal(format!("database: {other}")),
        }
    }
}

impl From<r2d2_error::PoolError> for AppError {
    fn from(e: r2d2_error::PoolError) -> Self {
        Self::unavailable("The database is not reachable right now.", e)
    }
}

/// Re-export so callers do not depend on diesel's r2d2 path.
mod r2d2_error {
    pub use diesel::r2d2::PoolError;
}

pub type AppResult<T> = Result<T, AppError>;
