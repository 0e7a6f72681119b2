/// An Opus stream's identification header, in its two spellings: `OpusHead` (RFC 7845 5.1,
/// little-endian, as Ogg, FLV and Enhanced RTMP carry it) and the `dOps` box body of an MP4
/// `Opus` sample entry (Opus in ISOBMFF 4.3.2, big-endian, no magic, version 0).
///
/// ```
/// OpusHead: "OpusHead" version(8)=1 channels(8) pre_skip(16le) input_rate(32le) gain(16le) family(8) [table]
/// dOps:     Version(8)=0 OutputChannelCount(8) PreSkip(16) InputSampleRate(32) OutputGain(16) ChannelMappingFamily(8) [table]
/// table:    StreamCount(8) CoupledCount(8) ChannelMapping(8 x channels)
/// ```
public struct OpusIdentificationHeader: Sendable, Equatable {
    public static let magic: [UInt8] = Array("OpusHead".utf8)
    /// Opus always decodes at 48 kHz; timestamps count 48 kHz samples (RFC 7845 4).
    public static let sampleRate: UInt32 = 48000

    public var channelCount: UInt8
    /// Samples at 48 kHz to discard from the decoder's output at the start (RFC 7845 4.2).
    public var preSkip: UInt16
    /// The encoder's input rate: informational only.
    public var inputSampleRate: UInt32
    /// Q7.8 dB.
    public var outputGain: Int16
    public var mappingFamily: UInt8
    /// StreamCount, CoupledCount, ChannelMapping: present when the family is not 0.
    public var channelMappingTable: (streamCount: UInt8, coupledCount: UInt8, mapping: [UInt8])?

    private static let structure = "Opus identification header"

    public init(channelCount: UInt8, preSkip: UInt16, inputSampleRate: UInt32, outputGain: Int16 = 0, mappingFamily: UInt8 = 0,
                channelMappingTable: (streamCount: UInt8, coupledCount: UInt8, mapping: [UInt8])? = nil) {
        self.channelCount = channelCount
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.outputGain = outputGain
        self.mappingFamily = mappingFamily
        self.channelMappingTable = channelMappingTable
    }

    /// Parses an `OpusHead` packet (trailing bytes allowed, as RFC 7845 5.1 asks).
    public init(opusHead bytes: [UInt8]) throws(CodecError) {
        guard bytes.count >= 19, Array(bytes[0..<8]) == Self.magic else {
            throw .invalidValue(structure: Self.structure, field: "magic signature", value: Int64(bytes.count))
        }
        // Major version 0 (values 0...15) is this layout; later ones are incompatible (5.1).
        guard bytes[8] >> 4 == 0 else { throw .unsupported(structure: Self.structure, feature: "version \(bytes[8])") }
        try self.init(fields: Array(bytes[9...]), littleEndian: true)
    }

    /// Parses a `dOps` box body.
    public init(opusSpecificBox bytes: [UInt8]) throws(CodecError) {
        guard let version = bytes.first else { throw .missing(structure: "OpusSpecificBox", element: "Version") }
        guard version == 0 else { throw .unsupported(structure: "OpusSpecificBox", feature: "Version \(version)") }
        try self.init(fields: Array(bytes.dropFirst()), littleEndian: false)
    }

    private init(fields bytes: [UInt8], littleEndian: Bool) throws(CodecError) {
        var r = ByteReader(bytes)
        do throws(ByteReaderError) {
            channelCount = try r.readInteger()
            let skip: UInt16 = try r.readInteger()
            let rate: UInt32 = try r.readInteger()
            let gain: Int16 = try r.readInteger()
            preSkip = littleEndian ? skip.byteSwapped : skip
            inputSampleRate = littleEndian ? rate.byteSwapped : rate
            outputGain = littleEndian ? gain.byteSwapped : gain
            mappingFamily = try r.readInteger()
            if mappingFamily == 0 {
                channelMappingTable = nil
            } else {
                let streams: UInt8 = try r.readInteger()
                let coupled: UInt8 = try r.readInteger()
                channelMappingTable = (streams, coupled, try r.readBytes(Int(channelCount)))
            }
        } catch {
            throw .truncated(structure: Self.structure, field: "channel mapping", error)
        }
        guard channelCount > 0 else { throw .invalidValue(structure: Self.structure, field: "channel count", value: 0) }
        // Family 0 is mono or stereo in one stream (RFC 7845 5.1.1.1).
        guard mappingFamily != 0 || channelCount <= 2 else {
            throw .invalidValue(structure: Self.structure, field: "channel count", value: Int64(channelCount))
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.channelCount == b.channelCount && a.preSkip == b.preSkip && a.inputSampleRate == b.inputSampleRate
            && a.outputGain == b.outputGain && a.mappingFamily == b.mappingFamily
            && a.channelMappingTable?.streamCount == b.channelMappingTable?.streamCount
            && a.channelMappingTable?.coupledCount == b.channelMappingTable?.coupledCount
            && a.channelMappingTable?.mapping == b.channelMappingTable?.mapping
    }

    /// The `OpusHead` packet (version 1).
    public func opusHead() -> [UInt8] {
        var w = ByteWriter(capacity: 21 + Int(channelCount))
        w.write(bytes: Self.magic)
        w.write(UInt8(1))
        writeFields(to: &w, littleEndian: true)
        return w.bytes
    }

    /// The `dOps` box body (version 0).
    public func opusSpecificBox() -> [UInt8] {
        var w = ByteWriter(capacity: 13 + Int(channelCount))
        w.write(UInt8(0))
        writeFields(to: &w, littleEndian: false)
        return w.bytes
    }

    private func writeFields(to w: inout ByteWriter, littleEndian: Bool) {
        w.write(channelCount)
        w.write(littleEndian ? preSkip.byteSwapped : preSkip)
        w.write(littleEndian ? inputSampleRate.byteSwapped : inputSampleRate)
        w.write(littleEndian ? outputGain.byteSwapped : outputGain)
        w.write(mappingFamily)
        if mappingFamily != 0, let table = channelMappingTable {
            w.write(table.streamCount)
            w.write(table.coupledCount)
            w.write(bytes: table.mapping)
        }
    }
}
