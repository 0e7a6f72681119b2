import MediaCore
import ISOBMFF

/// Bodies of the small boxes of a moov, built with one `ByteWriter` each
/// (ISO/IEC 14496-12 clause numbers in each doc line).
enum MovieBoxes {
    /// Seconds between the MP4 epoch (1904-01-01) and the Unix epoch.
    static let mp4EpochOffset: UInt64 = 2_082_844_800
    static let unityMatrix: [UInt32] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000]

    /// `ftyp` (4.3): isom with the brands of the codecs inside.
    static func fileType(codecs: [Codec]) -> LayoutNode {
        var w = ByteWriter()
        w.write(FourCC("isom"))
        w.write(UInt32(512))
        var brands: [FourCC] = ["isom", "iso2"]
        if codecs.contains(.h264) { brands.append("avc1") }
        if codecs.contains(.h265) { brands.append("hvc1") }
        brands.append("mp41")
        brands.forEach { w.write($0) }
        return .leaf("ftyp", body: w.bytes)
    }

    /// `mvhd` (8.2.2). Version 1 only when a field does not fit 32 bits.
    static func movieHeader(creationTime: UInt64, timescale: UInt32, duration: UInt64, nextTrackID: UInt32, version: UInt8) -> LayoutNode {
        var w = ByteWriter()
        writeVersionAndTimes(&w, version: version, flags: 0, creationTime: creationTime)
        w.write(timescale)
        if version == 1 { w.write(duration) } else { w.write(UInt32(duration)) }
        w.write(UInt32(0x0001_0000))   // rate 1.0
        w.write(UInt16(0x0100))        // volume 1.0
        w.writeZeros(2 + 8)
        unityMatrix.forEach { w.write($0) }
        w.writeZeros(24)
        w.write(nextTrackID)
        return .leaf("mvhd", body: w.bytes)
    }

    /// `tkhd` (8.3.2): enabled, in movie and preview.
    static func trackHeader(trackID: UInt32, creationTime: UInt64, duration: UInt64, kind: MediaKind,
                            width: UInt16, height: UInt16, version: UInt8) -> LayoutNode {
        var w = ByteWriter()
        writeVersionAndTimes(&w, version: version, flags: 0x7, creationTime: creationTime)
        w.write(trackID)
        w.writeZeros(4)
        if version == 1 { w.write(duration) } else { w.write(UInt32(duration)) }
        w.writeZeros(8)
        w.write(UInt16(0))                           // layer
        w.write(UInt16(kind == .audio ? 1 : 0))      // alternate group
        w.write(UInt16(kind == .audio ? 0x0100 : 0)) // volume
        w.writeZeros(2)
        unityMatrix.forEach { w.write($0) }
        w.write(UInt32(width) << 16)
        w.write(UInt32(height) << 16)
        return .leaf("tkhd", body: w.bytes)
    }

    /// `mdhd` (8.4.2), language "und".
    static func mediaHeader(creationTime: UInt64, timescale: UInt32, duration: UInt64, version: UInt8) -> LayoutNode {
        var w = ByteWriter()
        writeVersionAndTimes(&w, version: version, flags: 0, creationTime: creationTime)
        w.write(timescale)
        if version == 1 { w.write(duration) } else { w.write(UInt32(duration)) }
        w.write(UInt16(0x55C4))  // ISO-639-2/T "und", packed 5 bits per letter
        w.write(UInt16(0))
        return .leaf("mdhd", body: w.bytes)
    }

    /// `hdlr` (8.4.3).
    static func handler(kind: MediaKind) -> LayoutNode {
        var w = ByteWriter()
        w.write(UInt32(0))
        w.write(UInt32(0))
        w.write(kind == .video ? FourCC("vide") : FourCC("soun"))
        w.writeZeros(12)
        w.write(bytes: Array((kind == .video ? "VideoHandler" : "SoundHandler").utf8))
        w.write(UInt8(0))
        return .leaf("hdlr", body: w.bytes)
    }

    /// `vmhd` (12.1.2) or `smhd` (12.2.2).
    static func mediaInformationHeader(kind: MediaKind) -> LayoutNode {
        var w = ByteWriter()
        if kind == .video {
            w.write(UInt32(1))  // version 0, flags 1 (required by the spec)
            w.writeZeros(8)     // graphicsmode, opcolor
            return .leaf("vmhd", body: w.bytes)
        }
        w.writeZeros(8)         // version/flags, balance, reserved
        return .leaf("smhd", body: w.bytes)
    }

    /// `dinf` with a `dref` holding one self-contained `url ` entry (8.7.1-8.7.2).
    static func dataInformation() -> LayoutNode {
        var url = ByteWriter()
        url.write(UInt32(1))    // flags 1: media data is in this file
        var dref = ByteWriter()
        dref.write(UInt32(0))
        dref.write(UInt32(1))
        let dataReference = LayoutNode.container("dref", prefix: dref.bytes, children: [.leaf("url ", body: url.bytes)])
        return .container("dinf", prefix: [], children: [dataReference])
    }

    /// An `elst` entry: `mediaTime` -1 is an empty edit (8.6.6).
    struct Edit {
        var segmentDuration: UInt64
        var mediaTime: Int64
    }

    /// `edts` holding an `elst` (8.6.5-8.6.6).
    static func editList(_ edits: [Edit], version: UInt8) -> LayoutNode {
        var w = ByteWriter()
        w.write(UInt32(version) << 24)
        w.write(UInt32(edits.count))
        for edit in edits {
            if version == 1 {
                w.write(edit.segmentDuration)
                w.write(edit.mediaTime)
            } else {
                w.write(UInt32(edit.segmentDuration))
                w.write(Int32(edit.mediaTime))
            }
            w.write(UInt16(1))  // media_rate_integer
            w.write(UInt16(0))
        }
        return .container("edts", prefix: [], children: [.leaf("elst", body: w.bytes)])
    }

    /// `stsd` (8.5.2) with one sample entry per description.
    static func sampleDescriptions(_ descriptions: [SampleDescription], bitrate: (max: UInt32, average: UInt32, bufferSize: UInt32)) -> LayoutNode {
        var prefix = ByteWriter()
        prefix.write(UInt32(0))
        prefix.write(UInt32(descriptions.count))
        return .container("stsd", prefix: prefix.bytes, children: descriptions.map { sampleEntry($0, bitrate: bitrate) })
    }

    private static func sampleEntry(_ d: SampleDescription, bitrate: (max: UInt32, average: UInt32, bufferSize: UInt32)) -> LayoutNode {
        var w = ByteWriter()
        w.writeZeros(6)
        w.write(UInt16(1))  // data_reference_index
        switch d.codec {
        case .h264, .h265:
            // VisualSampleEntry (12.1.3)
            w.writeZeros(16)
            w.write(d.width)
            w.write(d.height)
            w.write(UInt32(0x0048_0000))   // 72 dpi
            w.write(UInt32(0x0048_0000))
            w.writeZeros(4)
            w.write(UInt16(1))             // frame_count
            w.writeZeros(32)               // compressorname
            w.write(UInt16(0x0018))        // depth
            w.write(Int16(-1))
            let config: FourCC = d.codec == .h264 ? "avcC" : "hvcC"
            var box = ByteWriter()
            LayoutNode.writeHeader(config, size: Int64(8 + d.configuration.count), to: &box)
            box.write(bytes: d.configuration)
            w.write(bytes: box.bytes)
            return .leaf(d.codec == .h264 ? "avc1" : "hvc1", body: w.bytes)
        case .aac:
            // AudioSampleEntry (12.2.3)
            w.writeZeros(8)
            w.write(d.channelCount)
            w.write(UInt16(16))
            w.writeZeros(4)
            w.write(d.sampleRate <= 0xFFFF ? d.sampleRate << 16 : 0)
            let body = esdsBody(audioSpecificConfig: d.configuration, bitrate: bitrate)
            var box = ByteWriter()
            LayoutNode.writeHeader("esds", size: Int64(8 + body.count), to: &box)
            box.write(bytes: body.bytes)
            w.write(bytes: box.bytes)
            return .leaf("mp4a", body: w.bytes)
        }
    }

    // TEMPORARY until ISOBMFF's ElementaryStreamDescriptor lands.
    private static func esdsBody(audioSpecificConfig: [UInt8], bitrate: (max: UInt32, average: UInt32, bufferSize: UInt32)) -> ByteWriter {
        func descriptor(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] {
            var d: [UInt8] = [tag]
            let n = body.count
            d += [UInt8(0x80 | (n >> 21) & 0x7F), UInt8(0x80 | (n >> 14) & 0x7F), UInt8(0x80 | (n >> 7) & 0x7F), UInt8(n & 0x7F)]
            return d + body
        }
        var dcd = ByteWriter()
        dcd.write(UInt8(0x40))
        dcd.write(UInt8(0x15))
        dcd.writeUInt(UInt64(bitrate.bufferSize), byteCount: 3)
        dcd.write(bitrate.max)
        dcd.write(bitrate.average)
        let decoderConfig = descriptor(4, dcd.bytes + descriptor(5, audioSpecificConfig))
        let es = descriptor(3, [0, 0, 0] + decoderConfig + descriptor(6, [2]))
        var w = ByteWriter()
        w.write(UInt32(0))
        w.write(bytes: es)
        return w
    }

    private static func writeVersionAndTimes(_ w: inout ByteWriter, version: UInt8, flags: UInt32, creationTime: UInt64) {
        w.write((UInt32(version) << 24) | flags)
        let time = creationTime + mp4EpochOffset
        if version == 1 {
            w.write(time)
            w.write(time)
        } else {
            w.write(UInt32(truncatingIfNeeded: time))
            w.write(UInt32(truncatingIfNeeded: time))
        }
    }
}
