import ISOBMFF
import MediaCore

/// One track of an export, gathered chunk by chunk: its sample descriptions (one per distinct
/// codec configuration met), and its samples with decoding times on the export's timeline.
struct ExportTrack {
    struct Sample {
        /// Decoding time in `timescale`, on the export's presentation timeline (negative for
        /// samples decoded before the export's origin; shifted to 0 when the moov is written).
        var dts: Int64
        var compositionOffset: Int32
        var duration: Int64
        var size: UInt32
        var isSync: Bool
        /// 1-based into `entries`.
        var descriptionIndex: UInt32
        /// Index into the export's sources, and the byte offset there.
        var source: Int
        var sourceOffset: Int64
        /// Offset in the payload (mdat body), set when the payload is laid out.
        var payloadOffset: Int64 = 0
    }

    let kind: MediaKind
    let timescale: UInt32
    var entries: [SampleEntry] = []
    var samples: [Sample] = []

    init(kind: MediaKind, timescale: UInt32) {
        self.kind = kind
        self.timescale = timescale
    }

    /// The output description index (1-based) of `entry`, added when new: chunks recorded
    /// with other codec parameters get their own sample description.
    mutating func descriptionIndex(of entry: SampleEntry) -> UInt32 {
        if let index = entries.firstIndex(of: entry) { return UInt32(index + 1) }
        entries.append(entry)
        return UInt32(entries.count)
    }

    /// Appends the samples of one chunk whose first decoding time must not go back before
    /// the samples already there: a chunk that would overlap is moved later by the overlap
    /// (decoding times must increase, ISO/IEC 14496-12 8.6.1.2).
    mutating func append(_ chunk: [Sample]) {
        guard var first = chunk.first else { return }
        var shift: Int64 = 0
        if let last = samples.last, first.dts <= last.dts { shift = last.dts + 1 - first.dts }
        if let last = samples.indices.last {
            first.dts += shift
            // The last sample lasts until the next chunk's first: a gap within the join
            // tolerance stretches it, as a player holds the last frame.
            samples[last].duration = first.dts - samples[last].dts
        }
        for var sample in chunk {
            sample.dts += shift
            samples.append(sample)
        }
    }

    var width: UInt16 {
        if case .visual(let v)? = entries.first { return v.width }
        return 0
    }

    var height: UInt16 {
        if case .visual(let v)? = entries.first { return v.height }
        return 0
    }
}
