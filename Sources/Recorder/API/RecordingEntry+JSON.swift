import Foundation
import Operations
#if canImport(Glibc)
import Glibc
#endif
import MediaCore

/// The JSON form of a catalog entry, as listRecordings and deleteRecording answer it.
extension RecordingEntry {
    public var json: JSONValue {
        .object([
            "localStreamName": .string(localStreamName),
            "file": .string(file),
            "startTime": .double(startTime),
            "startTimeISO": .string(Self.iso8601(startTime)),
            "duration": .double(duration),
            "bytes": .int(Int(bytes)),
            "tracks": .array(tracks.map(\.json)),
            "state": .string(state.rawValue),
            "configId": configId.map(JSONValue.int) ?? .null,
        ])
    }

    /// `2026-12-03T07:20:38.123Z`: UTC, milliseconds (gmtime_r: no formatter per entry, so a
    /// page of thousands renders in a few milliseconds).
    static func iso8601(_ seconds: Double) -> String {
        var whole = time_t(seconds.rounded(.down))
        var millis = Int(((seconds - Double(whole)) * 1000).rounded())
        if millis == 1000 { whole += 1; millis = 0 }
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ n: Int, _ width: Int) -> String {
            let text = String(n)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(millis, 3))Z"
    }
}

extension RecordingTrack {
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["codec": .string(codec)]
        if let width { fields["width"] = .int(width) }
        if let height { fields["height"] = .int(height) }
        if let sampleRate { fields["sampleRate"] = .int(sampleRate) }
        if let channels { fields["channels"] = .int(channels) }
        return .object(fields)
    }
}
