import MediaCore

/// A FullBox whose body is a counted table of fixed-size entries: version and flags, a 32-bit
/// entry count, then the entries (ISO/IEC 14496-12 8.6.1.2 `stts`, 8.6.1.3 `ctts`, 8.6.2
/// `stss`, 8.7.4 `stsc`, 8.7.5 `stco`/`co64`). The boxes differ only in their type and in
/// the entry they hold, which `Table` names; reading, sizing and writing are this one type.
///
/// ```
/// version(8) flags(24) entry_count(32) entry[entry_count]
/// ```
public struct EntryTableBox<Table: EntryTable>: Box {
    public typealias Entry = Table.Entry
    public static var type: FourCC { Table.type }

    /// Kept so that a parsed box writes back byte for byte.
    public var version: UInt8
    public var entries: [Entry]

    /// A table for new entries, in the lowest version that holds them.
    public init(entries: [Entry]) {
        self.init(version: Table.version(for: entries), entries: entries)
    }

    public init(version: UInt8, entries: [Entry]) {
        self.version = version
        self.entries = entries
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        version = try body.readVersion(in: Self.type, supported: Table.supportedVersions).version
        let count = try body.readEntryCount(entrySize: Entry.byteCount, in: Self.type)
        entries = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(try Entry(reading: &body, in: Self.type)) }
    }

    public var bodySize: Int { 4 + 4 + Entry.byteCount * entries.count }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(version, 0)
        writer.write(UInt32(entries.count))
        entries.forEach { $0.write(to: &writer) }
    }
}

extension EntryTableBox where Entry: CountsSamples {
    /// Number of samples the run-length coded table describes.
    public var sampleCount: UInt64 { entries.reduce(0) { $0 + UInt64($1.sampleCount) } }
}

/// What tells one entry-table box from another: its type, the versions it knows and its entry.
public protocol EntryTable: Sendable {
    associatedtype Entry: EntryTableEntry
    static var type: FourCC { get }
    /// Versions a reader accepts; 0 only unless the box defines another.
    static var supportedVersions: ClosedRange<UInt8> { get }
    /// The version new entries are written in.
    static func version(for entries: [Entry]) -> UInt8
}

extension EntryTable {
    public static var supportedVersions: ClosedRange<UInt8> { 0...0 }
    public static func version(for entries: [Entry]) -> UInt8 { 0 }
}

/// One entry of an `EntryTableBox`: always `byteCount` bytes.
public protocol EntryTableEntry: Sendable, Equatable {
    static var byteCount: Int { get }
    init(reading reader: inout ByteReader, in box: FourCC) throws(MP4ParseError)
    func write(to writer: inout ByteWriter)
}

/// An entry that stands for a run of samples.
public protocol CountsSamples: EntryTableEntry {
    var sampleCount: UInt32 { get }
}

/// An entry of a run-length coded table: `sampleCount` samples in a row that share `value`
/// (`stts`: their duration; `ctts`: composition minus decoding time).
public struct SampleRunEntry<Value: FixedWidthInteger & Sendable>: CountsSamples {
    public static var byteCount: Int { 4 + MemoryLayout<Value>.size }

    public var sampleCount: UInt32
    public var value: Value

    public init(sampleCount: UInt32, value: Value) {
        self.sampleCount = sampleCount
        self.value = value
    }

    public init(reading reader: inout ByteReader, in box: FourCC) throws(MP4ParseError) {
        self.init(sampleCount: try reader.read(in: box), value: try reader.read(in: box))
    }

    public func write(to writer: inout ByteWriter) {
        writer.write(sampleCount)
        writer.write(value)
    }
}

extension Array {
    /// Counts one more sample with `value` in a run-length coded table: the last run grows
    /// when it has the same value, otherwise a new run starts.
    public mutating func appendSample<Value>(_ value: Value) where Element == SampleRunEntry<Value> {
        if let last, last.value == value {
            self[count - 1].sampleCount += 1
        } else {
            append(SampleRunEntry(sampleCount: 1, value: value))
        }
    }
}

/// A bare big-endian integer as the entry: a chunk offset, a sample number.
extension EntryTableEntry where Self: FixedWidthInteger {
    public static var byteCount: Int { MemoryLayout<Self>.size }

    public init(reading reader: inout ByteReader, in box: FourCC) throws(MP4ParseError) {
        self = try reader.read(in: box)
    }

    public func write(to writer: inout ByteWriter) { writer.write(self) }
}

extension UInt32: EntryTableEntry {}
extension UInt64: EntryTableEntry {}
