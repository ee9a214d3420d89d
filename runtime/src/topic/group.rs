//! The channel-layer group of a topic, named exactly as chanx names it, so
//! Rust and Python processes sharing a layer meet in the same group.

/// Longest group name chanx makes (`chanx.constants.MAX_GROUP_NAME_LENGTH`).
const MAX_GROUP_NAME_LENGTH: usize = 99;
/// Hex digits of the digest that ends a shortened name.
const DIGEST_HEX: usize = 12;

/// chanx's `safe_group_name(topic, namespace=<topic class>)`: in the
/// namespace and in the topic, every run of characters outside
/// `[A-Za-z0-9._-]` becomes `-` and `-` is trimmed from both ends; the
/// non-empty results are joined with `.` (`room:42` → `RoomTopic.room-42`).
/// A name over 99 characters keeps its first 86, then `.` and the hex of
/// its BLAKE2s-48 digest.
pub fn topic_group(namespace: &str, topic: &str) -> String {
    let segments = [slug(namespace), slug(topic)];
    let name = segments
        .iter()
        .filter(|s| !s.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(".");
    if name.len() <= MAX_GROUP_NAME_LENGTH {
        return name;
    }
    let digest = blake2s(name.as_bytes(), DIGEST_HEX / 2);
    let keep = MAX_GROUP_NAME_LENGTH - DIGEST_HEX - 1;
    let mut short = String::with_capacity(MAX_GROUP_NAME_LENGTH);
    // Slugs are ASCII, so byte and character positions agree.
    short.push_str(&name[..keep]);
    short.push('.');
    for byte in digest {
        short.push_str(&format!("{byte:02x}"));
    }
    short
}

fn slug(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut in_run = false;
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('-');
            in_run = true;
        }
    }
    out.trim_matches('-').to_owned()
}

/// BLAKE2s (RFC 7693), unkeyed, with a digest of `out_len` bytes (1..=32),
/// as Python's `hashlib.blake2s(data, digest_size=out_len)`.
fn blake2s(data: &[u8], out_len: usize) -> Vec<u8> {
    const IV: [u32; 8] = [
        0x6A09_E667,
        0xBB67_AE85,
        0x3C6E_F372,
        0xA54F_F53A,
        0x510E_527F,
        0x9B05_688C,
        0x1F83_D9AB,
        0x5BE0_CD19,
    ];
    const SIGMA: [[usize; 16]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ];
    fn compress(h: &mut [u32; 8], block: &[u8; 64], counter: u64, last: bool) {
        let mut m = [0u32; 16];
        for (word, bytes) in m.iter_mut().zip(block.chunks_exact(4)) {
            *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        let mut v = [0u32; 16];
        v[..8].copy_from_slice(h);
        v[8..].copy_from_slice(&IV);
        v[12] ^= counter as u32;
        v[13] ^= (counter >> 32) as u32;
        if last {
            v[14] = !v[14];
        }
        let mix = |v: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize, x: u32, y: u32| {
            v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
            v[d] = (v[d] ^ v[a]).rotate_right(16);
            v[c] = v[c].wrapping_add(v[d]);
            v[b] = (v[b] ^ v[c]).rotate_right(12);
            v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
            v[d] = (v[d] ^ v[a]).rotate_right(8);
            v[c] = v[c].wrapping_add(v[d]);
            v[b] = (v[b] ^ v[c]).rotate_right(7);
        };
        for s in &SIGMA {
            mix(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            mix(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            mix(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            mix(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            mix(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            mix(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            mix(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            mix(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
        for i in 0..8 {
            h[i] ^= v[i] ^ v[i + 8];
        }
    }

    let out_len = out_len.clamp(1, 32);
    let mut h = IV;
    h[0] ^= 0x0101_0000 ^ out_len as u32;
    let mut counter = 0u64;
    let mut chunks = data.chunks(64).peekable();
    if chunks.peek().is_none() {
        compress(&mut h, &[0; 64], 0, true);
    }
    while let Some(chunk) = chunks.next() {
        let mut block = [0u8; 64];
        block[..chunk.len()].copy_from_slice(chunk);
        counter += chunk.len() as u64;
        compress(&mut h, &block, counter, chunks.peek().is_none());
    }
    h.iter()
        .flat_map(|word| word.to_le_bytes())
        .take(out_len)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{blake2s, topic_group};

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn blake2s_matches_python_hashlib() {
        // hashlib.blake2s(data, digest_size=n).hexdigest()
        assert_eq!(
            hex(&blake2s(b"abc", 32)),
            "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982"
        );
        assert_eq!(
            hex(&blake2s(b"", 32)),
            "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9"
        );
        assert_eq!(hex(&blake2s(b"abc", 6)), "1874778958c5");
        assert_eq!(hex(&blake2s(&[b'x'; 64], 6)), "e5b04bcdc34a");
        assert_eq!(hex(&blake2s(&[b'x'; 65], 6)), "09cd301c20b4");
        assert_eq!(hex(&blake2s(&[b'x'; 128], 6)), "e660aff2fa4c");
    }

    #[test]
    fn names_groups_as_chanx_does() {
        assert_eq!(topic_group("RoomTopic", "room:42"), "RoomTopic.room-42");
        assert_eq!(
            topic_group("RunTopic", "run:7:step:2"),
            "RunTopic.run-7-step-2"
        );
        assert_eq!(topic_group("T", "é:a b::c--"), "T.a-b-c");
        assert_eq!(topic_group("T", ":::"), "T");
        assert_eq!(
            topic_group("RoomTopic", "room:my.room_1-x"),
            "RoomTopic.room-my.room_1-x"
        );
        let long = "x".repeat(120);
        assert_eq!(
            topic_group("RoomTopic", &long),
            format!("RoomTopic.{}.8fb907ce21e5", "x".repeat(76))
        );
    }
}
