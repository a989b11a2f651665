//! Arbitrary bytes through lex, parse, summarise, rules and both outputs
//! (see `pairlint::fuzzing::check_bytes`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pairlint::fuzzing::check_bytes(data);
});
