import MediaCore

/// Opus in MPEG-TS (the Xiph/ETSI encapsulation ffmpeg implements): each Opus packet in a
/// PES is preceded by a control header, and the stream's channel layout is a
/// channel_config_code in the PMT (`StreamDescriptors`).
///
/// ```
/// control header: prefix(11)=0x3FF start_trim_flag(1) end_trim_flag(1) control_extension_flag(1) reserved(2)
///                 au_size: 0xFF... then the last byte (sum)   [start_trim(16)] [end_trim(16)]
///                 [control_extension_length(8) bytes]         then au_size bytes of Opus packet
/// ```
/// start_trim on the first packet is the encoder's pre-skip (ffmpeg writes it so).
enum OpusTSFraming {
    static let prefix: UInt16 = 0x7FE0
    private static let structure = "Opus control header"

    struct Unit: Sendable, Equatable {
        var packet: [UInt8]
        var startTrim: UInt16?
    }

    /// The Opus packets of a PES payload.
    static func units(in data: [UInt8]) throws(CodecError) -> [Unit] {
        var units: [Unit] = []
        var r = ByteReader(data)
        do {
            while !r.isAtEnd {
                let head: UInt16 = try r.readInteger()
                guard head & 0xFFE0 == prefix else {
                    throw CodecError.invalidValue(structure: structure, field: "control_header_prefix", value: Int64(head >> 5))
                }
                var size = 0
                while true {
                    let byte: UInt8 = try r.readInteger()
                    size += Int(byte)
                    if byte != 0xFF { break }
                }
                let startTrim: UInt16? = head & 0x10 != 0 ? try r.readInteger() : nil
                if head & 0x08 != 0 { try r.skip(2) }                 // end_trim
                if head & 0x04 != 0 { try r.skip(Int(try r.readInteger(UInt8.self))) }
                units.append(Unit(packet: try r.readBytes(size), startTrim: startTrim))
            }
        } catch let error as CodecError {
            throw error
        } catch let error as ByteReaderError {
            throw .truncated(structure: structure, field: "au_size or payload", error)
        } catch {
            throw .invalidValue(structure: structure, field: "au_size or payload", value: 0)
        }
        return units
    }

    /// The control header and `packet`.
    static func unit(_ packet: [UInt8], startTrim: UInt16?) -> [UInt8] {
        var w = ByteWriter(capacity: packet.count + packet.count / 255 + 6)
        w.write(prefix | (startTrim != nil ? 0x10 : 0))
        var size = packet.count
        while size >= 255 {
            w.write(UInt8(0xFF))
            size -= 255
        }
        w.write(UInt8(size))
        if let startTrim { w.write(startTrim) }
        w.write(bytes: packet)
        return w.bytes
    }

    /// Streams, coupled streams and channel mapping of the Vorbis order (RFC 7845 5.1.1.2)
    /// for 3 to 8 channels, what channel_config_code 3...8 stands for.
    private static let vorbisMappings: [UInt8: (UInt8, UInt8, [UInt8])] = [
        3: (2, 1, [0, 2, 1]), 4: (2, 2, [0, 1, 2, 3]), 5: (3, 2, [0, 4, 1, 2, 3]),
        6: (4, 2, [0, 4, 1, 2, 3, 5]), 7: (4, 3, [0, 4, 1, 2, 3, 5, 6]), 8: (5, 3, [0, 6, 1, 2, 3, 4, 5, 7]),
    ]

    /// The identification header a channel_config_code stands for (pre-skip unknown: 0).
    static func header(channelConfigCode code: UInt8) throws(CodecError) -> OpusIdentificationHeader {
        switch code {
        case 1, 2:
            return OpusIdentificationHeader(channelCount: code, preSkip: 0, inputSampleRate: OpusIdentificationHeader.sampleRate)
        case 3...8:
            let (streams, coupled, mapping) = vorbisMappings[code]!
            return OpusIdentificationHeader(channelCount: code, preSkip: 0, inputSampleRate: OpusIdentificationHeader.sampleRate,
                                            mappingFamily: 1, channelMappingTable: (streams, coupled, mapping))
        default:
            throw .unsupported(structure: "Opus channel_config_code", feature: "value \(code)")
        }
    }

    /// The channel_config_code of `header`; nil for a layout the code cannot express.
    static func channelConfigCode(of header: OpusIdentificationHeader) -> UInt8? {
        guard let standard = try? self.header(channelConfigCode: header.channelCount) else { return nil }
        var expected = standard
        expected.preSkip = header.preSkip
        expected.inputSampleRate = header.inputSampleRate
        expected.outputGain = header.outputGain
        return expected == header ? header.channelCount : nil
    }
}
