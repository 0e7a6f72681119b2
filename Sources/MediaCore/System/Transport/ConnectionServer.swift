import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The part every TCP server shares (HTTP API, line CLI, RTMP, RTSP push): a listener, an
/// accept thread, one thread per connection, and a bound on how many connections run at once.
/// A connection over the bound is handed to `reject` (which writes a short refusal) and closed
/// at once, so a flood of clients costs threads only up to the bound.
///
/// Each connection thread owns its socket and closes it; `stop()` only shuts sockets down,
/// which wakes their threads. A connection whose thread cannot be started is closed at once.
/// Out of descriptors, accepting pauses (`StreamSocket.accept()`'s EMFILE policy).
public final class ConnectionServer: Sendable {
    public let host: String
    public let requestedPort: Int
    public let maxConnections: Int
    private let name: String
    private let handle: @Sendable (StreamSocket) -> Void
    private let reject: @Sendable (StreamSocket) -> Void

    private struct State {
        var listener: StreamSocket?
        var acceptThread: SystemThread?
        var wakeRead: Int32 = -1
        var wakeWrite: Int32 = -1
        var boundPort = 0
        var active: Set<Int32> = []
        var stopped = false
    }
    private let state = Mutex(State())

    /// `name` labels the threads (`name-accept`, `name-conn`).
    public init(host: String, port: Int, maxConnections: Int, name: String = "server",
                handle: @escaping @Sendable (StreamSocket) -> Void, reject: @escaping @Sendable (StreamSocket) -> Void) {
        self.host = host
        requestedPort = port
        self.maxConnections = max(1, maxConnections)
        self.name = name
        self.handle = handle
        self.reject = reject
    }

    /// The port listened on (the kernel's choice when 0 was asked); 0 before `start()`.
    public var port: Int { state.withLock { $0.boundPort } }

    public var activeConnectionCount: Int { state.withLock { $0.active.count } }

    /// Binds and starts accepting on a thread of its own. Every descriptor opened here is
    /// closed again when it throws.
    public func start() throws(SocketError) {
        let (started, stopped) = state.withLock { ($0.listener != nil, $0.stopped) }
        guard !started, !stopped else {
            throw SocketError(call: "listen", address: SocketCalls.label(host, requestedPort),
                              reason: stopped ? "server was stopped" : "server already started")
        }
        let socket = try StreamSocket.listen(host: host, port: requestedPort)
        let port: Int
        do {
            port = try socket.localPort()
        } catch {
            socket.close()
            throw error
        }
        // The self-pipe wakes the accept thread's poll on stop(): closing a listener another
        // thread is polling does not reliably wake it.
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            let e = errno
            socket.close()
            throw SocketError(call: "pipe", address: socket.address, errno: e)
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let (wakeRead, wakeWrite) = (fds[0], fds[1])
        state.withLock {
            $0.listener = socket
            $0.boundPort = port
            $0.wakeRead = wakeRead
            $0.wakeWrite = wakeWrite
        }
        do {
            let thread = try SystemThread.start(name: "\(name)-accept", detached: false) { [self] in acceptLoop(socket, wake: wakeRead) }
            state.withLock { $0.acceptThread = thread }
        } catch {
            state.withLock { $0 = State() }
            for fd in [socket.rawValue, wakeRead, wakeWrite] { _ = Glibc.close(fd) }
            throw SocketError(call: "pthread_create", address: socket.address, errno: error.errno)
        }
    }

    /// Stops accepting (the port is closed when this returns) and ends open connections.
    public func stop() {
        let thread = state.withLock { state -> SystemThread? in
            let first = !state.stopped
            state.stopped = true
            for fd in state.active { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
            guard first, state.listener != nil, state.wakeWrite >= 0 else { return nil }
            var byte: UInt8 = 1
            _ = write(state.wakeWrite, &byte, 1)
            return state.acceptThread
        }
        thread?.join()
    }

    /// Stops as `stop()` does, then waits until every connection thread has returned (an
    /// ingest's streams ended, files closed) or `grace` has passed.
    public func stop(waitingUpTo grace: Duration) {
        stop()
        let deadline = ContinuousClock.now + grace
        var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
        while activeConnectionCount > 0 && ContinuousClock.now < deadline { _ = nanosleep(&pause, nil) }
    }

    private func acceptLoop(_ socket: StreamSocket, wake: Int32) {
        defer {
            socket.close()
            state.withLock {
                _ = Glibc.close($0.wakeRead)
                _ = Glibc.close($0.wakeWrite)
                $0.wakeRead = -1
                $0.wakeWrite = -1
                $0.listener = nil
            }
        }
        while true {
            guard let ready = try? StreamSocket.waitReadable([socket.rawValue, wake], deadline: nil, address: socket.address),
                  ready == 0, !state.withLock({ $0.stopped }) else { return }
            let connection: StreamSocket?
            do {
                connection = try socket.accept()
            } catch {
                return
            }
            guard let connection else { continue }  // nothing taken (the EMFILE pause is inside accept)
            admit(connection)
        }
    }

    private func admit(_ connection: StreamSocket) {
        let admitted = state.withLock { state -> Bool in
            guard !state.stopped, state.active.count < maxConnections else { return false }
            state.active.insert(connection.rawValue)
            return true
        }
        guard admitted else {
            // Refusing takes one small write into an empty send buffer: no thread needed
            // beyond this one, and a short send timeout in case the peer's window is zero.
            connection.setSendTimeout(.milliseconds(200))
            reject(connection)
            connection.close()
            return
        }
        let handle = handle
        do {
            try SystemThread.start(name: "\(name)-conn", detached: true) { [self] in
                handle(connection)
                release(connection)
            }
        } catch {
            release(connection)
        }
    }

    /// Out of the set before close: stop() must never shut down a descriptor number that a
    /// new connection has been given since.
    private func release(_ connection: StreamSocket) {
        state.withLock { _ = $0.active.remove(connection.rawValue) }
        connection.close()
    }
}
