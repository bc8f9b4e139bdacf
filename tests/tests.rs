//! Integration tests of the whole back end against the simulator. One binary; each module says what
//! belongs there.

/// Profiles on disk, tokens in the secret store, sharing between machines.
mod profiles;

/// Test connection, pickers and a saved profile's token against the simulator.
mod connection;
