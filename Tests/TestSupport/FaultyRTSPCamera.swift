import Foundation
import ISOBMFF
import MediaCore
#if canImport(Glibc)
import Glibc
#endif

/// A scripted RTSP camera with the quirks real ones have, replaying an MP4 fixture's H.264
/// video as RTP interleaved on TCP (as fast as the socket takes it), then closing. It checks
/// what it gets: a SETUP for another URL than the track's is answered 404, a request without
/// valid credentials (when set) 401, so a recording exists only if the client coped.
public final class FaultyRTSPCamera: @unchecked Sendable {
    public struct Quirks: Sendable {
        public enum ParameterSets: Sendable { case correct, missing, empty, annexB, wrong }
        public enum Base: Sendable { case contentBaseSlash, contentBaseNoSlash, contentLocation, absoluteControls }
        public var parameterSets = ParameterSets.correct
        /// Every NAL unit sent as one FU-A with both S and E set.
        public var singleFragmentFUA = false
        public var noMarkerBit = false
        /// Interleaved channels the server picks (the client asks for 0-1, 2-3).
        public var channelBase = 0
        /// Digest with algorithm=SHA-256 and qop=auth (after a Basic challenge) for this user.
        public var digestUser: String?
        public var digestPassword = ""
        public var base = Base.contentBaseSlash
        public var firstTimestamp: UInt32 = 0
        /// The RTP clock jumps by an hour from this keyframe on (1: the second), as an encoder
        /// restart does.
        public var timestampJumpAtKeyframe: Int?
        /// An `m=audio 0 RTP/AVP 0` line (PCMU, no rtpmap) before the video, with packets.
        public var pcmuFirst = false
        /// Responses carry CSeq 999.
        public var wrongCSeq = false
        /// NUL bytes between interleaved frames.
        public var junk = false
        public var sessionTimeout = 60
        /// An RTCP sender report on the video track's RTCP channel, sent with frame `atFrame`,
        /// saying that frame was captured at `unixTime` (RFC 3550 6.4.1).
        public var senderReport: (atFrame: Int, unixTime: Double)?
        public init() {}
    }

    public let quirks: Quirks
    /// Set once in `init`, after the properties its handler reads.
    private var server: ConnectionServer!
    static let maxConnections = 8
    private let frames: [MediaFrame]
    private let timescale: UInt32
    private let sps: [UInt8], pps: [UInt8]
    private let lock = NSLock()
    private var methods: [String] = []

    public init(fixture: String, quirks: Quirks) throws {
        self.quirks = quirks
        let reader = try MP4Reader(path: fixture)
        guard let video = reader.tracks.map(\.trackDescription).first(where: { $0.kind == .video }) else {
            throw NSError(domain: "FaultyRTSPCamera: \(fixture) has no video", code: 1)
        }
        let record = try AVCDecoderConfigurationRecord(parsing: video.sampleDescriptions[0].configuration)
        sps = record.sequenceParameterSets[0]
        pps = record.pictureParameterSets[0]
        timescale = video.timescale
        var iterator = reader.makeFrameIterator()
        var frames: [MediaFrame] = []
        while let frame = try iterator.next() {
            if frame.trackID == video.trackID { frames.append(frame) }
        }
        self.frames = frames
        // A client that reconnects (a redirect, a switch to TCP) may do so before the thread
        // of its old connection has seen the close: room for a few.
        server = ConnectionServer(host: "127.0.0.1", port: 0, maxConnections: Self.maxConnections, name: "test-rtsp",
                                  handle: { [self] connection in serve(connection) }, reject: { _ in })
        try server.start()
    }

    public var port: Int { server.port }

    public var url: String { "rtsp://127.0.0.1:\(port)/stream" }
    /// The methods received, in order.
    public var requests: [String] { lock.withLock { methods } }

    /// Closes the port and the connection being served.
    public func stop() { server.stop() }

    private func send(_ socket: StreamSocket, _ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(socket.rawValue, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            done += n
        }
    }

    /// One client, on its connection's thread (the server closes the socket; `stop()` shuts it
    /// down, which ends the reads and sends here).
    private func serve(_ socket: StreamSocket) {
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var challenged = false
        while true {
            guard (try? socket.waitReadable(until: .now + .seconds(5))) == true, let n = try? socket.receive(into: &buffer), n > 0 else { return }
            input += buffer[0..<n]
            while let end = Self.headEnd(input) {
                let head = String(decoding: input[0..<end], as: UTF8.self)
                input.removeFirst(end)
                let lines = head.components(separatedBy: "\r\n")
                let parts = lines[0].split(separator: " ")
                guard parts.count >= 2 else { return }
                let method = String(parts[0]), uri = String(parts[1])
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                lock.withLock { methods.append(method) }
                let cseq = quirks.wrongCSeq ? "999" : (headers["cseq"] ?? "0")
                func reply(_ status: String, _ extra: [String] = [], body: String = "") {
                    var text = "RTSP/1.0 \(status)\r\nCSeq: \(cseq)\r\n" + extra.map { $0 + "\r\n" }.joined()
                    if !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
                    send(socket, Array((text + "\r\n" + body).utf8))
                }
                if let user = quirks.digestUser, method != "OPTIONS", method != "GET_PARAMETER" {
                    guard let authorization = headers["authorization"], verify(authorization, user: user, method: method) else {
                        challenged = true
                        reply("401 Unauthorized", [#"WWW-Authenticate: Basic realm="faulty""#,
                                                   #"WWW-Authenticate: Digest realm="faulty", nonce="n0nce", qop="auth", algorithm=SHA-256"#])
                        continue
                    }
                }
                _ = challenged
                let session = "Session: FAULTY;timeout=\(quirks.sessionTimeout)"
                switch method {
                case "OPTIONS":
                    reply("200 OK", ["Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN"])
                case "DESCRIBE":
                    let (headers, sdp) = describe()
                    reply("200 OK", ["Content-Type: application/sdp"] + headers, body: sdp)
                case "SETUP":
                    guard let index = trackURLs.firstIndex(of: uri) else {
                        reply("404 Not Found")
                        continue
                    }
                    let c = quirks.channelBase + 2 * index
                    reply("200 OK", [session, "Transport: RTP/AVP/TCP;unicast;interleaved=\(c)-\(c + 1)"])
                case "PLAY":
                    reply("200 OK", [session])
                    stream(socket)
                    usleep(300_000)
                    return
                default:
                    reply("200 OK", [session])
                }
            }
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i + 4 }
        return nil
    }

    private var trackCount: Int { quirks.pcmuFirst ? 2 : 1 }
    private var videoIndex: Int { quirks.pcmuFirst ? 1 : 0 }
    private var trackURLs: [String] { (0..<trackCount).map { "\(url)/trackID=\($0 + 1)" } }

    private func describe() -> ([String], String) {
        let sets: String
        switch quirks.parameterSets {
        case .correct: sets = ";sprop-parameter-sets=\(Base64.encode(sps)),\(Base64.encode(pps))"
        case .missing: sets = ""
        case .empty: sets = ";sprop-parameter-sets="
        case .annexB: sets = ";sprop-parameter-sets=\(Base64.encode([0, 0, 0, 1] + sps)),\(Base64.encode([0, 0, 0, 1] + pps))"
        case .wrong: sets = ";sprop-parameter-sets=Z0IAH+kA,aM4="
        }
        let absolute = quirks.base == .absoluteControls
        func control(_ i: Int) -> String { absolute ? trackURLs[i] : "trackID=\(i + 1)" }
        var sdp = "v=0\r\no=- 1 1 IN IP4 192.168.1.64\r\ns=Faulty\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=control:*\r\n"
        if quirks.pcmuFirst { sdp += "m=audio 0 RTP/AVP 0\r\na=control:\(control(0))\r\n" }
        sdp += "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\(sets)\r\na=control:\(control(videoIndex))\r\n"
        switch quirks.base {
        case .contentBaseSlash: return (["Content-Base: \(url)/"], sdp)
        case .contentBaseNoSlash: return (["Content-Base: \(url)"], sdp)
        case .contentLocation: return (["Content-Location: \(url)/"], sdp)
        case .absoluteControls: return ([], sdp)
        }
    }

    /// The digest of RFC 7616 3.4.1 with SHA-256 and qop=auth, computed here from the fields
    /// the client sent.
    private func verify(_ authorization: String, user: String, method: String) -> Bool {
        guard authorization.hasPrefix("Digest ") else { return false }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(7).components(separatedBy: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2 { fields[kv[0].lowercased()] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        func h(_ s: String) -> String { HexString.encode(SHA256.hash(Array(s.utf8))) }
        guard fields["username"] == user, let uri = fields["uri"], !uri.contains("@"), fields["qop"] == "auth",
              let nc = fields["nc"], let cnonce = fields["cnonce"] else { return false }
        let expected = h("\(h("\(user):faulty:\(quirks.digestPassword)")):n0nce:\(nc):\(cnonce):auth:\(h("\(method):\(uri)"))")
        return fields["response"] == expected
    }

    private func stream(_ socket: StreamSocket) {
        var sequence: UInt16 = 65_500   // wraps during the stream
        var audioSequence: UInt16 = 0
        let videoChannel = UInt8(quirks.channelBase + 2 * videoIndex)
        func packet(_ channel: UInt8, pt: UInt8, seq: UInt16, ts: UInt32, marker: Bool, _ payload: [UInt8]) {
            var w = ByteWriter(capacity: 16 + payload.count)
            if quirks.junk { w.write(bytes: [0, 0]) }
            w.write(UInt8(0x24))
            w.write(channel)
            w.write(UInt16(12 + payload.count))
            w.write(UInt8(0x80))
            w.write(UInt8((marker ? 0x80 : 0) | pt))
            w.write(seq)
            w.write(ts)
            w.write(UInt32(0x1234_5678) + UInt32(pt))
            w.write(bytes: payload)
            send(socket, w.bytes)
        }
        var audioClock: UInt32 = 0
        var keyframes = -1
        for (index, frame) in frames.enumerated() {
            if frame.isKeyframe { keyframes += 1 }
            var nals = (try? NALUnit.splitLengthPrefixed(frame.payload).map(Array.init)) ?? []
            if frame.isKeyframe && quirks.parameterSets != .correct { nals = [sps, pps] + nals }
            var rtpTime = quirks.firstTimestamp &+ UInt32(truncatingIfNeeded: frame.pts * 90_000 / Int64(timescale))
            if let jump = quirks.timestampJumpAtKeyframe, keyframes >= jump { rtpTime = rtpTime &+ 3600 * 90_000 }
            var payloads: [[UInt8]] = []
            for nal in nals {
                let header = nal[0]
                if quirks.singleFragmentFUA {
                    payloads.append([header & 0xE0 | 28, 0xC0 | header & 0x1F] + nal.dropFirst())
                } else if nal.count <= 1200 {
                    payloads.append(nal)
                } else {
                    var rest = Array(nal.dropFirst())
                    var first = true
                    while !rest.isEmpty {
                        let piece = Array(rest.prefix(1200))
                        rest.removeFirst(piece.count)
                        let flags: UInt8 = (first ? 0x80 : 0) | (rest.isEmpty ? 0x40 : 0)
                        payloads.append([header & 0xE0 | 28, flags | header & 0x1F] + piece)
                        first = false
                    }
                }
            }
            if let report = quirks.senderReport, report.atFrame == index {
                let seconds = report.unixTime + 2_208_988_800  // NTP counts from 1900
                let ntp = UInt64(seconds) << 32 | UInt64((seconds - seconds.rounded(.down)) * 4_294_967_296)
                var w = ByteWriter(capacity: 32)
                w.write(UInt8(0x24))
                w.write(videoChannel + 1)
                w.write(UInt16(28))
                w.write(UInt8(0x80))
                w.write(UInt8(200))  // SR
                w.write(UInt16(6))
                w.write(UInt32(0x1234_5678 + 96))
                w.write(ntp)
                w.write(rtpTime)
                w.write(UInt32(index))  // packet count
                w.write(UInt32(0))  // octet count
                send(socket, w.bytes)
            }
            for (i, payload) in payloads.enumerated() {
                packet(videoChannel, pt: 96, seq: sequence, ts: rtpTime, marker: !quirks.noMarkerBit && i == payloads.count - 1, payload)
                sequence &+= 1
            }
            if quirks.pcmuFirst {
                // 8 kHz mu-law in 20 ms packets up to this frame's time.
                let until = UInt32(max(0, frame.dts * 8000 / Int64(timescale)))
                while audioClock < until {
                    packet(UInt8(quirks.channelBase), pt: 0, seq: audioSequence, ts: audioClock, marker: false, [UInt8](repeating: 0xFF, count: 160))
                    audioSequence &+= 1
                    audioClock += 160
                }
            }
        }
    }
}
