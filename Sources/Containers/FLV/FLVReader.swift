import MediaCore

/// Reads an FLV stream incrementally (a file, or HTTP-FLV from a socket): push bytes in as
/// they come, take events out.
///
/// ```swift
/// var reader = FLVReader()
/// reader.push(chunk)
/// while let event = try reader.next() { ... }   // nil: needs more bytes
/// try reader.finish()                          // at the end: throws if cut inside a tag
/// ```
///
/// The file is the header, PreviousTagSize0, then tags each followed by its PreviousTagSize
/// (E.3). A tag is taken once its body is complete; the PreviousTagSize after it is read with
/// the next tag, so the last tag of a file cut just before its PreviousTagSize still counts.
/// PreviousTagSize values are not trusted (writers get them wrong), only skipped.
///
/// A tag that cannot be used (reserved type, encrypted, damaged body, unsupported codec) is
/// consumed and its error thrown; calling `next()` again continues after it. A file header
/// that is not FLV ends the stream: its error is thrown once, then `next()` returns nil,
/// pushed bytes are dropped and `finish()` throws it again (a caller that retries after an
/// error never spins on it). Timestamps are unwrapped past 2^32 ms, and jumps closed
/// (`FLVTagDemuxer.demuxArriving`), into a monotonic Int64 timeline.
public struct FLVReader: Sendable {
    private var buffer = InputBuffer()
    private var pending: [DemuxEvent] = []
    private var pendingIndex = 0
    /// The file header, once read.
    public private(set) var header: FLVHeader?
    /// The tag-body layer, with what it has learned (tracks, dropped frames).
    public private(set) var demuxer = FLVTagDemuxer()
    /// Set when the file header was not FLV: the stream is over.
    private var headerError: FLVError?

    public init() {}

    /// Appends bytes of the stream.
    public mutating func push<C: Collection<UInt8>>(_ bytes: C) {
        guard headerError == nil else { return }
        buffer.append(bytes)
    }

    /// Stream offset of the first byte not yet consumed.
    public var offset: Int64 { buffer.consumedTotal }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(FLVError) -> DemuxEvent? {
        while true {
            if pendingIndex < pending.count {
                defer { pendingIndex += 1 }
                return pending[pendingIndex]
            }
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            guard let tag = try nextTag() else { return nil }
            var events = try demuxer.demuxArriving(tag.tag.kind, timestamp: tag.tag.timestamp, body: tag.tag.body, at: tag.offset)
            if events.count == 1 { return events.removeFirst() }
            pending = events
        }
    }

    /// The next tag and its stream offset, without interpreting the body; nil when more bytes
    /// are needed. Tags taken here are not seen by `next()`.
    public mutating func nextTag() throws(FLVError) -> (tag: FLVTag, offset: Int64)? {
        if header == nil {
            guard headerError == nil, buffer.count >= FLVHeader.size else { return nil }
            let parsed: FLVHeader
            do {
                parsed = try FLVHeader(parsing: buffer.bytes(from: 0, count: FLVHeader.size))
            } catch {
                headerError = error
                buffer.consume(buffer.count)
                throw error
            }
            // The header, anything up to DataOffset, and PreviousTagSize0.
            let skip = Int(parsed.dataOffset)
            guard buffer.count >= skip else { return nil }
            buffer.consume(skip)
            header = parsed
        }
        // PreviousTagSize of the tag before (or PreviousTagSize0), then this tag.
        let prefix = FLVTag.previousTagSizeSize
        guard buffer.count >= prefix + FLVTag.headerSize else { return nil }
        let fields = FLVTag.Header(parsing: buffer.bytes(from: prefix, count: FLVTag.headerSize))
        let total = prefix + FLVTag.headerSize + fields.dataSize
        guard buffer.count >= total else { return nil }
        let tagOffset = buffer.consumedTotal + Int64(prefix)
        let body = buffer.bytes(from: prefix + FLVTag.headerSize, count: fields.dataSize)
        buffer.consume(total)
        guard !fields.isFiltered, let kind = FLVTag.Kind(rawValue: fields.type) else {
            throw .unsupportedTag(type: fields.type | (fields.isFiltered ? 0x20 : 0), at: tagOffset)
        }
        return (FLVTag(kind: kind, timestamp: fields.timestamp, streamID: fields.streamID, body: body), tagOffset)
    }

    /// Call at the end of the stream: throws when it ends inside the header or a tag (a last
    /// PreviousTagSize alone is a clean end).
    public func finish() throws(FLVError) {
        if let headerError { throw headerError }
        if header == nil {
            guard buffer.isEmpty else { throw .truncatedStream(bufferedBytes: buffer.count, at: buffer.consumedTotal) }
            return
        }
        guard buffer.count <= FLVTag.previousTagSizeSize else {
            throw .truncatedStream(bufferedBytes: buffer.count, at: buffer.consumedTotal)
        }
    }
}
