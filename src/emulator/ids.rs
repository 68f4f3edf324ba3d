//! Request identifiers in API Gateway's shapes: `x-amzn-RequestId` (a UUID), `x-amz-apigw-id` and
//! HTTP APIs' `apigw-requestid` (15 base64 characters and `=`, e.g. `ZiFxuH9eFiAFYVw=`).
//! Unique per process, not random: a counter mixed with a per-process seed (splitmix64).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);
static SEED: OnceLock<u64> = OnceLock::new();

fn next() -> (u64, u64) {
    let seed = *SEED.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    (
        mix(seed ^ n),
        mix(seed.rotate_left(17) ^ n.wrapping_mul(0x9E37_79B9)),
    )
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A fresh identifier pair: (UUID for `x-amzn-RequestId`, extended id for `x-amz-apigw-id`).
pub fn request_ids() -> (String, String) {
    let (a, b) = next();
    let uuid = format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    );
    (uuid, extended_id(a ^ b.rotate_left(7), b))
}

fn extended_id(a: u64, b: u64) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(16);
    let mut bits = (u128::from(a) << 64) | u128::from(b);
    for _ in 0..15 {
        s.push(B64[(bits & 63) as usize] as char);
        bits >>= 6;
    }
    s.push('=');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_have_aws_shapes_and_differ() {
        let (u1, e1) = request_ids();
        let (u2, e2) = request_ids();
        assert_ne!(u1, u2);
        assert_ne!(e1, e2);
        assert_eq!(u1.len(), 36);
        assert_eq!(u1.as_bytes()[14], b'4');
        assert_eq!(e1.len(), 16);
        assert!(e1.ends_with('='));
    }
}
