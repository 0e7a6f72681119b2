/// What the table-of-contents byte of an Opus packet says about its length in time
/// (RFC 6716 3.1-3.2): the frame size of its configuration times its frame count.
///
/// ```
/// TOC: config(5) s(1) c(2)      c=3: then frame count byte: v(1) p(1) M(6)
/// ```
public enum OpusPacket {
    /// A packet holds at most 120 ms of audio (RFC 6716 3.2.5).
    public static let maxSamples = 5760

    private static let structure = "Opus packet"

    /// Samples at 48 kHz the packet decodes to.
    public static func sampleCount<C: Collection<UInt8>>(of packet: C) throws(CodecError) -> Int {
        guard let toc = packet.first else { throw .missing(structure: structure, element: "TOC byte") }
        let config = Int(toc >> 3)
        let frameSize: Int
        switch config {
        case 0..<12: frameSize = [480, 960, 1920, 2880][config % 4]    // SILK-only: 10, 20, 40, 60 ms
        case 12..<16: frameSize = [480, 960][config % 2]              // Hybrid: 10, 20 ms
        default: frameSize = [120, 240, 480, 960][config % 4]          // CELT-only: 2.5, 5, 10, 20 ms
        }
        let frames: Int
        switch toc & 0x03 {
        case 0: frames = 1
        case 1, 2: frames = 2
        default:
            guard packet.count >= 2 else { throw .missing(structure: structure, element: "frame count byte (code 3)") }
            frames = Int(packet[packet.index(after: packet.startIndex)] & 0x3F)
            guard frames > 0 else { throw .invalidValue(structure: structure, field: "M", value: 0) }
        }
        let samples = frames * frameSize
        guard samples <= maxSamples else {
            throw .limitExceeded(structure: structure, field: "duration in samples", value: samples, limit: maxSamples)
        }
        return samples
    }
}
