import MediaCore

/// The RTCP a recorder reads and writes (RFC 3550 6.4): sender reports, which map a track's
/// RTP clock to wall-clock time, and the empty receiver report that keeps UDP sessions alive.
public enum RTCPPacket {
    public struct SenderReport: Sendable, Equatable {
        public var ssrc: UInt32
        /// NTP time (seconds since 1900, 32.32 fixed point).
        public var ntpTimestamp: UInt64
        public var rtpTimestamp: UInt32

        /// Seconds since the Unix epoch.
        public var unixTime: Double {
            Double(ntpTimestamp >> 32) - 2_208_988_800 + Double(ntpTimestamp & 0xFFFF_FFFF) / 4_294_967_296
        }
    }

    /// The sender reports of a compound RTCP packet; other packets are skipped. Nil-free: a
    /// damaged compound yields the reports before the damage.
    public static func senderReports(in bytes: [UInt8]) -> [SenderReport] {
        var reports: [SenderReport] = []
        var r = ByteReader(bytes)
        while r.remaining >= 4 {
            guard let first = try? r.readInteger(UInt8.self), first >> 6 == 2,
                  let type = try? r.readInteger(UInt8.self), let words = try? r.readInteger(UInt16.self),
                  var body = try? r.readSubReader(4 * Int(words)) else { break }
            guard type == 200, let ssrc = try? body.readInteger(UInt32.self), let ntp = try? body.readInteger(UInt64.self),
                  let rtp = try? body.readInteger(UInt32.self) else { continue }
            reports.append(SenderReport(ssrc: ssrc, ntpTimestamp: ntp, rtpTimestamp: rtp))
        }
        return reports
    }

    /// A receiver report without report blocks (6.4.2), what keeps UDP NAT bindings and
    /// cameras' liveness checks happy.
    public static func emptyReceiverReport(ssrc: UInt32) -> [UInt8] {
        var w = ByteWriter(capacity: 8)
        w.write(UInt8(0x80))
        w.write(UInt8(201))
        w.write(UInt16(1))
        w.write(ssrc)
        return w.bytes
    }

    public static func senderReport(_ report: SenderReport) -> [UInt8] {
        var w = ByteWriter(capacity: 28)
        w.write(UInt8(0x80))
        w.write(UInt8(200))
        w.write(UInt16(6))
        w.write(report.ssrc)
        w.write(report.ntpTimestamp)
        w.write(report.rtpTimestamp)
        w.write(UInt32(0))  // packet count
        w.write(UInt32(0))  // octet count
        return w.bytes
    }
}
