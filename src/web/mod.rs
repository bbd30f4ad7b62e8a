//! HTTP glue: application state, the middleware stack and the route table. Handlers stay thin:
//! they parse input, call a domain module, and render.

pub mod admin;
pub mod assets;
pub mod errors;
pub mod pages;
pub mod request;
pub mod routes;
pub mod security;
pub mod sign_in_limits;

use std::sync::Arc;

use actix_web::middleware::{from_fn, Compress};
use actix_web::web;

use crate::config::Config;
use crate::db::Db;

/// Everything handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub limits: Arc<sign_in_limits::SignInLimits>,
    pub basic_cache: Arc<crate::access::gate::BasicAuthCache>,
    /// Totals and short result lists of recent list requests.
    pub lists: Arc<crate::records::list_cache::ListCache>,
    /// Principals of recently presented credentials.
    pub principals: Arc<crate::access::principals::PrincipalCache>,
    /// Where the audit entries of reads are written, in batches.
    pub journal: crate::audit::Journal,
}

impl AppState {
    pub fn new(config: Config, db: Db, journal: crate::audit::Journal) -> Self {
        let limits = sign_in_limits::SignInLimits::new(config.accounts.sign_in_attempts_per_minute);
        Self {
            config: Arc::new(config),
            db,
            limits: Arc::new(limits),
            basic_cache: Arc::new(crate::access::gate::BasicAuthCache::default()),
            principals: Arc::default(),
            lists: Arc::default(),
            journal,
        }
    }
}

/// Builds the application: the same function serves production and every integration test.
pub fn app(
    state: AppState,
    table: Arc<routes::RouteTable>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let headers = security::headers(&state.config);
    actix_web::App::new()
        .app_data(web::Data::new(state))
        .app_data(web::Data::from(table))
        .app_data(web::FormConfig::default().limit(64 * 1024))
        .app_data(web::JsonConfig::default().limit(1024 * 1024))
        .configure(routes::register)
        // Middleware runs bottom-up: the request id and log span first, then headers and error
        // rendering, then the access gate right before the handler.
        .wrap(from_fn(crate::access::gate::gate))
        .wrap(from_fn(errors::render_errors))
        .wrap(Compress::default())
        .wrap(headers)
        .wrap(tracing_actix_web::TracingLogger::<request::RequestSpan>::new())
}
