import MediaCore

/// The staging encoding of a sample description, used in 'sdsc' units and in `.info`:
/// codec u8, reserved u8, width u16, height u16, channel count u16, sample rate u32,
/// configuration length u32, configuration bytes.
extension SampleDescription {
    func stagingEncoded() -> [UInt8] {
        var w = ByteWriter(capacity: 16 + configuration.count)
        w.write(codec.rawValue)
        w.write(UInt8(0))
        w.write(width)
        w.write(height)
        w.write(channelCount)
        w.write(sampleRate)
        w.write(UInt32(configuration.count))
        w.write(bytes: configuration)
        return w.bytes
    }

    init(stagingDecoding reader: inout ByteReader, path: String) throws(StagingError) {
        do {
            let codecValue: UInt8 = try reader.readInteger()
            guard let codec = Codec(rawValue: codecValue), StagingFormat.storableCodecs.contains(codec) else {
                throw StagingError.malformed(path: path, reason: "unknown codec \(codecValue) in a sample description")
            }
            try reader.skip(1)
            let width: UInt16 = try reader.readInteger()
            let height: UInt16 = try reader.readInteger()
            let channels: UInt16 = try reader.readInteger()
            let rate: UInt32 = try reader.readInteger()
            let length = Int(try reader.readInteger(UInt32.self))
            guard length <= StagingFormat.maxDescriptionSize else {
                throw StagingError.malformed(path: path, reason: "sample description of \(length) bytes is too large")
            }
            let configuration = try reader.readBytes(length)
            self.init(codec: codec, configuration: configuration, width: width, height: height,
                      sampleRate: rate, channelCount: channels)
        } catch let e as StagingError {
            throw e
        } catch {
            throw .malformed(path: path, reason: "sample description: \(error)")
        }
    }
}
