//! Percent-encoding exactly as Alibaba Cloud's signers do it.
//!
//! Every signature scheme here (RPC V1, ACS3, OSS V4) hashes encoded strings, so one
//! byte of difference from the official SDK breaks the signature: only the RFC 3986
//! unreserved set `A-Z a-z 0-9 - _ . ~` stays as is, everything else becomes `%XX`
//! with upper-case hex (space is `%20`, never `+`; `*` is `%2A`; `~` is kept).

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// Encodes every byte outside the unreserved set (UTF-8 multi-byte characters byte by byte).
pub fn percent_encode(input: &str) -> String {
    encode_keeping(input, |_| false)
}

/// Like [`percent_encode`] but keeps `/`: OSS object keys in URL paths and OSS V4 canonical URIs.
pub fn percent_encode_path(input: &str) -> String {
    encode_keeping(input, |b| b == b'/')
}

fn encode_keeping(input: &str, also_keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(input.len() * 3 / 2);
    for &byte in input.as_bytes() {
        if is_unreserved(byte) || also_keep(byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX_UPPER[(byte >> 4) as usize] as char);
            out.push(HEX_UPPER[(byte & 0x0f) as usize] as char);
        }
    }
    out
}

/// Decodes `%XX` escapes; with `plus_is_space` a `+` becomes a space (form bodies).
/// Invalid escapes are kept literally, as lenient servers do; invalid UTF-8 is replaced.
pub fn percent_decode(input: &str, plus_is_space: bool) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits `a=1&b=x%20y` into decoded pairs, in order; a key without `=` gets an empty value.
pub fn parse_query(query: &str, plus_is_space: bool) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (
                percent_decode(k, plus_is_space),
                percent_decode(v, plus_is_space),
            ),
            None => (percent_decode(part, plus_is_space), String::new()),
        })
        .collect()
}

/// `k=v&k=v` with both sides encoded, in the given order (what goes on the wire).
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&percent_encode(k));
        out.push('=');
        out.push_str(&percent_encode(v));
    }
    out
}

/// Encodes every pair, sorts by encoded key (then value) byte-wise and joins them:
/// the canonicalized query string shared by RPC V1 and ACS3.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    let mut out = String::new();
    for (i, (k, v)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_characters_are_kept_and_the_rest_upper_hex() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode("a b"), "a%20b");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("/+=&:"), "%2F%2B%3D%26%3A");
        assert_eq!(percent_encode("测试"), "%E6%B5%8B%E8%AF%95");
        assert_eq!(
            percent_encode("[\"sg-1\", \"sg-2\"]"),
            "%5B%22sg-1%22%2C%20%22sg-2%22%5D"
        );
        assert_eq!(percent_encode("%"), "%25");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn path_encoding_keeps_slashes_only() {
        assert_eq!(
            percent_encode_path("images/a b/c*.qcow2"),
            "images/a%20b/c%2A.qcow2"
        );
    }

    #[test]
    fn decode_reverses_encode_and_tolerates_bad_escapes() {
        let original = "测试 vm*~/+=&1";
        assert_eq!(percent_decode(&percent_encode(original), false), original);
        assert_eq!(percent_decode("vpc+1", true), "vpc 1");
        assert_eq!(percent_decode("vpc+1", false), "vpc+1");
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("%zz%4", false), "%zz%4");
    }

    #[test]
    fn canonical_query_sorts_by_encoded_key() {
        let pairs = vec![
            ("b".to_string(), "2".to_string()),
            ("VSwitchId".to_string(), "v".to_string()),
            ("Version".to_string(), "x".to_string()),
            ("A b".to_string(), "".to_string()),
        ];
        // 'S' (0x53) sorts before 'e' (0x65): VSwitchId before Version, as in the SDK vectors.
        assert_eq!(canonical_query(&pairs), "A%20b=&VSwitchId=v&Version=x&b=2");
        assert_eq!(
            parse_query("a=1&b&c=x%20y", false),
            vec![
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), String::new()),
                ("c".to_string(), "x y".to_string()),
            ]
        );
    }
}
