import MediaCore

/// A TCP port that takes publishers: the one listener every TCP ingest uses (RTMP, RTSP push,
/// MPEG-TS over TCP). A protocol brings two things: how it serves one connection (on that
/// connection's own thread, which owns the socket until it returns) and what it tells a client
/// over `maxConnections` (its "busy" answer, written before the close; nothing when the
/// protocol has no way to say it). Accepting, the thread per connection and the bound are
/// MediaCore's `ConnectionServer`.
public final class IngestListener: Sendable {
    /// How long `stop()` waits for connections to close their streams.
    static let stopGracePeriod: Duration = .seconds(10)

    public let host: String
    private let server: ConnectionServer

    /// Listens on `host:port` once started; port 0 picks a free one (see `port`). `name` labels
    /// the threads (`name-accept`, `name-conn`).
    init(host: String, port: Int, maxConnections: Int, name: String,
         serve: @escaping @Sendable (StreamSocket) -> Void, busy: @escaping @Sendable (StreamSocket) -> Void) {
        self.host = host
        server = ConnectionServer(host: host, port: port, maxConnections: maxConnections, name: name,
                                  handle: serve, reject: busy)
    }

    /// Binds (errors reach the caller) and accepts on a thread of its own.
    public func start() throws(SocketError) { try server.start() }

    /// The port listened on (the kernel's choice when 0 was asked); 0 before `start()`.
    public var port: Int { server.port }

    public var activeConnectionCount: Int { server.activeConnectionCount }

    /// Stops accepting and ends every connection; returns when their streams have ended (files
    /// closed, MP4s queued to finalize), or after a grace period.
    public func stop() { server.stop(waitingUpTo: Self.stopGracePeriod) }
}

/// One publisher's connection of a protocol, served on its own thread by an `IngestListener`.
protocol IngestConnection {
    associatedtype Limits: Sendable
    init(peer: IngestPeer, limits: Limits)
    var peer: IngestPeer { get }
    /// Serves the connection to its end; the stream it published has ended when this returns.
    mutating func run()
}

extension IngestConnection {
    var socket: StreamSocket { peer.socket }
    var engine: any IngestSink { peer.engine }
    var client: String { peer.client }

    /// One JSON log line, in the shape of the engine's events, naming the client.
    func logEvent(_ name: String, _ fields: [String: JSONValue]) {
        peer.log(EventLine.text(name, fields.merging(["client": .string(client)]) { $1 }))
    }
}

/// What every ingest connection holds: its socket, where its stream goes, its log, and the
/// client's address (for logs and the publish rules).
struct IngestPeer {
    let socket: StreamSocket
    let engine: any IngestSink
    let log: @Sendable (String) -> Void
    let client: String

    init(socket: StreamSocket, engine: any IngestSink, log: @escaping @Sendable (String) -> Void) {
        self.socket = socket
        self.engine = engine
        self.log = log
        client = socket.peerAddress() ?? "?"
    }
}

extension IngestListener {
    /// A listener for a protocol whose one sender feeds one stream (MPEG-TS over TCP): a second
    /// sender while the first is served is closed at once, as MPEG-TS has no way to say "busy".
    static func oneSender(host: String, port: Int, name: String, serve: @escaping @Sendable (StreamSocket) -> Void) -> IngestListener {
        IngestListener(host: host, port: port, maxConnections: 1, name: name, serve: serve, busy: { _ in })
    }

    /// A listener serving each connection with a `Connection`; `busy` answers those over
    /// `maxConnections`.
    convenience init<Connection: IngestConnection>(
        _ connection: Connection.Type, host: String, port: Int, maxConnections: Int, name: String, engine: any IngestSink,
        limits: Connection.Limits, log: @escaping @Sendable (String) -> Void, busy: @escaping @Sendable (StreamSocket) -> Void) {
        self.init(host: host, port: port, maxConnections: maxConnections, name: name, serve: { socket in
            var connection = Connection(peer: IngestPeer(socket: socket, engine: engine, log: log), limits: limits)
            connection.run()
        }, busy: busy)
    }
}
