/// The open run of a run-length coded table (`stts` deltas, `ctts` offsets): how many samples
/// in a row share one value. A run is handed out when a different value closes it.
struct RunLengthCoder<Value: FixedWidthInteger> {
    typealias Run = (count: UInt32, value: Value)

    // A count of 0 means no run is open (plain fields: this runs once per sample per pass).
    private var count: UInt32 = 0
    private var value: Value = 0

    /// Counts one sample with `newValue`; returns the run it closes, if the value changed.
    mutating func add(_ newValue: Value) -> Run? {
        if count > 0, value == newValue {
            count += 1
            return nil
        }
        let closed: Run? = count > 0 ? (count, value) : nil
        (count, value) = (1, newValue)
        return closed
    }

    /// Closes the open run, if any, and starts over.
    mutating func close() -> Run? {
        defer { count = 0 }
        return count > 0 ? (count, value) : nil
    }
}
