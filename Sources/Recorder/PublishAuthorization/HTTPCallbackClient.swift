import Foundation
import MediaCore

/// The auth callback's HTTP/1.1 client, over the recorder's own sockets: one POST per
/// connection (`Connection: close`), of which only the status line and the Location field are
/// read, everything within one deadline.
enum HTTPCallbackClient {
    /// An answer's head longer than this is not an answer a callback sends.
    static let maxResponseHeadBytes = 16 * 1024

    struct Answer: Sendable, Equatable {
        var status: Int
        var location: String?
    }

    static func post(_ url: HTTPURL, form body: String, deadline: ContinuousClock.Instant) throws(HTTPCallbackError) -> Answer {
        let socket: StreamSocket
        do {
            socket = try StreamSocket.connect(host: url.host, port: url.port, deadline: deadline)
        } catch {
            throw HTTPCallbackError("cannot connect: \(error.reason)")
        }
        defer { socket.close() }
        let bodyBytes = Array(body.utf8)
        let head = "POST \(url.target) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: StreamRecorder\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(bodyBytes.count)\r\nConnection: close\r\n\r\n"
        let left = deadline - .now
        guard left > .zero else { throw HTTPCallbackError("timed out") }
        socket.setSendTimeout(left)
        do {
            try socket.writeAll(Array(head.utf8) + bodyBytes)
        } catch {
            throw HTTPCallbackError("cannot send the request: \(error.reason)")
        }
        var received: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            if let answer = try parseHead(received) { return answer }
            guard received.count <= maxResponseHeadBytes else { throw HTTPCallbackError("answer head longer than \(maxResponseHeadBytes) bytes") }
            let result = socket.read(into: &scratch, deadline: deadline)
            switch result {
            case .success(.bytes(let n)): received += scratch[0..<n]
            case .success(.endOfStream): throw HTTPCallbackError(received.isEmpty ? "closed without an answer" : "closed in the middle of the answer")
            case .success(.timedOut): throw HTTPCallbackError("no answer within the timeout")
            case .failure(let error): throw HTTPCallbackError("cannot read the answer: \(error.reason)")
            }
        }
    }

    /// The status and Location of a complete head in `bytes`; nil while it is incomplete.
    static func parseHead(_ bytes: [UInt8]) throws(HTTPCallbackError) -> Answer? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") ?? text.range(of: "\n\n") else { return nil }
        let lines = text[..<end.lowerBound].split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        let statusLine = lines.first ?? ""
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            throw HTTPCallbackError("not an HTTP answer: '\(statusLine.prefix(80))'")
        }
        var location: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "location" {
                location = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
                while location?.last == " " || location?.last == "\t" { location?.removeLast() }
            }
        }
        return Answer(status: status, location: location)
    }
}

/// Why the auth callback could not be asked.
struct HTTPCallbackError: Error, Sendable, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
