/// `value` with exactly `digits` digits after the point, rounded half away from zero, as
/// `String(format: "%.3f")` prints it for the magnitudes we print (seconds, sizes). Without
/// Foundation's formatter, whose first use costs a statically linked mp4writer milliseconds.
public func fixedDecimal(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9.0e18 else { return "\(value)" }
    let units = UInt64(scaled)
    let divisor = UInt64(scale)
    let whole = units / divisor
    var fraction = digits > 0 ? String(units % divisor) : ""
    while fraction.count < digits { fraction = "0" + fraction }
    let sign = value < 0 ? "-" : ""
    return digits > 0 ? "\(sign)\(whole).\(fraction)" : "\(sign)\(whole)"
}
