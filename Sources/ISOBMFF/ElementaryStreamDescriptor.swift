import MediaCore

/// The MPEG-4 ES_Descriptor that an `esds` box carries: which decoder an audio stream needs,
/// its bit rates, and its AudioSpecificConfig. (ISO/IEC 14496-1 7.2.6.5; ISO/IEC 14496-14 3.1.2)
///
/// ```
/// ES_Descriptor (tag 0x03)
///   ES_ID(16) streamDependenceFlag(1) URL_Flag(1) OCRstreamFlag(1) streamPriority(5)
///   [dependsOn_ES_ID(16)] [URLlength(8) URLstring] [OCR_ES_Id(16)]
///   DecoderConfigDescriptor (tag 0x04)
///     objectTypeIndication(8) streamType(6) upStream(1) reserved(1)=1
///     bufferSizeDB(24) maxBitrate(32) avgBitrate(32)
///     DecoderSpecificInfo (tag 0x05): the AudioSpecificConfig
///   SLConfigDescriptor (tag 0x06): predefined(8) = 2 ("reserved for MP4 files")
/// ```
/// Every descriptor starts with a tag byte and an expandable size (7.2.2.3): 1 to 4 bytes of
/// 7 bits, the high bit set on all but the last. This type writes the 4-byte form, as ffmpeg
/// and Apple do. Descriptors it does not model (profile-level indications, IPI pointers) are
/// skipped when reading and not written back.
public struct ElementaryStreamDescriptor: Sendable, Equatable {
    static let esDescriptorTag: UInt8 = 0x03
    static let decoderConfigTag: UInt8 = 0x04
    static let decoderSpecificInfoTag: UInt8 = 0x05
    static let slConfigTag: UInt8 = 0x06
    /// A size field holds at most 4 bytes of 7 bits.
    static let maxDescriptorSize = (1 << 28) - 1

    /// objectTypeIndication of MPEG-4 audio (AAC and its relatives; 14496-1 Table 5).
    public static let mpeg4Audio: UInt8 = 0x40
    /// objectTypeIndication of MPEG-2 AAC Main, LC and SSR (ISO/IEC 13818-7).
    public static let mpeg2AAC: ClosedRange<UInt8> = 0x66...0x68
    /// objectTypeIndication of MPEG-1 audio (ISO/IEC 11172-3): MP3 at 32, 44.1 and 48 kHz.
    public static let mpeg1Audio: UInt8 = 0x6B
    /// objectTypeIndication of MPEG-2 audio (ISO/IEC 13818-3): MP3 at the half and quarter rates.
    public static let mpeg2Audio: UInt8 = 0x69
    /// streamType of an audio stream (14496-1 Table 6).
    public static let audioStream: UInt8 = 0x05
    /// The only SLConfigDescriptor allowed in MP4 files (14496-14 3.1.2).
    public static let mp4SLConfig: UInt8 = 2

    public var esID: UInt16
    public var streamPriority: UInt8
    public var dependsOnESID: UInt16?
    public var url: [UInt8]?
    public var ocrESID: UInt16?
    public var objectTypeIndication: UInt8
    public var streamType: UInt8
    public var upStream: Bool
    /// Decoder buffer size in bytes (24 bits).
    public var bufferSizeDB: UInt32
    /// Bits per second.
    public var maxBitrate: UInt32
    public var averageBitrate: UInt32
    /// The DecoderSpecificInfo: for AAC, the AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1).
    /// Empty means the descriptor is absent.
    public var decoderSpecificInfo: [UInt8]
    public var slConfigPredefined: UInt8

    /// A descriptor for an AAC stream, as ffmpeg writes one.
    /// With `objectTypeIndication` `mpeg1Audio` or `mpeg2Audio` and an empty config, an MP3 stream.
    public init(audioSpecificConfig: [UInt8], objectTypeIndication: UInt8 = mpeg4Audio, esID: UInt16 = 0,
                bufferSizeDB: UInt32 = 0, maxBitrate: UInt32 = 0, averageBitrate: UInt32 = 0) {
        self.esID = esID
        streamPriority = 0
        self.objectTypeIndication = objectTypeIndication
        streamType = Self.audioStream
        upStream = false
        self.bufferSizeDB = bufferSizeDB
        self.maxBitrate = maxBitrate
        self.averageBitrate = averageBitrate
        decoderSpecificInfo = audioSpecificConfig
        slConfigPredefined = Self.mp4SLConfig
    }

    /// Parses an ES_Descriptor at the reader's position; `box` names the box for errors.
    public init(reading reader: inout ByteReader, in box: FourCC) throws(MP4ParseError) {
        var es = try Self.readDescriptor(&reader, expecting: Self.esDescriptorTag, in: box)
        esID = try es.read(in: box)
        let flags = try es.read(UInt8.self, in: box)
        streamPriority = flags & 0x1F
        dependsOnESID = flags & 0x80 != 0 ? try es.read(UInt16.self, in: box) : nil
        if flags & 0x40 != 0 {
            let length = Int(try es.read(UInt8.self, in: box))
            url = try es.readBytes(length, in: box)
        } else {
            url = nil
        }
        ocrESID = flags & 0x20 != 0 ? try es.read(UInt16.self, in: box) : nil

        var decoderConfig: ByteReader? = nil
        var slConfig: UInt8? = nil
        while !es.isAtEnd {
            let (tag, at) = (try es.peekTag(in: box), Int64(es.position))
            var body = try Self.readDescriptor(&es, expecting: nil, in: box)
            switch tag {
            case Self.decoderConfigTag where decoderConfig == nil:
                decoderConfig = body
            case Self.slConfigTag where slConfig == nil:
                slConfig = try body.read(UInt8.self, in: box)
            case Self.decoderConfigTag, Self.slConfigTag:
                throw .invalidValue(box, reason: "descriptor tag \(hex(tag)) appears twice", at: at)
            default:
                break                                 // not modelled: skipped
            }
        }
        guard var config = decoderConfig else {
            throw .invalidValue(box, reason: "ES_Descriptor has no DecoderConfigDescriptor (tag 0x04)", at: Int64(es.position))
        }
        objectTypeIndication = try config.read(in: box)
        let streamByte = try config.read(UInt8.self, in: box)
        streamType = streamByte >> 2
        upStream = streamByte & 0x02 != 0
        bufferSizeDB = UInt32(try config.read(UInt16.self, in: box)) << 8 | UInt32(try config.read(UInt8.self, in: box))
        maxBitrate = try config.read(in: box)
        averageBitrate = try config.read(in: box)
        decoderSpecificInfo = []
        while !config.isAtEnd {
            let tag = try config.peekTag(in: box)
            var body = try Self.readDescriptor(&config, expecting: nil, in: box)
            if tag == Self.decoderSpecificInfoTag && decoderSpecificInfo.isEmpty {
                decoderSpecificInfo = body.readRemainingBytes()
            }
        }
        // 14496-1 requires the SLConfigDescriptor; a file that leaves it out is read as MP4's.
        slConfigPredefined = slConfig ?? Self.mp4SLConfig
    }

    /// Reads a tag and an expandable size, checks the tag (when given) and that the size fits
    /// in what remains, and returns a reader over the descriptor's body.
    static func readDescriptor(_ reader: inout ByteReader, expecting expected: UInt8?,
                               in box: FourCC) throws(MP4ParseError) -> ByteReader {
        let at = Int64(reader.position)
        let tag = try reader.read(UInt8.self, in: box)
        if let expected, tag != expected {
            throw .invalidValue(box, reason: "expected descriptor tag \(hex(expected)), found \(hex(tag))", at: at)
        }
        var size = 0
        for index in 0..<4 {
            let byte = try reader.read(UInt8.self, in: box)
            size = size << 7 | Int(byte & 0x7F)
            if byte & 0x80 == 0 { break }
            if index == 3 {
                throw .invalidValue(box, reason: "descriptor size runs past 4 bytes", at: at)
            }
        }
        guard size <= reader.remaining else {
            throw .truncatedBody(box, needed: size, remaining: reader.remaining, at: Int64(reader.position))
        }
        return try reader.readSubReader(size, in: box)
    }

    private var decoderConfigBodySize: Int {
        13 + (decoderSpecificInfo.isEmpty ? 0 : 5 + decoderSpecificInfo.count)
    }

    private var esBodySize: Int {
        3 + (dependsOnESID == nil ? 0 : 2) + (url.map { 1 + $0.count } ?? 0) + (ocrESID == nil ? 0 : 2)
            + 5 + decoderConfigBodySize + 5 + 1
    }

    /// Bytes `write(to:)` writes.
    public var encodedSize: Int { 5 + esBodySize }

    public func write(to writer: inout ByteWriter) {
        Self.writeDescriptorHeader(Self.esDescriptorTag, size: esBodySize, to: &writer)
        writer.write(esID)
        let flags = (dependsOnESID == nil ? 0 : 0x80) | (url == nil ? 0 : 0x40) | (ocrESID == nil ? 0 : 0x20)
        writer.write(UInt8(flags) | streamPriority & 0x1F)
        if let dependsOnESID { writer.write(dependsOnESID) }
        if let url {
            precondition(url.count <= Int(UInt8.max), "an ES_Descriptor URL holds at most 255 bytes")
            writer.write(UInt8(url.count))
            writer.write(bytes: url)
        }
        if let ocrESID { writer.write(ocrESID) }

        Self.writeDescriptorHeader(Self.decoderConfigTag, size: decoderConfigBodySize, to: &writer)
        writer.write(objectTypeIndication)
        writer.write(streamType << 2 | (upStream ? 0x02 : 0) | 0x01)
        writer.writeUInt(UInt64(bufferSizeDB & 0xFF_FFFF), byteCount: 3)
        writer.write(maxBitrate)
        writer.write(averageBitrate)
        if !decoderSpecificInfo.isEmpty {
            Self.writeDescriptorHeader(Self.decoderSpecificInfoTag, size: decoderSpecificInfo.count, to: &writer)
            writer.write(bytes: decoderSpecificInfo)
        }

        Self.writeDescriptorHeader(Self.slConfigTag, size: 1, to: &writer)
        writer.write(slConfigPredefined)
    }

    /// Tag and size in the 4-byte expandable form.
    static func writeDescriptorHeader(_ tag: UInt8, size: Int, to writer: inout ByteWriter) {
        precondition(size <= maxDescriptorSize, "a descriptor holds at most \(maxDescriptorSize) bytes")
        writer.write(tag)
        for shift in [21, 14, 7] { writer.write(UInt8(0x80 | (size >> shift) & 0x7F)) }
        writer.write(UInt8(size & 0x7F))
    }
}

private func hex(_ byte: UInt8) -> String {
    "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
}

private extension ByteReader {
    func peekTag(in box: FourCC) throws(MP4ParseError) -> UInt8 {
        do throws(ByteReaderError) { return try peekInteger(UInt8.self) } catch { throw MP4ParseError(error, in: box) }
    }
}
