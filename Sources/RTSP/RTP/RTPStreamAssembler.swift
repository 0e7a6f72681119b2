import Containers
import MediaCore

/// Every recordable track of an RTSP session, turned into the `DemuxEvent`s every ingest
/// produces: each track's receiver makes access units and frames, the session's one
/// `RTPSessionTimeline` gives them their times (tracks aligned by the arrival of their first
/// packets); the first RTCP sender report gives the wall clock at the stream's start.
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
    /// Every time of the session: unwrapped, placed, jumps closed, decode times kept increasing.
    private var timeline = RTPSessionTimeline()
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
            timeline.noteArrival(arrival)
            for unit in try receivers[index].receive(packet) {
                try emit(unit, track: index, arrival: arrival, into: &events)
            }
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
              let ticks = timeline.timelineTicks(ofRTP: report.rtpTimestamp, trackID: receivers[index].trackID) else { return [] }
        let origin = report.unixTime - Double(ticks) / Double(receivers[index].timescale)
        wallClockStart = origin
        return [.metadata([DemuxEvent.wallClockOriginKey: .number(origin)])]
    }

    /// What is still held (video frames waiting for their decode time): call before the
    /// stream ends.
    public mutating func finish() -> [DemuxEvent] {
        var events: [DemuxEvent] = []
        for i in receivers.indices {
            for unit in receivers[i].finishUnits() { try? emit(unit, track: i, arrival: nil, into: &events) }
            events += receivers[i].finishFrames()
        }
        timeline.apply(&events)
        return events
    }

    /// One access unit of the track at `index`: its time from the session's timeline (with the
    /// discontinuity it starts), then its frames.
    private mutating func emit(_ unit: RTPAccessUnit, track index: Int, arrival: Double?, into events: inout [DemuxEvent]) throws(RTSPError) {
        let (time, jump) = timeline.place(unit.rtpTimestamp, trackID: receivers[index].trackID,
                                          timescale: receivers[index].timescale, arrival: arrival)
        if let jump { events.append(.discontinuity(jump)) }
        try receivers[index].emit(unit, time: time, into: &events)
    }

    public var lostPackets: Int { receivers.reduce(0) { $0 + $1.lostPackets } }

    private mutating func note(_ problem: String) {
        problemCount += 1
        if problems.count < Self.maxProblemLines { problems.append(problem) }
    }
}
