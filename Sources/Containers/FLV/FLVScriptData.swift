import MediaCore

/// The body of an FLV script data tag (FLV spec v10.1, E.4.4.1): an AMF0 string naming the
/// handler (`onMetaData`) and the AMF0 value it is called with. Over RTMP, a data message may
/// carry `@setDataFrame` first, which names what follows as data to keep with the stream.
public struct FLVScriptData: Sendable, Equatable {
    public static let onMetaData = "onMetaData"
    static let setDataFrame = "@setDataFrame"

    public var name: String
    public var value: AMF0Value

    public init(name: String, value: AMF0Value) {
        self.name = name
        self.value = value
    }

    /// Parses a script tag body (or an RTMP AMF0 data message). A body without a value after
    /// the name gets `.undefined`.
    public init(parsing bytes: [UInt8], at offset: Int64 = 0) throws(FLVError) {
        var decoder = AMF0Decoder(bytes)
        var first: AMF0Value
        var argument: AMF0Value = .undefined
        do {
            first = try decoder.decode()
            if first.string == Self.setDataFrame, !decoder.isAtEnd { first = try decoder.decode() }
            if !decoder.isAtEnd { argument = try decoder.decode() }
        } catch {
            throw .amf0(error, at: offset)
        }
        guard let name = first.string else {
            throw .unsupportedTag(type: FLVTag.Kind.scriptData.rawValue, at: offset)
        }
        self.name = name
        value = argument
    }

    /// The properties of an object or ECMA array value as a dictionary (onMetaData's shape).
    public var dictionary: [String: AMF0Value]? { value.dictionary }
}
