/// What a `Range` header field asks of a body of known size (RFC 9110 section 14): the whole
/// body, one range of it, or nothing it can have.
///
/// Only single ranges are served: a multi-range request gets the whole body (200), which
/// RFC 9110 14.2 allows, and which browsers and ffmpeg never need (they ask one range).
enum HTTPByteRange: Equatable, Sendable {
    case whole
    case partial(Range<Int64>)
    /// 416: no byte of the range lies in the body.
    case unsatisfiable

    init(field: String?, size: Int64) {
        guard let field else {
            self = .whole
            return
        }
        let text = field.trimmingCharacters(in: " \t")
        // An unknown unit or a malformed field is ignored (RFC 9110 14.2): the whole body.
        guard text.lowercased().hasPrefix("bytes="), !text.contains(",") else {
            self = .whole
            return
        }
        let spec = text.dropFirst("bytes=".count).trimmingCharacters(in: " \t")
        guard let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // bytes=-N: the last N bytes.
            guard let suffix = Int64(last), suffix >= 0 else {
                self = .whole
                return
            }
            self = suffix == 0 || size == 0 ? .unsatisfiable : .partial(max(0, size - suffix)..<size)
            return
        }
        guard let start = Int64(first), start >= 0 else {
            self = .whole
            return
        }
        var end = size - 1
        if !last.isEmpty {
            guard let requested = Int64(last), requested >= start else {
                self = .whole
                return
            }
            end = min(requested, size - 1)
        }
        self = start < size ? .partial(start..<(end + 1)) : .unsatisfiable
    }
}

private extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}
