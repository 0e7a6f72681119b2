/// What a route of the HTTP server (a path that is not an EMS command) answers: a small text
/// page, a file streamed with byte ranges, or a refusal with its status and reason.
public enum RouteAnswer: Sendable {
    case resource(HTTPServer.Resource)
    case file(ServedFile)
    /// A 4xx/5xx with a FAIL body giving `description`.
    case refused(status: Int, description: String)
}

/// The query parameters of a route's request, percent-decoded; a name given twice keeps its
/// last value.
public struct RouteRequest: Sendable {
    public var path: String
    public var parameters: [String: String]

    public init(path: String, parameters: [String: String]) {
        self.path = path
        self.parameters = parameters
    }

    /// Splits `target` (`/path?a=1&b=2`) into its path and decoded parameters.
    static func parse(target: String) throws(CommandError) -> RouteRequest {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var parameters: [String: String] = [:]
        if parts.count == 2 {
            for field in parts[1].split(separator: "&") where !field.isEmpty {
                if let eq = field.firstIndex(of: "=") {
                    parameters[try CommandParser.percentDecode(field[..<eq])] = try CommandParser.percentDecode(field[field.index(after: eq)...])
                } else {
                    parameters[try CommandParser.percentDecode(field)] = ""
                }
            }
        }
        return RouteRequest(path: String(parts[0]), parameters: parameters)
    }
}
