import MediaCore

/// Reads an MPEG-TS stream incrementally (a file, UDP datagrams, a TCP connection): push
/// bytes in as they come, take events out.
///
/// ```swift
/// var reader = TSReader()
/// reader.push(datagram)
/// while let event = try reader.next() { ... }   // nil: needs more bytes
/// reader.finish()                              // at the end, then drain next() again
/// ```
///
/// Packets are 188 bytes from a 0x47 sync byte. Out of sync (at the start, or after garbage),
/// the reader takes a 0x47 as a packet start only when another follows 188 bytes later, and
/// counts the bytes it skips. From the PAT it takes the first program; from its PMT every
/// stream it records: H.264/H.265 (the first is track 1), ADTS AAC, MPEG audio, AC-3 and
/// E-AC-3 in the ATSC or DVB form, Opus (the first audio is track 2; further streams, such as
/// a second language, tracks 3, 4, ...); other streams are ignored. PES
/// packets are reassembled with their continuity counters checked: an error drops only the PES
/// it broke (see `statistics`). Frames come out on a monotonic timeline: jumps of the clock
/// (an encoder restart, a discontinuity_indicator) are closed by a `TimelineNormalizer`, with
/// a `.discontinuity` event for each. A PES whose content cannot be used is consumed
/// and its error thrown; calling `next()` again goes on.
public struct TSReader: Sendable {
    /// What the reader met besides frames: damage it recovered from.
    public struct Statistics: Sendable, Equatable {
        public var packets = 0
        /// Bytes discarded to find the sync byte again (and a partial packet at the end).
        public var skippedBytes = 0
        public var continuityErrors = 0
        public var transportErrors = 0
        /// PES packets lost to continuity or transport errors, truncation, or `maxPESSize`.
        public var droppedPES = 0
        /// PAT/PMT sections with a wrong CRC or layout.
        public var invalidSections = 0
        /// Frames before the parameter sets of their track, or without a timestamp.
        public var droppedFrames = 0
    }

    private var buffer = InputBuffer()
    private var inSync = false
    private var finished = false
    private var flushed = false
    private var pmtPID: UInt16?
    /// The program's map, once read.
    public private(set) var programMap: ProgramMapTable?
    /// The elementary PIDs being read, with their codecs.
    private var streams: [UInt16: Codec] = [:]
    /// The track id of each elementary PID, kept for the stream's life (see `use`).
    private var trackIDs: [UInt16: UInt32] = [:]
    /// PIDs already announced as `.unrecordable`.
    private var refusedPIDs: Set<UInt16> = []
    private var assemblers: [UInt16: PESAssembler] = [:]
    private var sections: [UInt16: SectionAssembler] = [:]
    private var completed: [(pid: UInt16, pes: [UInt8], newTimeBase: Bool)] = []
    /// PIDs whose next PES starts on a new time base: the PCR PID carried a
    /// discontinuity_indicator (2.4.3.5) since their last PES started.
    private var newTimeBase: Set<UInt16> = []
    private var timeline = TimelineNormalizer()
    private var completedIndex = 0
    private var events: [DemuxEvent] = []
    private var eventIndex = 0
    private var demuxer = TSPESDemuxer()
    private var counts = Statistics()

    public init() {}

    public var statistics: Statistics {
        var result = counts
        result.continuityErrors = assemblers.values.reduce(counts.continuityErrors) { $0 + $1.continuityErrorCount }
        result.droppedFrames = demuxer.droppedFrameCount
        return result
    }

    /// The tracks announced so far.
    public var trackDescriptions: [TrackDescription] { demuxer.tracks.tracks.values.sorted { $0.trackID < $1.trackID } }

    /// Appends bytes of the stream.
    public mutating func push<C: Collection<UInt8>>(_ bytes: C) {
        buffer.append(bytes)
    }

    /// Appends what `fill` reads (a socket read) straight into the reader's buffer, with no
    /// copy (`InputBuffer.append(upTo:from:)`).
    public mutating func push<Outcome>(upTo maximum: Int,
                                       from fill: (UnsafeMutableRawBufferPointer) -> (count: Int, outcome: Outcome)) -> Outcome {
        buffer.append(upTo: maximum, from: fill)
    }

    /// Marks the end of the stream: PES packets without a length complete, a trailing partial
    /// packet is discarded. Drain `next()` afterwards.
    public mutating func finish() {
        finished = true
    }

    /// The next event, or nil when more bytes are needed (or, after `finish()`, at the end).
    public mutating func next() throws(TSError) -> DemuxEvent? {
        while true {
            if eventIndex < events.count {
                defer { eventIndex += 1 }
                return events[eventIndex]
            }
            events.removeAll(keepingCapacity: true)
            eventIndex = 0
            if completedIndex < completed.count {
                let (pid, pes, newTimeBase) = completed[completedIndex]
                completedIndex += 1
                guard let codec = streams[pid] else { continue }
                do {
                    events = try demuxer.demux(pes, codec: codec, pid: pid, trackID: trackIDs[pid])
                } catch .codec(.unsupported(let structure, let feature), _) {
                    // A form of the codec this project does not record (MPEG audio layer II
                    // in stream_type 0x03): every PES would say so again. Said once; the
                    // stream is no longer read.
                    refuse(pid, "\(structure): \(feature) cannot be recorded")
                    streams[pid] = nil
                    assemblers[pid] = nil
                    continue
                }
                if newTimeBase {
                    for case let .frame(frame) in events { timeline.expectDiscontinuity(trackID: frame.trackID) }
                }
                timeline.apply(&events)
                continue
            }
            completed.removeAll(keepingCapacity: true)
            completedIndex = 0
            guard readPacket() else { return nil }
        }
    }

    /// Reads and dispatches one packet; false when more bytes are needed.
    private mutating func readPacket() -> Bool {
        while true {
            guard buffer.count >= TSPacket.size else { return finishTail() }
            // A packet starts here when the next one's sync byte confirms it; without the next
            // bytes, when the previous packet was in sync (or nothing more will come).
            if buffer[0] == TSPacket.syncByte {
                let confirmed = confirmsSync(at: 0)
                if confirmed == true || (confirmed == nil && (inSync || finished)) { break }
                if confirmed == nil { return false }
            }
            inSync = false
            // Look for a 0x47 with another 188 bytes later.
            var candidate = buffer[0] == TSPacket.syncByte ? 1 : 0
            var found = false
            while let index = buffer.firstIndex(of: TSPacket.syncByte, from: candidate) {
                switch confirmsSync(at: index) {
                case true?:
                    skip(index)
                    found = true
                case nil:
                    // Not enough bytes to confirm: keep the candidate and wait.
                    skip(index)
                    if !finished { return false }
                    found = true
                case false?:
                    candidate = index + 1
                    continue
                }
                break
            }
            if !found {
                skip(buffer.count)
                return finishTail()
            }
        }
        inSync = true
        counts.packets += 1
        do {
            // A slice of the buffer, not a copy: the PES and section assemblers copy the
            // payload out, and the slice is gone (end of this scope) before the consume.
            if let packet = try? TSPacket(parsing: buffer.slice(from: 0, count: TSPacket.size)) { dispatch(packet) }
        }
        buffer.consume(TSPacket.size)
        return true
    }

    /// Whether a sync byte 188 bytes after `offset` confirms a packet start there; nil when
    /// the bytes are not there yet.
    private func confirmsSync(at offset: Int) -> Bool? {
        guard offset + TSPacket.size < buffer.count else { return nil }
        return buffer[offset + TSPacket.size] == TSPacket.syncByte
    }

    private mutating func skip(_ count: Int) {
        counts.skippedBytes += count
        buffer.consume(count)
    }

    /// At the end of the stream: drop a partial packet and flush the PES in progress, once.
    private mutating func finishTail() -> Bool {
        guard finished, !flushed else { return false }
        flushed = true
        skip(buffer.count)
        for pid in assemblers.keys.sorted() {
            if let outcome = assemblers[pid]?.flush() { record(outcome, pid: pid) }
        }
        return true
    }

    private mutating func dispatch(_ packet: TSPacket) {
        if packet.transportError { counts.transportErrors += 1 }
        guard !packet.isScrambled else { return }
        if packet.pid == ProgramAssociationTable.pid || packet.pid == pmtPID {
            readSections(packet)
        } else if streams[packet.pid] != nil || packet.pid == programMap?.pcrPID {
            if packet.adaptationField?.discontinuity == true, packet.pid == programMap?.pcrPID {
                newTimeBase = Set(streams.keys)
            }
            guard streams[packet.pid] != nil else { return }
            let startsOnNewTimeBase = newTimeBase.contains(packet.pid)
            if startsOnNewTimeBase && packet.payloadUnitStart { newTimeBase.remove(packet.pid) }
            for outcome in assemblers[packet.pid, default: PESAssembler()].push(packet, newTimeBase: startsOnNewTimeBase) {
                record(outcome, pid: packet.pid)
            }
        }
    }

    private mutating func record(_ outcome: PESAssembler.Outcome, pid: UInt16) {
        switch outcome {
        case let .completed(pes, newTimeBase): completed.append((pid, pes, newTimeBase))
        case .dropped: counts.droppedPES += 1
        }
    }

    private mutating func readSections(_ packet: TSPacket) {
        guard let payload = packet.payload, !packet.transportError else {
            sections[packet.pid]?.reset()
            return
        }
        for bytes in sections[packet.pid, default: SectionAssembler()].push(payload, unitStart: packet.payloadUnitStart) {
            guard let section = try? PSISection(parsing: bytes, pid: packet.pid), section.isCurrent else {
                counts.invalidSections += 1
                continue
            }
            if packet.pid == ProgramAssociationTable.pid {
                guard section.tableID == ProgramAssociationTable.tableID else { continue }
                guard let pat = try? ProgramAssociationTable(section: section, pid: packet.pid) else {
                    counts.invalidSections += 1
                    continue
                }
                if let first = pat.programs.first, first.pmtPID != pmtPID {
                    pmtPID = first.pmtPID
                    programMap = nil
                }
            } else {
                guard section.tableID == ProgramMapTable.tableID else { continue }
                guard let pmt = try? ProgramMapTable(section: section, pid: packet.pid) else {
                    counts.invalidSections += 1
                    continue
                }
                if pmt != programMap { use(pmt) }
            }
        }
    }

    /// Follows a new program map: every stream with a codec this project records; assemblers
    /// of streams no longer read are dropped. Track ids stay with their PID: the first video
    /// stream is track 1, the first audio stream track 2, every further stream (a second
    /// language) the next free id from 3, in PMT order.
    private mutating func use(_ pmt: ProgramMapTable) {
        programMap = pmt
        var chosen: [UInt16: Codec] = [:]
        for stream in pmt.streams where !refusedPIDs.contains(stream.pid) {
            guard let codec = stream.codec else {
                refuse(stream.pid, "stream_type \(Self.name(of: stream.streamType)) cannot be recorded")
                continue
            }
            if codec == .opus {
                // Its layout is only in the PMT; without a usable one the stream is skipped.
                guard let code = StreamDescriptors(stream.descriptors).opusChannelConfigCode,
                      let header = try? OpusTSFraming.header(channelConfigCode: code) else {
                    refuse(stream.pid, "Opus without a channel_config_code this reader knows cannot be recorded")
                    continue
                }
                if demuxer.opusHeaders[stream.pid]?.channelCount != header.channelCount { demuxer.opusHeaders[stream.pid] = header }
            }
            chosen[stream.pid] = codec
            if trackIDs[stream.pid] == nil {
                let first = codec.kind == .video ? ContainerTrackID.video : ContainerTrackID.audio
                let used = Set(trackIDs.values)
                trackIDs[stream.pid] = used.contains(first) ? (3...).first { !used.contains(UInt32($0)) }.map(UInt32.init)! : first
            }
        }
        for pid in streams.keys where chosen[pid] != streams[pid] { assemblers[pid] = nil }
        streams = chosen
    }

    /// Announces a stream that is not read, once per PID.
    private mutating func refuse(_ pid: UInt16, _ reason: String) {
        guard refusedPIDs.insert(pid).inserted else { return }
        events.append(.unrecordable(UnrecordableTrack(name: "PID 0x" + String(pid, radix: 16), reason: reason)))
    }

    /// A stream type with its common name (ISO/IEC 13818-1 Table 2-34, ATSC A/52, SCTE 35).
    static func name(of type: TSStreamType) -> String {
        let names: [UInt8: String] = [
            0x01: "MPEG-1 video", 0x02: "MPEG-2 video", 0x03: "MPEG-1 audio", 0x04: "MPEG-2 audio",
            0x05: "private sections", 0x06: "private data", 0x0F: "AAC (ADTS)", 0x10: "MPEG-4 Part 2 video",
            0x11: "AAC (LATM)", 0x15: "metadata", 0x1B: "H.264", 0x24: "H.265", 0x42: "AVS video",
            0x80: "PCM (Blu-ray) or DigiCipher video", 0x81: "AC-3", 0x82: "DTS", 0x83: "TrueHD", 0x86: "SCTE-35 cues",
            0x87: "E-AC-3", 0xEA: "VC-1",
        ]
        let hex = String(type.rawValue, radix: 16)
        return "0x" + (hex.count < 2 ? "0" : "") + hex + (names[type.rawValue].map { " (\($0))" } ?? "")
    }
}
