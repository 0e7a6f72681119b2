import MediaCore

extension ByteWriter {
    /// Writes `box` with its header. The one place a typed box's header is written.
    public mutating func writeBox<B: Box>(_ box: B) {
        writeBox(B.type, bodySize: box.bodySize) { box.writeBody(to: &$0) }
    }

    /// Writes a header for `bodySize` body bytes, then the body, and checks that the body
    /// wrote exactly the size planned: a size computed one way and written another is the
    /// classic MP4 writer bug, and a wrong size corrupts every box after it.
    public mutating func writeBox(_ type: FourCC, bodySize: Int, userType: [UInt8]? = nil,
                                  forceLargeSize: Bool = false, body: (inout ByteWriter) -> Void) {
        BoxHeader(type: type, bodySize: Int64(bodySize), userType: userType, forceLargeSize: forceLargeSize)
            .write(to: &self)
        let start = count
        body(&self)
        precondition(count - start == bodySize, "'\(type)' wrote \(count - start) body bytes, planned \(bodySize)")
    }

    /// version(8) and flags(24) of a FullBox (ISO/IEC 14496-12 4.2).
    public mutating func writeVersionAndFlags(_ version: UInt8, _ flags: UInt32) {
        write(version)
        writeUInt(UInt64(flags & 0xFF_FFFF), byteCount: 3)
    }
}
