//! Integration tests of the whole back end against the simulator. One binary; each module says what
//! belongs there.
