extension DemuxEvent {
    /// The `.metadata` key of a source's wall clock: Unix seconds at tick 0 of the stream's
    /// timeline, by the source's clock (an RTSP camera's RTCP sender reports), so a frame at `t`
    /// ticks of a track with timescale `s` was captured at `value + t / s`. Recordings take
    /// their chunks' wall-clock start from it.
    public static let wallClockOriginKey = "wallClockOrigin"

    /// The wall-clock origin this event carries, if it is one.
    public var wallClockOrigin: Double? {
        guard case .metadata(let values) = self, case .number(let origin)? = values[Self.wallClockOriginKey] else { return nil }
        return origin
    }
}
