import Foundation
import MediaCore

/// One JSON line naming an event: its fields plus `event` and `time` (Unix seconds, to the
/// millisecond). The engine's published events and the ingests' connection logs share it, so
/// a log reader parses one shape.
enum EventLine {
    static func text(_ event: String, _ fields: [String: JSONValue]) -> String {
        var object = fields
        object["event"] = .string(event)
        object["time"] = .double((Date().timeIntervalSince1970 * 1000).rounded() / 1000)
        return JSONWriter.text(of: .object(object))
    }
}
