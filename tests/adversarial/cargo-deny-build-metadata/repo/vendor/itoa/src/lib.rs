pub const PAYLOAD: &str = "lockgate-adversarial-payload";
