//! sctx integration tests: one binary, one module per area.

// Shared fixtures: the sample database and paths to ../shared.
mod util;

// The RF2 loader: packages, zips, Full/Snapshot, layering, bad input.
mod rf2;
// The compiled store: terms, closure against a brute-force walk, corruption.
mod store;
// The `sctx` command line.
mod cli;
// The real International subset in ../shared (skipped when absent).
mod hl7_subset;
// The HTTP service, driven with `oneshot`.
mod server;
// Search relevance: queries with their expected top-1 / top-3 concepts.
mod search;
// ECL over the sample and the HL7 subset counts.
mod ecl;
// FHIR R4 operations, driven with oneshot; the HL7 suite in tests/conformance.
mod fhir;
// The synthetic generator's tiny profile imports cleanly.
mod synth;
// Read v2 / CTV3 translation through the database, the CLI, HTTP, ECL and search.
mod translate;
