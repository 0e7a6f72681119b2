/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as iSCSI, ext4 and Btrfs use it.
/// Chosen over CRC-32 for its better error detection on the sizes we check; computed with
/// slicing-by-8 so that checksumming payloads costs far less than writing them.
import SystemShims

public enum CRC32C {
    /// Eight 256-entry tables laid end to end (table t at t * 256).
    private static let table: [UInt32] = {
        var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = (crc & 1) == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            tables[0][i] = crc
        }
        for i in 0..<256 {
            for t in 1..<8 {
                let previous = tables[t - 1][i]
                tables[t][i] = (previous >> 8) ^ tables[0][Int(previous & 0xFF)]
            }
        }
        return tables.flatMap { $0 }
    }()

    /// The checksum of `bytes`, continuing from `crc` (the checksum of what came before).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        if shim_crc32c_hardware_available() != 0 {  // the CPU's crc32 instruction, checked once before main
            return ~shim_crc32c_update(~crc, bytes.baseAddress, UInt(bytes.count))
        }
        return softwareChecksum(bytes, continuing: crc)
    }

    /// How many of the `stride`-byte units in `units`, from the first, are intact, a unit
    /// being intact when its bytes after the first `covered` (a multiple of 4) hold the
    /// big-endian checksum of those bytes: many small records checked in one call, several at
    /// a time. 0 without the CPU's crc32 instruction: the caller checks each unit itself.
    public static func intactUnits(_ units: UnsafeRawBufferPointer, stride: Int, covered: Int) -> Int {
        precondition(covered % 4 == 0 && covered + 4 <= stride, "intactUnits: a 4-byte checksum after a multiple of 4 bytes")
        let count = units.count / stride
        guard count > 0, shim_crc32c_hardware_available() != 0 else { return 0 }
        return Int(shim_crc32c_intact_units(units.baseAddress, UInt(count), UInt(stride), UInt(covered)))
    }

    /// Table-driven CRC-32C, for CPUs without the instruction (and to test the fast path).
    public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            var p = 0
            let n = bytes.count
            while n - p >= 8 {
                let lo = c ^ (UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24)
                let hi = UInt32(bytes[p + 4]) | UInt32(bytes[p + 5]) << 8 | UInt32(bytes[p + 6]) << 16 | UInt32(bytes[p + 7]) << 24
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
            }
            while p < n {
                c = t[Int((c ^ UInt32(bytes[p])) & 0xFF)] ^ (c >> 8)
                p += 1
            }
        }
        return ~c
    }

    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    public static func checksum(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }
}
