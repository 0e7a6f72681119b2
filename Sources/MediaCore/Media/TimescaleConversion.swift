/// Converting timestamps between timescales, rounding to nearest with halves away from zero
/// (ffmpeg's `av_rescale`), so that a value converted by us and by ffmpeg agree.
public enum TimescaleConversion {
    /// `value` * `to` / `from`. Results beyond Int64 saturate (only damaged input gets there).
    public static func rescale(_ value: Int64, from: UInt32, to: UInt32) -> Int64 {
        guard from != to else { return value }
        guard from > 0 else { return 0 }
        let product = value.magnitude.multipliedFullWidth(by: UInt64(to))
        let (low, carry) = product.low.addingReportingOverflow(UInt64(from / 2))
        let high = product.high + (carry ? 1 : 0)
        guard high < UInt64(from) else { return value < 0 ? Int64.min : Int64.max }
        let quotient = UInt64(from).dividingFullWidth((high: high, low: low)).quotient
        guard quotient <= UInt64(Int64.max) else { return value < 0 ? Int64.min : Int64.max }
        return value < 0 ? -Int64(quotient) : Int64(quotient)
    }
}
