import ISOBMFF

/// Why an export cannot be made; the description is the answer's text.
public enum ExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A chunk is not a readable MP4.
    case unreadable(path: String, reason: String)
    /// Nothing recorded in the range asked.
    case emptyRange(start: Double, end: Double)
    /// Consecutive chunks are further apart than `ChunkConcatenation.maxJoinGap`: the export
    /// would join moments that are not consecutive. (Unix seconds.)
    case gap(after: String, from: Double, to: Double)
    /// start is not before end, or not a number.
    case badRange(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path) is not a readable MP4: \(reason)"
        case .emptyRange(let start, let end): return "nothing recorded between \(Self.text(start)) and \(Self.text(end))"
        case .gap(let after, let from, let to):
            return "the recordings have a gap from \(Self.text(from)) to \(Self.text(to)) (\(Self.text(to - from)) s, after \(after)): "
                + "export up to \(Self.text(from)) or from \(Self.text(to))"
        case .badRange(let reason): return reason
        }
    }

    /// Seconds with millisecond precision, as listRecordings gives them.
    static func text(_ seconds: Double) -> String {
        let rounded = (seconds * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }
}
