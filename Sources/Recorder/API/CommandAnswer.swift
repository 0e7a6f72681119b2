import MediaCore

/// The answer to every command, in the EMS shape:
/// `{"data":{...},"description":"...","status":"SUCCESS"|"FAIL"}`.
public struct CommandAnswer: Sendable, Equatable {
    public enum Status: String, Sendable {
        case success = "SUCCESS"
        case fail = "FAIL"
    }

    public var status: Status
    public var description: String
    /// The command's result; null for FAIL.
    public var data: JSONValue
    /// Set on the answer to a successful shutdownServer: the server that delivers this answer
    /// calls `CommandDispatcher.completeShutdown()` once it has been written, so the client
    /// hears SUCCESS before the listeners close.
    public var requestsShutdown = false

    public init(status: Status, description: String, data: JSONValue) {
        self.status = status
        self.description = description
        self.data = data
    }

    public static func success(_ description: String, data: JSONValue) -> CommandAnswer {
        CommandAnswer(status: .success, description: description, data: data)
    }

    public static func fail(_ description: String) -> CommandAnswer {
        CommandAnswer(status: .fail, description: description, data: .null)
    }

    public var isSuccess: Bool { status == .success }

    public var json: JSONValue {
        .object(["data": data, "description": .string(description), "status": .string(status.rawValue)])
    }

    /// The answer as one line of JSON (no line break inside, none at the end).
    public var text: String { json.text }
}
