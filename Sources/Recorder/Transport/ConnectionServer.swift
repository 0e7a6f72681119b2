import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The part the HTTP and line servers share: a listener, an accept thread, one thread per
/// connection, and a bound on how many connections run at once. A connection over the bound is
/// handed to `reject` (which writes a short refusal) and closed at once, so a flood of clients
/// costs threads only up to the bound.
///
/// Each connection thread owns its socket and closes it; `stop()` only shuts sockets down,
/// which wakes their threads.
final class ConnectionServer: @unchecked Sendable {
    let host: String
    let requestedPort: Int
    let maxConnections: Int
    private let handle: @Sendable (StreamSocket) -> Void
    private let reject: @Sendable (StreamSocket) -> Void

    private let lock = NSLock()
    private var listener: StreamSocket?
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var boundPort = 0
    private var active: Set<Int32> = []
    private var stopped = false
    private let acceptLoopDone = DispatchSemaphore(value: 0)

    init(host: String, port: Int, maxConnections: Int,
         handle: @escaping @Sendable (StreamSocket) -> Void, reject: @escaping @Sendable (StreamSocket) -> Void) {
        self.host = host
        requestedPort = port
        self.maxConnections = max(1, maxConnections)
        self.handle = handle
        self.reject = reject
    }

    /// The port listened on (the kernel's choice when 0 was asked); 0 before `start()`.
    var port: Int { lock.withLock { boundPort } }

    var activeConnectionCount: Int { lock.withLock { active.count } }

    /// Binds and starts accepting on a thread of its own.
    func start() throws(SocketError) {
        let state = lock.withLock { (listener != nil, stopped) }
        guard !state.0, !state.1 else {
            throw SocketError(call: "listen", address: "\(host):\(requestedPort)", reason: state.1 ? "server was stopped" : "server already started")
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
        let (wakeReadEnd, wakeWriteEnd) = (fds[0], fds[1])
        lock.withLock {
            listener = socket
            boundPort = port
            wakeRead = wakeReadEnd
            wakeWrite = wakeWriteEnd
        }
        Thread.detachNewThread { [self] in acceptLoop(socket, wake: wakeReadEnd) }
    }

    /// Stops accepting (the port is closed when this returns) and ends open connections.
    func stop() {
        let wokeLoop = lock.withLock { () -> Bool in
            let first = !stopped
            stopped = true
            for fd in active { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
            guard first, listener != nil, wakeWrite >= 0 else { return false }
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
            return true
        }
        if wokeLoop { acceptLoopDone.wait() }
    }

    private func acceptLoop(_ socket: StreamSocket, wake: Int32) {
        defer {
            socket.close()
            lock.withLock {
                _ = Glibc.close(wakeRead)
                _ = Glibc.close(wakeWrite)
                wakeRead = -1
                wakeWrite = -1
                listener = nil
            }
            acceptLoopDone.signal()
        }
        while true {
            let ready: Int?
            do {
                ready = try StreamSocket.waitReadable([socket.rawValue, wake], deadline: nil, address: socket.address)
            } catch {
                return
            }
            if ready == 1 || lock.withLock({ stopped }) { return }
            let connection: StreamSocket?
            do {
                connection = try socket.accept()
            } catch {
                return
            }
            guard let connection else {
                // EMFILE and friends: give the system a moment instead of spinning.
                usleep(10_000)
                continue
            }
            let admitted = lock.withLock { () -> Bool in
                guard !stopped, active.count < maxConnections else { return false }
                active.insert(connection.rawValue)
                return true
            }
            let handle = handle
            let reject = reject
            if admitted {
                Thread.detachNewThread { [self] in
                    handle(connection)
                    // Out of the set before close: stop() must never shut down a descriptor
                    // number that a new connection has been given since.
                    lock.withLock { _ = active.remove(connection.rawValue) }
                    connection.close()
                }
            } else {
                // Refusing takes one small write into an empty send buffer: no thread needed
                // beyond this one, and a short send timeout in case the peer's window is zero.
                connection.setSendTimeout(.milliseconds(200))
                reject(connection)
                connection.close()
            }
        }
    }
}
