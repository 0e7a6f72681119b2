import Dispatch
import MediaCore
import Synchronization

/// The first sender an `IngestListener` accepts, handed to the thread that waits for it:
/// `StreamReader`'s `tcp://` input reads on its caller's thread, into its caller's closure.
/// The listener's connection thread offers its socket and waits until the reader is done with
/// it; the listener then closes it, as for every ingest. A sender offered after the first (or
/// after the reader finished) is given back at once, and the listener closes it.
final class ConnectionHandoff: Sendable {
    private enum Phase {
        case waiting
        case offered(StreamSocket)
        case taken
        /// The reader is done: connections offered now are given back at once.
        case closed
    }
    private let phase = Mutex(Phase.waiting)
    private let offered = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    /// On the listener's connection thread: offers `socket`, and returns once the reader is
    /// done with it (at once when another sender came first or the reader has finished).
    func offer(_ socket: StreamSocket) {
        let accepted = phase.withLock { phase -> Bool in
            guard case .waiting = phase else { return false }
            phase = .offered(socket)
            return true
        }
        guard accepted else { return }
        offered.signal()
        released.wait()
    }

    /// On the reader's thread: the offered socket, waiting for one at most `timeout`.
    func take(waitingUpTo timeout: Duration) -> StreamSocket? {
        guard offered.wait(upTo: timeout) == .success else { return nil }
        return phase.withLock { phase -> StreamSocket? in
            guard case .offered(let socket) = phase else { return nil }
            phase = .taken
            return socket
        }
    }

    /// The reader is done: a socket offered or taken goes back to the listener's thread.
    func close() {
        let holding = phase.withLock { phase -> Bool in
            defer { phase = .closed }
            switch phase {
            case .offered, .taken: return true
            case .waiting, .closed: return false
            }
        }
        if holding { released.signal() }
    }
}
