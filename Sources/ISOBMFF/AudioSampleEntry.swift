import MediaCore

/// `mp4a`: an audio sample entry, channel count, sample rate and the `esds` box that
/// carries the AudioSpecificConfig (or, for MP3, only the object type). Contained in `stsd`.
/// (ISO/IEC 14496-12 12.2.3; ISO/IEC 14496-14 5.6) The same layout serves `ac-3`/`ec-3` with
/// `dac3`/`dec3` (ETSI TS 102 366 F.3, F.5), `Opus` with `dOps` (Opus in ISOBMFF 4.3.1) and
/// QuickTime's `ulaw`/`alaw` (version 0 sound description, no child box).
///
/// ```
/// reserved(6) data_reference_index(2) reserved(8) channelcount(2) samplesize(2)
/// pre_defined(2) reserved(2) samplerate(4, 16.16)   then boxes: esds, btrt...
/// ```
/// QuickTime sound descriptions version 1 and 2 reuse the first reserved bytes as a version
/// and add fields; they appear in `.mov`, not in MP4, and are refused.
public struct AudioSampleEntry: SampleEntryLayout, Sendable, Equatable {
    public static let codingNames: Set<FourCC> = ["mp4a", "ac-3", "ec-3", "Opus", "ulaw", "alaw"]
    /// Bytes of fields before the child boxes.
    static let fixedFieldsSize = 28

    public var codingName: FourCC
    public var dataReferenceIndex: UInt16
    public var channelCount: UInt16
    /// Bits per sample of the uncompressed audio; 16 by convention.
    public var sampleSize: UInt16
    /// Samples per second. The field holds 16 integer bits; rates above 65535 Hz are written
    /// as 0 (as ffmpeg does) and taken from the AudioSpecificConfig.
    public var sampleRate: UInt32
    /// `esds` and any others (`btrt`), in file order.
    public var children: [RawBox]

    /// An `mp4a` entry for new AAC media.
    public init(channelCount: UInt16, sampleRate: UInt32, descriptor: ElementaryStreamDescriptor,
                otherChildren: [RawBox] = []) {
        codingName = "mp4a"
        dataReferenceIndex = 1
        self.channelCount = channelCount
        sampleSize = 16
        self.sampleRate = sampleRate
        children = [RawBox(ElementaryStreamDescriptorBox(descriptor: descriptor))] + otherChildren
    }

    /// An entry of another coding with its configuration boxes (`dac3`, `dec3`, `dOps`, none).
    public init(codingName: FourCC, channelCount: UInt16, sampleRate: UInt32, children: [RawBox]) {
        self.codingName = codingName
        dataReferenceIndex = 1
        self.channelCount = channelCount
        sampleSize = 16
        self.sampleRate = sampleRate
        self.children = children
    }

    init(codingName: FourCC, body: inout ByteReader) throws(MP4ParseError) {
        let t = codingName
        self.codingName = codingName
        try body.skip(6, in: t)                       // reserved
        dataReferenceIndex = try body.read(in: t)
        let versionAt = Int64(body.position)
        let quickTimeVersion = try body.read(UInt16.self, in: t)
        guard quickTimeVersion == 0 else { throw .unsupportedVersion(t, version: UInt8(truncatingIfNeeded: quickTimeVersion), at: versionAt) }
        try body.skip(6, in: t)                       // reserved
        channelCount = try body.read(in: t)
        sampleSize = try body.read(in: t)
        try body.skip(4, in: t)                       // pre_defined, reserved
        sampleRate = try body.read(UInt32.self, in: t) >> 16
        children = []
        while !body.isAtEnd {
            let child = try RawBox(parsing: &body, parent: t)
            if child.type == ElementaryStreamDescriptorBox.type {
                // Checked here, where its offset is known, so the accessor cannot fail later.
                do throws(MP4ParseError) { _ = try child.decode(ElementaryStreamDescriptorBox.self) } catch {
                    throw error.shifted(by: Int64(body.position - child.body.count))
                }
            }
            children.append(child)
        }
    }

    /// The decoded `esds`, nil when the entry has none.
    public var elementaryStreamDescriptor: ElementaryStreamDescriptor? {
        guard let box = children.first(where: { $0.type == ElementaryStreamDescriptorBox.type }) else { return nil }
        return try? box.decode(ElementaryStreamDescriptorBox.self).descriptor
    }

    /// The body of the first child box of `type`, nil when there is none.
    public func childBody(_ type: FourCC) -> [UInt8]? {
        children.first { $0.type == type }?.body
    }

    func writeMediaFields(to writer: inout ByteWriter) {
        writer.writeZeros(8)
        writer.write(channelCount)
        writer.write(sampleSize)
        writer.writeZeros(4)
        writer.write(sampleRate <= UInt32(UInt16.max) ? sampleRate << 16 : 0)
    }
}
