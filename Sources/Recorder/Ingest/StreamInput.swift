import Containers
import Foundation
import ISOBMFF
import MediaCore

/// Where a one-shot recording reads its stream: an .flv, .ts or .mp4 file, or MPEG-TS arriving
/// on `udp://HOST:PORT` or `tcp://HOST:PORT` (we listen). Every input becomes the same
/// `DemuxEvent`s.
public enum StreamInput: Sendable, Equatable {
    case file(String)
    case udp(host: String, port: UInt16)
    case tcp(host: String, port: UInt16)

    public init(parsing text: String) throws(IngestError) {
        for (scheme, make) in [("udp://", { StreamInput.udp(host: $0, port: $1) }), ("tcp://", { StreamInput.tcp(host: $0, port: $1) })] as [(String, (String, UInt16) -> StreamInput)] where text.hasPrefix(scheme) {
            let rest = text.dropFirst(scheme.count)
            guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]) else {
                throw IngestError("\(text): expected \(scheme)HOST:PORT")
            }
            var host = String(rest[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }  // udp://[::1]:5000
            self = make(host.isEmpty ? "0.0.0.0" : host, port)
            return
        }
        self = .file(text)
    }

    /// Bytes read per system call from files and sockets.
    static let readSize = 1 << 20
}

/// Reads a `StreamInput` to its end and hands every event to `onEvent`. Network inputs end
/// after `silence` seconds without data (once data has arrived), or when `shouldStop` says so.
public struct StreamReader {
    public let input: StreamInput
    public var silence: Double = 5
    public var shouldStop: @Sendable () -> Bool = { false }
    /// Called once a network input is listening, with the port (tests bind port 0).
    public var onListening: (UInt16) -> Void = { _ in }

    public init(input: StreamInput) {
        self.input = input
    }

    /// Lines saying what was skipped in the input (damaged tags, lost packets).
    public private(set) var problems: [String] = []

    public mutating func run(_ onEvent: (DemuxEvent) throws -> Void) throws {
        switch input {
        case .file(let path) where path.lowercased().hasSuffix(".mp4"):
            let source = try MP4FileSource(path: path)
            for track in source.tracks { try onEvent(.track(track)) }
            var frames = source.reader.makeFrameIterator()
            while let frame = try frames.next() { try onEvent(.frame(frame)) }
        case .file(let path):
            var demuxer = try Demuxer(kind: path.lowercased().hasSuffix(".flv") ? .flv : .ts)
            try FileSystem.readPieces(path, pieceSize: StreamInput.readSize) { try demuxer.push($0, onEvent) }
            try demuxer.finish(onEvent)
            problems = demuxer.problems
        case let .udp(host, port):
            let socket = try DatagramSocket.bind(host: host, port: Int(port))
            defer { socket.close() }
            onListening(UInt16(try socket.localPort()))
            try receive(from: socket, onEvent)
        case let .tcp(host, port):
            // The one TCP listener every ingest uses, with MPEG-TS over TCP's "busy" policy: a
            // second sender while the first is read is closed at once.
            let handoff = ConnectionHandoff()
            let listener = IngestListener.oneSender(host: host, port: Int(port), name: "ts-input") { handoff.offer($0) }
            try listener.start()
            defer {
                handoff.close()
                // Returns once the port is closed and the listener has closed every connection.
                listener.stop()
            }
            onListening(UInt16(listener.port))
            while !shouldStop() {
                guard let connection = handoff.take(waitingUpTo: Self.pollInterval) else { continue }
                try receive(from: connection, onEvent)
                return
            }
        }
    }

    /// How often a waiting reader looks at `shouldStop`.
    static let pollInterval: Duration = .milliseconds(200)

    private mutating func receive(from socket: some ReceivingSocket, _ onEvent: (DemuxEvent) throws -> Void) throws {
        var demuxer = try Demuxer(kind: .ts)
        var buffer = [UInt8](repeating: 0, count: StreamInput.readSize)
        var lastData: ContinuousClock.Instant?
        var sender: String?
        while !shouldStop() {
            if try !socket.waitReadable(until: .now + Self.pollInterval) {
                if let lastData, ContinuousClock.now - lastData >= .seconds(silence) { break }
                continue
            }
            let n = try socket.receive(into: &buffer, sender: &sender)
            if n == 0 { break }  // the TCP sender closed
            lastData = .now
            try demuxer.push(buffer[0..<n], onEvent)
        }
        try demuxer.finish(onEvent)
        problems = demuxer.problems
    }
}

/// FLV or MPEG-TS bytes in, events out. A damaged tag or PES is skipped (the readers resume
/// after it) and counted, never fatal: what is sound is recorded.
struct Demuxer {
    enum Kind { case flv, ts }
    private var flv: FLVReader?
    private var ts: TSReader?
    /// What was skipped, one line per problem (the first `maxProblemLines` kept).
    private(set) var problems: [String] = []
    private(set) var problemCount = 0
    static let maxProblemLines = 20

    init(kind: Kind) throws {
        if kind == .flv { flv = FLVReader() } else { ts = TSReader() }
    }

    mutating func push<C: Collection<UInt8>>(_ bytes: C, _ onEvent: (DemuxEvent) throws -> Void) throws {
        if flv != nil { flv!.push(bytes) } else { ts!.push(bytes) }
        try drain(onEvent)
    }

    private mutating func drain(_ onEvent: (DemuxEvent) throws -> Void) throws {
        var errorsInARow = 0
        while true {
            let event: DemuxEvent?
            do {
                event = flv != nil ? try flv!.next() : try ts!.next()
                errorsInARow = 0
            } catch {
                note("\(error)")
                errorsInARow += 1
                if errorsInARow >= DemuxEvent.maxErrorsInARow { return }  // a reader stuck on damage must not spin
                continue
            }
            guard let event else { return }
            try onEvent(event)
        }
    }

    mutating func finish(_ onEvent: (DemuxEvent) throws -> Void) throws {
        if flv != nil {
            do { try flv!.finish() } catch { note("\(error)") }
        } else {
            ts!.finish()
            try drain(onEvent)
            let stats = ts!.statistics
            if stats.skippedBytes > 0 { note("\(stats.skippedBytes) bytes skipped to find TS packet sync") }
            if stats.continuityErrors > 0 { note("\(stats.continuityErrors) continuity errors (lost packets); \(stats.droppedPES) broken PES dropped") }
            if stats.droppedFrames > 0 { note("\(stats.droppedFrames) unusable frames dropped") }
        }
    }

    private mutating func note(_ problem: String) {
        problemCount += 1
        if problems.count < Self.maxProblemLines { problems.append(problem) }
    }
}
