import MediaCore

/// Where a track's samples sit on the presentation timeline shared by all tracks, derived
/// from its edit list exactly as ffmpeg's mov demuxer does (libavformat/mov.c,
/// `mov_fix_index`), so that our timestamps equal ffprobe's packet timestamps.
///
/// For the edit lists MP4 writers produce (an optional empty edit of duration E, then one
/// media edit starting at media time M), a sample's presentation time is
/// `dts + compositionOffset - M + E`, and its decoding time is shifted by the same amount.
/// Pre-roll samples (AAC encoder priming, the B-frame delay) come out negative. In detail:
///
/// - E is the sum of the empty edits before the first media edit, each converted from the
///   movie timescale with rounding to nearest (ffmpeg's `av_rescale`).
/// - Audio: the offset is E - M.
/// - Video: ffmpeg starts at the last keyframe decoded at or before M and moves the track so
///   that its earliest presented sample lands on E: the offset is E - max(dts of that
///   keyframe, earliest presentation time in [M, M + duration)). For ffmpeg-made files this
///   is E - M again.
/// - When a `ctts` offset is negative, decoding times move down by the most negative offset
///   (ffmpeg's `dts_shift`, which ignores the table's last two entries), so that dts <= pts.
/// - Without an edit list the media timeline is the presentation timeline (dts_shift aside).
///
/// Not reproduced: a second media edit (ffmpeg concatenates edits; here only the first
/// counts), and ffmpeg dropping samples that lie before the keyframe it starts from or after
/// the first keyframe past the edit's end (those are kept here).
public struct PresentationTimeline: Sendable, Equatable {
    /// Added to a media time to get a presentation time.
    public let offset: Int64
    /// Subtracted from decoding times only (ffmpeg's `dts_shift`).
    public let decodeShift: Int64
    /// Media times the edit presents, `start..<end`; nil without a media edit. A zero segment
    /// duration leaves the end open.
    public let presentedMedia: Range<Int64>?
    let isAudio: Bool

    /// Larger edit times than this are damage: timeline arithmetic must not overflow, and
    /// 2^62 ticks of a 1 GHz clock are still 146 years.
    static let maxEditTime: Int64 = 1 << 62

    /// - Parameters:
    ///   - editList: the `elst` entries, empty without an edit list.
    ///   - location: the `elst` box's offset, for errors.
    init(editList: [EditListBox.Entry], movieTimescale: UInt32, trackTimescale: UInt32, kind: MediaKind,
         samples: [MP4Sample], compositionOffsets: CompositionOffsetBox?, location: Int64) throws(MP4ParseError) {
        let shiftEntries = compositionOffsets?.entries.dropLast(2) ?? []
        decodeShift = max(0, -Int64(shiftEntries.map(\.value).min() ?? 0))
        isAudio = kind == .audio

        var emptyDuration: Int64 = 0
        guard let media = editList.first(where: { !$0.isEmpty }) else {
            offset = 0
            presentedMedia = nil
            return
        }
        for entry in editList.prefix(while: \.isEmpty) {
            emptyDuration += try Self.rescale(entry.segmentDuration, movieTimescale, trackTimescale, location)
            guard emptyDuration < Self.maxEditTime else {
                throw .invalidValue(EditListBox.type, reason: "empty edits beyond 2^62 ticks", at: location)
            }
        }
        let mediaDuration = try Self.rescale(media.segmentDuration, movieTimescale, trackTimescale, location)
        guard media.mediaTime >= 0, media.mediaTime < Self.maxEditTime else {
            throw .invalidValue(EditListBox.type, reason: "media time \(media.mediaTime) is negative or beyond 2^62", at: location)
        }
        var mediaStart = media.mediaTime
        // ffmpeg starts decoding video at the last keyframe at or before the edit, else at
        // any earlier sample, else at the first with the edit moved to media time 0.
        let start = mediaStart
        let first = isAudio ? nil : (samples.lastIndex(where: { $0.isSync && $0.dts <= start })
            ?? samples.lastIndex(where: { $0.dts <= start }))
        if !isAudio && first == nil { mediaStart = 0 }
        let mediaEnd = mediaDuration == 0 ? Int64.max : mediaStart + mediaDuration

        if isAudio {
            offset = emptyDuration - mediaStart
        } else {
            let firstDTS = first.map { samples[$0].dts } ?? 0
            let earliestPresented = samples[(first ?? 0)...].lazy
                .map(\.mediaPTS).filter { mediaStart <= $0 && $0 < mediaEnd }.min()
            offset = emptyDuration - max(firstDTS, earliestPresented ?? firstDTS)
        }
        presentedMedia = mediaStart..<mediaEnd
    }

    /// `value` * `to` / `from` rounded to nearest, halves away from zero (ffmpeg's `av_rescale`).
    static func rescale(_ value: UInt64, _ from: UInt32, _ to: UInt32, _ location: Int64) throws(MP4ParseError) -> Int64 {
        guard from > 0 else { throw .invalidValue(MovieHeaderBox.type, reason: "movie timescale is 0", at: location) }
        let product = value.multipliedFullWidth(by: UInt64(to))
        let (low, carry) = product.low.addingReportingOverflow(UInt64(from / 2))
        let high = product.high + (carry ? 1 : 0)
        guard high < UInt64(from) else {
            throw .invalidValue(EditListBox.type, reason: "edit duration overflows the track timescale", at: location)
        }
        let result = UInt64(from).dividingFullWidth((high: high, low: low)).quotient
        guard result < UInt64(maxEditTime) else {
            throw .invalidValue(EditListBox.type, reason: "edit duration beyond 2^62 ticks", at: location)
        }
        return Int64(result)
    }

    /// Decoding time on the presentation timeline.
    public func dts(of sample: MP4Sample) -> Int64 {
        sample.dts + offset - decodeShift
    }

    /// Presentation time on the presentation timeline.
    public func pts(of sample: MP4Sample) -> Int64 {
        sample.mediaPTS + offset
    }

    /// End of the edit on the presentation timeline, nil when open. Audio past it is encoder
    /// padding that a player trims.
    public var presentationEnd: Int64? {
        guard let presentedMedia, presentedMedia.upperBound != Int64.max else { return nil }
        return presentedMedia.upperBound + offset
    }

    /// Whether the sample is decoded but not shown (ffprobe's "D" flag): presented before the
    /// edit starts or at or after it ends. An audio sample that straddles the start is kept,
    /// its head trimmed by the decoder.
    public func isDiscarded(_ sample: MP4Sample) -> Bool {
        guard let presentedMedia else { return false }
        let pts = sample.mediaPTS
        if pts >= presentedMedia.upperBound { return true }
        if pts >= presentedMedia.lowerBound { return false }
        return !(isAudio && pts + Int64(sample.duration) > presentedMedia.lowerBound)
    }
}
