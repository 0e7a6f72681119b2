import Containers
import MediaCore

/// One RTP track on its way to frames: sequence order checked (a gap drops the damaged frame
/// only; late duplicates are dropped), payloads depacketized, and video held back until
/// parameter sets and a keyframe are known, its decode times derived from the picture order.
/// Its times come from the session's `RTPSessionTimeline` (unwrapped, placed, jumps closed).
struct RTPTrackReceiver {
    let trackID: UInt32
    let format: RTPTrackFormat
    private var depacketizer: any RTPDepacketizer
    private var expectedSequence: UInt16?
    private var parameterSets: VideoParameterSets?
    private(set) var descriptions: [SampleDescription] = []
    private var announced = false
    private var waitingForKeyframe: Bool
    private(set) var lostPackets = 0
    private(set) var droppedFrames = 0
    private var timeline: DecodeTimeline?
    private var pictureOrder: PictureOrder?

    init(trackID: UInt32, format: RTPTrackFormat) throws(RTSPError) {
        self.trackID = trackID
        self.format = format
        depacketizer = try format.makeDepacketizer()
        if format.codec.kind == .video {
            var sets = VideoParameterSets(codec: format.codec)
            sets.take(format.parameterSets.map { $0[...] })
            parameterSets = sets
        }
        if let description = format.sampleDescription { descriptions = [description] }
        waitingForKeyframe = format.codec.kind == .video
        if format.codec.kind == .video {
            timeline = DecodeTimeline()
            var order = PictureOrder(codec: format.codec)
            _ = order.key(of: format.parameterSets.map { $0[...] }, pts: 0)
            pictureOrder = order
        }
    }

    var timescale: UInt32 { format.clockRate }

    /// The `.track` event when the description is known before any frame (audio, video with
    /// SDP parameter sets), so a recording starting at the first keyframe has every track.
    mutating func announceEarly() -> DemuxEvent? {
        guard !announced, !descriptions.isEmpty else { return nil }
        announced = true
        return .track(TrackDescription(trackID: trackID, timescale: timescale, sampleDescriptions: descriptions))
    }

    /// The access units `packet` completes, in order.
    mutating func receive(_ packet: RTPPacket) throws(RTSPError) -> [RTPAccessUnit] {
        if let expected = expectedSequence, packet.sequenceNumber != expected {
            let delta = Int16(bitPattern: packet.sequenceNumber &- expected)
            if delta < 0 { return [] }  // late or duplicate: its frame has gone
            lostPackets += Int(delta)
            depacketizer.packetsLost()
        }
        expectedSequence = packet.sequenceNumber &+ 1
        return try depacketizer.push(packet)
    }

    /// Turns `unit`, at `time` on the stream's timeline (presentation time), into events: a
    /// new sample description, the frames the decode timeline lets go.
    mutating func emit(_ unit: RTPAccessUnit, time: Int64, into events: inout [DemuxEvent]) throws(RTSPError) {
        var payload: ArraySlice<UInt8>
        var keyframe = true
        var order = PictureOrder.Key(sequence: 0, count: time)
        if format.codec.kind == .video {
            // Every picture in decoding order, dropped ones too: the POC carries over from them.
            if pictureOrder != nil { order = pictureOrder!.key(of: unit.units, pts: time) }
            let access: AnnexBAccessUnit
            do { access = try AnnexBAccessUnit(nalUnits: unit.units, codec: format.codec) } catch {
                droppedFrames += 1
                throw .malformedPayload(codec: format.codec.description, reason: "\(error)")
            }
            if parameterSets!.take(unit.units) {
                do {
                    if let description = try parameterSets!.sampleDescription(), !descriptions.contains(description) {
                        descriptions.append(description)
                        if announced {
                            events.append(.sampleDescription(trackID: trackID, index: UInt16(descriptions.count), description))
                        }
                    }
                } catch {
                    throw .malformedPayload(codec: format.codec.description, reason: "in-band parameter sets: \(error)")
                }
            }
            guard access.hasSlices else { return }
            keyframe = access.isKeyframe
            payload = access.payload
        } else {
            payload = unit.units.first ?? []
        }
        if !announced, let event = announceEarly() { events.append(event) }
        guard announced, !(waitingForKeyframe && !keyframe) else {
            droppedFrames += 1
            return
        }
        waitingForKeyframe = false
        let frame = MediaFrame(trackID: trackID, dts: time, pts: time, isKeyframe: keyframe,
                               sampleDescriptionIndex: UInt16(currentDescriptionIndex), payload: payload)
        guard timeline != nil else { return events.append(.frame(frame)) }
        events += timeline!.push(frame, order: order, declaredDepth: pictureOrder?.declaredDepth).map { .frame($0) }
    }

    /// The access units the depacketizer still holds, at the end of the stream.
    mutating func finishUnits() -> [RTPAccessUnit] { depacketizer.finish() }

    /// The frames held for decode-time ordering, at the end of the stream (after the last
    /// units are emitted).
    mutating func finishFrames() -> [DemuxEvent] { (timeline?.finish() ?? []).map { .frame($0) } }

    /// The index of the description the parameter sets now make (the latest by default).
    private var currentDescriptionIndex: Int {
        if let sets = parameterSets, let current = try? sets.sampleDescription(), let i = descriptions.firstIndex(of: current) {
            return i + 1
        }
        return max(descriptions.count, 1)
    }
}
