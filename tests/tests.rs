//! sctx integration tests
