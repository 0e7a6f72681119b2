import MediaCore

/// The layout audio and visual sample entries share (ISO/IEC 14496-12 8.5.2.2, 12.1.3,
/// 12.2.3): six reserved bytes and data_reference_index, the media's own fixed fields, then
/// child boxes (the codec configuration first). Sized and written here once for both.
protocol SampleEntryLayout {
    /// Bytes of fields before the child boxes.
    static var fixedFieldsSize: Int { get }
    var dataReferenceIndex: UInt16 { get }
    var children: [RawBox] { get }
    /// Writes the fields between data_reference_index and the child boxes.
    func writeMediaFields(to writer: inout ByteWriter)
}

extension SampleEntryLayout {
    var bodySize: Int { Self.fixedFieldsSize + children.reduce(0) { $0 + Int($1.size) } }

    func writeBody(to writer: inout ByteWriter) {
        writer.writeZeros(6)                          // reserved
        writer.write(dataReferenceIndex)
        writeMediaFields(to: &writer)
        children.forEach { $0.write(to: &writer) }
    }
}
