import Containers
import Foundation
import MediaCore
import Synchronization

/// A named inbound MPEG-TS stream on a UDP or TCP port (pullStream). The stream appears when
/// data arrives and ends after `silence` seconds without data (or when the TCP sender closes);
/// the listener then waits for the next sender.
///
/// A sender has only its address to show: the publish address rules (and a ban earned over
/// RTMP) decide, through `RecorderEngine.authorizePublish`. A refused TCP sender's connection
/// is closed at once; a refused UDP sender's datagrams are dropped, the decision taken at its
/// first datagram and announced (event, log) once.
final class TSListener: Sendable {
    let input: StreamInput
    let name: String
    let silence: Double
    private weak let engine: (any IngestSink)?
    /// The bound socket: a UDP port read directly, or a TCP port (`IngestListener`) that takes
    /// one sender at a time.
    private enum Endpoint {
        case datagram(DatagramSocket)
        case listener(IngestListener)
    }
    /// Where the listener is: a leaf lock, held for a field and never across I/O.
    private enum Phase {
        case idle
        case listening(Endpoint, port: UInt16)
        case stopped
    }
    private let phase = Mutex(Phase.idle)
    /// Hosts remembered at most: past this the memory is cleared and senders decided again.
    static let maxRememberedSenders = 1024

    init(input: StreamInput, name: String, engine: any IngestSink, silence: Double) {
        self.input = input
        self.name = name
        self.engine = engine
        self.silence = silence
    }

    /// Storage for one read: a datagram's largest size; a TCP read that fills it doubles the
    /// next, up to `StreamInput.readSize`.
    static let readSize = 64 * 1024

    /// The source name of a UDP stream.
    static let udpSourceName = "udp-ts"

    var sourceName: String {
        switch input {
        case .udp: return Self.udpSourceName
        case .tcp: return "tcp-ts"
        case .file: return "file"
        }
    }

    /// The port listened on; 0 before `start()`.
    var port: UInt16 {
        phase.withLock { phase in
            if case .listening(_, let port) = phase { return port }
            return 0
        }
    }

    /// Binds now (so errors reach the caller), then serves on a thread of its own.
    func start() throws {
        switch input {
        case let .udp(host, port):
            let datagram = try DatagramSocket.bind(host: host, port: Int(port))
            let bound: UInt16
            do {
                bound = UInt16(try datagram.localPort())
            } catch {
                datagram.close()
                throw error
            }
            guard listening(.datagram(datagram), port: bound) else { return datagram.close() }
            let thread = Thread { [self] in serve(datagram) }
            thread.name = "ts-\(name)"
            thread.start()
        case let .tcp(host, port):
            let listener = IngestListener.oneSender(host: host, port: Int(port), name: "ts-\(name)") { [weak self] connection in
                self?.serve(connection)
            }
            try listener.start()
            guard listening(.listener(listener), port: UInt16(listener.port)) else { return listener.stop() }
        case .file: throw IngestError("a file is not a listener")
        }
    }

    /// Records the bound endpoint; false when `stop()` came first (the caller closes it).
    private func listening(_ endpoint: Endpoint, port: UInt16) -> Bool {
        phase.withLock { phase in
            if case .stopped = phase { return false }
            phase = .listening(endpoint, port: port)
            return true
        }
    }

    func stop() {
        let previous = phase.withLock { phase -> Phase in
            defer { phase = .stopped }
            return phase
        }
        if case .listening(.listener(let listener), _) = previous { listener.stop() }
    }

    private var shouldStop: Bool {
        phase.withLock { phase in
            if case .stopped = phase { return true }
            return false
        }
    }

    /// How often a waiting listener looks at `stop()`.
    static let pollInterval: Duration = .milliseconds(200)

    private func serve(_ socket: DatagramSocket) {
        defer { socket.close() }
        var senders = UDPSenderDecisions()
        while !shouldStop { receive(from: socket, client: "udp", senders: &senders) }
    }

    /// One TCP sender, on its connection's thread (the listener closes the socket).
    private func serve(_ connection: StreamSocket) {
        guard isAllowed(connection.peerAddress()) else { return }
        var senders = UDPSenderDecisions()
        receive(from: connection, client: "tcp", senders: &senders)
    }

    /// One appearance of the stream: from the first MPEG-TS content to silence or the sender's
    /// close. Bytes that hold no TS (a port scanner, an HTTP request sent to the wrong port) do
    /// not make the stream appear.
    private func receive(from socket: some ReceivingSocket, client: String, senders: inout UDPSenderDecisions) {
        var reader = TSReader()
        var readSize = Self.readSize
        var stream: StreamClaim?
        var refused = false
        var lastData = ContinuousClock.now
        func drain() {
            while !refused {
                let event: DemuxEvent?
                do {
                    event = try reader.next()
                } catch {
                    // A broken PES or section is dropped by the reader; go on with the rest.
                    continue
                }
                guard let event else { return }
                if stream == nil {
                    guard let engine, let claimed = try? StreamClaim.claim(name, source: sourceName, clientAddress: nil,
                                                                          transport: client == "udp" ? .udp : .tcp, sink: engine) else {
                        refused = true  // the name is live from another sender
                        return
                    }
                    stream = claimed
                }
                stream?.deliver(event)
            }
        }
        while !shouldStop && !refused {
            let readable = (try? socket.waitReadable(until: .now + Self.pollInterval)) ?? false
            if !readable {
                if ContinuousClock.now - lastData >= .seconds(silence) && (stream != nil || client == "tcp") { break }
                continue
            }
            var sender: String?
            // Straight into the reader's buffer, no copy; a datagram from a sender the publish
            // rules refuse is taken back (`count` 0).
            let received = reader.push(upTo: readSize) { buffer -> (count: Int, outcome: Int?) in
                guard let n = try? socket.receive(into: buffer, sender: &sender) else { return (0, nil) }
                if client == "udp" && !senders.isAllowed(sender, by: isAllowed) { return (0, -1) }
                return (n, n)
            }
            guard let n = received else { break }
            if n < 0 { continue }
            guard n > 0 else { break }
            readSize = n == readSize ? min(2 * readSize, StreamInput.readSize) : Self.readSize
            lastData = .now
            drain()
        }
        guard let live = stream else { return }
        // The last access unit is complete only now that no more bytes come.
        reader.finish()
        drain()
        live.end()
    }

    private func publishRequest(from address: String?) -> PublishRequest {
        PublishRequest(ingestProtocol: sourceName == Self.udpSourceName ? .udpTS : .tcpTS, app: "", name: name, clientAddress: address)
    }

    /// Whether the sender at `address` may feed the stream (refusals are announced by the engine).
    private func isAllowed(_ address: String?) -> Bool {
        guard let engine else { return false }
        if case .allow = engine.authorizePublish(publishRequest(from: address)) { return true }
        return false
    }

    /// The UDP senders decided so far, by host (the serve thread's own): a sender is asked
    /// about once, as its datagrams keep coming and its refusal is announced once.
    private struct UDPSenderDecisions {
        private var byHost: [String: Bool] = [:]

        mutating func isAllowed(_ address: String?, by decide: (String?) -> Bool) -> Bool {
            let host = address.map(SocketAddress.host(of:)) ?? "?"
            if let known = byHost[host] { return known }
            if byHost.count >= TSListener.maxRememberedSenders { byHost = [:] }
            let allowed = decide(address)
            byHost[host] = allowed
            return allowed
        }
    }
}
