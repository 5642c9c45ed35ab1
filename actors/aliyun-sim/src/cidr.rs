//! IPv4 CIDR blocks: parsing as Alibaba Cloud accepts them (network address with no host
//! bits set), containment and overlap for the VPC/VSwitch rules, and address arithmetic
//! for handing out private IPs.

use std::fmt;
use std::net::Ipv4Addr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cidr {
    pub network: u32,
    pub prefix: u8,
}

impl Cidr {
    /// `10.0.0.0/16`. Host bits must be zero (`10.0.0.1/16` is refused, as the service does).
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = text.trim().split_once('/')?;
        let addr: Ipv4Addr = addr.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        if prefix > 32 {
            return None;
        }
        let network = u32::from(addr);
        let cidr = Self { network, prefix };
        (network & cidr.mask() == network).then_some(cidr)
    }

    pub fn mask(&self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    pub fn size(&self) -> u64 {
        1u64 << (32 - self.prefix as u32)
    }

    pub fn last(&self) -> u32 {
        self.network | !self.mask()
    }

    pub fn contains_ip(&self, ip: u32) -> bool {
        ip & self.mask() == self.network
    }

    pub fn contains(&self, inner: &Cidr) -> bool {
        inner.prefix >= self.prefix && self.contains_ip(inner.network)
    }

    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// Inside one of the RFC 1918 private ranges (what CreateVpc accepts by default).
    pub fn is_private(&self) -> bool {
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
            .iter()
            .any(|range| Cidr::parse(range).is_some_and(|r| r.contains(self)))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.network), self.prefix)
    }
}

pub fn ip_to_string(ip: u32) -> String {
    Ipv4Addr::from(ip).to_string()
}

pub fn parse_ip(text: &str) -> Option<u32> {
    text.trim().parse::<Ipv4Addr>().ok().map(u32::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_refuses_host_bits_and_bad_prefixes() {
        assert_eq!(Cidr::parse("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert!(Cidr::parse("10.0.0.1/8").is_none());
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("10.0.0.0").is_none());
        assert!(Cidr::parse("300.0.0.0/8").is_none());
    }

    #[test]
    fn containment_and_overlap() {
        let vpc = Cidr::parse("172.16.0.0/12").unwrap();
        let a = Cidr::parse("172.16.1.0/24").unwrap();
        let b = Cidr::parse("172.16.0.0/16").unwrap();
        let outside = Cidr::parse("192.168.0.0/24").unwrap();
        assert!(vpc.contains(&a) && vpc.contains(&b) && !vpc.contains(&outside));
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&Cidr::parse("172.16.2.0/24").unwrap()));
        assert_eq!(a.size(), 256);
        assert_eq!(ip_to_string(a.last()), "172.16.1.255");
        assert!(vpc.is_private() && !Cidr::parse("8.8.8.0/24").unwrap().is_private());
    }
}
