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
/// counts the bytes it skips. From the PAT it takes the first program; from its PMT the first
/// H.264/H.265 stream (track 1) and the first audio stream it records (track 2: ADTS AAC,
/// MPEG audio, AC-3 and E-AC-3 in the ATSC or DVB form, Opus); other streams are ignored. PES packets are reassembled with their continuity counters checked: an error drops
/// only the PES it broke (see `statistics`). A PES whose content cannot be used is consumed
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
    private var assemblers: [UInt16: PESAssembler] = [:]
    private var sections: [UInt16: SectionAssembler] = [:]
    private var completed: [(pid: UInt16, pes: [UInt8])] = []
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
                let (pid, pes) = completed[completedIndex]
                completedIndex += 1
                guard let codec = streams[pid] else { continue }
                events = try demuxer.demux(pes, codec: codec, pid: pid)
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
        let packetBytes = buffer.bytes(from: 0, count: TSPacket.size)
        buffer.consume(TSPacket.size)
        inSync = true
        counts.packets += 1
        guard let packet = try? TSPacket(parsing: packetBytes) else { return true }
        dispatch(packet)
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
        } else if streams[packet.pid] != nil {
            for outcome in assemblers[packet.pid, default: PESAssembler()].push(packet) { record(outcome, pid: packet.pid) }
        }
    }

    private mutating func record(_ outcome: PESAssembler.Outcome, pid: UInt16) {
        switch outcome {
        case let .completed(pes): completed.append((pid, pes))
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

    /// Follows a new program map: the first video and the first audio stream this project
    /// records; assemblers of streams no longer read are dropped.
    private mutating func use(_ pmt: ProgramMapTable) {
        programMap = pmt
        var chosen: [UInt16: Codec] = [:]
        var haveVideo = false, haveAudio = false
        for stream in pmt.streams {
            guard let codec = stream.codec else { continue }
            if codec == .opus {
                // Its layout is only in the PMT; without a usable one the stream is skipped.
                guard let code = StreamDescriptors(stream.descriptors).opusChannelConfigCode,
                      let header = try? OpusTSFraming.header(channelConfigCode: code) else { continue }
                if demuxer.opusHeaders[stream.pid]?.channelCount != header.channelCount { demuxer.opusHeaders[stream.pid] = header }
            }
            if codec.kind == .video && !haveVideo {
                haveVideo = true
                chosen[stream.pid] = codec
            } else if codec.kind == .audio && !haveAudio {
                haveAudio = true
                chosen[stream.pid] = codec
            }
        }
        for pid in streams.keys where chosen[pid] != streams[pid] { assemblers[pid] = nil }
        streams = chosen
    }
}
