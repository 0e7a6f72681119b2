import MediaCore

/// The tracks of an enhanced audio or video message (Enhanced RTMP v2 ExVideoTagBody and
/// ExAudioTagBody), which both lay out alike after their header's packet type:
///
/// ```
/// [Multitrack: MultitrackType(4) PacketType(4)] [FourCC unless ManyTracksManyCodecs]
/// per track: [FourCC if ManyTracksManyCodecs] [trackId(UI8) if multitrack] [size(UI24) unless OneTrack] body
/// ```
/// Outside multitrack there is one entry, trackId 0, whose body is the rest of the message.
struct FLVExTrackList {
    struct Entry {
        var codec: Codec
        var trackID: UInt8
        var body: ByteReader
    }

    /// The packet type all tracks share (the one after the Multitrack byte when there is one).
    var packetType: UInt8
    var entries: [Entry] = []

    /// Reads the list from `r`, after the header byte (and any ModEx). A track whose FourCC
    /// `codecs` does not know is skipped when its size is given, refused otherwise.
    init(_ r: inout ByteReader, packetType: UInt8, multitrackPacketType: UInt8, kind: FLVTag.Kind,
         at offset: Int64, codecs: FLVCodecFourCCs) throws(FLVError) {
        func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(FLVError) -> T {
            do { return try r.readInteger(T.self) } catch { throw .truncatedTagBody(kind, field: field, at: offset) }
        }
        self.packetType = packetType
        var multitrack: FLVMultitrackType?
        if packetType == multitrackPacketType {
            let byte = try read(UInt8.self, "MultitrackType")
            guard let type = FLVMultitrackType(rawValue: byte >> 4) else {
                throw .unsupportedCodec("\(kind) multitrack type \(byte >> 4)", at: offset)
            }
            multitrack = type
            self.packetType = byte & 0x0F
        }
        var sharedFourCC: FourCC?
        if multitrack != .manyTracksManyCodecs { sharedFourCC = FourCC(rawValue: try read(UInt32.self, "FourCC")) }
        repeat {
            let fourCC: FourCC
            if let sharedFourCC { fourCC = sharedFourCC } else { fourCC = FourCC(rawValue: try read(UInt32.self, "FourCC")) }
            let trackID: UInt8 = multitrack == nil ? 0 : try read(UInt8.self, "trackId")
            var body = r
            let sized = multitrack != nil && multitrack != .oneTrack
            if sized {
                let size = Int(try read(UInt16.self, "sizeOfTrack")) << 8 | Int(try read(UInt8.self, "sizeOfTrack"))
                do { body = try r.readSubReader(size) } catch { throw .truncatedTagBody(kind, field: "\(kind) track \(trackID)", at: offset) }
            } else {
                r = ByteReader([])
            }
            if let codec = codecs.codec(of: fourCC) {
                entries.append(Entry(codec: codec, trackID: trackID, body: body))
            } else if !sized {
                throw .unsupportedCodec("\(kind) FourCC '\(fourCC)'", at: offset)
            }
        } while multitrack != nil && multitrack != .oneTrack && !r.isAtEnd
    }

    /// The counterpart for a message of one packet: the header byte (`headerBits` with the
    /// packet type in its low nibble), then the FourCC; a track other than the default (0)
    /// goes out as a OneTrack multitrack packet with its trackId.
    static func writeHeader(headerBits: UInt8, packetType: UInt8, multitrackPacketType: UInt8, fourCC: FourCC,
                            trackID: UInt8, to writer: inout ByteWriter) {
        if trackID != 0 {
            writer.write(headerBits | multitrackPacketType)
            writer.write(FLVMultitrackType.oneTrack.rawValue << 4 | packetType)
            writer.write(fourCC)
            writer.write(trackID)
        } else {
            writer.write(headerBits | packetType)
            writer.write(fourCC)
        }
    }
}
