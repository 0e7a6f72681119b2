// libFuzzer target: arbitrary bytes as what an RTMP publisher sends after the handshake,
// through RTMPServerSession (chunk decoder, protocol control, user control, commands,
// aggregates) and on to the FLV tag demuxer, driven as RTMPIngest drives them: every publish
// accepted, media demuxed with a 32-bit unwrapper, bad tags skipped, an RTMPError ends the
// connection. The bytes follow a plain handshake and are pushed in pieces whose sizes come
// from the first byte of the input. Built by Fuzz/build.sh; run with Fuzz/run.sh.
import Containers
import MediaCore
import RTMP

private let handshake: [UInt8] = [3] + [UInt8](repeating: 0, count: 2 * HandshakeResponder.packetSize)
private let serverRandom = [UInt8](repeating: 7, count: HandshakeResponder.packetSize - 8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRTMPSession(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Piece size: 1 + first byte, times 32 when its top bit is set (1...4096 bytes).
    let piece = bytes.first.map { $0 & 0x80 == 0 ? Int($0) + 1 : (Int($0 & 0x7F) + 1) * 32 } ?? 1
    let input = handshake + bytes.dropFirst()
    var session = RTMPServerSession(handshake: HandshakeResponder(randomBytes: serverRandom))
    var demuxer = FLVTagDemuxer()
    var unwrapper = TimestampUnwrapper(bits: 32)
    var at = 0
    while at < input.count {
        let end = min(input.count, at + piece)
        session.push(input[at..<end])
        at = end
        do {
            while let event = try session.nextEvent() {
                switch event {
                case .publishRequested:
                    session.acceptPublish()
                case let .media(kind, timestamp, body):
                    guard !body.isEmpty else { continue }
                    _ = try? demuxer.demux(kind, timestamp: unwrapper.unwrap(UInt64(timestamp)), body: body)
                case .connected, .unpublished:
                    break
                }
            }
        } catch {
            _ = session.takeOutput()
            return 0
        }
        _ = session.takeOutput()
    }
    return 0
}
