pub fn f() -> &'static str { itoa::PAYLOAD }
