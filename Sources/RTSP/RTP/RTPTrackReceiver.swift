import Containers
import MediaCore

/// One RTP track on its way to frames: sequence order checked (a gap drops the damaged frame
/// only; late duplicates are dropped), the 32-bit RTP clock unwrapped with signed deltas (a
/// wrap reads as a small step forward, not 13 hours), a jump of the camera's clock closed by
/// the recorder's timestamp policy (`TimelineNormalizer`, see `time(of:)`),
/// payloads depacketized, and video held back until parameter sets and a keyframe are known.
struct RTPTrackReceiver {
    let trackID: UInt32
    let format: RTPTrackFormat
    private var depacketizer: any RTPDepacketizer
    private var unwrapper = TimestampUnwrapper(bits: 32)
    private var expectedSequence: UInt16?
    private var parameterSets: VideoParameterSets?
    private(set) var descriptions: [SampleDescription] = []
    private var announced = false
    private var waitingForKeyframe: Bool
    /// Places frames on the stream's timeline and closes the camera's clock jumps.
    private var normalizer = TimelineNormalizer()
    /// The last frame's unwrapped RTP time and its time on the stream's timeline (ticks): where
    /// a sender report's RTP time is placed from.
    private var origin: (rtp: Int64, time: Int64)?
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

    /// `startTicks`: where this track's first frame sits on the stream's timeline, in its
    /// clock (the arrival of its first packet after the stream's first).
    mutating func receive(_ packet: RTPPacket, startTicks: () -> Int64, into events: inout [DemuxEvent]) throws(RTSPError) {
        if let expected = expectedSequence, packet.sequenceNumber != expected {
            let delta = Int16(bitPattern: packet.sequenceNumber &- expected)
            if delta < 0 { return }  // late or duplicate: its frame has gone
            lostPackets += Int(delta)
            depacketizer.packetsLost()
        }
        expectedSequence = packet.sequenceNumber &+ 1
        for unit in try depacketizer.push(packet) {
            try emit(unit, startTicks: startTicks, into: &events)
        }
    }

    /// The frame's time on the stream's timeline. A jump of the camera's clock (an encoder
    /// restart, a clock set) follows the policy of every ingest (docs/recording.md, "Timestamp
    /// discontinuities"), measured on presentation times (`TimelineNormalizer.placePresentation`)
    /// before decode times are derived, so that B-frames (a few frames back) are not jumps and a
    /// jump never lands inside the reorder window.
    private mutating func time(of rtpTimestamp: UInt32, startTicks: () -> Int64, into events: inout [DemuxEvent]) -> Int64 {
        let rtp = unwrapper.unwrap(UInt64(rtpTimestamp))
        let (time, jump) = normalizer.placePresentation(rtp, trackID: trackID, timescale: timescale, first: startTicks)
        if let jump { events.append(.discontinuity(jump)) }
        origin = (rtp, time)
        return time
    }

    private mutating func emit(_ unit: RTPAccessUnit, startTicks: () -> Int64, into events: inout [DemuxEvent]) throws(RTSPError) {
        let time = time(of: unit.rtpTimestamp, startTicks: startTicks, into: &events)
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

    /// Where an RTP time of this track (a sender report's) falls on the stream's timeline; nil
    /// before the first frame. Signed 32-bit distance from the last frame's, as for wraps.
    func timelineTicks(ofRTP rtpTimestamp: UInt32) -> Int64? {
        guard let origin else { return nil }
        let delta = Int64(Int32(bitPattern: rtpTimestamp &- UInt32(truncatingIfNeeded: origin.rtp)))
        return origin.time + delta
    }

    /// The frames held for decode-time ordering, at the end of the stream.
    mutating func finish() -> [DemuxEvent] {
        var events: [DemuxEvent] = []
        for unit in depacketizer.finish() {
            try? emit(unit, startTicks: { 0 }, into: &events)
        }
        return events + (timeline?.finish() ?? []).map { .frame($0) }
    }

    /// The index of the description the parameter sets now make (the latest by default).
    private var currentDescriptionIndex: Int {
        if let sets = parameterSets, let current = try? sets.sampleDescription(), let i = descriptions.firstIndex(of: current) {
            return i + 1
        }
        return max(descriptions.count, 1)
    }
}
