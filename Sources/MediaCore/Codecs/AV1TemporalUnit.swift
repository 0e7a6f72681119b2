/// A temporal unit (AV1 spec 7.5): the OBUs of one sample, and whether it is a sync sample.
///
/// AV1-ISOBMFF 2.4: a sample is a sync sample when its first frame is a key frame that is
/// shown (show_frame = 1) and a sequence header OBU comes before it; the sample holds no
/// temporal delimiter OBUs and every OBU carries its size.
public struct AV1TemporalUnit: Sendable {
    static let structure = "AV1 frame header"

    public var obus: [AV1OBU]

    public init<C: Collection<UInt8>>(parsing data: C) throws(CodecError) where C.Index == Int {
        obus = try AV1OBU.split(data)
    }

    /// The first sequence header OBU, if the unit carries one.
    public var sequenceHeaderOBU: AV1OBU? { obus.first { $0.kind == .sequenceHeader } }

    /// Whether this temporal unit starts a coded video sequence a decoder can join.
    public var isSyncSample: Bool {
        var sawSequenceHeader = false
        var reducedStillPicture = false
        for obu in obus {
            switch obu.kind {
            case .sequenceHeader:
                sawSequenceHeader = true
                reducedStillPicture = (try? AV1SequenceHeader(payload: obu.payload).reducedStillPictureHeader) ?? false
            case .frameHeader, .frame:
                guard sawSequenceHeader else { return false }
                return Self.isShownKeyFrame(obu.payload, reducedStillPictureHeader: reducedStillPicture)
            default:
                continue
            }
        }
        return false
    }

    /// The sample as MP4 stores it: temporal delimiters and padding dropped (AV1-ISOBMFF 2.4
    /// says they SHOULD NOT be in samples), every OBU with its size field.
    public func sampleBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        for obu in obus where obu.kind != .temporalDelimiter && obu.kind != .padding {
            bytes += obu.serializedWithSize()
        }
        return bytes
    }

    /// uncompressed_header() (5.9.2): show_existing_frame, frame_type, show_frame.
    static func isShownKeyFrame(_ payload: [UInt8], reducedStillPictureHeader: Bool) -> Bool {
        if reducedStillPictureHeader { return true }
        var r = RBSPReader(rbsp: payload, structure: structure)
        guard let showExisting = try? r.flag("show_existing_frame"), !showExisting,
              let frameType = try? r.u(2, "frame_type"), let shown = try? r.flag("show_frame") else { return false }
        return frameType == 0 && shown
    }
}
