import MediaCore

/// A deterministic stream of fake samples for tests and benchmarks: sample `i` of track 1 is
/// always the same bytes, so a reader can tell an intact sample from zeros or garbage and know
/// which sample it is (the first 8 bytes hold `i`).
public struct SyntheticSource: Sendable {
    public let sampleCount: Int
    public let averageSize: Int
    /// Video-like track: 90 kHz, 30 fps, a keyframe every 30 samples.
    public static let timescale: UInt32 = 90_000
    public static let frameDuration: Int64 = 3_000

    public init(sampleCount: Int, averageSize: Int = 200) {
        self.sampleCount = sampleCount
        self.averageSize = max(16, averageSize)
    }

    public static let trackDescription = TrackDescription(
        trackID: 1, timescale: timescale,
        sampleDescriptions: [SampleDescription(codec: .h264, configuration: [1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0], width: 320, height: 240)])

    public func size(of index: Int) -> Int {
        averageSize / 2 + (index &* 7919) % averageSize
    }

    public func frame(_ index: Int) -> MediaFrame {
        MediaFrame(trackID: 1, dts: Int64(index) * Self.frameDuration, pts: Int64(index) * Self.frameDuration,
                   isKeyframe: index % 30 == 0, payload: payload(index))
    }

    /// Bytes of sample `index`: its index, then a xorshift sequence seeded by it.
    public func payload(_ index: Int) -> [UInt8] {
        let count = size(of: index)
        var bytes = [UInt8](repeating: 0, count: count)
        var state = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 | 1
        for i in 0..<count {
            if i < 8 {
                bytes[i] = UInt8(truncatingIfNeeded: UInt64(index) >> (8 * UInt64(7 - i)))
            } else {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                bytes[i] = UInt8(truncatingIfNeeded: state)
            }
        }
        return bytes
    }
}
