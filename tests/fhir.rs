//! FHIR R4 terminology operations.
