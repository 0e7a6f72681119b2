/// The frames of one VP9 sample: a superframe (VP9 bitstream spec Annex B) packs several
/// frames, typically a hidden alt-ref frame and a shown one, behind an index at its end.
///
/// ```
/// frame 0 | frame 1 | ... | marker(3)=0b110 bytes_per_framesize_minus_1(2) frames_in_superframe_minus_1(3)
///                          frame_sizes (little-endian, bytes_per_framesize each) | the marker byte again
/// ```
public enum VP9Superframe {
    static let structure = "VP9 superframe index"

    /// The frames of `sample`: those the index lists, or the whole sample when it has none.
    public static func frames(_ sample: [UInt8]) throws(CodecError) -> [ArraySlice<UInt8>] {
        guard let last = sample.last, last & 0xE0 == 0xC0 else { return [sample[...]] }
        let sizeBytes = Int((last >> 3) & 0x03) + 1
        let count = Int(last & 0x07) + 1
        let indexSize = 2 + sizeBytes * count
        guard sample.count >= indexSize, sample[sample.count - indexSize] == last else {
            // The marker pattern without a matching first byte is ordinary frame data.
            return [sample[...]]
        }
        var frames: [ArraySlice<UInt8>] = []
        var position = 0
        var index = sample.count - indexSize + 1
        let dataEnd = sample.count - indexSize
        for _ in 0..<count {
            var size = 0
            for byte in 0..<sizeBytes { size |= Int(sample[index + byte]) << (8 * byte) }
            index += sizeBytes
            guard size <= dataEnd - position else {
                throw .limitExceeded(structure: structure, field: "frame_sizes", value: size, limit: dataEnd - position)
            }
            frames.append(sample[position..<(position + size)])
            position += size
        }
        return frames
    }

    /// Whether a decoder can start at `sample`: its first frame is a key frame (the hidden
    /// frames of a superframe come first, so a key frame there leads).
    public static func isKeyFrame(_ sample: [UInt8]) -> Bool {
        guard let first = try? frames(sample).first, let header = try? VP9FrameHeader(parsing: Array(first)) else { return false }
        return header.isKeyFrame
    }

    /// The header of the first key frame in `sample`, which carries profile, colour and size.
    public static func keyFrameHeader(_ sample: [UInt8]) throws(CodecError) -> VP9FrameHeader? {
        for frame in try frames(sample) where !frame.isEmpty {
            let header = try VP9FrameHeader(parsing: Array(frame))
            if header.isKeyFrame { return header }
        }
        return nil
    }
}
