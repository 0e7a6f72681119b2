import Containers
import MediaCore

/// Every recordable track of an RTSP session, turned into the `DemuxEvent`s every ingest
/// produces. Tracks are aligned by the arrival of their first packets (RTP clocks of different
/// tracks start at random values, RFC 3550 5.1); the first RTCP sender report gives the wall
/// clock at the stream's start.
public struct RTPStreamAssembler {
    public struct Track: Sendable, Equatable {
        public var trackID: UInt32
        public var format: RTPTrackFormat
        public init(trackID: UInt32, format: RTPTrackFormat) {
            self.trackID = trackID
            self.format = format
        }
    }

    private var receivers: [RTPTrackReceiver]
    /// The one timestamp policy of every ingest, last: jumps of a camera's clock are closed per
    /// track by the receivers (on presentation times, before decode times exist); this keeps
    /// every track's decode times increasing whatever arrives (jitter put a millisecond after).
    private var timeline = TimelineNormalizer()
    /// Seconds (any monotonic clock) at which the stream's first packet arrived.
    private var firstArrival: Double?
    /// Unix time of the stream's timeline origin (tick 0), from a sender report; nil until one
    /// arrives.
    public private(set) var wallClockStart: Double?
    /// Problems seen (damaged payloads), counted; the first few kept as lines.
    public private(set) var problems: [String] = []
    public private(set) var problemCount = 0
    static let maxProblemLines = 20

    public init(tracks: [Track]) throws(RTSPError) {
        var receivers: [RTPTrackReceiver] = []
        for track in tracks { receivers.append(try RTPTrackReceiver(trackID: track.trackID, format: track.format)) }
        self.receivers = receivers
    }

    /// The tracks known before any packet, to send before the first frames.
    public mutating func start() -> [DemuxEvent] {
        var events: [DemuxEvent] = []
        for i in receivers.indices { if let e = receivers[i].announceEarly() { events.append(e) } }
        timeline.apply(&events)
        return events
    }

    /// An RTP packet of the track at `index` (in the order given at init), arrived at `arrival`
    /// seconds. A damaged packet costs its frame, noted in `problems`.
    public mutating func receiveRTP(_ bytes: [UInt8], track index: Int, arrival: Double) -> [DemuxEvent] {
        guard receivers.indices.contains(index) else { return [] }
        var events: [DemuxEvent] = []
        do {
            let packet = try RTPPacket(parsing: bytes)
            guard packet.payloadType == receivers[index].format.payloadType else { return [] }  // comfort noise, FEC
            let first = firstArrival ?? arrival
            firstArrival = first
            let scale = Double(receivers[index].timescale)
            try receivers[index].receive(packet, startTicks: { Int64(((arrival - first) * scale).rounded()) }, into: &events)
        } catch {
            note("\(error)")
        }
        timeline.apply(&events)
        return events
    }

    /// RTCP of the track at `index`: the first sender report of a track that has started maps
    /// the stream's timeline to the camera's wall clock, sent on as `.metadata` (kept in the
    /// recording's metadata: its chunks' wall-clock start).
    public mutating func receiveRTCP(_ bytes: [UInt8], track index: Int) -> [DemuxEvent] {
        guard wallClockStart == nil, receivers.indices.contains(index),
              let report = RTCPPacket.senderReports(in: bytes).first,
              let ticks = receivers[index].timelineTicks(ofRTP: report.rtpTimestamp) else { return [] }
        let origin = report.unixTime - Double(ticks) / Double(receivers[index].timescale)
        wallClockStart = origin
        return [.metadata([DemuxEvent.wallClockOriginKey: .number(origin)])]
    }

    /// What is still held (video frames waiting for their decode time): call before the
    /// stream ends.
    public mutating func finish() -> [DemuxEvent] {
        var events: [DemuxEvent] = []
        for i in receivers.indices { events += receivers[i].finish() }
        timeline.apply(&events)
        return events
    }

    public var lostPackets: Int { receivers.reduce(0) { $0 + $1.lostPackets } }

    private mutating func note(_ problem: String) {
        problemCount += 1
        if problems.count < Self.maxProblemLines { problems.append(problem) }
    }
}
