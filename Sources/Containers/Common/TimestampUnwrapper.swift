/// Turns a wrapping N-bit clock (MPEG-TS's 33-bit PTS/DTS, FLV's 32-bit milliseconds) into a
/// monotonic Int64 timeline: each value is placed at the wrap count that puts it nearest to
/// the previous one, so a jump from 2^33 - 1 to 0 reads as one tick forward, while the small
/// backward steps of B-frame PTS or interleaved tracks stay backward steps.
///
/// Share one unwrapper between all tracks of a stream: one per track could put two tracks a
/// whole wrap apart when one starts just before the wrap and the other just after.
public struct TimestampUnwrapper: Sendable, Equatable {
    public let bits: Int
    private var last: Int64?

    /// `bits` is the clock's width, 1...62.
    public init(bits: Int) {
        precondition((1...62).contains(bits), "a wrapping clock of 1 to 62 bits")
        self.bits = bits
    }

    private var modulus: Int64 { Int64(1) << Int64(bits) }

    /// The unwrapped value of `raw` (only its low `bits` bits count).
    public mutating func unwrap(_ raw: UInt64) -> Int64 {
        let value = Int64(raw & UInt64(modulus - 1))
        guard let last else {
            self.last = value
            return value
        }
        // The multiple of the modulus at or below `last`, plus the new value: then step one
        // wrap either way if that lands nearer.
        let wraps = last >= 0 ? last / modulus : (last - modulus + 1) / modulus
        var candidate = wraps * modulus + value
        if candidate - last > modulus / 2 {
            candidate -= modulus
        } else if last - candidate > modulus / 2 {
            candidate += modulus
        }
        self.last = candidate
        return candidate
    }

    /// The last unwrapped value, nil before the first.
    public var lastValue: Int64? { last }
}
