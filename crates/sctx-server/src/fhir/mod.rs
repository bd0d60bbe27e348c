//! FHIR R4 terminology operations under `/fhir`.

use std::sync::Arc;

use axum::Router;

use crate::AppState;

/// The FHIR routes.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
}
