import Foundation
import MediaCore

/// The line CLI of the API (telnet/nc friendly): one command per line in
/// (`record localStreamName=a pathToFile=b`), one JSON answer per line out, as many commands
/// per connection as the client likes. Blank lines are ignored; `quit` or `exit` closes.
public final class LineServer: Sendable {
    public struct Limits: Sendable, Equatable {
        /// The longest command line: a record command with a PATH_MAX (4096) path and every
        /// parameter is under 5 KiB.
        public var maxLineLength = 8 * 1024
        /// A connection with no complete command for this long is closed: an abandoned
        /// terminal must not hold a slot forever, and an operator typing has minutes.
        public var idleTimeout: Duration = .seconds(300)
        /// A client that stops reading its answers loses its slot after this.
        public var writeTimeout: Duration = .seconds(10)
        /// An operator's console, not a public service.
        public var maxConnections = 16

        public init() {}
    }

    public let host: String
    public let limits: Limits
    private let server: ConnectionServer

    /// Listens on `host:port` once started; port 0 picks a free port (see `port`).
    public init(host: String = "127.0.0.1", port: Int = 1112, dispatcher: CommandDispatcher, limits: Limits = Limits()) {
        self.host = host
        self.limits = limits
        server = ConnectionServer(
            host: host, port: port, maxConnections: limits.maxConnections, name: "cli",
            handle: { socket in Self.serve(socket, dispatcher: dispatcher, limits: limits) },
            reject: { socket in
                try? socket.writeAll(Array((CommandAnswer.fail("server busy: \(limits.maxConnections) connections open; retry").text + "\n").utf8))
            })
    }

    public func start() throws(SocketError) { try server.start() }

    /// The port listened on (the kernel's choice when 0 was asked); 0 before `start()`.
    public var port: Int { server.port }

    public var activeConnectionCount: Int { server.activeConnectionCount }

    /// Stops accepting and ends open connections.
    public func stop() { server.stop() }

    private static func serve(_ socket: StreamSocket, dispatcher: CommandDispatcher, limits: Limits) {
        socket.setSendTimeout(limits.writeTimeout)
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var deadline = ContinuousClock.now + limits.idleTimeout
        func send(_ answer: CommandAnswer) -> Bool {
            (try? socket.writeAll(Array((answer.text + "\n").utf8))) != nil
        }
        func sendAndClose(_ answer: CommandAnswer) {
            _ = send(answer)
            socket.shutdownWrite()
            socket.discardInput()
        }
        while true {
            // Every complete line in the buffer first.
            while let newline = buffer.firstIndex(of: 0x0A) {
                var line = buffer[..<newline]
                buffer.removeSubrange(...newline)
                if line.last == 0x0D { line = line.dropLast() }
                deadline = ContinuousClock.now + limits.idleTimeout
                guard line.count <= limits.maxLineLength else {
                    sendAndClose(.fail("line longer than \(limits.maxLineLength) bytes; closing"))
                    return
                }
                guard let text = String(validating: line, as: UTF8.self) else {
                    guard send(.fail("command is not UTF-8 text")) else { return }
                    continue
                }
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                if ["quit", "exit"].contains(trimmed.lowercased()) {
                    socket.shutdownWrite()
                    return
                }
                let answer = dispatcher.answer(line: text)
                guard send(answer) else { return }
                if answer.requestsShutdown {
                    socket.shutdownWrite()
                    dispatcher.completeShutdown()
                    return
                }
            }
            if buffer.count > limits.maxLineLength {
                sendAndClose(.fail("line longer than \(limits.maxLineLength) bytes; closing"))
                return
            }
            let result = socket.read(into: &chunk, deadline: deadline)
            switch result {
            case .success(.bytes(let n)): buffer += chunk[..<n]
            case .success(.timedOut):
                sendAndClose(.fail("no command for \(limits.idleTimeout); closing"))
                return
            case .success(.endOfStream), .failure: return
            }
        }
    }
}
