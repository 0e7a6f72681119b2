import Containers
import MediaCore

/// A command message (RTMP 1.0, 7.1.1 and 7.2): the command name, a transaction ID, a command
/// object (often null) and further arguments, all AMF0.
///
/// ```
/// "publish" | 5.0 | null | "cam1" | "live"
/// ```
public struct CommandMessage: Sendable, Equatable {
    public var name: String
    public var transactionID: Double
    public var commandObject: AMF0Value
    public var arguments: [AMF0Value]

    public init(name: String, transactionID: Double, commandObject: AMF0Value = .null, arguments: [AMF0Value] = []) {
        self.name = name
        self.transactionID = transactionID
        self.commandObject = commandObject
        self.arguments = arguments
    }

    /// Parses an AMF0 command body, or an AMF3 command body (type 17), whose first byte is a
    /// format selector (0: the rest is AMF0, which is what clients send). `offset` locates
    /// errors.
    public init(parsing payload: [UInt8], isAMF3: Bool = false, at offset: Int64 = 0) throws(RTMPError) {
        var bytes = payload
        if isAMF3 {
            guard bytes.first == 0 else {
                throw .malformedMessage(type: MessageType.commandAMF3.rawValue, reason: "AMF3 command bodies are not served", at: offset)
            }
            bytes.removeFirst()
        }
        let values: [AMF0Value]
        do { values = try AMF0Decoder.decodeAll(bytes) } catch { throw .malformedCommand(error, at: offset) }
        guard let name = values.first?.string else {
            throw .malformedMessage(type: MessageType.commandAMF0.rawValue, reason: "a command starts with its name (a string)", at: offset)
        }
        self.name = name
        // A transaction ID that is missing or not a number is read as 0 (no answer expected).
        transactionID = values.count > 1 ? values[1].number ?? 0 : 0
        commandObject = values.count > 2 ? values[2] : .null
        arguments = Array(values.dropFirst(3))
    }

    /// The AMF0 body.
    public func encode() throws(AMF0Error) -> [UInt8] {
        try AMF0Encoder.encode([.string(name), .number(transactionID), commandObject] + arguments)
    }

    /// A command message on `streamID`.
    public func message(streamID: UInt32 = 0) throws(AMF0Error) -> RTMPMessage {
        RTMPMessage(type: .commandAMF0, streamID: streamID, payload: try encode())
    }
}
