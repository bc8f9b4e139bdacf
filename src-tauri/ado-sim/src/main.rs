//! `ado-sim --seed demo --port 0`: serves the simulator on loopback.
fn main() {}
