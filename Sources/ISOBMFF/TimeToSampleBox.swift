import MediaCore

/// `stts`: decoding time deltas, run-length coded. Contained in `stbl`. (ISO/IEC 14496-12 8.6.1.2)
///
/// The decoding time of sample n is the sum of the deltas before it; the first sample decodes at 0.
public typealias TimeToSampleBox = EntryTableBox<TimeToSampleTable>

/// The entries of `stts`.
public enum TimeToSampleTable: EntryTable {
    public static let type: FourCC = "stts"

    public struct Entry: SampleRun {
        public static let byteCount = 8

        public var sampleCount: UInt32
        /// Duration of each of these samples, in the media timescale.
        public var sampleDelta: UInt32

        public init(sampleCount: UInt32, sampleDelta: UInt32) {
            self.sampleCount = sampleCount
            self.sampleDelta = sampleDelta
        }

        public init(reading reader: inout ByteReader, in box: FourCC) throws(MP4ParseError) {
            self.init(sampleCount: try reader.read(in: box), sampleDelta: try reader.read(in: box))
        }

        public func write(to writer: inout ByteWriter) {
            writer.write(sampleCount)
            writer.write(sampleDelta)
        }
    }
}
